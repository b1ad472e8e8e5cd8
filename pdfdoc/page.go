package pdfdoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// Page geometry in millimetres (A4 portrait).
const (
	pageW        = 210.0
	pageH        = 297.0
	marginX      = 15.0
	marginTop    = 10.0
	marginBottom = 28.0 // the footer: QR code, verification code, page
	contentW     = pageW - 2*marginX
)

// Doc is a document being drawn. It is handed to the body function of
// Render; its methods append blocks and break pages as needed.
type Doc struct {
	pdf   *fpdf.Fpdf
	meta  Meta
	title Text
	lang  Lang
	pages int // total pages, known on the second pass; 0 on the first
	logo  string

	sections     int  // numbering of Section headings
	sectionTitle Text // repeated, "continued", when a table breaks

	qrSize int        // modules per side of the QR code
	qrRuns [][][2]int // its dark modules, row by row
}

// ErrInvalid is wrapped by every validation error, so callers can tell bad
// input from a rendering failure.
var ErrInvalid = errors.New("invalid document")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Validate reports what is missing from m for a controlled document.
func (m Meta) Validate() error {
	switch {
	case strings.TrimSpace(m.Number) == "":
		return invalid("document number is empty")
	case m.Lang != "" && m.Lang != Indonesian && m.Lang != English:
		return invalid("language %q is not %q or %q", m.Lang, Indonesian, English)
	case strings.TrimSpace(m.VerifyCode) == "":
		return invalid("verification code is empty")
	case m.Generated.IsZero() && m.Date.IsZero():
		return invalid("document %s has neither a date nor a generation time", m.Number)
	case m.Revision < 0:
		return invalid("revision %d is negative", m.Revision)
	}
	return nil
}

// Render draws a controlled document: body adds the content and Render
// frames every page. The body is run twice, the first time only to count
// pages, so it must depend on nothing but its input.
func Render(w io.Writer, meta Meta, title Text, body func(d *Doc) error) error {
	if err := meta.Validate(); err != nil {
		return err
	}
	if meta.Lang == "" {
		meta.Lang = Indonesian
	}
	if meta.Generated.IsZero() {
		meta.Generated = meta.Date
	}
	if meta.Date.IsZero() {
		meta.Date = meta.Generated
	}
	first, err := draw(meta, title, 0, body)
	if err != nil {
		return err
	}
	second, err := draw(meta, title, first.pdf.PageNo(), body)
	if err != nil {
		return err
	}
	buf, err := output(second)
	if err != nil {
		return fmt.Errorf("write pdf %s: %w", meta.Number, err)
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("write pdf %s: %w", meta.Number, err)
	}
	return nil
}

// output serialises the document; fpdf builds font subsets here, and a
// panic there is an error like any other.
func output(d *Doc) (b []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("fpdf: %v", r)
		}
	}()
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// draw runs one pass. fpdf reports most failures through Error(), but a
// malformed input deep inside it can still panic; that becomes an error
// here so that callers never see a panic.
func draw(meta Meta, title Text, pages int, body func(d *Doc) error) (d *Doc, err error) {
	defer func() {
		if r := recover(); r != nil {
			d, err = nil, fmt.Errorf("render pdf %s: %v", meta.Number, r)
		}
	}()
	d = newDoc(meta, title, pages)
	if err := d.loadLogo(); err != nil {
		return nil, err
	}
	if d.qrSize, d.qrRuns, err = qrModules(QRPayload(meta)); err != nil {
		return nil, fmt.Errorf("render pdf %s: %w", meta.Number, err)
	}
	d.pdf.AddPage()
	if err := body(d); err != nil {
		return nil, err
	}
	if err := d.pdf.Error(); err != nil {
		return nil, fmt.Errorf("render pdf %s: %w", meta.Number, err)
	}
	return d, nil
}

