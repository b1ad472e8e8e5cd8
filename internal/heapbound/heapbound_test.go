package heapbound

import (
	"runtime/debug"
	"testing"
	"time"
)

// currentLimit reads the soft memory limit without changing it.
func currentLimit() int64 { return debug.SetMemoryLimit(-1) }

// TestBoundFollowsTheLiveHeap: the bound is set, rises with a live heap
// above it (so the collector does not run back to back), and is given
// back when the command ends.
func TestBoundFollowsTheLiveHeap(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before := currentLimit()
	const limit = 8 << 20
	stop := Bound(limit)
	if got := currentLimit(); got != limit {
		t.Fatalf("limit %d right after Bound, want %d", got, limit)
	}
	live := make([]byte, 48<<20) // live, above the limit
	for i := range live {
		live[i] = byte(i)
	}
	deadline := time.Now().Add(5 * time.Second)
	for currentLimit() < int64(len(live))+minHeadroom && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := currentLimit(); got < int64(len(live))+minHeadroom {
		t.Errorf("limit %d with %d bytes live, want at least %d", got, len(live), len(live)+minHeadroom)
	}
	stop()
	if got := currentLimit(); got != before {
		t.Errorf("limit %d after stop, want the earlier %d", got, before)
	}
	if live[len(live)-1] != byte(len(live)-1) {
		t.Fatal("unreachable: keeps live alive")
	}
}

// TestBoundLeavesAnExplicitSetting: GOGC or GOMEMLIMIT in the environment
// win; the limit is not touched.
func TestBoundLeavesAnExplicitSetting(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv("GOGC", "")
			t.Setenv("GOMEMLIMIT", "")
			t.Setenv(env, "50")
			before := currentLimit()
			stop := Bound(8 << 20)
			if got := currentLimit(); got != before {
				t.Errorf("limit %d with %s set, want it left at %d", got, env, before)
			}
			stop()
		})
	}
}
