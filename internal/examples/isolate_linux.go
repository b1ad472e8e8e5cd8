package examples

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// isolate gives cmd a mount namespace of its own: as root directly,
// otherwise inside a user namespace where this user is root.
func isolate(cmd *exec.Cmd) error {
	attr := &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS}
	if uid := os.Geteuid(); uid != 0 {
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}}
		attr.GidMappingsEnableSetgroups = false
	}
	cmd.SysProcAttr = attr
	return nil
}

// isolationRefused: the namespace could not be made (the start failed
// with a permission error) or the child could not mount in it.
func isolationRefused(err error) bool {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode() == exitNotIsolated
	}
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOSPC)
}

// mountScratch makes every mount of this (new) namespace private, so that
// nothing mounted here reaches the machine's, then mounts the scratch
// folder's srv and mnt on /srv and /mnt.
func mountScratch(scratch string) error {
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make the mounts private: %w", err)
	}
	for _, m := range Mounts {
		src := filepath.Join(scratch, filepath.Base(m))
		if err := syscall.Mount(src, m, "", syscall.MS_BIND, ""); err != nil {
			return fmt.Errorf("mount %s on %s: %w", src, m, err)
		}
	}
	return nil
}
