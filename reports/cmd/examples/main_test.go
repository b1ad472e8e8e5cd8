package main

import (
	"bytes"
	"testing"
)

// Every example renders, so the command and docs/examples cannot rot
// silently; the previews need pdftoppm and are made by the command itself.
func TestExamplesRender(t *testing.T) {
	for _, ex := range examples() {
		var buf bytes.Buffer
		if err := ex.write(&buf); err != nil {
			t.Errorf("%s: %v", ex.name, err)
			continue
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
			t.Errorf("%s: output is not a PDF", ex.name)
		}
	}
}
