//go:build unix

package local

import "syscall"

var errNotSupported error = syscall.ENOTSUP
