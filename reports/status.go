package reports

import (
	"fmt"
	"strings"

	"cadang/pdfdoc"
)

// runStatuses are the outcomes of a backup run. "warnings" is not success:
// some files were not read (STYLE.md: partial failure is not success).
var runStatuses = map[string]pdfdoc.Text{
	"success":  pdfdoc.T("Berhasil", "Success"),
	"warnings": pdfdoc.T("Selesai dengan peringatan", "Completed with warnings"),
	"failed":   pdfdoc.T("Gagal", "Failed"),
	"missed":   pdfdoc.T("Terlewat (tidak berjalan)", "Missed (did not run)"),
}

func runStatus(s string) (pdfdoc.Text, bool) {
	t, ok := runStatuses[strings.ToLower(strings.TrimSpace(s))]
	return t, ok
}

// historyStatuses are the outcomes a run history counts, in the order its
// summary prints them: the backup outcomes, then restores and runs still
// going. Every run falls in exactly one, so the counts add up to the runs.
var historyStatuses = []struct {
	name string
	text pdfdoc.Text
}{
	{"success", pdfdoc.T("Berhasil", "Success")},
	{"warnings", pdfdoc.T("Dengan peringatan", "With warnings")},
	{"failed", pdfdoc.T("Gagal", "Failed")},
	{"missed", pdfdoc.T("Terlewat", "Missed")},
	{"verified", pdfdoc.T("Restore terverifikasi", "Restore verified")},
	{"running", pdfdoc.T("Sedang berjalan", "Running")},
	{"", pdfdoc.T("Status lain", "Other status")},
}

// historyStatus is the row of historyStatuses a run's status counts in.
func historyStatus(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, h := range historyStatuses {
		if h.name == s {
			return s
		}
	}
	return ""
}

// statusText is the status in the document's language; a status this
// Cadang does not know (a newer catalog) prints as "other status (s)".
func statusText(lang pdfdoc.Lang, s string) string {
	key := historyStatus(s)
	for _, h := range historyStatuses {
		if h.name == key {
			if key == "" {
				return h.text.In(lang) + " (" + s + ")"
			}
			return h.text.In(lang)
		}
	}
	return s
}

func invalid(doc, number, format string, args ...any) error {
	return fmt.Errorf("%s %s: %w: %s", doc, number, pdfdoc.ErrInvalid, fmt.Sprintf(format, args...))
}

// Signatories are the three people of a report's approval row, as the
// SOP's own page has it (Disiapkan / Diperiksa / Disetujui): who prepared
// the report (the account that acted), who checked it, and the IT manager
// who approved what it reports. A zero block prints lines for the pen.
// Labels are the report's; a block without a title gets the SOP's.
type Signatories struct {
	Prepared, Checked, Approved pdfdoc.Signature
}

var signatoryRow = []struct {
	label, title pdfdoc.Text
}{
	{pdfdoc.T("Disiapkan oleh", "Prepared by"), pdfdoc.T("IT Staff", "IT Staff")},
	{pdfdoc.T("Diperiksa oleh", "Checked by"), pdfdoc.T("", "")},
	{pdfdoc.T("Disetujui oleh", "Approved by"), pdfdoc.T("IT Manager", "IT Manager")},
}

// blocks labels the three blocks for lang.
func (s Signatories) blocks(lang pdfdoc.Lang) []pdfdoc.Signature {
	out := []pdfdoc.Signature{s.Prepared, s.Checked, s.Approved}
	for i := range out {
		out[i].Label = signatoryRow[i].label.Inline(lang)
		if strings.TrimSpace(out[i].Title) == "" {
			out[i].Title = signatoryRow[i].title.In(lang)
		}
	}
	return out
}

// validate refuses a row that names one person twice: who prepared a
// report does not also check or approve it.
func (s Signatories) validate(doc, number string) error {
	seen := map[string]bool{}
	for _, n := range []string{s.Prepared.Name, s.Checked.Name, s.Approved.Name} {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" {
			continue
		}
		if seen[n] {
			return invalid(doc, number, "the approval row names %q twice: Disiapkan / Diperiksa / Disetujui are three different people", n)
		}
		seen[n] = true
	}
	return nil
}
