package pdfdoc

import "codeberg.org/go-pdf/fpdf"

// drawDefaultLogo draws a neutral mark, a stack of three storage discs
// inside a ring, centred on (cx, cy) and size mm tall. It stands in when the
// company has not set a logo; it is deliberately nobody's trademark.
func drawDefaultLogo(pdf *fpdf.Fpdf, cx, cy, size float64) {
	r := size / 2
	pdf.SetLineWidth(0.5)
	pdf.SetDrawColor(60, 60, 60)
	pdf.Circle(cx, cy, r, "D")
	rx, ry := r*0.55, r*0.17
	top, disc := cy-r*0.45, r*0.30
	pdf.SetLineWidth(0.25)
	pdf.SetFillColor(120, 120, 120)
	pdf.Rect(cx-rx, top, 2*rx, 3*disc, "F")
	pdf.SetDrawColor(255, 255, 255)
	for i := 1; i <= 3; i++ {
		y := top + float64(i)*disc
		pdf.SetFillColor(120, 120, 120)
		pdf.Ellipse(cx, y, rx, ry, 0, "F")
		if i < 3 {
			// a white seam between discs
			pdf.Arc(cx, y, rx, ry, 0, 0, 180, "D")
		}
	}
	pdf.SetFillColor(200, 200, 200)
	pdf.SetDrawColor(60, 60, 60)
	pdf.Ellipse(cx, top, rx, ry, 0, "FD")
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetFillColor(255, 255, 255)
}
