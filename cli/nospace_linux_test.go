//go:build linux

package cli

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// smallDisk mounts a tmpfs of size bytes (root only: the engine's
// TestNoSpace covers the same path through a fault-injecting backend).
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	mnt := t.TempDir()
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		t.Fatalf("mount a %d-byte tmpfs: %v", size, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(mnt, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	return mnt
}

func randomFile(t *testing.T, p string, n int) {
	t.Helper()
	data := make([]byte, n)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBackupOnFullDisk: a backup onto a full disk ends with one line saying
// where space ran out and what was being written, never "interrupted";
// the repository verifies, and once space is freed the next backup works.
func TestBackupOnFullDisk(t *testing.T) {
	mnt := smallDisk(t, 12<<20)
	repo, ballast := filepath.Join(mnt, "repo"), filepath.Join(mnt, "ballast")
	src := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		randomFile(t, filepath.Join(src, fmt.Sprintf("f%d.bin", i)), 1<<20)
	}
	t.Setenv("CADANG_PASSWORD", "full disk")
	if code, _, errOut := run(t, "init", "--repo", repo); code != 0 {
		t.Fatal(errOut)
	}
	randomFile(t, ballast, 8<<20)

	code, _, errOut := run(t, "backup", "--repo", repo, src)
	if code != ExitError || strings.Contains(errOut, "interrupted") ||
		!strings.Contains(errOut, "no space left on "+repo+" while writing ") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
		t.Fatalf("backup onto a full disk: exit %d, stderr %q; want exit 1 and one line naming %s", code, errOut, repo)
	}
	t.Logf("backup onto a full disk: %s", errOut)
	if code, out, errOut := run(t, "verify", "--repo", repo, "--read-data"); code != 0 {
		t.Fatalf("verify after the full disk: exit %d\n%s%s", code, out, errOut)
	}
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run(t, "backup", "--repo", repo, src); code != 0 {
		t.Fatalf("backup after freeing space: exit %d, %s", code, errOut)
	}
	if code, out, errOut := run(t, "verify", "--repo", repo, "--read-data"); code != 0 {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
}
