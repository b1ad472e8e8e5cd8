package engine

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// TestRestorePlanMemoryPerFile: a restore plans every file before it
// writes, so its memory grows with the snapshot's file count. The plan
// must not keep the decoded trees (chunk lists, names, inode numbers) or
// each file's path on disk: at 300,000 files that made the restore's
// peak RSS 1.29x restic's. Measured here: ~385 bytes a file, against ~950
// when the plan pointed into the trees.
func TestRestorePlanMemoryPerFile(t *testing.T) {
	const dirs, perDir = 100, 200
	ctx := context.Background()
	r, _ := newLocalRepo(t, "pw")
	c := &crafter{t: t, r: r, pk: newPacker(r)}
	var top []treeNode
	for d := 0; d < dirs; d++ {
		files := make([]treeNode, perDir)
		for i := range files {
			files[i] = c.file(fmt.Sprintf("report-%04d-%05d.txt", d, i), fmt.Sprintf("department file %d/%d\n", d, i))
		}
		top = append(top, c.dir(fmt.Sprintf("folder-%04d", d), files...))
	}
	snap := c.snapshot(c.dir("data", top...))
	root, err := snap.treeID()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.refreshIndex(ctx); err != nil {
		t.Fatal(err)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rs, err := r.newRestorer(snap, t.TempDir(), RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.planAll(ctx, root); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	n := len(rs.files)
	if n != dirs*perDir {
		t.Fatalf("planned %d files, want %d", n, dirs*perDir)
	}
	perFile := (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(n)
	t.Logf("restore plan of %d files: %.0f bytes a file", n, perFile)
	if perFile > 600 {
		t.Errorf("the restore plan holds %.0f bytes a file, want at most 600", perFile)
	}
	runtime.KeepAlive(rs)
}

// TestRestoreKeepsChunkBuffersAcrossPacks: a pack worker's buffers for a
// chunk, as stored and as plaintext, serve every pack it restores. Made
// again for each pack, they were most of what a restore allocated (1.1 GB
// for /usr/share and /usr/lib), and with the plan live the collector then
// took a fifth of the restore's CPU.
func TestRestoreKeepsChunkBuffersAcrossPacks(t *testing.T) {
	const packs, size = 300, 96 << 10 // larger than directMax: written by the pack workers
	ctx := context.Background()
	r, _ := newLocalRepo(t, "pw")
	r.cfg.PackSize = 1 // every chunk closes the pack before it: one chunk a pack
	c := &crafter{t: t, r: r, pk: newPacker(r)}
	files := make([]treeNode, packs)
	for i := range files {
		line := fmt.Sprintf("invoice %05d, department of finance, approved\n", i)
		content := strings.Repeat(line, size/len(line)+1)[:size] // compressible: LZ4, so both buffers are used
		files[i] = c.file(fmt.Sprintf("f%03d.txt", i), content)
	}
	snap := c.snapshot(c.dir("data", files...))
	if err := r.refreshIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if n := r.idx.Load().packCount(); n < packs {
		t.Fatalf("%d packs, want at least %d", n, packs)
	}

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := r.Restore(ctx, snap, t.TempDir(), RestoreOptions{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != packs || len(res.Failed) != 0 {
		t.Fatalf("restored %d files, %d failed; want %d, 0", res.Files, len(res.Failed), packs)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("restore of %d one-chunk packs allocated %d KiB", packs, allocated>>10)
	// A plaintext buffer made for each pack alone is packs*size (28 MiB).
	if limit := uint64(packs * size / 3); allocated > limit {
		t.Errorf("the restore allocated %d KiB, want at most %d KiB: are chunk buffers made again for each pack?", allocated>>10, limit>>10)
	}
}
