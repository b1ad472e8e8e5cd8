package demodata

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The share is deterministic, its files have the sizes they report, it is
// about 2 GB, and it costs a small fraction of that on disk.
func TestDepartmentIsRealisticAndCheap(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	fa, err := Department(a, Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	fb, err := Department(b, Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(fa) != len(fb) || len(fa) < 200 {
		t.Fatalf("%d and %d files, want the same few hundred", len(fa), len(fb))
	}
	var total, onDisk int64
	for i, f := range fa {
		st, err := os.Stat(filepath.Join(a, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() != f.Size || fb[i] != f {
			t.Errorf("%s: %d bytes on disk, %d planned, %+v in the second share", f.Path, st.Size(), f.Size, fb[i])
		}
		total += st.Size()
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			onDisk += sys.Blocks * 512
		}
	}
	if total < 1900<<20 || total > 2200<<20 {
		t.Errorf("share of %d MiB, want about 2 GB", total>>20)
	}
	if onDisk > total/10 {
		t.Errorf("%d MiB on disk for %d MiB of files: the image is not sparse", onDisk>>20, total>>20)
	}
	one := filepath.FromSlash(fa[0].Path)
	x, _ := os.ReadFile(filepath.Join(a, one))
	y, _ := os.ReadFile(filepath.Join(b, one))
	if !bytes.Equal(x, y) {
		t.Error("the same seed gave different bytes")
	}
	if _, err := Department(a, Options{}); err == nil {
		t.Error("writing over an existing share: no error")
	}
}
