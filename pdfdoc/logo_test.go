package pdfdoc_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"testing"

	"cadang/pdfdoc"
	"cadang/pdfdoc/pdftest"
)

func encode(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Company logos come from settings in whatever PNG flavour the company
// has; each either renders or fails with a clear error.
func TestLogos(t *testing.T) {
	rgba := image.NewNRGBA(image.Rect(0, 0, 120, 30)) // wide, with transparency
	for x := range 120 {
		for y := range 30 {
			rgba.Set(x, y, color.NRGBA{R: uint8(x), G: 40, B: 90, A: uint8(y * 8)})
		}
	}
	pal := image.NewPaletted(image.Rect(0, 0, 16, 64), color.Palette{color.Black, color.White}) // tall
	deep := image.NewGray16(image.Rect(0, 0, 8, 8))
	tests := []struct {
		name    string
		logo    []byte
		wantErr bool
	}{
		{"none: default mark", nil, false},
		{"rgba with alpha", encode(t, rgba), false},
		{"paletted", encode(t, pal), false},
		{"16-bit grey", encode(t, deep), false},
		{"truncated", encode(t, rgba)[:40], true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := meta(pdfdoc.English)
			m.Header.Logo = tt.logo
			var buf bytes.Buffer
			err := pdfdoc.Render(&buf, m, title, func(*pdfdoc.Doc) error { return nil })
			if tt.wantErr {
				if !errors.Is(err, pdfdoc.ErrInvalid) {
					t.Fatalf("got %v, want ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info := pdftest.ReadInfo(t, buf.Bytes()); info.Pages != 1 || !info.IsA4() {
				t.Errorf("got %d pages of %s", info.Pages, info.PageSize)
			}
		})
	}
}
