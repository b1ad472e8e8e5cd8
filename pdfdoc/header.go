package pdfdoc

import (
	"bytes"
	"fmt"
	"image/png"

	"codeberg.org/go-pdf/fpdf"
)

// Header box geometry (mm): the logo column, the title row and the
// three-line document-control row beneath it, as in SOP-IT-002.
const (
	logoW     = 34.0
	titleH    = 22.0
	ctlLineH  = 4.2
	ctlH      = 3*ctlLineH + 1.6
	ctlLeftW  = 108.0
	ctlLabelW = 26.0
	stripH    = 7.0
)

func (d *Doc) loadLogo() error {
	if len(d.meta.Header.Logo) == 0 {
		return nil
	}
	// Decode it fully first: fpdf notices a truncated file only later,
	// and then without saying it is the logo.
	if _, err := png.Decode(bytes.NewReader(d.meta.Header.Logo)); err != nil {
		return invalid("company logo is not a usable PNG: %v", err)
	}
	d.logo = "logo"
	opt := fpdf.ImageOptions{ImageType: "PNG", ReadDpi: false}
	d.pdf.RegisterImageOptionsReader(d.logo, opt, bytes.NewReader(d.meta.Header.Logo))
	if err := d.pdf.Error(); err != nil {
		return invalid("company logo is not a usable PNG: %v", err)
	}
	return nil
}

// header draws the controlled-document box and the document strip, then
// leaves the cursor where the content starts.
func (d *Doc) header() {
	pdf := d.pdf
	x, y := marginX, marginTop
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.3)
	pdf.Rect(x, y, contentW, titleH+ctlH, "D")
	pdf.SetLineWidth(0.15)
	pdf.Line(x+logoW, y, x+logoW, y+titleH)
	pdf.Line(x, y+titleH, x+contentW, y+titleH)
	pdf.Line(x+ctlLeftW, y+titleH, x+ctlLeftW, y+titleH+ctlH)
	d.drawLogo(x, y)
	d.drawTitle(x+logoW, y)
	d.drawControl(x, y+titleH)
	d.drawStrip(y + titleH + ctlH)
	pdf.SetXY(marginX, y+titleH+ctlH+stripH+3)
	d.font("", 9)
	d.grey(0)
}

