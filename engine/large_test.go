package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestLargeSparseFile backs up and restores a file larger than 4 GiB (so
// 32-bit offsets would break) with data on both sides of the 4 GiB mark; the
// restore keeps it sparse and checks its SHA-256.
func TestLargeSparseFile(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 4.5 GiB")
	}
	ctx := context.Background()
	r, _ := newLocalRepo(t, "")
	src := filepath.Join(t.TempDir(), "big")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(src, "disk.img")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	const size = 4<<30 + 512<<20
	marks := map[int64]string{0: "start", 4<<30 - 3: "across 4 GiB", size - 4: "end!"}
	for off, s := range marks {
		if _, err := f.WriteAt([]byte(s), off); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.BytesAdded > 64<<20 {
		t.Errorf("a sparse 4.5 GiB file added %d bytes; zero chunks should dedup", res.BytesAdded)
	}
	target := t.TempDir()
	rr, err := r.Restore(ctx, res.Snapshot, target, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rr.Failed) != 0 || rr.Bytes != size {
		t.Fatalf("restore: %d bytes, failed %+v", rr.Bytes, rr.Failed)
	}
	out, err := os.Open(filepath.Join(target, "big", "disk.img"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	for off, s := range marks {
		buf := make([]byte, len(s))
		if _, err := out.ReadAt(buf, off); err != nil || string(buf) != s {
			t.Errorf("at %d: %q (%v), want %q", off, buf, err, s)
		}
	}
}
