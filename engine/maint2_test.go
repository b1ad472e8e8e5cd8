package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cadang/engine/backend"
)

// TestPruneRemovesLeftovers: packs no index lists (a crashed run's) and
// temporary files are removed by prune; dry-run changes nothing.
func TestPruneRemovesLeftovers(t *testing.T) {
	ctx := context.Background()
	r, repoDir := newLocalRepo(t, "")
	src := filepath.Join(t.TempDir(), "src")
	writeTree(t, src, map[string]string{"a.txt": strings.Repeat("a", 1000)})
	res, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A leftover pack of an interrupted run and a half-written temp file.
	pk := newPacker(r)
	if _, _, err := pk.storeBlob(ctx, blobData, []byte("orphan data never committed"), new(blobEncoder)); err != nil {
		t.Fatal(err)
	}
	if err := pk.flush(ctx); err != nil {
		t.Fatal(err)
	}
	r.idx.Load().takeUnsaved() // never indexed
	tmp := filepath.Join(repoDir, "packs", ".tmp-crashed-123")
	if err := os.WriteFile(tmp, []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	countPacks := func() int {
		n := 0
		_ = r.be.List(ctx, PacksDir, func(backend.FileInfo) error { n++; return nil })
		return n
	}
	before := countPacks()
	dry, err := r.Prune(ctx, true)
	if err != nil || dry.PacksRemoved != 1 || countPacks() != before {
		t.Fatalf("dry-run prune = %+v (err %v), packs %d -> %d", dry, err, before, countPacks())
	}
	pr, err := r.Prune(ctx, false)
	if err != nil || pr.PacksRemoved != 1 {
		t.Fatalf("prune = %+v (err %v), want the orphan pack removed", pr, err)
	}
	if countPacks() != before-1 {
		t.Errorf("packs %d, want %d", countPacks(), before-1)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("temporary file left: %v", err)
	}
	target := t.TempDir()
	if rr, err := r.Restore(ctx, res.Snapshot, target, RestoreOptions{}); err != nil || len(rr.Failed) > 0 {
		t.Fatalf("restore after prune: %v %+v", err, rr)
	}
}

// TestVerifyStructure: without --read-data, a missing pack and a missing
// snapshot tree are still found and named.
func TestVerifyStructure(t *testing.T) {
	ctx := context.Background()
	be, _ := memRepo(t, "")
	r, err := Open(ctx, be, "")
	if err != nil {
		t.Fatal(err)
	}
	var victim string
	_ = be.List(ctx, PacksDir, func(fi backend.FileInfo) error { victim = fi.Name; return nil })
	if err := be.Remove(ctx, victim); err != nil {
		t.Fatal(err)
	}
	r.packs.closeAll()
	v, err := r.Verify(ctx, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range v.Damage {
		if d.Object == victim && strings.Contains(d.Err, "missing") {
			found = true
		}
	}
	if !found {
		t.Fatalf("verify did not report missing %s: %+v", victim, v.Damage)
	}
	files := 0
	for _, d := range v.Damage {
		files += len(d.Files)
	}
	if files == 0 {
		t.Errorf("no affected files named: %+v", v.Damage)
	}
}

func TestForgetDryRunAndSnapshotAt(t *testing.T) {
	ctx := context.Background()
	r, _ := newLocalRepo(t, "")
	src := filepath.Join(t.TempDir(), "src")
	writeTree(t, src, map[string]string{"a": "1"})
	var snaps []Snapshot
	for i := 0; i < 3; i++ {
		writeTree(t, src, map[string]string{"a": strings.Repeat("x", i+1)})
		res, err := r.Backup(ctx, []string{src}, BackupOptions{})
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, res.Snapshot)
	}
	at, err := r.SnapshotAt(ctx, snaps[1].Time)
	if err != nil || at.ID != snaps[1].ID {
		t.Fatalf("SnapshotAt(second) = %s (err %v), want %s", at.ShortID(), err, snaps[1].ShortID())
	}
	if _, err := r.SnapshotAt(ctx, snaps[0].Time.Add(-1)); err == nil {
		t.Error("SnapshotAt before the first snapshot found one")
	}
	if s, err := r.FindSnapshot(ctx, snaps[2].ID[:6]); err != nil || s.ID != snaps[2].ID {
		t.Errorf("FindSnapshot(prefix) = %v %v", s.ShortID(), err)
	}
	res, err := r.Forget(ctx, RetentionPolicy{KeepLast: 1}, true)
	if err != nil || len(res.Remove) != 2 {
		t.Fatalf("dry-run forget = %+v %v", res, err)
	}
	if all, _ := r.Snapshots(ctx); len(all) != 3 {
		t.Fatalf("dry run removed snapshots: %d left", len(all))
	}
}
