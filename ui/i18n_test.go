package ui

import (
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"cadang/jobs"
)

// uiStrings returns every literal passed to lang.L, lang.N or lang.X in ui/*.go.
func uiStrings(t *testing.T) map[string]string {
	t.Helper()
	return firstStringArgs(t, "*.go", func(fun ast.Expr) bool {
		sel, ok := fun.(*ast.SelectorExpr)
		if !ok || (sel.Sel.Name != "L" && sel.Sel.Name != "X" && sel.Sel.Name != "N") {
			return false
		}
		pkg, ok := sel.X.(*ast.Ident)
		return ok && pkg.Name == "lang"
	})
}

// firstStringArgs parses the non-test Go files matching pattern and returns
// the string literal given first to every call whose function isCall
// accepts, with where it stands.
func firstStringArgs(t *testing.T, pattern string, isCall func(ast.Expr) bool) map[string]string {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 || !isCall(call.Fun) {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				found[s] = fset.Position(lit.Pos()).String()
			}
			return true
		})
	}
	return found
}

// TestTranslationsComplete: every string of the window is in en.json and
// id.json, and both files have the same keys, so switching the language
// never leaves English behind (or logs translation failures).
func TestTranslationsComplete(t *testing.T) {
	load := func(name string) map[string]string { return loadTranslationFile(t, name) }
	en, id := load("en.json"), load("id.json")
	for key, where := range uiStrings(t) {
		if _, ok := en[key]; !ok {
			t.Errorf("%s: %q missing from en.json", where, key)
		}
		if _, ok := id[key]; !ok {
			t.Errorf("%s: %q missing from id.json", where, key)
		}
	}
	for key := range en {
		if id[key] == "" {
			t.Errorf("%q has no Indonesian translation", key)
		}
	}
	for key := range id {
		if _, ok := en[key]; !ok {
			t.Errorf("%q is in id.json but not en.json", key)
		}
	}
}

// TestRefusalsTranslated: every refusal jobs can give has an Indonesian
// text, and one with arguments reads in Indonesian with them filled in.
func TestRefusalsTranslated(t *testing.T) {
	formats := firstStringArgs(t, "../jobs/*.go", func(fun ast.Expr) bool {
		id, ok := fun.(*ast.Ident)
		return ok && id.Name == "refusedf"
	})
	if len(formats) < 20 {
		t.Fatalf("found only %d refusal formats in jobs; the scan is broken", len(formats))
	}
	id := loadTranslationFile(t, "id.json")
	for format, where := range formats {
		if id[format] == "" || !knownMessages()[format] {
			t.Errorf("%s: refusal %q has no translation", where, format)
		} else if strings.Count(id[format], "%") != strings.Count(format, "%") {
			t.Errorf("refusal %q: the Indonesian text has other verbs than the English", format)
		}
	}

	t.Cleanup(func() { applyLanguage(LangEnglish) })
	if err := applyLanguage(LangIndonesian); err != nil {
		t.Fatal(err)
	}
	svc, admin := withAdmin(t)
	_, err := svc.RejectRequest(context.Background(), admin, 12345, "")
	var refused *jobs.RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("reject without a reason: %v, want a refusal", err)
	}
	if got, _ := explain(err); got != "Tolak permintaan #12345: alasan wajib diisi" {
		t.Errorf("refusal in Indonesian = %q", got)
	}
}

// TestFyneOwnStringsInIndonesian: Fyne has no Indonesian catalogue, so its
// own words (Yes and No in confirmations, Copy and Paste in entries, the
// file dialog, weekday names) come from fyne.id.json. Every key of Fyne's
// English catalogue is translated, by that file or by id.json, never by
// both (the second would silently win), and a confirmation dialog asks in
// Indonesian.
func TestFyneOwnStringsInIndonesian(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "fyne.io/fyne/v2").Output()
	if err != nil {
		t.Fatalf("locate fyne: %v", err)
	}
	readKeys := func(path string, read func(string) ([]byte, error)) map[string]json.RawMessage {
		b, err := read(path)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]json.RawMessage{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return m
	}
	fyneEN := readKeys(filepath.Join(strings.TrimSpace(string(out)), "lang", "translations", "base.en.json"), os.ReadFile)
	ours := readKeys("translations/fyne.id.json", translations.ReadFile)
	app := readKeys("translations/id.json", translations.ReadFile)
	for key := range fyneEN {
		_, inOurs := ours[key]
		_, inApp := app[key]
		switch {
		case !inOurs && !inApp:
			t.Errorf("Fyne's %q has no Indonesian translation", key)
		case inOurs && inApp:
			t.Errorf("%q is in both fyne.id.json and id.json", key)
		}
	}
	for key := range ours {
		if _, ok := fyneEN[key]; !ok {
			t.Errorf("fyne.id.json has %q, which Fyne does not use", key)
		}
	}

	w := newTestWindow(t)
	t.Cleanup(func() { applyLanguage(LangEnglish) })
	if err := applyLanguage(LangIndonesian); err != nil {
		t.Fatal(err)
	}
	dialog.ShowConfirm("Hapus", "Hapus pekerjaan ini?", func(bool) {}, w)
	top := w.Canvas().Overlays().Top()
	findButton(t, top, "Ya")
	findButton(t, top, "Tidak")
	if got := lang.L("wednesday"); got != "Rabu" {
		t.Errorf("wednesday = %q, want Rabu", got)
	}
}

// loadTranslationFile reads translations/name. A value is the translation,
// or for lang.N its plural forms ({"one": …, "other": …}); either way it is
// read as its "other" text.
func loadTranslationFile(t *testing.T, name string) map[string]string {
	t.Helper()
	b, err := translations.ReadFile("translations/" + name)
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	m := map[string]string{}
	for k, v := range raw {
		var text string
		if json.Unmarshal(v, &text) != nil {
			var forms map[string]string
			if err := json.Unmarshal(v, &forms); err != nil {
				t.Fatalf("%s: %q: %v", name, k, err)
			}
			text = forms["other"]
		}
		m[k] = text
	}
	return m
}
