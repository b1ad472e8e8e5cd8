package engine

import "golang.org/x/sys/windows"

var procSetThreadPriority = windows.NewLazySystemDLL("kernel32.dll").NewProc("SetThreadPriority")

// threadPriorityBelowNormal is THREAD_PRIORITY_BELOW_NORMAL.
const threadPriorityBelowNormal = -1

// setThreadBackground lowers the calling OS thread to "below normal".
func setThreadBackground() error {
	h, err := windows.GetCurrentThread()
	if err != nil {
		return err
	}
	if ok, _, err := procSetThreadPriority.Call(uintptr(h), uintptr(threadPriorityBelowNormal&0xffffffff)); ok == 0 {
		return err
	}
	return nil
}
