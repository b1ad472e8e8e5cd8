package rclone

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill rclone when Cadang ends, however it ends.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
