package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"cadang/engine/backend/local"
)

// TestPruneSplitsTheIndex: prune writes the index of what it keeps in files
// of bounded size (the whole index as one JSON document would sit in
// memory three times over), and every kept snapshot still restores.
func TestPruneSplitsTheIndex(t *testing.T) {
	defer func(old int) { indexFileBlobs = old }(indexFileBlobs)
	indexFileBlobs = 5
	ctx := context.Background()
	r, dir := newLocalRepo(t, "pw")
	src := filepath.Join(t.TempDir(), "src")
	files := map[string]string{}
	for i := 0; i < 40; i++ {
		files[fmt.Sprintf("d%d/f%d.txt", i%4, i)] = fmt.Sprintf("file %d %s", i, randomBytes(uint64(i), 100))
	}
	writeTree(t, src, files)
	if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	writeTree(t, src, map[string]string{"d0/new.txt": "new"})
	if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Forget(ctx, RetentionPolicy{KeepLast: 1}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Prune(ctx, false); err != nil {
		t.Fatal(err)
	}
	ids, err := listIDs(ctx, r.be, IndexDir)
	if err != nil {
		t.Fatal(err)
	}
	blobs := 0
	for _, id := range ids {
		packs, err := r.loadIndexFile(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range packs {
			n += len(p.Entries)
		}
		if n >= indexFileBlobs+len(packs[len(packs)-1].Entries) {
			t.Errorf("index file %s lists %d blobs, want fewer than %d plus its last pack's", id, n, indexFileBlobs)
		}
		blobs += n
	}
	if len(ids) < 2 || blobs < 45 {
		t.Fatalf("prune wrote %d index files with %d blobs, want several with every used blob", len(ids), blobs)
	}
	verifyClean(t, dir, "pw")
	restoreLatestEquals(t, dir, "pw", src)
}

// TestBackupSplitsTheIndex: a big backup writes its index in files of
// bounded size as it goes, and the snapshot restores from them.
func TestBackupSplitsTheIndex(t *testing.T) {
	defer func(old int) { indexFileBlobs = old }(indexFileBlobs)
	indexFileBlobs = 3
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "repo")
	lb, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Init(ctx, lb, InitOptions{Password: "pw", PackSize: 1 << 20}) // three chunks a pack
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "src")
	files := map[string]string{}
	for i := 0; i < 12; i++ {
		files[fmt.Sprintf("f%d.bin", i)] = string(randomBytes(uint64(i), 300<<10))
	}
	writeTree(t, src, files)
	res, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := listIDs(ctx, r.be, IndexDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) < 2 {
		t.Fatalf("backup of 12 chunks wrote %d index files, want several of at most about 3 blobs", len(ids))
	}
	if res.BytesAdded < 12*300<<10 {
		t.Errorf("BytesAdded = %d, want at least the data", res.BytesAdded)
	}
	verifyClean(t, dir, "pw")
	restoreLatestEquals(t, dir, "pw", src)
}
