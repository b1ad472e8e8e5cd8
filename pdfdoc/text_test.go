package pdfdoc

import (
	"testing"
	"time"
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
		{Indonesian, 0, "0 B"},
		{Indonesian, 1023, "1.023 B"},
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

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0:00"},
		{-time.Minute, "0:00"},
		{59*time.Second + 600*time.Millisecond, "1:00"},
		{47*time.Minute + 27*time.Second, "47:27"},
		{26*time.Hour + 3*time.Second, "26:00:03"},
	}
	for _, tt := range tests {
		if got := Duration(tt.d); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.d, got, tt.want)
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
