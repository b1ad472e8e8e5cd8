package pdfdoc

import (
	"fmt"
	"strings"
)

// Typography (points) and rules (mm). Greys only, so a black-and-white
// printer or a photocopy loses nothing.
const (
	bodySize  = 8.5
	labelSize = 7.5
	subSize   = 6.5
	bodyLineH = 4.0
	subLineH  = 2.8
	labLineH  = 3.2
	thinRule  = 0.1
	boxRule   = 0.2
	pageLimit = pageH - marginBottom - 1
)

// Field is one labelled value.
type Field struct {
	Label Text
	Value string
	// Strong prints the value in bold, for what a reader must not miss.
	Strong bool
}

// ensure starts a new page unless h more millimetres fit on this one, so a
// block is never split; it reports whether it broke the page.
func (d *Doc) ensure(h float64) bool {
	if d.pdf.GetY()+h <= pageLimit {
		return false
	}
	d.pdf.AddPage()
	return true
}

// Section starts a numbered section heading: "2. HASIL / Result".
func (d *Doc) Section(t Text) {
	d.ensure(6.5 + 14) // never leave a heading alone at the foot of a page
	d.sections++
	d.sectionTitle = t
	d.heading(fmt.Sprintf("%d. ", d.sections), t, "")
}

// heading draws a section bar; suffix is added after the title (used for
// "(lanjutan / continued)").
func (d *Doc) heading(prefix string, t Text, suffix string) {
	pdf := d.pdf
	y := pdf.GetY() + 1.5
	pdf.SetFillColor(225, 225, 225)
	pdf.Rect(marginX, y, contentW, 6.2, "F")
	const pad = 1.5
	pdf.SetXY(marginX+pad, y)
	d.font("B", 9)
	d.grey(0)
	room := contentW - 2*pad
	main := fitWidth(pdf, prefix+strings.ToUpper(clean(d.L(t))), room*0.7)
	mainW := pdf.GetStringWidth(main) + 2.4
	pdf.CellFormat(mainW, 6.2, main, "", 0, "L", false, 0, "")
	sub := strings.TrimSpace(suffix)
	if d.lang != English && t.EN != "" && t.EN != t.ID {
		sub = "/ " + clean(t.EN) + suffix
	}
	if sub != "" {
		d.font("I", 8)
		d.grey(70)
		pdf.CellFormat(room-mainW, 6.2, fitWidth(pdf, sub, room-mainW), "", 0, "L", false, 0, "")
	}
	d.grey(0)
	pdf.SetXY(marginX, y+6.2+1.5)
}

// labelLines measures and returns a bilingual label: the Indonesian line(s)
// and the English subtitle line(s), wrapped to w.
func (d *Doc) labelLines(t Text, w float64, style string) (main, sub []string) {
	d.font(style, labelSize)
	main = wrap(d.pdf, clean(d.L(t)), w, 3)
	if d.lang != English && t.EN != "" && t.EN != t.ID {
		d.font("I", subSize)
		sub = wrap(d.pdf, clean(t.EN), w, 2)
	}
	return main, sub
}

func (d *Doc) drawLabel(x, y, w float64, main, sub []string, style string) {
	pdf := d.pdf
	d.font(style, labelSize)
	d.grey(30)
	for i, l := range main {
		pdf.SetXY(x, y+float64(i)*labLineH)
		pdf.CellFormat(w, labLineH, l, "", 0, "L", false, 0, "")
	}
	d.font("I", subSize)
	d.grey(95)
	for i, l := range sub {
		pdf.SetXY(x, y+float64(len(main))*labLineH+float64(i)*subLineH)
		pdf.CellFormat(w, subLineH, l, "", 0, "L", false, 0, "")
	}
	d.grey(0)
}

func labelHeight(main, sub []string) float64 {
	return float64(len(main))*labLineH + float64(len(sub))*subLineH
}

// Fields draws labelled values as a bordered grid with perRow label/value
// pairs per row (1 or 2). Empty values print a dash so that a reader can
// tell "none" from "forgotten".
func (d *Doc) Fields(perRow int, fields []Field) {
	if perRow < 1 {
		perRow = 1
	}
	pairW := contentW / float64(perRow)
	labelW := 44.0
	if perRow > 1 {
		labelW = 30
	}
	for i := 0; i < len(fields); i += perRow {
		end := min(i+perRow, len(fields))
		d.fieldRow(fields[i:end], pairW, labelW)
	}
	d.pdf.SetY(d.pdf.GetY() + 2)
}

