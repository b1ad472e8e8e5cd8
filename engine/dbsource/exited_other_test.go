//go:build !linux

package dbsource

import "errors"

// waitExitedNoReap needs waitid's WNOWAIT, which the tests use on Linux.
func waitExitedNoReap(pid int) error { return errors.ErrUnsupported }
