//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
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
	if err := syscall.Mkfifo(filepath.Join(src, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
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
