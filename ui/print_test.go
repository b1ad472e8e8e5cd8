package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"cadang/printing"
)

// TestPrintingProblemsSayWhatToDo: a missing print program is named with
// how to install it and the offer to save the PDF instead; a missing
// default printer says where to choose one; both in the chosen language.
func TestPrintingProblemsSayWhatToDo(t *testing.T) {
	missing := &printing.MissingToolError{Tools: []string{"lp (CUPS)", "xdg-open"}, Install: "install them with `sudo apt-get install cups-client xdg-utils`"}
	for _, tc := range []struct {
		lang, name string
		err        error
		what, todo []string
	}{
		{LangEnglish, "missing tools", fmt.Errorf("print x.pdf: %w", missing), []string{"lp (CUPS), xdg-open"}, []string{"cups-client", "save the PDF"}},
		{LangIndonesian, "missing tools", missing, []string{"tidak memiliki program", "lp (CUPS)"}, []string{"cups-client", "simpan PDF"}},
		{LangIndonesian, "missing viewer", &printing.MissingToolError{Tools: []string{"xdg-open"}, Install: "install it with `sudo apt-get install xdg-utils` (Fedora: `sudo dnf install xdg-utils`)"},
			[]string{"xdg-open"}, []string{"pasang dengan sudo apt-get install xdg-utils (Fedora"}},
		{LangEnglish, "no printer", fmt.Errorf("print x.pdf: %w", printing.ErrNoPrinter), []string{"No default printer"}, []string{"printer settings"}},
		{LangIndonesian, "no printer", printing.ErrNoPrinter, []string{"printer bawaan"}, []string{"pengaturan printer"}},
	} {
		t.Run(tc.lang+" "+tc.name, func(t *testing.T) {
			t.Cleanup(func() { applyLanguage(LangEnglish) })
			if err := applyLanguage(tc.lang); err != nil {
				t.Fatal(err)
			}
			what, todo := explain(tc.err)
			for _, w := range tc.what {
				if !strings.Contains(what, w) {
					t.Errorf("what = %q, want it to mention %q", what, w)
				}
			}
			if strings.Contains(todo, "`") {
				t.Errorf("todo = %q: Markdown quotes show as stray accents", todo)
			}
			for _, w := range tc.todo {
				if !strings.Contains(todo, w) {
					t.Errorf("todo = %q, want it to mention %q", todo, w)
				}
			}
		})
	}
}

// TestPrintingMissingToolOffersSave: Open on a computer without xdg-open
// says what to install and offers Save a copy…, which opens the save
// dialog (no dead end).
func TestPrintingMissingToolOffersSave(t *testing.T) {
	w := newTestWindow(t)
	t.Setenv("PATH", t.TempDir()) // no xdg-open, no lp
	pdf := filepath.Join(t.TempDir(), "FRM-IT-002-04_2026_0001.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.7"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := acting{caller: caller{ctx: context.Background(), win: w, bg: inline}}
	openFile(s, pdf)
	top := w.Canvas().Overlays().Top()
	if top == nil || !shows(top, "xdg-open") {
		t.Fatalf("after Open without xdg-open: %q", dialogText(w))
	}
	test.Tap(findButton(t, top, "Save a copy…"))
	if after := w.Canvas().Overlays().Top(); after == nil || after == top {
		t.Fatalf("Save a copy… opened nothing: %q", dialogText(w))
	}
}
