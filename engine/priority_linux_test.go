package engine

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func threadNice(t *testing.T, tid int) int {
	t.Helper()
	raw, err := unix.Getpriority(unix.PRIO_PROCESS, tid)
	if err != nil {
		t.Fatalf("getpriority %d: %v", tid, err)
	}
	return 20 - raw
}

// lowerThreadPriority lowers the calling goroutine's thread, and only it:
// the goroutine that called it keeps its own thread lowered, the test's
// thread is untouched, and the lowered thread ends with its goroutine
// instead of going back to the runtime for other goroutines.
func TestLowerThreadPriorityLowersOnlyItsThread(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	mine := unix.Gettid()
	before := threadNice(t, mine)
	if before >= backgroundNice {
		t.Skipf("the test already runs at nice %d", before)
	}
	type lowered struct{ tid, nice int }
	lowerOnce := func() lowered {
		got := make(chan lowered)
		go func() {
			lowerThreadPriority()
			tid := unix.Gettid()
			raw, _ := unix.Getpriority(unix.PRIO_PROCESS, tid)
			got <- lowered{tid, 20 - raw}
		}()
		return <-got
	}
	l := lowerOnce()
	if l.tid == os.Getpid() {
		// The goroutine ran on the process's main thread, which the
		// runtime parks for good instead of ending (ending it would leave
		// the process a zombie): it runs nothing else either, but its
		// task stays in /proc. Once parked, the main thread takes no new
		// goroutine, so a second try lands on a thread that can end.
		t.Logf("the lowered goroutine ran on the main thread %d; trying again", l.tid)
		l = lowerOnce()
		if l.tid == os.Getpid() {
			t.Fatalf("a second lowered goroutine ran on the main thread %d, which the first should have parked", l.tid)
		}
	}
	if l.tid == mine {
		t.Fatalf("the lowered goroutine ran on the test's own thread %d", mine)
	}
	if l.nice != backgroundNice {
		t.Errorf("lowered thread's nice = %d, want %d", l.nice, backgroundNice)
	}
	if after := threadNice(t, mine); after != before {
		t.Errorf("the test's thread went from nice %d to %d", before, after)
	}
	// The runtime ends a thread whose goroutine returned locked to it.
	task := "/proc/self/task/" + strconv.Itoa(l.tid)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(task); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lowered thread %d still exists after its goroutine returned: it could run other goroutines at nice %d", l.tid, backgroundNice)
		}
	}
}
