package pdfdoc_test

import (
	"fmt"
	"testing"

	"cadang/pdfdoc"
	"cadang/pdfdoc/pdftest"
)

// Every page carries a QR code that decodes back to the document's number,
// revision and verification code, as an office scan at 150 dpi reads it.
func TestEveryPageCarriesAQRCodeOfNumberAndCode(t *testing.T) {
	tests := []struct {
		name string
		meta func() pdfdoc.Meta
	}{
		{"indonesian", func() pdfdoc.Meta { return meta(pdfdoc.Indonesian) }},
		{"english revision 3", func() pdfdoc.Meta {
			m := meta(pdfdoc.English)
			m.Number, m.Revision, m.VerifyCode = "FRM-IT-002-04/2026/0012", 3, "7KQ2-9XHD-M3TA-0C5R"
			return m
		}},
		{"lower-case form code", func() pdfdoc.Meta {
			m := meta(pdfdoc.Indonesian)
			m.Number, m.VerifyCode = "frm-keu/2026/0001", "0000-1111-2222-3333"
			return m
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.meta()
			pdf := render(t, m, func(d *pdfdoc.Doc) error {
				rows := make([]pdfdoc.Row, 120) // three pages
				for i := range rows {
					rows[i] = pdfdoc.Row{Cells: []string{fmt.Sprint(i + 1), "baris"}}
				}
				d.Table([]pdfdoc.Column{{Title: pdfdoc.T("No.", "No."), Width: 20}, {Title: pdfdoc.T("Isi", "Text"), Width: 160}}, rows)
				return nil
			})
			pages := pdftest.QRCodes(t, pdf)
			if len(pages) < 3 {
				t.Fatalf("%d pages, want at least 3", len(pages))
			}
			want := pdfdoc.QRPayload(m)
			for i, codes := range pages {
				if len(codes) != 1 || codes[0] != want {
					t.Errorf("page %d: QR codes %q, want [%q]", i+1, codes, want)
				}
			}
		})
	}
}
