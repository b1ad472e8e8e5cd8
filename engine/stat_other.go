//go:build !linux

package engine

import (
	"fmt"
	"io/fs"
	"os"
	"time"
)

// fillStat copies what change detection and restore need from fi. Without
// Linux's stat fields, change detection relies on size and mtime only.
func fillStat(n *treeNode, fi fs.FileInfo) {
	n.Mode = uint32(fi.Mode())
	n.ModTime = fi.ModTime().UTC()
	n.Size = fi.Size()
}

// recordSpecials: without Linux's stat fields (the device number), special
// files are skipped with a warning.
const recordSpecials = false

// openNoFollow opens a file for reading, refusing a symlink.
func openNoFollow(p string) (*os.File, error) {
	return openFileNoFollow(p, os.O_RDONLY, 0)
}

// openFileNoFollow refuses to open p when it is a symlink. Without
// O_NOFOLLOW this is a check-then-open; restores create parents
// themselves, so only a concurrent attacker could race it.
func openFileNoFollow(p string, flag int, perm os.FileMode) (*os.File, error) {
	if fi, err := os.Lstat(p); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("open %s: is a symbolic link", p)
	}
	return os.OpenFile(p, flag, perm)
}

// restoreOwners: owners are recorded and restored on Linux only.
func restoreOwners() bool { return false }

func ownerErr(err error) error { return err }

func ownedByOther(n *treeNode) bool { return false }

// setFileTimes does nothing here: on Windows a second handle for the times
// would conflict with the open one, so restores set them by path after
// closing the file (timesByPath).
func setFileTimes(f *os.File, mtime time.Time) error { return nil }

const timesByPath = true

// lchtimes is not available here; symlink times are not restored.
func lchtimes(p string, mtime time.Time) error { return nil }

// makeSpecial: special files are not restored here.
func makeSpecial(p string, n *restoreLink) error { return errSpecialUnsupported }
