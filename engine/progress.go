package engine

import (
	"sync"
	"time"
)

// reportInterval throttles Progress.Report to about ten calls a second.
const reportInterval = 100 * time.Millisecond

// startReporter calls p.Report with stats() every reportInterval until the
// returned stop function is called, which sends one final report.
func startReporter(p Progress, stats func() ProgressStats) (stop func()) {
	if _, nop := p.(NopProgress); nop || p == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(reportInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.Report(stats())
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			p.Report(stats())
		})
	}
}
