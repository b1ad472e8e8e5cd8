//go:build !unix

package local

import (
	"errors"
	"syscall"
)

var errNotSupported = errors.New("not supported")

// isNoSpace reports a full disk (ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL).
func isNoSpace(err error) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && (errno == 112 || errno == 39)
}
