package pdfdoc

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"cadang/pdfdoc/pdftest"
)

func TestInt(t *testing.T) {
	tests := []struct {
		lang Lang
		n    int64
		want string
	}{
		{Indonesian, 0, "0"},
		{Indonesian, 999, "999"},
		{Indonesian, 1000, "1.000"},
		{Indonesian, 1234567, "1.234.567"},
		{English, 1234567, "1,234,567"},
		{English, -1234, "-1,234"},
	}
	for _, tt := range tests {
		if got := Int(tt.lang, tt.n); got != tt.want {
			t.Errorf("Int(%s, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

func TestBytes(t *testing.T) {
	tests := []struct {
		lang Lang
		n    int64
		want string
	}{
		{Indonesian, 0, "0\u2002B"},
		{Indonesian, 1023, "1.023\u2002B"},
		{Indonesian, 1536, "1,5 KiB"},
		{English, 1536, "1.5 KiB"},
		{English, 5 << 30, "5.0 GiB"},
		{English, 1 << 62, "4.0 EiB"},
	}
	for _, tt := range tests {
		if got := Bytes(tt.lang, tt.n); got != tt.want {
			t.Errorf("Bytes(%s, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

// Durations carry their units ("1 j 02 m 05 d"), never "1:02:05", which
// reads as a time of day.
func TestDuration(t *testing.T) {
	tests := []struct {
		lang Lang
		d    time.Duration
		want string
	}{
		{Indonesian, 0, "0 d"},
		{English, -time.Minute, "0 s"},
		{Indonesian, 59*time.Second + 600*time.Millisecond, "1 m 00 d"},
		{Indonesian, 47*time.Minute + 27*time.Second, "47 m 27 d"},
		{English, 47*time.Minute + 27*time.Second, "47 m 27 s"},
		{Indonesian, time.Hour + 2*time.Minute + 5*time.Second, "1 j 02 m 05 d"},
		{English, time.Hour + 2*time.Minute + 5*time.Second, "1 h 02 m 05 s"},
		{Indonesian, 26*time.Hour + 3*time.Second, "26 j 00 m 03 d"},
	}
	for _, tt := range tests {
		if got := Duration(tt.lang, tt.d); got != tt.want {
			t.Errorf("Duration(%s, %v) = %q, want %q", tt.lang, tt.d, got, tt.want)
		}
	}
}

func TestDates(t *testing.T) {
	at := time.Date(2026, time.November, 25, 9, 5, 0, 0, time.UTC)
	tests := []struct{ name, got, want string }{
		{"date", Date(at), "25/11/2026"},
		{"datetime", DateTime(at), "25/11/2026 09:05"},
		{"zero date", Date(time.Time{}), ""},
		{"zero datetime", DateTime(time.Time{}), ""},
		{"long id", LongDate(Indonesian, at), "Rabu, 25 November 2026"},
		{"long en", LongDate(English, at), "Wednesday, 25 November 2026"},
		{"long id august", LongDate(Indonesian, at.AddDate(0, -3, -9)), "Minggu, 16 Agustus 2026"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestTextLanguages(t *testing.T) {
	tx := T("Departemen", "Department")
	tests := []struct{ name, got, want string }{
		{"in id", tx.In(Indonesian), "Departemen"},
		{"in en", tx.In(English), "Department"},
		{"inline id", tx.Inline(Indonesian), "Departemen / Department"},
		{"inline en", tx.Inline(English), "Department"},
		{"same both", T("Data", "Data").Inline(Indonesian), "Data"},
		{"no english falls back", T("Catatan bebas", "").In(English), "Catatan bebas"},
		{"no english inline", T("Catatan bebas", "").Inline(English), "Catatan bebas"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\tb", "a b"},
		{"line1\nline2", "line1\nline2"},
		{"bell\x07", "bell "},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"Laporan Keuangan – Oktober", "Laporan Keuangan – Oktober"},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Gap: a size of zero bytes read "0B" in the text of a report (pdftotext
// -layout drops a narrow space before a lone "B").
func TestZeroBytesReadWithASpace(t *testing.T) {
	var buf bytes.Buffer
	err := Render(&buf, Meta{Number: "T/2026/0001", VerifyCode: "X", Generated: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}, T("Uji", "Test"),
		func(d *Doc) error {
			d.Table([]Column{{Title: T("Ukuran", "Size"), Width: 30, Align: "R"}}, []Row{{Cells: []string{Bytes(Indonesian, 0)}}})
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftest.Text(t, buf.Bytes()); !strings.Contains(text, "0 B") || strings.Contains(text, "0B") {
		t.Errorf("text has no \"0 B\" or has \"0B\":\n%s", text)
	}
}
