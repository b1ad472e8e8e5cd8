// Command icongen draws Cadang's application icon (Icon.png): a blue rounded
// tile with a white archive box and a bold orange arrow going into it. The
// shapes are described as signed distance functions and rendered with 4×4
// supersampling, so the artwork is original, reproducible and stays crisp
// when scaled down to tray size (16–22 px).
//
//	go run ./internal/icongen -out Icon.png
package main

import (
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "Icon.png", "PNG file to write")
	size := flag.Int("size", 1024, "width and height in pixels")
	flag.Parse()
	if err := write(*out, *size); err != nil {
		fmt.Fprintln(os.Stderr, "icongen:", err)
		os.Exit(1)
	}
}

// write renders the icon and saves it atomically (temp file, then rename).
func write(path string, size int) error {
	if size < 16 {
		return fmt.Errorf("size %d too small: at least 16", size)
	}
	img := render(size)
	f, err := os.CreateTemp(filepath.Dir(path), ".icon-*.png")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // no-op after the rename
	if err := errors.Join(png.Encode(f, img), f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

var (
	blueTop    = color.NRGBA{0x15, 0x65, 0xC0, 0xFF}
	blueBottom = color.NRGBA{0x0B, 0x3D, 0x91, 0xFF}
	white      = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	orange     = color.NRGBA{0xFF, 0x8F, 0x00, 0xFF}
)

// layer is one shape: sdf < 0 inside, in units of the 512-px design grid.
type layer struct {
	sdf   func(x, y float64) float64
	paint func(x, y float64) color.NRGBA
}

func solid(c color.NRGBA) func(x, y float64) color.NRGBA {
	return func(x, y float64) color.NRGBA { return c }
}

// layers is the artwork from back to front on a 512×512 grid.
func layers() []layer {
	background := func(x, y float64) color.NRGBA { return mix(blueTop, blueBottom, y/512) }
	arrow := arrowSDF()
	return []layer{
		{roundRect(16, 16, 496, 496, 104), background},
		{roundRect(92, 212, 420, 280, 22), solid(white)},                     // lid
		{roundRect(116, 296, 396, 452, 26), solid(white)},                    // body
		{func(x, y float64) float64 { return arrow(x, y) - 18 }, background}, // outline keeps the arrow apart from the box
		{arrow, solid(orange)},
	}
}

// arrowSDF is a bold arrow pointing down into the box.
func arrowSDF() func(x, y float64) float64 {
	shaft := roundRect(218, 56, 294, 250, 16)
	head := polygon([][2]float64{{150, 222}, {362, 222}, {256, 340}})
	return func(x, y float64) float64 { return math.Min(shaft(x, y), head(x, y)) }
}

func render(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	ls := layers()
	const ss = 4 // samples per axis
	scale := 512 / float64(size)
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) * scale
					y := (float64(py) + (float64(sy)+0.5)/ss) * scale
					c, ok := sample(ls, x, y)
					if !ok {
						continue
					}
					r += float64(c.R)
					g += float64(c.G)
					b += float64(c.B)
					a++
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(255 * a / ss / ss)})
		}
	}
	return img
}

// sample returns the colour of the front-most layer covering (x, y).
func sample(ls []layer, x, y float64) (color.NRGBA, bool) {
	for i := len(ls) - 1; i >= 0; i-- {
		if ls[i].sdf(x, y) < 0 {
			return ls[i].paint(x, y), true
		}
	}
	return color.NRGBA{}, false
}

func mix(a, b color.NRGBA, t float64) color.NRGBA {
	t = math.Max(0, math.Min(1, t))
	l := func(p, q uint8) uint8 { return uint8(float64(p)*(1-t) + float64(q)*t) }
	return color.NRGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 0xFF}
}

// roundRect is the signed distance to a rectangle with rounded corners.
func roundRect(x0, y0, x1, y1, r float64) func(x, y float64) float64 {
	cx, cy := (x0+x1)/2, (y0+y1)/2
	hw, hh := (x1-x0)/2-r, (y1-y0)/2-r
	return func(x, y float64) float64 {
		dx := math.Abs(x-cx) - hw
		dy := math.Abs(y-cy) - hh
		outside := math.Hypot(math.Max(dx, 0), math.Max(dy, 0))
		inside := math.Min(math.Max(dx, dy), 0)
		return outside + inside - r
	}
}

// polygon is the signed distance to a simple polygon.
func polygon(pts [][2]float64) func(x, y float64) float64 {
	return func(x, y float64) float64 {
		d := math.Inf(1)
		in := false
		for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
			ax, ay, bx, by := pts[j][0], pts[j][1], pts[i][0], pts[i][1]
			d = math.Min(d, segmentDist(x, y, ax, ay, bx, by))
			if (ay > y) != (by > y) && x < (bx-ax)*(y-ay)/(by-ay)+ax {
				in = !in
			}
		}
		if in {
			return -d
		}
		return d
	}
}

func segmentDist(x, y, ax, ay, bx, by float64) float64 {
	vx, vy := bx-ax, by-ay
	t := ((x-ax)*vx + (y-ay)*vy) / (vx*vx + vy*vy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(x-ax-t*vx, y-ay-t*vy)
}
