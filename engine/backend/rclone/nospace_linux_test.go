package rclone

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"cadang/engine/backend"
	"cadang/engine/backend/backendtest"
)

// TestSaveOntoFullDisk: an rclone remote whose disk fills up during an
// upload is one *backend.NoSpaceError naming the remote and the file (a
// replica sync then says "no space left on rclone:… while writing packs/…",
// not a cancellation), no partial upload stays visible, and the same Save
// works once space is freed. The remote is rclone's local file system on a
// small tmpfs (root only).
func TestSaveOntoFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	config, _ := testRemotes(t)
	mnt := t.TempDir()
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, fmt.Sprintf("size=%d", 1<<20)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Unmount(mnt, unix.MNT_DETACH) })
	ctx := context.Background()
	be, err := New(ctx, Options{Remote: ":local:" + mnt + "/repo", Config: config})
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	data := make([]byte, 2<<20)
	if _, err := io.ReadFull(rand.Reader, data); err != nil {
		t.Fatal(err)
	}
	const name = "packs/ab/ab12"
	err = be.Save(ctx, name, bytes.NewReader(data), int64(len(data)))
	var ns *backend.NoSpaceError
	if !errors.As(err, &ns) || !errors.Is(err, backend.ErrNoSpace) || errors.Is(err, context.Canceled) ||
		!strings.HasPrefix(err.Error(), "no space left on "+be.Location()+" while writing "+name) {
		t.Fatalf("Save onto a full disk = %v; want one no-space error naming %s and %s", err, be.Location(), name)
	}
	t.Log(err)
	if got := backendtest.ListNames(ctx, t, be, ""); len(got) != 0 {
		t.Errorf("after the failed upload List = %v, want nothing", got)
	}
	// Freeing space: the same disk grows.
	if err := unix.Mount("tmpfs", mnt, "tmpfs", unix.MS_REMOUNT, fmt.Sprintf("size=%d", 8<<20)); err != nil {
		t.Fatal(err)
	}
	if err := be.Save(ctx, name, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("Save after freeing space: %v", err)
	}
	if fi, err := be.Stat(ctx, name); err != nil || fi.Size != int64(len(data)) {
		t.Fatalf("Stat after freeing space = %+v, %v", fi, err)
	}
}
