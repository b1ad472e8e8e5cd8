// Package pdftest checks rendered PDFs by their content, not their bytes:
// it runs poppler's pdftotext and pdfinfo and compares the text with golden
// files in testdata/golden (regenerate with `go test -update`). Tests only.
package pdftest

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"cadang/engine/childproc"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.txt from the current output")

// need skips the test when a poppler tool is missing, unless CI=true, where
// a missing tool is a broken test machine.
func need(t testing.TB, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found (apt-get install poppler-utils zbar-tools): %v", tool, err)
	}
	t.Skipf("%s not found (apt-get install poppler-utils zbar-tools)", tool)
	return ""
}

func write(t testing.TB, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Pages returns the text of each page (pdftotext -layout), normalised:
// trailing blanks removed and runs of spaces shortened to two, so that a
// column moving by a character does not fail a test but columns stay apart.
func Pages(t testing.TB, pdf []byte) []string {
	t.Helper()
	bin := need(t, "pdftotext")
	out, err := childproc.Command(context.Background(), childproc.Env{}, bin, "-layout", "-enc", "UTF-8", write(t, pdf), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(string(out), "\f")
	if n := len(pages); n > 0 && strings.TrimSpace(pages[n-1]) == "" {
		pages = pages[:n-1]
	}
	for i, p := range pages {
		pages[i] = normalize(p)
	}
	return pages
}

var spaces = regexp.MustCompile(` {2,}`)

func normalize(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.TrimRight(spaces.ReplaceAllString(l, "  "), " ")
		out = append(out, strings.TrimLeft(l, " "))
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}

// Text is all pages joined, each introduced by a "=== page N ===" line.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	var b strings.Builder
	for i, p := range Pages(t, pdf) {
		b.WriteString("=== page " + strconv.Itoa(i+1) + " ===\n")
		b.WriteString(p)
	}
	return b.String()
}

// Info is what pdfinfo says about the document.
type Info struct {
	Pages      int
	PageSize   string // e.g. "595.28 x 841.89 pts (A4)"
	Title      string
	CreationOK bool
}

// ReadInfo runs pdfinfo.
func ReadInfo(t testing.TB, pdf []byte) Info {
	t.Helper()
	bin := need(t, "pdfinfo")
	out, err := childproc.Command(context.Background(), childproc.Env{}, bin, write(t, pdf)).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	var info Info
	for _, line := range strings.Split(string(out), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Pages":
			info.Pages, _ = strconv.Atoi(v)
		case "Page size":
			info.PageSize = v
		case "Title":
			info.Title = v
		case "CreationDate":
			info.CreationOK = v != ""
		}
	}
	return info
}

// IsA4 reports whether a pdfinfo page size is A4 portrait.
func (i Info) IsA4() bool { return strings.HasPrefix(i.PageSize, "595.28 x 841.89 pts") }

// Golden compares got with testdata/golden/NAME.txt, or rewrites the file
// when the test runs with -update.
func Golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s: %v (run go test -update to create it)", path, err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs from the rendered text (go test -update rewrites it)\n%s", path, diff(string(want), got))
	}
}

// diff lists the first differing lines, enough to see what moved.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 12; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
			shown++
		}
	}
	return b.String()
}

// Word is one word as pdftotext -bbox places it, in points from the top
// left of its page.
type Word struct {
	Page                   int
	XMin, YMin, XMax, YMax float64
	Text                   string
}

var (
	pageRe = regexp.MustCompile(`<page width="([0-9.]+)" height="([0-9.]+)">`)
	wordRe = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)
)

// Words lists every word with its box, for checks that text stays inside
// the page margins.
func Words(t testing.TB, pdf []byte) []Word {
	t.Helper()
	bin := need(t, "pdftotext")
	out, err := childproc.Command(context.Background(), childproc.Env{}, bin, "-bbox", "-enc", "UTF-8", write(t, pdf), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	var words []Word
	page := 0
	for _, line := range strings.Split(string(out), "\n") {
		if pageRe.MatchString(line) {
			page++
			continue
		}
		m := wordRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		w := Word{Page: page, Text: m[5]}
		for i, p := range []*float64{&w.XMin, &w.YMin, &w.XMax, &w.YMax} {
			*p, _ = strconv.ParseFloat(m[i+1], 64)
		}
		words = append(words, w)
	}
	return words
}
