package pdfdoc_test

import (
	"strings"
	"testing"

	"cadang/pdfdoc"
	"cadang/pdfdoc/pdftest"
)

// Hostile and oversized values (emoji, bidi overrides, control characters,
// invalid UTF-8, words longer than a line, a reason of thousands of words,
// more signatories than fit in a row) render without error, and no word
// leaves the printable area between the side margins.
func TestHostileValuesStayInsideTheMargins(t *testing.T) {
	m := meta(pdfdoc.Indonesian)
	m.Number = strings.Repeat("FRM-IT-002-01/2026/", 30)
	m.VerifyCode = strings.Repeat("X", 300)
	m.Header.Company = strings.Repeat("PT 📁 文件 Ünïcødé ", 30)
	m.Header.SubProcess = strings.Repeat("Prosedur ", 40)
	long := strings.Repeat("TanpaSpasi", 100)
	sig := pdfdoc.Signature{Label: strings.Repeat("L", 200) + " / " + strings.Repeat("E", 200), Name: long, Title: strings.Repeat("Kepala ", 40)}
	rows := make([]pdfdoc.Row, 40)
	for i := range rows {
		rows[i] = pdfdoc.Row{Cells: []string{long, "a\tb\x07c\xff\u202eevil\u202c 🎉", strings.Repeat("kata ", 2000)}, Strong: i%2 == 0}
	}
	pdf := render(t, m, func(d *pdfdoc.Doc) error {
		d.Section(pdfdoc.T(long, long))
		d.Fields(2, []pdfdoc.Field{{Label: pdfdoc.T(long, long), Value: long}, {Label: pdfdoc.T("x", "y"), Value: strings.Repeat("Alasan panjang ", 2000)}})
		d.Paragraph(pdfdoc.T(strings.Repeat("paragraf ", 500), long))
		d.Verdict(pdfdoc.T(long, long), pdfdoc.T(long, long), false)
		d.Table([]pdfdoc.Column{{Title: pdfdoc.T(long, long), Width: 1}, {Title: pdfdoc.T("b", "b"), Width: 1, OneLine: true}, {Title: pdfdoc.T("c", "c"), Width: 1, MaxLines: 1000}}, rows)
		d.SignatureSection(pdfdoc.T("Pengesahan", "Signatures"), []pdfdoc.Signature{sig, sig, sig, sig, {}})
		return nil
	})
	const (
		pageW = 595.28
		mm    = 72 / 25.4
		slack = 1.0 // points; glyph boxes may overhang by a hair
		pageH = 841.89
	)
	words := pdftest.Words(t, pdf)
	if len(words) == 0 {
		t.Fatal("no words found")
	}
	for _, w := range words {
		if w.XMin < 15*mm-slack || w.XMax > pageW-15*mm+slack {
			t.Errorf("page %d: %q spans x %.1f–%.1f pt, outside the margins %.1f–%.1f", w.Page, w.Text, w.XMin, w.XMax, 15*mm, pageW-15*mm)
		}
		if w.YMin < 10*mm-slack || w.YMax > pageH-6*mm {
			t.Errorf("page %d: %q spans y %.1f–%.1f pt, off the page", w.Page, w.Text, w.YMin, w.YMax)
		}
	}
}
