package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestNamesThatAreNotUTF8: Linux names are bytes. A Latin-1 name (from an
// old share or a Windows-1252 zip) and a link target with such bytes come
// back byte for byte, also as the backed-up folder's own name, and the next
// backup still finds its parent.
func TestNamesThatAreNotUTF8(t *testing.T) {
	for _, pw := range []string{"", "pw"} {
		t.Run("password="+pw, func(t *testing.T) {
			ctx := context.Background()
			r, _ := newLocalRepo(t, pw)
			src := filepath.Join(t.TempDir(), "laporan-\xe9")
			writeTree(t, src, map[string]string{
				"caf\xe9.txt":         "latin-1 name",
				"caf\xc3\xa9.txt":     "the same name in UTF-8: a different file",
				"dir\xff/inner\xfe.c": "nested",
				"plain.txt":           "plain",
			})
			if err := os.Symlink("caf\xe9.txt", filepath.Join(src, "link\xe9")); err != nil {
				t.Fatal(err)
			}
			res, err := r.Backup(ctx, []string{src}, BackupOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.FilesNew != 4 || len(res.Warnings) != 0 {
				t.Fatalf("backup = %+v, want 4 new files and no warnings", res)
			}
			target := t.TempDir()
			rr, err := r.Restore(ctx, res.Snapshot, target, RestoreOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rr.Files != 4 || len(rr.Failed) != 0 {
				t.Fatalf("restore: files=%d failed=%+v", rr.Files, rr.Failed)
			}
			compareDirs(t, src, filepath.Join(target, "laporan-\xe9"))

			res2, err := r.Backup(ctx, []string{src}, BackupOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res2.Snapshot.Parent != res.Snapshot.ID || res2.FilesUnmodified != 4 || res2.BytesRead != 0 {
				t.Fatalf("second backup = %+v, want parent %s and 4 unmodified", res2, res.Snapshot.ID)
			}
		})
	}
}
