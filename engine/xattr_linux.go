//go:build linux

package engine

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// Extended attributes carry what a file server keeps outside the mode
// bits: Samba's Windows ACLs (security.NTACL), POSIX ACLs
// (system.posix_acl_access), SELinux labels, user.* tags. They are recorded
// with each entry and set again on restore.

// fileXattrs reads the extended attributes of an open file.
func fileXattrs(f *os.File) (map[string][]byte, error) {
	fd := int(f.Fd())
	return readXattrs(
		func(b []byte) (int, error) { return unix.Flistxattr(fd, b) },
		func(name string, b []byte) (int, error) { return unix.Fgetxattr(fd, name, b) })
}

// pathXattrs reads the extended attributes of p itself (a link's own).
func pathXattrs(p string) (map[string][]byte, error) {
	return readXattrs(
		func(b []byte) (int, error) { return unix.Llistxattr(p, b) },
		func(name string, b []byte) (int, error) { return unix.Lgetxattr(p, name, b) })
}

func readXattrs(list func([]byte) (int, error), get func(string, []byte) (int, error)) (map[string][]byte, error) {
	var small [256]byte // most files have no attributes: no allocation then
	names, err := callGrowing(small[:], list)
	if err != nil || len(names) == 0 {
		if xattrsUnsupported(err) {
			return nil, nil
		}
		return nil, err
	}
	out := map[string][]byte{}
	for _, name := range strings.Split(strings.TrimRight(string(names), "\x00"), "\x00") {
		if name == "" {
			continue
		}
		val, err := callGrowing(make([]byte, 256), func(b []byte) (int, error) { return get(name, b) })
		if errors.Is(err, unix.ENODATA) {
			continue // removed since it was listed
		}
		if err != nil {
			return nil, fmt.Errorf("extended attribute %s: %w", name, err)
		}
		out[name] = append([]byte{}, val...)
	}
	return out, nil
}

// callGrowing calls fn with buf, growing it while the kernel answers ERANGE.
func callGrowing(buf []byte, fn func([]byte) (int, error)) ([]byte, error) {
	for {
		n, err := fn(buf)
		if errors.Is(err, unix.ERANGE) {
			size, serr := fn(nil) // ask for the size
			if serr != nil {
				return nil, serr
			}
			buf = make([]byte, max(size, 2*len(buf)))
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
}

func xattrsUnsupported(err error) bool {
	return errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EOPNOTSUPP)
}

// setFileXattrs sets attrs on an open file.
func setFileXattrs(f *os.File, attrs map[string][]byte) error {
	fd := int(f.Fd())
	return setXattrs(attrs, func(name string, val []byte) error { return unix.Fsetxattr(fd, name, val, 0) })
}

// setPathXattrs sets attrs on p itself (a link's own).
func setPathXattrs(p string, attrs map[string][]byte) error {
	return setXattrs(attrs, func(name string, val []byte) error { return unix.Lsetxattr(p, name, val, 0) })
}

// setXattrs sets every attribute; the refusals of a target that cannot hold
// them (a file system without xattrs, security.* or trusted.* when not
// root) are dropped like an owner that cannot be set: the content is what
// the restore is for.
func setXattrs(attrs map[string][]byte, set func(string, []byte) error) error {
	for name, val := range attrs {
		if err := set(name, val); err != nil && !xattrsUnsupported(err) && !errors.Is(err, unix.EPERM) {
			return fmt.Errorf("set extended attribute %s: %w", name, err)
		}
	}
	return nil
}
