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

// statusText is the status in the document's language, or s itself when it
// is not a known status (the history report shows what the catalog holds).
func statusText(lang pdfdoc.Lang, s string) string {
	if t, ok := runStatus(s); ok {
		return t.In(lang)
	}
	return s
}

func invalid(doc, number, format string, args ...any) error {
	return fmt.Errorf("%s %s: %w: %s", doc, number, pdfdoc.ErrInvalid, fmt.Sprintf(format, args...))
}

// defaultSignatures is the approval row of the SOP's own page
// (Disiapkan / Diperiksa / Disetujui), used when the caller names nobody.
func defaultSignatures() []pdfdoc.Signature {
	return []pdfdoc.Signature{
		{Label: "Disiapkan oleh / Prepared by", Title: "IT Staff"},
		{Label: "Diperiksa oleh / Checked by"},
		{Label: "Disetujui oleh / Approved by", Title: "IT Manager"},
	}
}

func signaturesOrDefault(s []pdfdoc.Signature) []pdfdoc.Signature {
	if len(s) == 0 {
		return defaultSignatures()
	}
	return s
}
