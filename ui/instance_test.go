package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// One Cadang per person: a second start asks the first to show its window
// and stops; after the first quits, a start claims it again.
func TestSingleInstance(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cadang.sock")
	shown := make(chan struct{}, 1)
	first, err := claimInstance(path, func() { shown <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := claimInstance(path, func() {}); !errors.Is(err, errAlreadyRunning) {
		t.Fatalf("second start: %v, want errAlreadyRunning", err)
	}
	select {
	case <-shown:
	case <-time.After(10 * time.Second):
		t.Fatal("the first Cadang was not asked to show its window")
	}
	first.close()
	again, err := claimInstance(path, func() {})
	if err != nil {
		t.Fatalf("start after the first quit: %v", err)
	}
	again.close()
}

// Closing the window without a tray asks, and "Keep running" hides it
// instead of quitting.
func TestCloseWithoutTrayAsks(t *testing.T) {
	a := test.NewTempApp(t)
	if err := applyLanguage(LangEnglish); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	f := newFlow(context.Background(), a, w, "", inline, quietLog())
	f.askClose()
	d := dialogText(w)
	if !strings.Contains(d, "Keep running") || !strings.Contains(d, "Quit") || !strings.Contains(d, "brings this window back") {
		t.Fatalf("closing without a tray: dialog %q", d)
	}
	test.Tap(findButton(t, w.Canvas().Overlays().Top(), "Keep running"))
	if dialogText(w) != "" {
		t.Errorf("the dialog stayed: %q", dialogText(w))
	}
}
