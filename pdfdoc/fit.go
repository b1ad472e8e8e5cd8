package pdfdoc

import (
	"strings"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
)

const ellipsis = "…"

// fitWidth returns s unchanged if it fits in w with the current font, else
// s shortened in the middle ("D:/Keuangan/…/Laporan 2026.xlsx"), because the
// start and the end of a name are what identify it.
func fitWidth(pdf *fpdf.Fpdf, s string, w float64) string {
	if pdf.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	// Keep a little more of the tail: that is where a file name is.
	lo, hi := 0, len(r)
	best := ellipsis
	for lo <= hi {
		keep := (lo + hi) / 2
		head := keep * 2 / 5
		cand := string(r[:head]) + ellipsis + string(r[len(r)-(keep-head):])
		if pdf.GetStringWidth(cand) <= w {
			best, lo = cand, keep+1
		} else {
			hi = keep - 1
		}
	}
	return best
}

// fitTail returns the end of s that fits in w after a leading ellipsis.
func fitTail(pdf *fpdf.Fpdf, s string, w float64) string {
	if pdf.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	lo, hi, best := 0, len(r), ellipsis
	for lo <= hi {
		keep := (lo + hi) / 2
		cand := ellipsis + string(r[len(r)-keep:])
		if pdf.GetStringWidth(cand) <= w {
			best, lo = cand, keep+1
		} else {
			hi = keep - 1
		}
	}
	return best
}

// wrap breaks s into lines no wider than w, preferring breaks after spaces
// and path separators, and breaking inside a word only when it alone is too
// wide. With maxLines > 0 the last line shows the end of the remaining text
// after an ellipsis, so a long path still ends with its file name.
func wrap(pdf *fpdf.Fpdf, s string, w float64, maxLines int) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		lines = append(lines, wrapLine(pdf, para, w)...)
	}
	if maxLines <= 0 || len(lines) <= maxLines {
		return lines
	}
	// The rest is cut from s itself, so the spaces that wrapping dropped at
	// line ends are kept.
	pos := 0
	for _, l := range lines[:maxLines-1] {
		pos += strings.Index(s[pos:], l) + len(l)
	}
	rest := strings.TrimSpace(strings.ReplaceAll(s[pos:], "\n", " "))
	return append(lines[:maxLines-1:maxLines-1], fitTail(pdf, rest, w))
}

func wrapLine(pdf *fpdf.Fpdf, s string, w float64) []string {
	if s == "" || pdf.GetStringWidth(s) <= w {
		return []string{s}
	}
	var lines []string
	for s != "" {
		n := fitPrefix(pdf, s, w)
		cut := n
		if n < len(s) {
			if b := lastBreak(s[:n]); b > 0 {
				cut = b
			}
		}
		lines = append(lines, strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
	}
	return lines
}

// fitPrefix is the byte length of the longest prefix of s (at least one
// rune) that fits in w.
func fitPrefix(pdf *fpdf.Fpdf, s string, w float64) int {
	n, width := 0, 0.0
	for n < len(s) {
		_, size := utf8.DecodeRuneInString(s[n:])
		cw := pdf.GetStringWidth(s[n : n+size])
		if width+cw > w && n > 0 {
			break
		}
		width += cw
		n += size
	}
	return n
}

// lastBreak is the byte offset just after the last space or separator in s,
// or 0 when there is none worth breaking at.
func lastBreak(s string) int {
	i := strings.LastIndexAny(s, ` /\_-;`)
	if i <= 0 {
		return 0
	}
	return i + 1
}
