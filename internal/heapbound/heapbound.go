// Package heapbound keeps the heap of a long command near what it holds
// live: the command line and bench/engineprof (which stands in for it in
// `make bench`) bound each engine operation the same way.
package heapbound

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// Heap bounds for the long commands, in bytes. The engine's heap is mostly large
// buffers reused for the whole run plus short-lived garbage per file and
// folder; with Go's default GOGC=100 the garbage doubles the peak (a 2 GB
// initial backup peaked at 161 MB). A fixed low GOGC (10) bounded the peak
// but made a no-change backup 25% slower, since it collects after every
// few hundred folders. A soft memory limit does both: little collection
// while the heap is small, more only as it nears the limit.
//
// Verify, forget and prune hold the index and one or two pack buffers per
// worker, and without a bound their garbage doubled the peak as well: a
// prune of the 2 GiB bench repository peaked above restic's (88 vs 82 MiB;
// 71 MiB with this bound, 83 with 80 MiB).
const (
	Backup      = 80 << 20
	Restore     = 80 << 20
	Maintenance = 64 << 20 // verify, forget and prune
	minHeadroom = 16 << 20
)

// Bound sets a soft memory limit of limit bytes for the rest of the
// command and returns a func that stops adjusting it. A soft limit below
// what is live makes the collector run back to back (up to half the CPU),
// so once the live heap nears the limit (an initial backup keeps ~60 MB
// of buffers live; a repository with millions of chunks has a large
// index), the limit follows it with 16 MiB of headroom, or a quarter of
// the live heap when that is more (GOGC=25's overhead at worst). GOGC or
// GOMEMLIMIT in the environment win over all of this.
func Bound(limit int64) (stop func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	old := debug.SetMemoryLimit(limit)
	stopWatch := Watch(200*time.Millisecond, func(live uint64) bool {
		if want := int64(live) + max(minHeadroom, int64(live)/4); want > limit {
			limit = want
			debug.SetMemoryLimit(limit)
		}
		return true
	})
	return func() {
		stopWatch()
		debug.SetMemoryLimit(old)
	}
}

// Watch calls fn with the live heap (as of the last collection) every
// interval, from one goroutine, until fn returns false or stop is called;
// stop returns once fn has returned for the last time.
func Watch(interval time.Duration, fn func(live uint64) bool) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 || !fn(sample[0].Value.Uint64()) {
				return
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}
