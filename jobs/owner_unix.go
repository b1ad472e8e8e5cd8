//go:build unix

package jobs

import (
	"errors"
	"syscall"
)

// pidAlive asks the kernel whether pid exists (signal 0 delivers nothing).
func pidAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
