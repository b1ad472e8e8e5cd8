package engine

import "runtime"

// backgroundNice is the nice value a background run's worker threads take
// (Linux; Windows uses "below normal"). At 10 a thread gets about a tenth
// of a core's share against a thread at 0 when both want the CPU, and all
// of an idle machine: a program that draws a window in the same process
// keeps its frames while the backup runs, and the backup loses nothing when
// nothing else is busy.
const backgroundNice = 10

// lowerThreadPriority moves the calling goroutine onto an OS thread of its
// own and lowers that thread's CPU priority, for the rest of the
// goroutine's life. It never unlocks the thread: when the goroutine
// returns, the Go runtime ends the thread instead of handing it, still
// lowered, to other goroutines (a thread created from a locked one starts
// from the runtime's template thread, so none inherits the lower
// priority). A variable so that a test can count the calls.
var lowerThreadPriority = func() {
	runtime.LockOSThread()
	// Best effort: where the system refuses or cannot do it, the run is
	// only not lowered.
	_ = setThreadBackground()
}
