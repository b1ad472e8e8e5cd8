package ui

import (
	"fmt"
	"os/exec"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"cadang/jobs"
)

// docTypeName is a document type in the chosen language.
func docTypeName(t string) string {
	switch t {
	case jobs.DocRequestForm:
		return lang.L("Request form")
	case jobs.DocExecutionReport:
		return lang.L("Execution report")
	case jobs.DocVerificationReport:
		return lang.L("Verification report")
	case jobs.DocHandoverForm:
		return lang.L("Handover form")
	case jobs.DocHistoryReport:
		return lang.L("Run history")
	}
	return t
}

// printFile sends a PDF to the default printer with CUPS' lp.
func printFile(s *session, path string) {
	lp, err := exec.LookPath("lp")
	if err != nil {
		showError(s.win, fmt.Errorf("%s", lang.L("No print command (lp) on this computer: open the PDF and print it from the viewer.")))
		return
	}
	s.bg(func() {
		out, err := exec.CommandContext(s.ctx, lp, path).CombinedOutput()
		fyne.Do(func() {
			if err != nil {
				showError(s.win, fmt.Errorf("print %s: %v: %s", path, err, out))
			}
		})
	})
}
