package replica

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"cadang/engine"
	"cadang/engine/backend/backendtest"
	"cadang/engine/backend/local"
)

// TestCopyOntoFullDisk: a sync onto a replica folder whose disk fills up
// says where and what in one error (not a cancellation), leaves no
// snapshot on the replica without its data, and completes after space is
// freed. Needs root for a small tmpfs.
func TestCopyOntoFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	mnt := t.TempDir()
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, fmt.Sprintf("size=%d", 4<<20)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Unmount(mnt, unix.MNT_DETACH) })
	ctx := context.Background()
	src := newFakeRepo(t, 0)
	for i := 0; i < 6; i++ {
		src.files = append(src.files, putNamed(t, src.be, "packs/", strings.Repeat(fmt.Sprint(i), 1<<20)))
	}
	dst, err := local.New(filepath.Join(mnt, "replica"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Copy(ctx, src.be, dst, Options{Parallel: 1})
	if !errors.Is(err, engine.ErrNoSpace) || errors.Is(err, context.Canceled) ||
		!strings.Contains(err.Error(), "no space left on "+dst.Root()+" while writing packs/") {
		t.Fatalf("copy onto a full disk: %v; want one no-space error naming the replica and the file", err)
	}
	if snaps := backendtest.ListNames(ctx, t, dst, "snapshots/"); len(snaps) != 0 {
		t.Fatalf("snapshots on the replica after a failed copy: %v", snaps)
	}
	// Freeing space: the same disk grows.
	if err := unix.Mount("tmpfs", mnt, "tmpfs", unix.MS_REMOUNT, fmt.Sprintf("size=%d", 16<<20)); err != nil {
		t.Fatal(err)
	}
	res, err := Copy(ctx, src.be, dst, Options{})
	if err != nil {
		t.Fatalf("copy after freeing space: %v", err)
	}
	if res.FilesSkipped == 0 {
		t.Errorf("second copy skipped nothing: what arrived before the disk filled must not be copied again")
	}
	if got, want := len(backendtest.ListNames(ctx, t, dst, "")), len(src.files); got != want {
		t.Errorf("replica holds %d files, want %d", got, want)
	}
}
