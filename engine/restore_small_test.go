package engine

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestRestoreSmallFilesCreatedByTheirWrite: a small file of one chunk is
// created by the write of that chunk (no file made beforehand at its size),
// so whatever the chunk's zeros leave as holes, the size must still come
// out right: a hole at the end, a file of zeros only. Files just above the
// limit, empty files, two files sharing one chunk, and a second restore
// over the first (overwrite) come out exact too.
func TestRestoreSmallFilesCreatedByTheirWrite(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 8))
	noise := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(255) + 1)
		}
		return b
	}
	zeros := func(n int) []byte { return make([]byte, n) }
	files := map[string][]byte{
		"hole-at-end":       append(noise(4096), zeros(8192)...),
		"zeros-only":        zeros(12288),
		"zero-byte-at-end":  append(noise(1000), 0),
		"hole-then-data":    append(zeros(8192), []byte("data")...),
		"one-byte":          []byte("x"),
		"empty":             {},
		"shared-a":          []byte("the same small report\n"),
		"shared-b":          []byte("the same small report\n"),
		"at-the-limit":      noise(directMax),
		"above-the-limit":   append(noise(directMax), zeros(4096)...),
		"sub/nested-report": noise(3000),
	}
	src := t.TempDir()
	for name, data := range files {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	r, _ := newLocalRepo(t, "pw")
	res, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	target := t.TempDir()
	for _, overwrite := range []bool{false, true} {
		out, err := r.Restore(ctx, res.Snapshot, target, RestoreOptions{Overwrite: overwrite})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Failed) > 0 {
			t.Fatalf("overwrite=%v: %d failed, first %s: %s", overwrite, len(out.Failed), out.Failed[0].Path, out.Failed[0].Err)
		}
		if out.Files != int64(len(files)) {
			t.Errorf("overwrite=%v: %d files restored, want %d", overwrite, out.Files, len(files))
		}
		for name, want := range files {
			p := filepath.Join(target, filepath.Base(src), name)
			got, err := os.ReadFile(p)
			if err != nil {
				t.Errorf("overwrite=%v: %s: %v", overwrite, name, err)
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("overwrite=%v: %s: %d bytes restored, differing from the %d backed up", overwrite, name, len(got), len(want))
			}
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o640 {
				t.Errorf("overwrite=%v: %s: mode %v, want 0640", overwrite, name, fi.Mode().Perm())
			}
		}
	}
}

// TestIsEmptyDir: the conflict check is skipped only for a target that is
// an empty directory; anything else is checked name by name.
func TestIsEmptyDir(t *testing.T) {
	base := t.TempDir()
	empty := filepath.Join(base, "empty")
	full := filepath.Join(base, "full")
	file := filepath.Join(base, "file")
	for _, d := range []string{empty, full} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(full, ".hidden"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       bool
	}{
		{"empty folder", empty, true},
		{"folder with a hidden file", full, false},
		{"a file", file, false},
		{"missing", filepath.Join(base, "missing"), false},
	}
	for _, tt := range tests {
		if got := isEmptyDir(tt.path); got != tt.want {
			t.Errorf("%s: isEmptyDir = %v, want %v", tt.name, got, tt.want)
		}
	}
}
