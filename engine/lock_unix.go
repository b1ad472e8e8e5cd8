//go:build unix

package engine

import (
	"errors"
	"syscall"
)

// processAlive reports whether pid runs on this host (EPERM: alive, not ours).
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
