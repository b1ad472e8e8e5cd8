package pdfdoc_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"cadang/pdfdoc"
	"cadang/pdfdoc/pdftest"
	"cadang/pdfdoc/sample"
)

var title = pdfdoc.T("Dokumen Uji", "Test Document")

func meta(lang pdfdoc.Lang) pdfdoc.Meta {
	return sample.Meta("TST-01/2026/0001", "ABCD-1234", lang, sample.At(2026, time.November, 25, 10, 0))
}

func render(t *testing.T, m pdfdoc.Meta, body func(d *pdfdoc.Doc) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := pdfdoc.Render(&buf, m, title, body); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.Bytes()
}

func TestRenderRefusesBadMeta(t *testing.T) {
	tests := []struct {
		name   string
		change func(*pdfdoc.Meta)
		want   string
	}{
		{"empty number", func(m *pdfdoc.Meta) { m.Number = "" }, "document number is empty"},
		{"blank number", func(m *pdfdoc.Meta) { m.Number = "  " }, "document number is empty"},
		{"unknown language", func(m *pdfdoc.Meta) { m.Lang = "fr" }, `language "fr"`},
		{"no verification code", func(m *pdfdoc.Meta) { m.VerifyCode = "" }, "verification code is empty"},
		{"no dates", func(m *pdfdoc.Meta) { m.Date, m.Generated = time.Time{}, time.Time{} }, "neither a date nor a generation time"},
		{"negative revision", func(m *pdfdoc.Meta) { m.Revision = -1 }, "revision -1"},
		{"logo not a png", func(m *pdfdoc.Meta) { m.Header.Logo = []byte("GIF89a not a png") }, "logo is not a usable PNG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := meta(pdfdoc.Indonesian)
			tt.change(&m)
			var buf bytes.Buffer
			err := pdfdoc.Render(&buf, m, title, func(*pdfdoc.Doc) error { return nil })
			if err == nil {
				t.Fatal("Render succeeded, want an error")
			}
			if !errors.Is(err, pdfdoc.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
}

func TestRenderPassesBodyErrorsAndPanics(t *testing.T) {
	sentinel := errors.New("catalog gone")
	tests := []struct {
		name string
		body func(*pdfdoc.Doc) error
		want string
	}{
		{"error", func(*pdfdoc.Doc) error { return sentinel }, "catalog gone"},
		{"panic", func(*pdfdoc.Doc) error { panic("boom") }, "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := pdfdoc.Render(&bytes.Buffer{}, meta(pdfdoc.English), title, tt.body)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRenderReportsWriteErrors(t *testing.T) {
	err := pdfdoc.Render(failingWriter{}, meta(pdfdoc.English), title, func(*pdfdoc.Doc) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("got %v, want the write error", err)
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	body := func(d *pdfdoc.Doc) error {
		d.Section(pdfdoc.T("Bagian", "Part"))
		d.Fields(2, []pdfdoc.Field{{Label: pdfdoc.T("Satu", "One"), Value: "1"}, {Label: pdfdoc.T("Dua", "Two"), Value: "2"}})
		return nil
	}
	a := render(t, meta(pdfdoc.Indonesian), body)
	b := render(t, meta(pdfdoc.Indonesian), body)
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same input differ")
	}
	m := meta(pdfdoc.Indonesian)
	m.Generated = m.Generated.Add(time.Minute)
	if bytes.Equal(a, render(t, m, body)) {
		t.Error("a different generation time gave the same bytes; is the creation date pinned?")
	}
}

func logoPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		for y := range 20 {
			img.SetGray(x, y, color.Gray{Y: uint8(x * 6)})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A long table must break between rows onto as many pages as it needs, with
// the controlled header, the table header and the right "Page X of Y" on
// every page, and lose no row.
func TestLongTableRepeatsHeaders(t *testing.T) {
	const n = 300
	m := meta(pdfdoc.English)
	m.Header.Logo = logoPNG(t)
	rows := make([]pdfdoc.Row, n)
	for i, p := range sample.Files(n) {
		rows[i] = pdfdoc.Row{Cells: []string{fmt.Sprintf("row%03d", i+1), p}}
	}
	pdf := render(t, m, func(d *pdfdoc.Doc) error {
		d.Section(pdfdoc.T("Daftar", "Listing"))
		d.Table([]pdfdoc.Column{
			{Title: pdfdoc.T("No.", "Row"), Width: 12},
			{Title: pdfdoc.T("Berkas", "Path name"), Width: 60, MaxLines: 2},
		}, rows)
		return nil
	})
	info := pdftest.ReadInfo(t, pdf)
	if info.Pages < 4 || !info.IsA4() {
		t.Fatalf("got %d pages of %s, want several A4 pages", info.Pages, info.PageSize)
	}
	pages := pdftest.Pages(t, pdf)
	if len(pages) != info.Pages {
		t.Fatalf("pdftotext found %d pages, pdfinfo %d", len(pages), info.Pages)
	}
	seen := 0
	for i, p := range pages {
		for _, want := range []string{"Test Document", "SOP-IT-002", "Path name", "ABCD-1234", "TST-01/2026/0001",
			fmt.Sprintf("Page %d of %d", i+1, len(pages))} {
			if !strings.Contains(p, want) {
				t.Errorf("page %d lacks %q", i+1, want)
			}
		}
		if i > 0 && !strings.Contains(p, "LISTING (continued)") {
			t.Errorf("page %d lacks the continued heading", i+1)
		}
		seen += strings.Count(p, "row")
	}
	if seen != n {
		t.Errorf("found %d rows across the pages, want %d", seen, n)
	}
	for i := 1; i <= n; i++ {
		if c := strings.Count(strings.Join(pages, ""), fmt.Sprintf("row%03d", i)); c != 1 {
			t.Fatalf("row%03d appears %d times", i, c)
		}
	}
}

func TestLanguages(t *testing.T) {
	body := func(d *pdfdoc.Doc) error {
		d.Section(pdfdoc.T("Rincian", "Details"))
		d.Paragraph(pdfdoc.T("Data telah diserahkan.", "The data was handed over."))
		d.Signatures([]pdfdoc.Signature{{Label: "Disiapkan oleh / Prepared by", Name: "Rizky Pratama"}})
		return nil
	}
	tests := []struct {
		lang        pdfdoc.Lang
		want, unwan []string
	}{
		{pdfdoc.Indonesian,
			[]string{"Dokumen Uji", "Test Document", "Halaman 1 dari 1 / Page 1 of 1", "Segmen", "No. Dokumen", "Tgl. Efektif",
				"RINCIAN", "Details", "Data telah diserahkan.", "The data was handed over.", "Disiapkan oleh", "Prepared by", "( Rizky Pratama )"},
			nil},
		{pdfdoc.English,
			[]string{"Test Document", "Page 1 of 1", "Segment", "Document No.", "Effective Date", "DETAILS", "The data was handed over.", "Prepared by"},
			[]string{"Dokumen Uji", "Halaman", "diserahkan", "Disiapkan", "Segmen "}},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			text := pdftest.Text(t, render(t, meta(tt.lang), body))
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q", w)
				}
			}
			for _, w := range tt.unwan {
				if strings.Contains(text, w) {
					t.Errorf("English text contains %q", w)
				}
			}
		})
	}
}

// Gap: the SOP's control block (§9 history, §10 approval) at the end of a
// history report split across a page break, leaving the approval table on
// a page of its own without its heading. TableSection keeps short tables
// with their heading; a section longer than a page still breaks.
func TestTableSectionKeepsShortTablesWithTheirHeading(t *testing.T) {
	cols := []pdfdoc.Column{{Title: pdfdoc.T("No.", "Row"), Width: 12}, {Title: pdfdoc.T("Isi", "Content"), Width: 60}}
	rowsOf := func(prefix string, n int) []pdfdoc.Row {
		rows := make([]pdfdoc.Row, n)
		for i := range rows {
			rows[i] = pdfdoc.Row{Cells: []string{fmt.Sprintf("%s%02d", prefix, i+1), "isi"}}
		}
		return rows
	}
	tests := []struct {
		name        string
		before      int // rows of a table filling the first page
		history     int // rows of each kept table
		headingPage int // the page the kept section's heading is on
		lastPage    int // the page of its last row
	}{
		{"fits after the first table", 5, 3, 1, 1},
		{"does not fit: all on the next page", 36, 3, 2, 2},
		{"longer than a page: breaks", 5, 25, 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf := render(t, meta(pdfdoc.English), func(d *pdfdoc.Doc) error {
				d.Section(pdfdoc.T("Daftar", "Listing"))
				d.Table(cols, rowsOf("row", tt.before))
				d.TableSection(pdfdoc.T("Prosedur", "Procedure"),
					pdfdoc.Table{Cols: cols, Rows: rowsOf("hist", tt.history)},
					pdfdoc.Table{Cols: cols, Rows: rowsOf("appr", tt.history)})
				return nil
			})
			pages := pdftest.Pages(t, pdf)
			find := func(s string) int {
				for i, p := range pages {
					if strings.Contains(p, s) {
						return i + 1
					}
				}
				return 0
			}
			if got := find("2. PROCEDURE"); got != tt.headingPage {
				t.Errorf("the section's heading is on page %d, want %d", got, tt.headingPage)
			}
			if got := find(fmt.Sprintf("appr%02d", tt.history)); got != tt.lastPage {
				t.Errorf("its last row is on page %d, want %d", got, tt.lastPage)
			}
			if tt.headingPage == tt.lastPage {
				if first := find("hist01"); first != tt.headingPage {
					t.Errorf("its first table starts on page %d, its heading is on page %d", first, tt.headingPage)
				}
			}
		})
	}
}
