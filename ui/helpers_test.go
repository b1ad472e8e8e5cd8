package ui

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// inline runs background work on the calling goroutine: with the test
// driver's inline fyne.Do, a tap has finished its whole effect when
// test.Tap returns, so tests need no waiting.
func inline(work func()) { work() }

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newWorkspace opens a fresh workspace in a temp dir.
func newWorkspace(t *testing.T) *jobs.Service {
	t.Helper()
	svc, err := jobs.OpenWorkspace(context.Background(), t.TempDir(), jobs.Options{})
	if err != nil {
		t.Fatalf("open workspace: %v", err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

// withAdmin is a workspace with administrator "admin" / "correct horse"
// (and the other office accounts), copied from the office template.
func withAdmin(t *testing.T) (*jobs.Service, jobs.User) {
	t.Helper()
	template.once.Do(makeTemplate)
	if template.err != nil {
		t.Fatalf("office template: %v", template.err)
	}
	ws := filepath.Join(t.TempDir(), "workspace")
	if err := copyDir(template.dir, ws); err != nil {
		t.Fatal(err)
	}
	svc, err := jobs.OpenWorkspace(context.Background(), ws, jobs.Options{})
	if err != nil {
		t.Fatalf("open workspace: %v", err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc, template.admin
}

// newTestWindow starts a test app in English and a window of a useful size.
func newTestWindow(t *testing.T) fyne.Window {
	t.Helper()
	test.NewTempApp(t)
	if err := applyLanguage(LangEnglish); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1100, 760))
	return w
}

// texts collects every label, button, entry, rich text and hyperlink text below o.
func texts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil {
			return
		}
		switch v := o.(type) {
		case *widget.Label:
			out = append(out, v.Text)
		case *widget.Button:
			out = append(out, v.Text)
		case *widget.Entry:
			out = append(out, v.Text)
		case *widget.RichText:
			out = append(out, v.String())
		case *widget.Hyperlink:
			out = append(out, v.Text)
		case *widget.Check:
			out = append(out, v.Text)
		}
		switch o.(type) {
		case *widget.Label, *widget.Button, *widget.RichText, *widget.Hyperlink, *widget.Check:
			return // their renderers repeat the text
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

// shows reports whether some text below o contains want.
func shows(o fyne.CanvasObject, want string) bool {
	for _, s := range texts(o) {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}

// dialogText is the text of the top overlay (a dialog), or "" when none.
func dialogText(w fyne.Window) string {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	return strings.Join(texts(top), "\n")
}

// closeDialogs removes every overlay, as tapping a dialog's button would.
func closeDialogs(w fyne.Window) {
	for w.Canvas().Overlays().Top() != nil {
		w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	}
}

// walkObjects visits o and everything below it while visit returns true.
func walkObjects(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) {
	if o == nil || !visit(o) {
		return
	}
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walkObjects(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			walkObjects(c, visit)
		}
	}
}

// findButton finds a button by its text below o.
func findButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil || o == nil {
			return
		}
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
			return
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	if found == nil {
		t.Fatalf("no button %q in %q", text, texts(o))
	}
	return found
}

var _ = container.NewVBox

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }

// findSelect finds the first select below o.
func findSelect(t *testing.T, o fyne.CanvasObject) *widget.Select {
	t.Helper()
	var found *widget.Select
	walkObjects(o, func(c fyne.CanvasObject) bool {
		if s, ok := c.(*widget.Select); ok && found == nil {
			found = s
		}
		return found == nil
	})
	if found == nil {
		t.Fatalf("no select in %q", texts(o))
	}
	return found
}

// findEntries lists the entries below o in order.
func findEntries(o fyne.CanvasObject) []*widget.Entry {
	var out []*widget.Entry
	walkObjects(o, func(c fyne.CanvasObject) bool {
		if e, ok := c.(*widget.Entry); ok {
			out = append(out, e)
			return false
		}
		return true
	})
	return out
}
