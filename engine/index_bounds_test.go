package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIndexEntryBounds: crafted index files (testdata/index-bounds) whose
// pack size is zero, negative or too large, or whose entries reach past the
// blobs of their pack, are damage; none may slip past the bounds check.
func TestIndexEntryBounds(t *testing.T) {
	tests := []struct {
		file    string
		damaged bool
	}{
		{"valid.json", false},
		{"pack-size-zero.json", true},
		{"pack-size-negative.json", true},
		{"pack-size-beyond-32-bit-offsets.json", true},
		{"blob-past-pack-end.json", true},
		{"blob-over-header-length.json", true},
		{"stored-length-too-large.json", true},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".json"), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "index-bounds", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			packs, err := decodeIndex(data)
			if got := errors.Is(err, errDamaged); got != tt.damaged {
				t.Fatalf("decodeIndex: got error %v, want damaged=%v", err, tt.damaged)
			}
			if !tt.damaged && (len(packs) != 1 || len(packs[0].Entries) != 1) {
				t.Fatalf("decodeIndex: got %+v, want one pack with one blob", packs)
			}
		})
	}
}

// TestIndexWithoutPackSizeIsReported: an index file whose packs claim size
// 0 (which used to switch the bounds and size checks off) is reported by
// verify, and the repository's data is still found through the packs.
func TestIndexWithoutPackSizeIsReported(t *testing.T) {
	ctx := context.Background()
	r, dir := newLocalRepo(t, "")
	src := t.TempDir()
	writeTree(t, src, map[string]string{"a.txt": "alpha", "b.txt": strings.Repeat("bravo", 100)})
	if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	ids, err := listIDs(ctx, r.be, IndexDir)
	if err != nil || len(ids) != 1 {
		t.Fatalf("index files: %v, %v", ids, err)
	}
	packs, err := r.loadIndexFile(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := range packs {
		packs[i].Size = 0
	}
	plain, err := encodeIndex(packs)
	if err != nil {
		t.Fatal(err)
	}
	crafted, err := saveNamed(ctx, r.be, IndexDir, plain)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, IndexDir, ids[0].String())); err != nil {
		t.Fatal(err)
	}
	r2, err := openDir(t, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := r2.Verify(ctx, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range res.Damage {
		found = found || d.Object == IndexDir+crafted.String()
	}
	if !found {
		t.Fatalf("verify damage = %+v, want the crafted index %s reported", res.Damage, crafted)
	}
}
