package pdfdoc

import (
	"strings"
	"testing"
	"time"
)

func fitDoc(t *testing.T) *Doc {
	t.Helper()
	d := newDoc(Meta{Number: "X", VerifyCode: "C", Generated: time.Unix(0, 0)}, T("t", "t"), 0)
	d.pdf.AddPage()
	d.font("", tableSize)
	return d
}

func TestWrapStaysInsideWidth(t *testing.T) {
	long := "D:/Data/Keuangan/Laporan Bulanan/2026/" + strings.Repeat("SangatPanjangSekali", 20) + "/Laporan Akhir.xlsx"
	tests := []struct {
		name     string
		in       string
		w        float64
		maxLines int
	}{
		{"short", "Laporan.xlsx", 60, 3},
		{"words", "Tutup buku akhir bulan November 2026; data harus dicadangkan sebelum migrasi", 40, 0},
		{"path without spaces", long, 50, 0},
		{"bounded", long, 50, 3},
		{"newlines", "baris satu\nbaris dua yang sedikit lebih panjang dari lebar kolom", 30, 0},
		{"one rune wider than the cell", "WWWW", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := fitDoc(t)
			lines := wrap(d.pdf, tt.in, tt.w, tt.maxLines)
			if tt.maxLines > 0 && len(lines) > tt.maxLines {
				t.Errorf("got %d lines, want at most %d", len(lines), tt.maxLines)
			}
			for _, l := range lines {
				// A single rune may exceed an impossibly narrow cell; nothing else may.
				if w := d.pdf.GetStringWidth(l); w > tt.w+0.01 && len([]rune(l)) > 1 {
					t.Errorf("line %q is %.1f mm wide, cell is %.1f mm", l, w, tt.w)
				}
			}
			if tt.maxLines == 0 {
				got := strings.ReplaceAll(strings.Join(lines, ""), " ", "")
				want := strings.ReplaceAll(strings.ReplaceAll(tt.in, "\n", ""), " ", "")
				if got != want {
					t.Errorf("wrapping lost text:\n got %q\nwant %q", got, want)
				}
			}
		})
	}
}

func TestBoundedWrapKeepsTheFileName(t *testing.T) {
	d := fitDoc(t)
	path := "D:/Data/" + strings.Repeat("Folder Arsip Lama/", 15) + "Kontrak Kerja Karyawan 2021.pdf"
	lines := wrap(d.pdf, path, 60, 2)
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2: %q", len(lines), lines)
	}
	if !strings.HasPrefix(lines[0], "D:/Data/") {
		t.Errorf("first line %q does not start the path", lines[0])
	}
	if !strings.HasPrefix(lines[1], ellipsis) || !strings.HasSuffix(lines[1], "Kontrak Kerja Karyawan 2021.pdf") {
		t.Errorf("last line %q should be …<end of path>", lines[1])
	}
}

func TestFitWidthShortensInTheMiddle(t *testing.T) {
	d := fitDoc(t)
	s := "Dewi Anggraini Kusumawardhani Prasetyaningrum Wicaksono"
	tests := []struct {
		w         float64
		unchanged bool
	}{
		{200, true},
		{40, false},
		{10, false},
		{0.5, false},
	}
	for _, tt := range tests {
		got := fitWidth(d.pdf, s, tt.w)
		if tt.unchanged {
			if got != s {
				t.Errorf("w=%v: got %q, want unchanged", tt.w, got)
			}
			continue
		}
		if !strings.Contains(got, ellipsis) {
			t.Errorf("w=%v: got %q, want an ellipsis", tt.w, got)
		}
		if w := d.pdf.GetStringWidth(got); w > tt.w && got != ellipsis {
			t.Errorf("w=%v: %q is %.1f mm wide", tt.w, got, w)
		}
		if tt.w >= 40 && (!strings.HasPrefix(got, "Dewi") || !strings.HasSuffix(got, "Wicaksono")) {
			t.Errorf("w=%v: %q should keep the start and the end", tt.w, got)
		}
	}
}

// A cell with more text than a page holds is cut at maxRowLines, so the row
// still ends above the footer.
func TestHugeCellStaysOnThePage(t *testing.T) {
	d := fitDoc(t)
	huge := strings.Repeat("kata ", 5000)
	d.Table([]Column{{Title: T("a", "a"), Width: 1, MaxLines: 100000}, {Title: T("b", "b"), Width: 1}},
		[]Row{{Cells: []string{huge, huge}}, {Cells: []string{huge, "x"}}})
	if y := d.pdf.GetY(); y > pageLimit+3 {
		t.Errorf("table ends at y=%.1f mm, below the page limit %.1f mm", y, pageLimit)
	}
	if d.pdf.PageNo() != 2 {
		t.Errorf("two rows of 50 lines took %d pages, want 2", d.pdf.PageNo())
	}
}
