package pdfdoc

import (
	"fmt"
	"image/color"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// QRPayload is what a document's QR code holds: its number, revision and
// verification code on one line, readable by any phone and accepted as it
// is by `cadang docs verify --code`:
//
//	CADANG FRM-IT-002-04/2026/0003 REV 0 7KQ2-9XHD-M3TA-0C5R
//
// Upper case, digits, spaces, "-" and "/" only, so that the code uses QR's
// compact alphanumeric mode and stays small enough to scan from paper.
func QRPayload(m Meta) string {
	return strings.ToUpper(fmt.Sprintf("CADANG %s REV %d %s", clean(m.Number), m.Revision, clean(m.VerifyCode)))
}

// qrModules encodes the payload (error correction M: a fold or a stain on
// paper still scans) and returns its dark modules as rows of runs.
func qrModules(payload string) (size int, runs [][][2]int, err error) {
	code, err := qr.Encode(payload, qr.M, qr.Auto)
	if err != nil {
		return 0, nil, fmt.Errorf("qr code: %w", err)
	}
	b := code.Bounds()
	size = b.Dx()
	runs = make([][][2]int, size)
	for y := 0; y < size; y++ {
		start := -1
		for x := 0; x <= size; x++ {
			dark := x < size && isDark(code.At(b.Min.X+x, b.Min.Y+y))
			switch {
			case dark && start < 0:
				start = x
			case !dark && start >= 0:
				runs[y] = append(runs[y], [2]int{start, x})
				start = -1
			}
		}
	}
	return size, runs, nil
}

func isDark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r+g+b < 3*0x8000
}

// drawQR draws the document's QR code as vector squares (sharp at any
// printer resolution), side mm wide with its quiet zone, at x, y.
func (d *Doc) drawQR(x, y, side float64) {
	if d.qrSize == 0 {
		return
	}
	const quiet = 3 // modules of white around the code; the page is white too
	m := side / float64(d.qrSize+2*quiet)
	pdf := d.pdf
	pdf.SetFillColor(0, 0, 0)
	for row, runs := range d.qrRuns {
		for _, r := range runs {
			pdf.Rect(x+float64(quiet+r[0])*m, y+float64(quiet+row)*m, float64(r[1]-r[0])*m, m, "F")
		}
	}
}
