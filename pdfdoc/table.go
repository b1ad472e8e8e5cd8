package pdfdoc

// Column describes one table column.
type Column struct {
	Title Text
	// Width is relative: the widths are scaled to fill the page.
	Width float64
	Align string // "L" (default), "C" or "R"
	// MaxLines bounds a wrapped cell (default 3); the last line then ends
	// with the end of the text. OneLine shortens in the middle instead.
	MaxLines int
	OneLine  bool
}

// Row is one table row.
type Row struct {
	Cells []string
	// Strong prints the row in bold, e.g. a file that failed verification.
	Strong bool
}

const (
	tableSize   = 7.5
	tableLineH  = 3.3
	cellPad     = 1.0 // left and right
	cellPadY    = 0.7 // top and bottom
	maxRowLines = 50
)

// Table draws rows under a header row. A table longer than the page breaks
// between rows, never inside one, and repeats the section heading (marked
// continued) and the header row on the next page. Cells wrap or shorten so
// that nothing overflows. With no rows it prints one "none" row.
func (d *Doc) Table(cols []Column, rows []Row) {
	if len(cols) == 0 {
		return
	}
	widths := scaleWidths(cols)
	headerH := d.tableHeaderHeight(cols, widths)
	if len(rows) == 0 {
		d.ensure(headerH + tableLineH + 2*cellPadY)
		d.tableHeader(cols, widths, headerH)
		d.emptyRow()
		return
	}
	for i, r := range rows {
		lines, h := d.rowLines(cols, widths, r)
		if i == 0 {
			d.ensure(headerH + h)
			d.tableHeader(cols, widths, headerH)
		} else if d.ensure(h) {
			d.heading("", d.sectionTitle, " ("+T("lanjutan", "continued").Inline(d.lang)+")")
			d.tableHeader(cols, widths, headerH)
		}
		d.tableRow(cols, widths, lines, h, r.Strong, i%2 == 1)
	}
	d.pdf.SetY(d.pdf.GetY() + 2)
}

// Table is one table of TableSection.
type Table struct {
	Cols []Column
	Rows []Row
}

// TableSection is a numbered section of short tables that belong
// together (a procedure's document history and its approval): when they
// fit on one page they are not split, and the section starts on the next
// page rather than leaving a table without its heading. Longer tables
// break as Table does.
func (d *Doc) TableSection(t Text, tables ...Table) {
	h := sectionH
	for _, tb := range tables {
		h += d.tableHeight(tb.Cols, tb.Rows)
	}
	if h <= pageLimit-marginTop-headerRoom {
		d.ensure(h)
	}
	d.Section(t)
	for _, tb := range tables {
		d.Table(tb.Cols, tb.Rows)
	}
}

const (
	sectionH   = 1.5 + 6.2 + 1.5 // a section heading
	headerRoom = 70.0            // more than the page header block and its strip take
)

// tableHeight is the height Table draws when it does not break.
func (d *Doc) tableHeight(cols []Column, rows []Row) float64 {
	if len(cols) == 0 {
		return 0
	}
	widths := scaleWidths(cols)
	h := d.tableHeaderHeight(cols, widths) + 2
	if len(rows) == 0 {
		return h + tableLineH + 2*cellPadY
	}
	for _, r := range rows {
		_, rh := d.rowLines(cols, widths, r)
		h += rh
	}
	return h
}

func scaleWidths(cols []Column) []float64 {
	total := 0.0
	for _, c := range cols {
		total += max(c.Width, 1)
	}
	w := make([]float64, len(cols))
	for i, c := range cols {
		w[i] = max(c.Width, 1) / total * contentW
	}
	return w
}

func (d *Doc) tableHeaderHeight(cols []Column, widths []float64) float64 {
	h := 0.0
	for i, c := range cols {
		main, sub := d.labelLines(c.Title, widths[i]-2*cellPad, "B")
		h = max(h, labelHeight(main, sub))
	}
	return h + 2*cellPadY
}

func (d *Doc) tableHeader(cols []Column, widths []float64, h float64) {
	pdf := d.pdf
	x, y := marginX, pdf.GetY()
	pdf.SetLineWidth(boxRule)
	pdf.SetDrawColor(60, 60, 60)
	pdf.SetFillColor(215, 215, 215)
	for i, c := range cols {
		pdf.Rect(x, y, widths[i], h, "FD")
		main, sub := d.labelLines(c.Title, widths[i]-2*cellPad, "B")
		d.drawLabel(x+cellPad, y+cellPadY, widths[i]-2*cellPad, main, sub, "B")
		x += widths[i]
	}
	pdf.SetXY(marginX, y+h)
}

func (d *Doc) rowLines(cols []Column, widths []float64, r Row) ([][]string, float64) {
	d.font(styleOf(r.Strong), tableSize)
	lines := make([][]string, len(cols))
	n := 1
	for i, c := range cols {
		var s string
		if i < len(r.Cells) {
			s = clean(r.Cells[i])
		}
		w := widths[i] - 2*cellPad
		switch {
		case c.OneLine:
			lines[i] = []string{fitWidth(d.pdf, s, w)}
		case c.MaxLines > 0:
			// Capped so that a row always fits on one page.
			lines[i] = wrap(d.pdf, s, w, min(c.MaxLines, maxRowLines))
		default:
			lines[i] = wrap(d.pdf, s, w, 3)
		}
		n = max(n, len(lines[i]))
	}
	return lines, float64(n)*tableLineH + 2*cellPadY
}

func (d *Doc) tableRow(cols []Column, widths []float64, lines [][]string, h float64, strong, shaded bool) {
	pdf := d.pdf
	x, y := marginX, pdf.GetY()
	pdf.SetLineWidth(thinRule)
	pdf.SetDrawColor(140, 140, 140)
	if shaded {
		pdf.SetFillColor(246, 246, 246)
		pdf.Rect(x, y, contentW, h, "F")
	}
	d.font(styleOf(strong), tableSize)
	for i, c := range cols {
		pdf.Rect(x, y, widths[i], h, "D")
		align := c.Align
		if align == "" {
			align = "L"
		}
		for j, l := range lines[i] {
			pdf.SetXY(x+cellPad, y+cellPadY+float64(j)*tableLineH)
			pdf.CellFormat(widths[i]-2*cellPad, tableLineH, l, "", 0, align, false, 0, "")
		}
		x += widths[i]
	}
	pdf.SetXY(marginX, y+h)
}

func (d *Doc) emptyRow() {
	pdf := d.pdf
	h := tableLineH + 2*cellPadY
	pdf.SetLineWidth(thinRule)
	pdf.SetDrawColor(140, 140, 140)
	d.font("I", tableSize)
	d.grey(60)
	pdf.CellFormat(contentW, h, T("— tidak ada —", "— none —").Inline(d.lang), "1", 1, "C", false, 0, "")
	d.grey(0)
	pdf.SetY(pdf.GetY() + 2)
}
