//go:build unix

package engine

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestBackupWarnings: files that cannot be read (or are sockets) are
// warnings; the backup still completes with the rest.
func TestBackupWarnings(t *testing.T) {
	ctx := context.Background()
	r, _ := newLocalRepo(t, "")
	src := filepath.Join(t.TempDir(), "src")
	writeTree(t, src, map[string]string{"ok.txt": "ok", "secret.txt": "no"})
	makeSocket(t, filepath.Join(src, "sock")) // FIFOs and devices are recorded; sockets are not
	want := []string{"sock"}
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

// makeSocket leaves a Unix socket at p, a file no backup can keep.
func makeSocket(t *testing.T, p string) {
	t.Helper()
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: p, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}
