//go:build unix

package local

import (
	"errors"
	"syscall"
)

var errNotSupported error = syscall.ENOTSUP

// isNoSpace reports a full file system or an exhausted quota.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
