package examples

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cadang/engine/childproc"
)

// pdfText is pdftotext -layout of a file.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	out, err := childproc.Command(context.Background(), childproc.Env{}, "pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return string(out)
}

func pageCount(t *testing.T, path string) int {
	t.Helper()
	return strings.Count(pdfText(t, path), "\f")
}

// The story's own process, started by RunIsolated, ends in Child.
func TestMain(m *testing.M) {
	Child()
	os.Exit(m.Run())
}

// Must show 1: docs/examples is what the code files today. The story is
// told again and every document compared, by its text (pdftotext), with
// the one in docs/examples: a change to a form, a report, a label, a rule
// of the procedure or the story fails here until `make examples` is run.
func TestExamplesAreUpToDate(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not found (apt-get install poppler-utils)", tool)
			}
			t.Skipf("%s not found (apt-get install poppler-utils)", tool)
		}
	}
	out := t.TempDir()
	docs, err := RunIsolated(context.Background(), Options{Out: out})
	if errors.Is(err, ErrNotIsolated) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join("..", "..", "docs", "examples")
	var want, got []string
	var shown []Document
	for _, d := range docs {
		if d.File != "" {
			got = append(got, d.File)
			shown = append(shown, d)
		}
	}
	files, err := filepath.Glob(filepath.Join(committed, "[0-9][0-9]-*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if ext := filepath.Ext(f); ext == ".pdf" || ext == ".csv" {
			want = append(want, filepath.Base(f))
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the story files %q,\ndocs/examples has %q: run `make examples`", got, want)
	}
	for _, d := range shown {
		t.Run(d.File, func(t *testing.T) {
			fresh, old := filepath.Join(out, d.File), filepath.Join(committed, d.File)
			var a, b string
			if filepath.Ext(d.File) == ".csv" {
				a, b = string(mustRead(t, fresh)), string(mustRead(t, old))
			} else {
				a, b = pdfText(t, fresh), pdfText(t, old)
				base := strings.TrimSuffix(d.File, ".pdf")
				pages := pageCount(t, fresh)
				if was := pageCount(t, old); was != pages {
					t.Errorf("docs/examples/%s has %d pages, the code now files %d: run `make examples`", d.File, was, pages)
				}
				for p := 1; p <= pages+1; p++ {
					_, err := os.Stat(filepath.Join(committed, base+"-p"+strconv.Itoa(p)+".png"))
					if p <= pages && err != nil {
						t.Errorf("page %d has no PNG in docs/examples: run `make examples`", p)
					} else if p > pages && err == nil {
						t.Errorf("docs/examples has a PNG of page %d of %d: run `make examples`", p, pages)
					}
				}
			}
			if na, nb := Normalize(a), Normalize(b); na != nb {
				t.Errorf("docs/examples/%s is out of date with the code: run `make examples`\n%s", d.File, firstDifference(nb, na))
			}
		})
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// firstDifference shows the first line that differs, with its neighbours.
func firstDifference(old, fresh string) string {
	a, b := strings.Split(old, "\n"), strings.Split(fresh, "\n")
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n  docs/examples: " + x + "\n  the code now:  " + y
		}
	}
	return ""
}
