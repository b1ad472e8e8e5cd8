package engine

import (
	"context"
	"io"
	"path/filepath"
	"sync"
	"testing"

	"cadang/engine/backend/local"
)

// indexCountingBackend counts the loads of each index file.
type indexCountingBackend struct {
	*local.Backend
	mu    sync.Mutex
	loads map[string]int
}

func (c *indexCountingBackend) Load(ctx context.Context, name string) (io.ReadCloser, error) {
	if KindOf(name) == KindIndex {
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
	counting := &indexCountingBackend{Backend: be, loads: map[string]int{}}
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
