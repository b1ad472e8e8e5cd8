package pdfdoc

import "strings"

const (
	sigHeadH  = 9.0
	sigSpaceH = 18.0
	sigLineH  = 4.6
	sigGap    = 4.0
	sigRowH   = sigHeadH + sigSpaceH + 3*sigLineH + 2.5
)

// SignatureSection is a numbered section heading followed by Signatures,
// kept on the same page as the first row of blocks.
func (d *Doc) SignatureSection(t Text, sigs []Signature) {
	d.ensure(sigRowH + 14)
	d.Section(t)
	d.Signatures(sigs)
}

// Signatures draws signature blocks, up to three in a row: the label, room
// to sign, then name, title and date. A missing name or date prints a line
// to write on. The whole row is kept on one page.
func (d *Doc) Signatures(sigs []Signature) {
	for i := 0; i < len(sigs); i += 3 {
		d.signatureRow(sigs[i:min(i+3, len(sigs))])
	}
}

func (d *Doc) signatureRow(sigs []Signature) {
	pdf := d.pdf
	w := (contentW - 2*sigGap) / 3
	h := sigRowH
	d.ensure(h + 3)
	y := pdf.GetY() + 1.5
	for i, s := range sigs {
		// Two parties face each other at the edges; one signs on the right.
		slot := i
		switch {
		case len(sigs) == 2 && i == 1, len(sigs) == 1:
			slot = 2
		}
		d.signatureBox(marginX+float64(slot)*(w+sigGap), y, w, h, s)
	}
	pdf.SetXY(marginX, y+h+3)
}

func (d *Doc) signatureBox(x, y, w, h float64, s Signature) {
	pdf := d.pdf
	pdf.SetLineWidth(boxRule)
	pdf.SetDrawColor(60, 60, 60)
	pdf.SetFillColor(230, 230, 230)
	pdf.Rect(x, y, w, sigHeadH, "FD")
	pdf.Rect(x, y+sigHeadH, w, h-sigHeadH, "D")
	id, en := splitLabel(s.Label)
	t := T(id, en)
	if d.lang == English {
		t = T("", en)
	}
	main, sub := d.labelLines(t, w-3, "B")
	// The heading holds two lines, in the language of the document first.
	if len(sub) > 0 {
		main, sub = fitLines(d, main, 1, "B"), sub[:1]
	} else {
		main = fitLines(d, main, 2, "B")
	}
	lh := labelHeight(main, sub)
	d.drawLabel(x+1.5, y+(sigHeadH-lh)/2, w-3, main, sub, "B")
	ly := y + sigHeadH + sigSpaceH
	d.sigName(x, ly, w, s.Name)
	d.sigLine(x, ly+sigLineH+0.6, w, T("Jabatan", "Title"), s.Title)
	d.sigLine(x, ly+2*sigLineH+0.6, w, T("Tanggal", "Date"), Date(s.Date))
}

// fitLines keeps at most n lines, ending the last with an ellipsis when
// something was cut.
func fitLines(d *Doc, lines []string, n int, style string) []string {
	if len(lines) <= n {
		return lines
	}
	out := append([]string(nil), lines[:n]...)
	d.font(style, labelSize)
	last := []rune(out[n-1])
	w := d.pdf.GetStringWidth(out[n-1])
	for len(last) > 0 && d.pdf.GetStringWidth(string(last)+ellipsis) > w {
		last = last[:len(last)-1]
	}
	out[n-1] = string(last) + ellipsis
	return out
}

// sigName prints the signatory's name centred in brackets under the space
// to sign, the Indonesian convention, or brackets around a dotted line to
// write the name by hand.
func (d *Doc) sigName(x, y, w float64, name string) {
	pdf := d.pdf
	name = strings.TrimSpace(clean(name))
	d.font("B", 7.5)
	pdf.SetXY(x+1, y)
	if name == "" {
		pdf.CellFormat(w-2, sigLineH, "( "+strings.Repeat(".", 40)+" )", "", 0, "C", false, 0, "")
		return
	}
	size := 7.5
	for size > 6 && pdf.GetStringWidth("( "+name+" )") > w-3 {
		size -= 0.25
		d.font("B", size)
	}
	pdf.CellFormat(w-2, sigLineH, "( "+fitWidth(pdf, name, w-3-pdf.GetStringWidth("(  )"))+" )", "", 0, "C", false, 0, "")
}

// sigLine prints "Jabatan : value", or a dotted line to write on by hand.
func (d *Doc) sigLine(x, y, w float64, label Text, value string) {
	pdf := d.pdf
	const labelW = 13.0
	d.font("", 7)
	d.grey(60)
	pdf.SetXY(x+1.5, y)
	pdf.CellFormat(labelW, sigLineH, label.In(d.lang), "", 0, "L", false, 0, "")
	pdf.CellFormat(2, sigLineH, ":", "", 0, "L", false, 0, "")
	d.grey(0)
	value = strings.TrimSpace(clean(value))
	vw := w - labelW - 5
	if value == "" {
		pdf.SetDrawColor(120, 120, 120)
		pdf.SetLineWidth(thinRule)
		pdf.SetDashPattern([]float64{0.6, 0.6}, 0)
		pdf.Line(x+labelW+4, y+sigLineH-0.8, x+w-2, y+sigLineH-0.8)
		pdf.SetDashPattern([]float64{}, 0)
		return
	}
	size := 7.5
	d.font("", size)
	for size > 6 && pdf.GetStringWidth(value) > vw-1 {
		size -= 0.25
		d.font("", size)
	}
	pdf.CellFormat(vw, sigLineH, fitWidth(pdf, value, vw-1), "", 0, "L", false, 0, "")
}

// splitLabel reads "Disiapkan oleh / Prepared by" as Indonesian and English
// halves; a label without " / " is used for both.
func splitLabel(s string) (id, en string) {
	s = clean(s)
	if i := strings.LastIndex(s, " / "); i >= 0 {
		return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+3:])
	}
	return s, s
}
