package pdfdoc_test

import (
	"bytes"
	"sync"
	"testing"

	"cadang/pdfdoc"
)

// The scheduler may file two reports at once: rendering shares nothing
// mutable (run with -race), and concurrent renders give identical bytes.
func TestConcurrentRendersAgree(t *testing.T) {
	body := func(d *pdfdoc.Doc) error {
		d.Section(pdfdoc.T("Rincian", "Details"))
		d.Paragraph(pdfdoc.T("Bersamaan.", "Concurrently."))
		return nil
	}
	const n = 4
	out := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var buf bytes.Buffer
			errs[i] = pdfdoc.Render(&buf, meta(pdfdoc.Indonesian), title, body)
			out[i] = buf.Bytes()
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(out[i], out[0]) {
			t.Errorf("render %d differs from render 0", i)
		}
	}
}
