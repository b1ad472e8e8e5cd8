package local

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cadang/engine/backend"
)

// failingReader fails after some bytes, like a crash in the middle of a save.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("boom")
	}
	n := min(len(p), f.n)
	f.n -= n
	return n, nil
}

// Both ways of saving are atomic: a durable one (Save) and one without
// the fsyncs (SaveVolatile, for lock files).
func TestSaveIsAtomicAndCleanTemp(t *testing.T) {
	for _, volatile := range []bool{false, true} {
		t.Run(map[bool]string{false: "Save", true: "SaveVolatile"}[volatile], func(t *testing.T) {
			ctx := context.Background()
			root := t.TempDir()
			b, err := New(root)
			if err != nil {
				t.Fatal(err)
			}
			save := b.Save
			if volatile {
				save = b.SaveVolatile
			}
			if err := save(ctx, "packs/ab/abc", &failingReader{n: 1000}, -1); err == nil {
				t.Fatal("save from a failing reader succeeded")
			}
			if _, err := b.Stat(ctx, "packs/ab/abc"); !errors.Is(err, backend.ErrNotFound) {
				t.Fatalf("half-saved file visible: %v", err)
			}
			// A temp file left by a crash is hidden from List and removed by CleanTemp.
			if err := os.WriteFile(filepath.Join(root, "packs", "ab", tempPrefix+"abc-123"), []byte("partial"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := save(ctx, "packs/ab/abd", strings.NewReader("whole"), 5); err != nil {
				t.Fatal(err)
			}
			var names []string
			if err := b.List(ctx, "packs/", func(fi backend.FileInfo) error { names = append(names, fi.Name); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(names) != 1 || names[0] != "packs/ab/abd" {
				t.Fatalf("List = %v, want only the complete file", names)
			}
			n, err := b.CleanTemp(ctx)
			if err != nil || n != 1 {
				t.Fatalf("CleanTemp removed %d (err %v), want 1", n, err)
			}
			rc, err := b.Load(ctx, "packs/ab/abd")
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			if data, _ := io.ReadAll(rc); string(data) != "whole" {
				t.Fatalf("content %q", data)
			}
		})
	}
}

func TestRejectsEscapingNames(t *testing.T) {
	b, _ := New(t.TempDir())
	for _, name := range []string{"../x", "/etc/passwd", "a/../../x", "", "a//b"} {
		if err := b.Save(context.Background(), name, strings.NewReader("x"), 1); err == nil {
			t.Errorf("Save(%q) succeeded", name)
		}
	}
}