func (d *Doc) drawLogo(x, y float64) {
	const pad = 2.5
	boxW, boxH := logoW-2*pad, titleH-2*pad
	if d.logo == "" {
		drawDefaultLogo(d.pdf, x+logoW/2, y+titleH/2, boxH)
		return
	}
	info := d.pdf.GetImageInfo(d.logo)
	if info == nil || info.Width() <= 0 || info.Height() <= 0 {
		drawDefaultLogo(d.pdf, x+logoW/2, y+titleH/2, boxH)
		return
	}
	// Fit inside the box keeping the aspect ratio, centred.
	w, h := boxW, boxW*info.Height()/info.Width()
	if h > boxH {
		w, h = boxH*info.Width()/info.Height(), boxH
	}
	d.pdf.ImageOptions(d.logo, x+(logoW-w)/2, y+(titleH-h)/2, w, h, false,
		fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
}

func (d *Doc) drawTitle(x, y float64) {
	pdf := d.pdf
	w := contentW - logoW
	hd := d.meta.Header
	company := clean(hd.Company)
	if hd.Address != "" {
		company += " — " + clean(hd.Address)
	}
	d.font("B", 7.5)
	d.grey(60)
	pdf.SetXY(x, y+1.6)
	pdf.CellFormat(w, 3.6, fitWidth(pdf, company, w-2), "", 2, "C", false, 0, "")
	d.grey(0)
	title := d.title.In(d.lang)
	size := 13.0
	d.font("B", size)
	for size > 9 && pdf.GetStringWidth(title) > w-4 {
		size -= 0.5
		d.font("B", size)
	}
	if d.lang == English || d.title.EN == "" || d.title.EN == d.title.ID {
		pdf.SetXY(x, y+8)
		pdf.CellFormat(w, 7, fitWidth(pdf, title, w-2), "", 2, "C", false, 0, "")
		return
	}
	pdf.SetXY(x, y+6.6)
	pdf.CellFormat(w, 6.5, fitWidth(pdf, title, w-2), "", 2, "C", false, 0, "")
	d.font("I", 9)
	d.grey(70)
	pdf.SetX(x)
	pdf.CellFormat(w, 4.5, fitWidth(pdf, d.title.EN, w-2), "", 2, "C", false, 0, "")
	d.grey(0)
}

// drawControl is the SOP's Segmen / Proses Bisnis / Sub Proses and No.
// Dokumen / Tgl. Efektif / Rev. table, labelled as the SOP labels it.
func (d *Doc) drawControl(x, y float64) {
	hd := d.meta.Header
	en := d.lang == English
	pick := func(id, e string) string {
		if en {
			return e
		}
		return id
	}
	left := [][2]string{
		{pick("Segmen", "Segment"), hd.Segment},
		{pick("Proses Bisnis", "Business Process"), hd.BusinessProcess},
		{pick("Sub Proses", "Sub Process"), hd.SubProcess},
	}
	right := [][2]string{
		{pick("No. Dokumen", "Document No."), hd.ControlledDocNo},
		{pick("Tgl. Efektif", "Effective Date"), Date(hd.EffectiveDate)},
		{pick("Rev.", "Revision"), hd.Revision},
	}
	d.controlColumn(x, y, ctlLeftW, left)
	d.controlColumn(x+ctlLeftW, y, contentW-ctlLeftW, right)
}

func (d *Doc) controlColumn(x, y, w float64, rows [][2]string) {
	pdf := d.pdf
	for i, r := range rows {
		pdf.SetXY(x+1.5, y+0.8+float64(i)*ctlLineH)
		d.font("", 7.5)
		d.grey(50)
		pdf.CellFormat(ctlLabelW, ctlLineH, r[0], "", 0, "L", false, 0, "")
		pdf.CellFormat(2, ctlLineH, ":", "", 0, "L", false, 0, "")
		d.font("I", 7.5)
		d.grey(0)
		v := clean(r[1])
		if v == "" {
			v = "–"
		}
		pdf.CellFormat(w-ctlLabelW-4, ctlLineH, fitWidth(pdf, v, w-ctlLabelW-5), "", 0, "L", false, 0, "")
	}
}

// drawStrip is the line under the box that identifies this document: its
// number, revision and date on the left, the page on the right.
func (d *Doc) drawStrip(y float64) {
	pdf := d.pdf
	pdf.SetFillColor(235, 235, 235)
	pdf.Rect(marginX, y+1.2, contentW, stripH-1.2, "F")
	pdf.SetXY(marginX+1.5, y+1.2)
	d.font("B", 8)
	d.grey(0)
	rev := fmt.Sprintf("Rev. %02d", d.meta.Revision)
	date := T("Tanggal", "Date").Inline(d.lang) + ": " + Date(d.meta.Date)
	rest := "   " + rev + "   " + date
	label := T("No.", "No.").In(d.lang) + ": "
	number := clean(d.meta.Number)
	page := d.pageOf()
	// The page takes what it needs on the right; the number gets the rest,
	// in a smaller size before it is ever shortened.
	const pad = 1.5
	size := 8.0
	leftW := func() float64 { return contentW - 2*pad - pdf.GetStringWidth(page) - 4 }
	for size > 6.5 && pdf.GetStringWidth(label+number+rest) > leftW() {
		size -= 0.25
		d.font("B", size)
	}
	number = fitWidth(pdf, number, leftW()-pdf.GetStringWidth(label+rest))
	pdf.CellFormat(leftW(), stripH-1.2, label+number+rest, "", 0, "L", false, 0, "")
	pdf.CellFormat(contentW-2*pad-leftW(), stripH-1.2, page, "", 0, "R", false, 0, "")
}
