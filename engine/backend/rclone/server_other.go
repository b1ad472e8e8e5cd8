//go:build !linux

package rclone

import "os/exec"

// dieWithParent: only Linux can tie a child's life to its parent's; Close
// ends rclone elsewhere.
func dieWithParent(cmd *exec.Cmd) {}
