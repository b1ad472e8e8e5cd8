//go:build linux

package dbsource

import (
	"errors"

	"golang.org/x/sys/unix"
)

// waitExitedNoReap blocks until process pid has exited and leaves it a
// zombie (WNOWAIT), so its own Wait still collects it.
func waitExitedNoReap(pid int) error {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) { // the Go runtime's signals interrupt it
			return err
		}
	}
}
