package examples

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"cadang/engine/childproc"
)

// renderPages renders every page of a PDF to NAME-pN.png beside it with
// pdftoppm (poppler-utils) and returns their names.
func renderPages(ctx context.Context, pdf string, dpi int) ([]string, error) {
	base := strings.TrimSuffix(pdf, filepath.Ext(pdf))
	tmp := base + ".render"
	out, err := childproc.Command(ctx, childproc.Env{}, "pdftoppm", "-png", "-r", strconv.Itoa(dpi), pdf, tmp).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("pdftoppm %s: %w: %s", pdf, err, out)
	}
	pages, err := filepath.Glob(tmp + "-*.png")
	if err != nil {
		return nil, err
	}
	// pdftoppm writes TMP-1.png, or TMP-01.png once there are ten pages or
	// more; name them NAME-p1.png, NAME-p2.png, …
	num := regexp.MustCompile(`-0*(\d+)\.png$`)
	var names []string
	for _, p := range pages {
		m := num.FindStringSubmatch(p)
		if m == nil {
			continue
		}
		plain := base + "-p" + m[1] + ".png"
		if err := os.Rename(p, plain); err != nil {
			return nil, err
		}
		names = append(names, filepath.Base(plain))
	}
	sort.Slice(names, func(i, j int) bool { return pageNo(names[i]) < pageNo(names[j]) })
	return names, nil
}

func pageNo(name string) int {
	i := strings.LastIndex(name, "-p")
	n, _ := strconv.Atoi(strings.TrimSuffix(name[i+2:], ".png"))
	return n
}

// word is one word of pdftotext -bbox, in points from the top left.
type word struct {
	x, y float64
	text string
}

var bboxWord = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>`)

// scannedCopy makes what a scanner makes of the signed paper form: an
// image of its first page with the signatures, and the receiver's and the
// witness's dates, in pen, as an image-only PDF that no Cadang code wrote.
func scannedCopy(ctx context.Context, form, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	img := filepath.Join(dir, "halaman")
	if out, err := childproc.Command(ctx, childproc.Env{}, "pdftoppm", "-png", "-gray", "-r", "110", "-f", "1", "-l", "1", "-singlefile", form, img).CombinedOutput(); err != nil {
		return "", fmt.Errorf("pdftoppm: %w: %s", err, out)
	}
	bbox, err := childproc.Command(ctx, childproc.Env{}, "pdftotext", "-bbox", "-f", "1", "-l", "1", form, "-").Output()
	if err != nil {
		return "", fmt.Errorf("pdftotext -bbox: %w", err)
	}
	var words []word
	for _, m := range bboxWord.FindAllStringSubmatch(string(bbox), -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		words = append(words, word{x: x * 25.4 / 72, y: y * 25.4 / 72, text: m[3]})
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreator("ScanSnap Manager #iX1600", false)
	pdf.SetProducer("ScanSnap PDF", false)
	pdf.SetCatalogSort(true)
	pdf.AddPage()
	pdf.ImageOptions(img+".png", 0, 0, 210, 297, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetDrawColor(20, 40, 120)
	pdf.SetTextColor(20, 40, 120)
	pdf.SetLineWidth(0.45)
	opens, dates := 0, 0
	var lastOpenY float64
	for _, w := range words {
		switch {
		case w.text == "(":
			opens++
			lastOpenY = w.y
			scribble(pdf, w.x+8, w.y-6, opens)
		case w.text == "Tanggal" && opens > 0 && w.y > lastOpenY:
			dates++
			if dates >= 2 { // the receiver and the witness date by hand
				pdf.SetFont("Times", "I", 11)
				pdf.Text(w.x+17, w.y+3, "9/11/2026")
			}
		}
	}
	scan := filepath.Join(dir, "serah-terima-ttd.pdf")
	if err := pdf.OutputFileAndClose(scan); err != nil {
		return "", fmt.Errorf("write the scan: %w", err)
	}
	return scan, nil
}

// scribble draws a signature: a few loops and a stroke, different for
// each signer.
func scribble(pdf *fpdf.Fpdf, x, y float64, who int) {
	k := float64(who)
	pdf.MoveTo(x, y)
	pdf.CurveBezierCubicTo(x+4, y-8-k, x+9, y+5, x+13, y-3)
	pdf.CurveBezierCubicTo(x+16, y-9, x+18+k, y+4, x+24, y-2)
	pdf.CurveBezierCubicTo(x+27, y-6, x+30, y+2, x+34-k, y-1)
	pdf.DrawPath("D")
	pdf.Line(x+2, y+3, x+30+k, y+1)
}