func (d *Doc) fieldRow(row []Field, pairW, labelW float64) {
	pdf := d.pdf
	const pad = 1.0
	type cell struct {
		main, sub, val []string
	}
	cells := make([]cell, len(row))
	h := 0.0
	for i, f := range row {
		c := &cells[i]
		c.main, c.sub = d.labelLines(f.Label, labelW-2*pad-1, "")
		d.font(styleOf(f.Strong), bodySize)
		v := clean(f.Value)
		if strings.TrimSpace(v) == "" {
			v = "–"
		}
		// Bounded so that one row always fits on a page.
		c.val = wrap(pdf, v, pairW-labelW-2*pad-1, 36)
		h = max(h, labelHeight(c.main, c.sub), float64(len(c.val))*bodyLineH)
	}
	h += 2 * pad
	d.ensure(h)
	y := pdf.GetY()
	pdf.SetLineWidth(thinRule)
	pdf.SetDrawColor(130, 130, 130)
	for i, f := range row {
		x := marginX + float64(i)*pairW
		pdf.SetFillColor(242, 242, 242)
		pdf.Rect(x, y, labelW, h, "FD")
		pdf.Rect(x+labelW, y, pairW-labelW, h, "D")
		d.drawLabel(x+pad, y+pad, labelW-2*pad, cells[i].main, cells[i].sub, "")
		d.font(styleOf(f.Strong), bodySize)
		for j, l := range cells[i].val {
			pdf.SetXY(x+labelW+pad, y+pad+float64(j)*bodyLineH)
			pdf.CellFormat(pairW-labelW-2*pad, bodyLineH, l, "", 0, "L", false, 0, "")
		}
	}
	pdf.SetXY(marginX, y+h)
}

func styleOf(strong bool) string {
	if strong {
		return "B"
	}
	return ""
}

// Paragraph writes running text: the Indonesian text, then its English
// translation beneath in a smaller grey italic (English alone in English
// documents).
func (d *Doc) Paragraph(t Text) {
	d.font("", bodySize)
	d.lines(wrap(d.pdf, clean(d.L(t)), contentW, 0), bodyLineH)
	if d.lang != English && t.EN != "" && t.EN != t.ID {
		d.font("I", 7.5)
		d.grey(80)
		d.lines(wrap(d.pdf, clean(t.EN), contentW, 0), 3.5)
		d.grey(0)
	}
	d.pdf.SetY(d.pdf.GetY() + 1.5)
}

func (d *Doc) lines(ls []string, lh float64) {
	for _, l := range ls {
		d.ensure(lh)
		d.pdf.SetX(marginX)
		d.pdf.CellFormat(contentW, lh, l, "", 1, "L", false, 0, "")
	}
}

// Verdict draws a boxed result line. A bad result is printed white on
// black, which survives any printer and cannot be overlooked.
func (d *Doc) Verdict(label Text, value Text, good bool) {
	pdf := d.pdf
	h := 9.0
	if d.lang != English {
		h = 11
	}
	d.ensure(h + 2)
	y := pdf.GetY() + 1
	pdf.SetLineWidth(0.4)
	pdf.SetDrawColor(0, 0, 0)
	if good {
		pdf.SetFillColor(235, 235, 235)
		d.grey(0)
	} else {
		pdf.SetFillColor(25, 25, 25)
		d.grey(255)
	}
	pdf.Rect(marginX, y, contentW, h, "FD")
	d.font("B", 10)
	pdf.SetXY(marginX+2, y+1.2)
	text := clean(strings.ToUpper(d.L(label)) + ":  " + strings.ToUpper(d.L(value)))
	pdf.CellFormat(contentW-4, 5.5, fitWidth(pdf, text, contentW-6), "", 0, "C", false, 0, "")
	if d.lang != English && label.EN != "" {
		d.font("I", 7.5)
		pdf.SetXY(marginX+2, y+6.4)
		pdf.CellFormat(contentW-4, 3.6, fitWidth(pdf, clean(label.EN+": "+value.EN), contentW-6), "", 0, "C", false, 0, "")
	}
	d.grey(0)
	pdf.SetLineWidth(thinRule)
	pdf.SetXY(marginX, y+h+2.5)
}
