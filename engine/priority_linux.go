package engine

import "golang.org/x/sys/unix"

// setThreadBackground lowers the calling OS thread's priority to
// backgroundNice, unless it already runs lower. On Linux the nice value
// is a thread's own (setpriority with a thread ID), not the process's.
func setThreadBackground() error {
	tid := unix.Gettid()
	// The system call returns 20 - nice (1 to 40), not the nice value.
	raw, err := unix.Getpriority(unix.PRIO_PROCESS, tid)
	if err != nil {
		return err
	}
	if 20-raw >= backgroundNice {
		return nil // already as low or lower: raising it back is not ours to do
	}
	return unix.Setpriority(unix.PRIO_PROCESS, tid, backgroundNice)
}
