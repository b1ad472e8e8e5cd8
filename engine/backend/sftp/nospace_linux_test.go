//go:build linux

package sftp

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"cadang/engine/backend"
)

// TestNoSpaceOnServer fills the server's disk (a 1 MiB tmpfs mounted where
// the test server keeps its data) with an upload of 2 MiB. OpenSSH answers
// the full disk with a generic "Failure"; Save must say no space is left,
// where and on which file, leave no partial upload behind, and work again
// for a file that fits. Needs root (the mount) and the test server.
func TestNoSpaceOnServer(t *testing.T) {
	opt := testOptions(t)
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	if !filepath.IsAbs(opt.Path) {
		t.Skipf("the test server's folder %s is not an absolute local path", opt.Path)
	}
	// The server runs on this machine (scripts/services/sshd.sh): its data
	// folder is a local folder.
	if err := os.MkdirAll(opt.Path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", opt.Path, "tmpfs", 0, "size=1m,mode=0777"); err != nil {
		t.Fatalf("mount a 1 MiB tmpfs on %s: %v", opt.Path, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(opt.Path, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", opt.Path, err)
		}
		_ = os.Remove(opt.Path)
	})
	ctx := context.Background()
	be, err := Open(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()

	big := bytes.Repeat([]byte("x"), 2<<20)
	err = be.Save(ctx, "packs/ab/abcd", bytes.NewReader(big), int64(len(big)))
	if err == nil {
		t.Fatal("a 2 MiB upload to a 1 MiB disk succeeded")
	}
	t.Logf("the error: %v", err)
	var ns *backend.NoSpaceError
	if !errors.Is(err, backend.ErrNoSpace) || !errors.As(err, &ns) {
		t.Fatalf("error %q is not a no-space error", err)
	}
	for _, want := range []string{"no space left on sftp://", "while writing packs/ab/abcd"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	var left []string
	if err := be.List(ctx, "", func(fi backend.FileInfo) error { left = append(left, fi.Name); return nil }); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(opt.Path, "packs", "ab"))
	if len(left) != 0 || len(entries) != 0 {
		t.Errorf("after the failed upload: listed %v, on the server %d files, want none", left, len(entries))
	}
	small := []byte("fits")
	if err := be.Save(ctx, "packs/ab/ab01", bytes.NewReader(small), int64(len(small))); err != nil {
		t.Errorf("a small upload after the failure: %v", err)
	}
}
