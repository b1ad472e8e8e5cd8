package engine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"cadang/engine/backend/mem"
)

// TestDamagedParentTreeIsReported: a folder listing of the parent snapshot
// that cannot be loaded is a warning naming the parent (as restic's
// arch.error reports it), not silently "no parent"; the backup still
// completes, reading that folder's files again.
func TestDamagedParentTreeIsReported(t *testing.T) {
	tests := []struct {
		name    string
		listing func(t *testing.T, r *Repository, root ID) ID // the tree to damage
		path    string                                        // the warning's path, below the source
	}{
		{"root listing", func(t *testing.T, r *Repository, root ID) ID { return root }, ""},
		{"sub-folder listing", func(t *testing.T, r *Repository, root ID) ID {
			return subtree(t, r, subtree(t, r, root, "src"), "sub")
		}, "sub"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			be := mem.New()
			r, err := Init(ctx, be, InitOptions{Password: "pw", PackSize: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(t.TempDir(), "src")
			writeTree(t, src, map[string]string{"a.txt": "alpha", "sub/b.txt": "bravo", "sub/c.txt": "charlie"})
			first, err := r.Backup(ctx, []string{src}, BackupOptions{})
			if err != nil {
				t.Fatal(err)
			}
			root, err := first.Snapshot.treeID()
			if err != nil {
				t.Fatal(err)
			}
			damageBlob(t, r, be, tt.listing(t, r, root))

			r2, err := Open(ctx, be, "pw") // no cached trees or packs
			if err != nil {
				t.Fatal(err)
			}
			res, err := r2.Backup(ctx, []string{src}, BackupOptions{})
			if err != nil {
				t.Fatalf("backup with a damaged parent: %v", err)
			}
			if res.Snapshot.Parent != first.Snapshot.ID {
				t.Errorf("parent = %s, want %s", res.Snapshot.Parent, first.Snapshot.ID)
			}
			want := filepath.Join(src, tt.path)
			var found []Warning
			for _, w := range res.Warnings {
				if strings.Contains(w.Err, "parent snapshot "+first.Snapshot.ShortID()) {
					found = append(found, w)
				}
			}
			if len(found) != 1 || found[0].Path != want {
				t.Fatalf("warnings = %+v, want one naming parent %s at %s", res.Warnings, first.Snapshot.ShortID(), want)
			}
			if res.FilesChanged+res.FilesNew == 0 {
				t.Errorf("files read again = 0, want the damaged folder's files read (result %+v)", res)
			}
		})
	}
}

// subtree returns the listing of the folder name inside listing id.
func subtree(t *testing.T, r *Repository, id ID, name string) ID {
	t.Helper()
	tree, err := r.loadTree(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	n := tree.find(name)
	if n == nil || n.Subtree == nil {
		t.Fatalf("no folder %q in tree %s", name, id)
	}
	return *n.Subtree
}

// damageBlob flips a byte of blob id where it is stored.
func damageBlob(t *testing.T, r *Repository, be *mem.Backend, id ID) {
	t.Helper()
	loc, ok := r.idx.Load().lookup(id)
	if !ok {
		t.Fatalf("blob %s not in the index", id)
	}
	data := be.Bytes(packName(loc.Pack))
	data[loc.Offset+loc.Length/2] ^= 0x55
}
