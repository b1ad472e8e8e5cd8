//go:build !linux

package examples

import (
	"os/exec"
)

func isolate(*exec.Cmd) error { return ErrNotIsolated }

func isolationRefused(error) bool { return false }

func mountScratch(string) error { return ErrNotIsolated }
