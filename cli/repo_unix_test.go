//go:build unix

package cli

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBackupWarningsExit(t *testing.T) {
	base := t.TempDir()
	repo, src := filepath.Join(base, "repo"), filepath.Join(base, "data")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "ok"), []byte("ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	makeSocket(t, filepath.Join(src, "sock")) // FIFOs and devices are recorded; sockets are not
	t.Setenv("CADANG_PASSWORD", "")
	if code, _, errOut := run(t, "init", "--repo", repo); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := run(t, "backup", "--repo", repo, src)
	if code != ExitWarnings || !strings.Contains(out, "warning:") || !strings.Contains(errOut, "completed with warnings") {
		t.Fatalf("backup with a special file: exit %d, out %q, err %q", code, out, errOut)
	}
	if code, _, errOut := run(t, "backup", "--repo", repo, "--db", "postgres://x/y", src); code == 0 {
		t.Errorf("backup --db with no database support: exit 0 (%s)", errOut)
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
