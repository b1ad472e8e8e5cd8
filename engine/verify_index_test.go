package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"cadang/engine/backend/local"
)

// loadCountingBackend counts the loads of each file of one kind.
type loadCountingBackend struct {
	*local.Backend
	kind  FileKind
	mu    sync.Mutex
	loads map[string]int
}

func (c *loadCountingBackend) Load(ctx context.Context, name string) (io.ReadCloser, error) {
	if KindOf(name) == c.kind {
		c.mu.Lock()
		c.loads[name]++
		c.mu.Unlock()
	}
	return c.Backend.Load(ctx, name)
}

// Verify reads each index file once: it builds the index it checks and
// walks the trees with that same one. It used to load the whole index
// first and then again, which at 300,000 files was 0.3 s and the peak of
// its memory.
func TestVerifyLoadsTheIndexOnce(t *testing.T) {
	ctx := context.Background()
	r, dir := newLocalRepo(t, "pw")
	src := filepath.Join(t.TempDir(), "src")
	writeTree(t, src, map[string]string{"a/1.txt": "one", "b/2.txt": "two"})
	for range 2 {
		if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	be, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	counting := &loadCountingBackend{Backend: be, kind: KindIndex, loads: map[string]int{}}
	r2, err := Open(ctx, counting, "pw")
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	for _, readData := range []bool{false, true} {
		clear(counting.loads)
		res, err := r2.Verify(ctx, VerifyOptions{ReadData: readData})
		if err != nil || len(res.Damage) != 0 || res.Snapshots != 2 {
			t.Fatalf("verify (read data %v): %v, %+v", readData, err, res)
		}
		if len(counting.loads) == 0 {
			t.Fatal("verify read no index file")
		}
		for name, n := range counting.loads {
			if n != 1 {
				t.Errorf("verify (read data %v) loaded %s %d times", readData, name, n)
			}
		}
	}
}

// With --read-data, verify reads each pack once: the trees it decodes with
// their packs are walked from memory, not loaded again. What it reports
// is what the walk that loads them reports: a chunk missing from the
// index is damage in a tree a snapshot reaches, and not in one that only
// a forgotten snapshot reached.
func TestVerifyReadsTreesWithTheirPacks(t *testing.T) {
	ctx := context.Background()
	r, dir := newLocalRepo(t, "pw")
	src := filepath.Join(t.TempDir(), "src")
	writeTree(t, src, map[string]string{"a/1.txt": "kept and damaged", "b/2.txt": "forgotten", "c/d/3.txt": "fine"})
	first, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(src, "b")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	chunkOf := func(rel string) ID {
		t.Helper()
		id, err := first.Snapshot.treeID()
		if err != nil {
			t.Fatal(err)
		}
		var n *treeNode
		for _, name := range strings.Split("src/"+rel, "/") {
			tr, err := r.loadTree(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if n = tr.find(name); n == nil {
				t.Fatalf("%s: no %s", rel, name)
			}
			if n.Subtree != nil {
				id = *n.Subtree
			}
		}
		if len(n.Content) != 1 {
			t.Fatalf("%s has %d chunks", rel, len(n.Content))
		}
		return n.Content[0]
	}
	damaged, forgotten := chunkOf("a/1.txt"), chunkOf("b/2.txt")
	openCounting := func() (*Repository, *loadCountingBackend) {
		t.Helper()
		be, err := local.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		counting := &loadCountingBackend{Backend: be, kind: KindPack, loads: map[string]int{}}
		r, err := Open(ctx, counting, "pw")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r, counting
	}
	healthy, counting := openCounting()
	if res, err := healthy.Verify(ctx, VerifyOptions{ReadData: true}); err != nil || len(res.Damage) != 0 {
		t.Fatalf("verify: %v, %+v", err, res)
	}
	if len(counting.loads) == 0 {
		t.Fatal("verify --read-data read no pack")
	}
	for name, n := range counting.loads {
		if n != 1 {
			t.Errorf("verify --read-data loaded %s %d times", name, n)
		}
	}

	// The first snapshot goes (forget, no prune), and both chunks leave the index.
	if err := r.be.Remove(ctx, SnapshotsDir+first.Snapshot.ID); err != nil {
		t.Fatal(err)
	}
	files, err := listIDs(ctx, r.be, IndexDir)
	if err != nil {
		t.Fatal(err)
	}
	var packs []packInfo
	for _, id := range files {
		ps, err := r.loadIndexFile(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		packs = append(packs, ps...)
	}
	for i := range packs {
		packs[i].Entries = slices.DeleteFunc(packs[i].Entries, func(e packEntry) bool { return e.ID == damaged || e.ID == forgotten })
	}
	if _, _, err := r.saveIndex(ctx, packs); err != nil {
		t.Fatal(err)
	}
	for _, id := range files {
		if err := r.be.Remove(ctx, IndexDir+id.String()); err != nil {
			t.Fatal(err)
		}
	}

	r2, _ := openCounting()
	results := map[bool]*VerifyResult{}
	for _, readData := range []bool{true, false} {
		res, err := r2.Verify(ctx, VerifyOptions{ReadData: readData})
		if err != nil {
			t.Fatal(err)
		}
		results[readData] = res
		text := fmt.Sprint(res.Damage)
		if !strings.Contains(text, ":/src/a/1.txt]") || !strings.Contains(text, "chunk is not in the index") {
			t.Errorf("verify (read data %v) did not report the kept snapshot's chunk %s missing from the index: %s", readData, damaged.String()[:8], text)
		}
		// A damaged blob no snapshot uses is reported by its ID.
		if strings.Contains(text, forgotten.String()) {
			t.Errorf("verify (read data %v) reported the forgotten snapshot's chunk: %s", readData, text)
		}
	}
	if a, b := fmt.Sprint(results[false].Damage), fmt.Sprint(results[true].Damage); a != b {
		t.Errorf("damage without reading the data:\n%s\nwith:\n%s", a, b)
	}
}
