package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// buildIndex reads the index files on every core; the index it builds is
// the one reading them one by one in name order builds, a damaged file
// left out whole.
func TestBuildIndexMatchesReadingOneByOne(t *testing.T) {
	ctx := context.Background()
	r, dir := newLocalRepo(t, "pw")
	src := filepath.Join(t.TempDir(), "src")
	for round := range 9 {
		files := map[string]string{}
		for i := range 20 {
			files[fmt.Sprintf("r%d/f%d.txt", round, i)] = fmt.Sprintf("round %d file %d %s", round, i, randomBytes(uint64(round*100+i), 200))
		}
		writeTree(t, src, files)
		if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := listIDs(ctx, r.be, IndexDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) < 8 {
		t.Fatalf("%d index files, want at least 8", len(ids))
	}
	damaged := ids[len(ids)/2]
	p := filepath.Join(dir, filepath.FromSlash(IndexDir+damaged.String()))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}

	want := newIndex()
	for _, id := range ids {
		packs, err := r.loadIndexFile(ctx, id)
		if err != nil {
			if id != damaged {
				t.Fatalf("index %s: %v", id, err)
			}
			continue
		}
		for _, p := range packs {
			want.loadPack(p)
		}
		want.files = append(want.files, id)
	}
	want.finishLoad()

	for range 5 { // the files finish decoding in a different order each time
		got, bad, err := r.buildIndex(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(bad) != 1 || bad[damaged] == nil {
			t.Fatalf("bad index files %v, want only %s", bad, damaged)
		}
		if !reflect.DeepEqual(got.sorted, want.sorted) || !reflect.DeepEqual(got.packIDs, want.packIDs) ||
			!reflect.DeepEqual(got.packSize, want.packSize) || !reflect.DeepEqual(got.files, want.files) {
			t.Fatalf("index built in parallel differs: %d blobs in %d packs from %d files, want %d in %d from %d",
				len(got.sorted), len(got.packIDs), len(got.files), len(want.sorted), len(want.packIDs), len(want.files))
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := r.buildIndex(cancelled); err == nil {
		t.Fatal("buildIndex with a cancelled context succeeded")
	}
}