func newDoc(meta Meta, title Text, pages int) *Doc {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	pdf.SetCatalogSort(true)
	// fpdf writes the date without a zone, which readers take as UTC.
	pdf.SetCreationDate(meta.Generated.UTC())
	pdf.SetModificationDate(meta.Generated.UTC())
	pdf.AddUTF8FontFromBytes(family, "", fontRegular)
	pdf.AddUTF8FontFromBytes(family, "B", fontBold)
	pdf.AddUTF8FontFromBytes(family, "I", fontOblique)
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetAutoPageBreak(true, marginBottom)
	// Cells get no automatic inner margin: every block pads explicitly, so
	// that text wrapped to a width is drawn in exactly that width.
	pdf.SetCellMargin(0)
	pdf.SetTitle(clean(title.Inline(meta.Lang)), true)
	pdf.SetSubject(clean(meta.Number), true)
	pdf.SetAuthor(clean(meta.Header.Company), true)
	pdf.SetCreator("Cadang", true)
	if meta.AuditHead != "" {
		pdf.SetKeywords(AuditHeadKeyword+clean(meta.AuditHead), false)
	}
	if meta.Lang == English {
		pdf.SetLang("en-US")
	} else {
		pdf.SetLang("id-ID")
	}
	d := &Doc{pdf: pdf, meta: meta, title: title, lang: meta.Lang, pages: pages}
	pdf.SetHeaderFuncMode(d.header, false)
	pdf.SetFooterFunc(d.footer)
	return d
}

// Lang is the document's language.
func (d *Doc) Lang() Lang { return d.lang }

// L picks the document's language from t.
func (d *Doc) L(t Text) string { return t.In(d.lang) }

// pageOf is "Halaman 2 dari 5 / Page 2 of 5" (or the English half alone).
func (d *Doc) pageOf() string {
	n, total := d.pdf.PageNo(), d.pages
	if total == 0 {
		total = n // first pass: the width hardly matters, the count is what is wanted
	}
	en := fmt.Sprintf("Page %d of %d", n, total)
	if d.lang == English {
		return en
	}
	return fmt.Sprintf("Halaman %d dari %d / %s", n, total, en)
}

func (d *Doc) font(style string, size float64) { d.pdf.SetFont(family, style, size) }

func (d *Doc) grey(level int) { d.pdf.SetTextColor(level, level, level) }

// footer: the QR code and, beside it, the verification code, so a paper
// copy can be matched with the register by scanning or typing; the
// document number with its page; and what generated it, on every page.
func (d *Doc) footer() {
	pdf := d.pdf
	y := pageH - marginBottom + 2
	pdf.SetDrawColor(120, 120, 120)
	pdf.SetLineWidth(0.2)
	pdf.Line(marginX, y, pageW-marginX, y)
	const qrSide = 19.0
	d.drawQR(marginX-1, y+0.8, qrSide)
	x := marginX + qrSide + 1
	w := pageW - marginX - x
	half := w / 2
	cell := func(yy, h float64, style string, size float64, grey int, left, right string) {
		d.font(style, size)
		d.grey(grey)
		pdf.SetXY(x, yy)
		pdf.CellFormat(half, h, fitWidth(pdf, left, half-1), "", 0, "L", false, 0, "")
		d.font("", 7)
		pdf.CellFormat(half, h, fitWidth(pdf, right, half-1), "", 0, "R", false, 0, "")
	}
	page := fitWidth(pdf, clean(d.meta.Number), half/2) + "  ·  " + d.pageOf()
	cell(y+1.8, 3.4, "", 7, 40, T("Kode verifikasi", "Verification code").Inline(d.lang), page)
	ctl := strings.TrimSuffix(T("Dokumen terkendali", "Controlled document").Inline(d.lang)+" · "+clean(d.meta.Header.ControlledDocNo), " · ")
	cell(y+5.4, 5, "B", 11, 0, clean(d.meta.VerifyCode), ctl)
	check := T("Cek keaslian: pindai kode QR, atau cadang docs verify --code",
		"Check it: scan the QR code, or cadang docs verify --code").In(d.lang)
	gen := T("Dibuat oleh Cadang", "Generated by Cadang").Inline(d.lang) + ": " + DateTime(d.meta.Generated)
	cell(y+11, 3.4, "", 6.5, 90, check, gen)
	if seq, hash, ok := strings.Cut(d.meta.AuditHead, ":"); ok {
		head := T("Rantai audit saat diarsipkan", "Audit chain when filed").Inline(d.lang) + ": " + clean(seq) + ":" + clean(hash[:min(len(hash), 12)])
		d.font("", 6.5)
		d.grey(90)
		pdf.SetXY(x, y+14.4)
		pdf.CellFormat(w, 3.4, fitWidth(pdf, head, w), "", 0, "R", false, 0, "")
	}
	d.grey(0)
}
