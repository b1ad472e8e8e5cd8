//go:build !linux && !windows

package engine

// setThreadBackground does nothing here: macOS and the BSDs set the nice
// value of the whole process, not of one thread, and lowering the process
// would lower the window drawing in it too.
func setThreadBackground() error { return nil }
