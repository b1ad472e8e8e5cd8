package ui

import (
	"fmt"
	"strings"
	"testing"

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
			for _, w := range tc.todo {
				if !strings.Contains(todo, w) {
					t.Errorf("todo = %q, want it to mention %q", todo, w)
				}
			}
		})
	}
}
