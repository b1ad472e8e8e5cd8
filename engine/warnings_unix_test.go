//go:build unix

package engine

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// TestBackupWarnings: files that cannot be read (or are special files) are
// warnings; the backup still completes with the rest.
func TestBackupWarnings(t *testing.T) {
	ctx := context.Background()
	r, _ := newLocalRepo(t, "")
	src := filepath.Join(t.TempDir(), "src")
	writeTree(t, src, map[string]string{"ok.txt": "ok", "secret.txt": "no"})
	if err := syscall.Mkfifo(filepath.Join(src, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := []string{"fifo"}
	if os.Geteuid() != 0 { // root reads files regardless of permissions
		if err := os.Chmod(filepath.Join(src, "secret.txt"), 0); err != nil {
			t.Fatal(err)
		}
		want = append(want, "secret.txt")
	}
	res, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range res.Warnings {
		got = append(got, filepath.Base(w.Path))
	}
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("warnings = %+v, want %v", res.Warnings, want)
	}
	nodes, err := r.List(ctx, res.Snapshot, "/src")
	wantNodes := 1
	if os.Geteuid() == 0 {
		wantNodes = 2 // secret.txt was readable
	}
	if err != nil || len(nodes) != wantNodes || nodes[0].Name != "ok.txt" {
		t.Fatalf("snapshot holds %+v (err %v), want ok.txt", nodes, err)
	}
}
