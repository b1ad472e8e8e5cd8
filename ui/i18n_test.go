package ui

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// uiStrings returns every literal passed to lang.L or lang.X in ui/*.go.
func uiStrings(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
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
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "L" && sel.Sel.Name != "X") {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "lang" {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				keys[s] = fset.Position(lit.Pos()).String()
			}
			return true
		})
	}
	return keys
}

// TestTranslationsComplete: every string of the window is in en.json and
// id.json, and both files have the same keys, so switching the language
// never leaves English behind (or logs translation failures).
func TestTranslationsComplete(t *testing.T) {
	load := func(name string) map[string]string {
		b, err := translations.ReadFile("translations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
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
