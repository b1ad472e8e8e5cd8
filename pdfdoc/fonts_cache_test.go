package pdfdoc

import (
	"testing"

	"codeberg.org/go-pdf/fpdf"
)

// TestFontsAreParsedOncePerProcess: every document embeds the same three
// DejaVu fonts, and fpdf parsed each (its tables, the widths of some 6000
// glyphs) for every document, twice (Render's two passes): about half the
// CPU of a report. fpdf is patched (third_party/fpdf) to keep what it parsed
// for the process: adding the fonts to one more document allocates a few
// objects each, where a parse allocates thousands.
func TestFontsAreParsedOncePerProcess(t *testing.T) {
	blank := func() *fpdf.Fpdf {
		return fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	}
	addFonts := func(pdf *fpdf.Fpdf) {
		pdf.AddUTF8FontFromBytes(family, "", fontRegular)
		pdf.AddUTF8FontFromBytes(family, "B", fontBold)
		pdf.AddUTF8FontFromBytes(family, "I", fontOblique)
	}
	addFonts(blank()) // the process's first document parses them
	bare := testing.AllocsPerRun(5, func() { blank() })
	withFonts := testing.AllocsPerRun(5, func() { addFonts(blank()) })
	if perFont := (withFonts - bare) / 3; perFont > 100 {
		t.Errorf("adding a font to a document allocates %.0f objects: it is parsed again (a parse allocates thousands)", perFont)
	}
	t.Logf("a document: %.0f allocations; with its three fonts: %.0f", bare, withFonts)
}
