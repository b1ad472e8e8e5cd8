package pdfdoc

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Text is a phrase in Indonesian with its English translation. Documents in
// Indonesian print ID with EN beneath as a subtitle; English documents print
// EN only.
type Text struct{ ID, EN string }

// T builds a Text.
func T(id, en string) Text { return Text{ID: id, EN: en} }

// In returns the phrase in lang alone (English for English, else Indonesian).
func (t Text) In(lang Lang) string {
	if (lang == English && t.EN != "") || t.ID == "" {
		return t.EN
	}
	return t.ID
}

// Inline returns "ID / EN" for Indonesian documents (or just ID when both
// are the same) and EN for English ones; for short labels on one line.
func (t Text) Inline(lang Lang) string {
	if (lang == English && t.EN != "") || t.ID == "" {
		return t.EN
	}
	if t.EN == "" || t.EN == t.ID {
		return t.ID
	}
	return t.ID + " / " + t.EN
}

var (
	monthsID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
		"Agustus", "September", "Oktober", "November", "Desember"}
	daysID = [...]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}
)

// Date formats t as dd/mm/yyyy, the form the SOP uses in both languages;
// a zero time is "" so that blank lines stay blank.
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02/01/2006")
}

// DateTime formats t as dd/mm/yyyy hh:mm.
func DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02/01/2006 15:04")
}

// LongDate writes t out in words: "Rabu, 25 November 2026" or
// "Wednesday, 25 November 2026".
func LongDate(lang Lang, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if lang == English {
		return t.Format("Monday, 2 January 2006")
	}
	return fmt.Sprintf("%s, %d %s %d", daysID[t.Weekday()], t.Day(), monthsID[t.Month()-1], t.Year())
}

// Int formats n with thousands separators: 1.234.567 in Indonesian,
// 1,234,567 in English.
func Int(lang Lang, n int64) string {
	sep := "."
	if lang == English {
		sep = ","
	}
	neg := n < 0
	if neg {
		n = -n
	}
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Bytes formats a size in binary units with one decimal, using the decimal
// comma in Indonesian: "1,5 MiB" / "1.5 MiB". Plain bytes are set apart by
// an en space ("0 B"): a text extractor reads a narrow space before a lone
// "B" as no space at all ("0B").
func Bytes(lang Lang, n int64) string {
	const unit = 1024
	if n < unit && n > -unit {
		return Int(lang, n) + "\u2002B"
	}
	v := float64(n)
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := -1
	for (v >= unit || v <= -unit) && i < len(units)-1 {
		v /= unit
		i++
	}
	s := fmt.Sprintf("%.1f", v)
	if lang != English {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " " + units[i]
}

// Duration formats d with its units, so it cannot be misread as a time of
// day: "1 j 02 m 05 d" (jam, menit, detik) in Indonesian, "1 h 02 m 05 s"
// in English; "2 m 05 d" under an hour, "45 d" under a minute. It is
// rounded to the second; a negative duration prints as zero.
func Duration(lang Lang, d time.Duration) string {
	if d < 0 {
		d = 0
	}
	hu, mu, su := "j", "m", "d"
	if lang == English {
		hu, su = "h", "s"
	}
	s := int64(d.Round(time.Second) / time.Second)
	h, m, sec := s/3600, (s/60)%60, s%60
	switch {
	case h > 0:
		return fmt.Sprintf("%d %s %02d %s %02d %s", h, hu, m, mu, sec, su)
	case m > 0:
		return fmt.Sprintf("%d %s %02d %s", m, mu, sec, su)
	}
	return fmt.Sprintf("%d %s", sec, su)
}

// clean makes s safe to draw: invalid UTF-8 and characters outside the
// Basic Multilingual Plane (emoji; fpdf's font subsetter cannot map them)
// become U+FFFD, control characters other than newline become spaces, and
// bidirectional overrides are dropped, so a hostile file name can neither
// break the layout nor crash the renderer.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t', unicode.IsControl(r):
			return ' '
		case r > 0xFFFF:
			return '\uFFFD'
		case unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, s)
}
