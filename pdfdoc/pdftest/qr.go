package pdftest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"cadang/engine/childproc"
)

// QRCodes renders every page at 150 dpi (a plain office scan) with
// pdftoppm and decodes its QR codes with zbarimg (Debian zbar-tools),
// returning each page's decoded payloads.
func QRCodes(t testing.TB, pdf []byte) [][]string {
	t.Helper()
	ppm := need(t, "pdftoppm")
	zbar := need(t, "zbarimg")
	dir := t.TempDir()
	path := write(t, pdf)
	if out, err := childproc.Command(context.Background(), childproc.Env{}, ppm, "-png", "-r", "150", path, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	pages, err := filepath.Glob(filepath.Join(dir, "p-*.png"))
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]string, len(pages))
	for i := range pages {
		// pdftoppm pads the page number to the width of the last one.
		png := filepath.Join(dir, fmt.Sprintf("p-%0*d.png", len(fmt.Sprint(len(pages))), i+1))
		res, err := childproc.Command(context.Background(), childproc.Env{}, zbar, "-q", "--raw", "-Sdisable", "-Sqrcode.enable", png).Output()
		if err != nil && len(res) == 0 {
			continue // zbarimg exits 4 when it finds no code: the page has none
		}
		for _, l := range strings.Split(strings.TrimSpace(string(res)), "\n") {
			if l != "" {
				out[i] = append(out[i], l)
			}
		}
	}
	return out
}
