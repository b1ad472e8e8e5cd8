//go:build linux

package engine

import (
	"errors"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fillStat copies what change detection and restore need from fi.
func fillStat(n *treeNode, fi fs.FileInfo) {
	n.Mode = uint32(fi.Mode())
	n.ModTime = fi.ModTime().UTC()
	n.Size = fi.Size()
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		n.Inode = uint64(st.Ino)
		n.Device = uint64(st.Dev)
		n.CTime = int64(st.Ctim.Sec)*1e9 + int64(st.Ctim.Nsec)
		n.UID, n.GID = st.Uid, st.Gid
		if fi.Mode().IsRegular() && st.Nlink > 1 {
			n.Links = uint32(min(st.Nlink, 1<<32-1))
		}
		if fi.Mode()&fs.ModeDevice != 0 {
			n.Rdev = uint64(st.Rdev)
		}
	}
}

// recordSpecials: FIFOs and device nodes are recorded and restored here.
const recordSpecials = true

// restoreOwners reports whether a restore gives entries their recorded
// owners: only root can give files away; anyone else restores as themself.
// A variable so that tests, which run as root, can restore as if not.
var restoreOwners = func() bool { return os.Geteuid() == 0 }

// ownedByOther reports whether n was recorded with another owner or group
// than this process's, which a restore not run as root cannot give it.
func ownedByOther(n *treeNode) bool {
	uid, gid := processIDs()
	return int(n.UID) != uid || int(n.GID) != gid
}

// processIDs are asked once: a restore plans tens of thousands of entries.
var processIDs = sync.OnceValues(func() (int, int) { return os.Geteuid(), os.Getegid() })

// ownerErr drops the refusals of file systems that cannot store an owner
// (vfat, a CIFS mount, NFS with root squashed): the restore is for the
// content, which is there and verified.
func ownerErr(err error) error {
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EINVAL) {
		return nil
	}
	return err
}

// openNoFollow opens a file for reading without following a symlink that
// replaced it since it was listed.
func openNoFollow(p string) (*os.File, error) {
	return openFileNoFollow(p, os.O_RDONLY, 0)
}

// openFileNoFollow opens p without following a symlink at its last
// component. It calls open(2) itself and wraps the descriptor with
// os.NewFile: os.OpenFile offers every file to the network poller, which
// costs four more system calls a file (fcntl to set and clear O_NONBLOCK
// around an epoll_ctl that fails for regular files), 8 of a restored small
// file's 25.
func openFileNoFollow(p string, flag int, perm os.FileMode) (*os.File, error) {
	for {
		fd, err := unix.Open(p, flag|unix.O_NOFOLLOW|unix.O_CLOEXEC, uint32(perm.Perm()))
		if err == nil {
			return os.NewFile(uintptr(fd), p), nil
		}
		if err != unix.EINTR {
			return nil, &os.PathError{Op: "open", Path: p, Err: err}
		}
	}
}

// setFileTimes sets an open file's modification time (futimens: no path
// lookup, which a restore of 20,000 files would otherwise pay once more).
func setFileTimes(f *os.File, mtime time.Time) error {
	ts := [2]unix.Timespec{{Nsec: unix.UTIME_OMIT}, unix.NsecToTimespec(mtime.UnixNano())} // atime as it is
	// utimensat(fd, NULL, …) is futimens(3), in Linux since 2.6.22; the
	// empty-path form needs AT_EMPTY_PATH, which older kernels (RHEL 8's
	// 4.18) refuse.
	_, _, errno := unix.Syscall6(unix.SYS_UTIMENSAT, f.Fd(), 0, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// timesByPath: restores set file times through the descriptor here.
const timesByPath = false

// lchtimes sets a symlink's own modification time.
func lchtimes(p string, mtime time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(mtime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	return unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW)
}

// makeSpecial creates the FIFO or device node n at p (mode bits are set
// afterwards, as for folders).
func makeSpecial(p string, n *restoreLink) error {
	mode := fs.FileMode(n.node.mode)
	if n.typ == NodeFIFO {
		return unix.Mkfifo(p, 0o600)
	}
	typ := uint32(unix.S_IFBLK)
	if mode&fs.ModeCharDevice != 0 {
		typ = unix.S_IFCHR
	}
	return unix.Mknod(p, typ|0o600, int(n.rdev))
}
