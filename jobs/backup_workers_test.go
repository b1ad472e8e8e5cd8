package jobs

import (
	"slices"
	"testing"
	"time"
)

// A run started from the window asks the engine for fewer workers at a
// lower priority, so the window keeps a core to draw on (issue 12, "the
// window stays responsive"): RunOptions.Workers and Background reach the
// engine for a run now and a catch-up alike, and the zero value leaves the
// engine its defaults.
func TestRunOptionsWorkersReachTheEngine(t *testing.T) {
	tests := []struct {
		name       string
		workers    int
		background bool
		catchUp    bool
	}{
		{"run now, default", 0, false, false},
		{"run now, one worker in the background", 1, true, false},
		{"catch-up, default", 0, false, true},
		{"catch-up, three workers in the background", 3, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.approvedJob(t, "erp", Schedule{})
			opt := RunOptions{Workers: tt.workers, Background: tt.background}
			var run Run
			var err error
			if tt.catchUp {
				f.clock.Advance(13 * time.Hour) // Monday's 21:00 window passed with Cadang off
				f.startScheduler(t, 1)
				missed, merr := f.svc.MissedRuns(f.ctx, f.staff)
				if merr != nil || len(missed) == 0 {
					t.Fatalf("missed runs: %v, %v", missed, merr)
				}
				run, err = f.svc.CatchUp(f.ctx, f.staff, missed[0].ID, opt)
			} else {
				run, err = f.svc.RunJob(f.ctx, f.staff, "erp", opt)
			}
			if err != nil || run.Status != RunSuccess {
				t.Fatalf("run: %+v, %v", run, err)
			}
			f.eng.mu.Lock()
			defer f.eng.mu.Unlock()
			if want := []int{tt.workers}; !slices.Equal(f.eng.workers, want) {
				t.Errorf("the engine was asked for workers %v, want %v", f.eng.workers, want)
			}
			if want := []bool{tt.background}; !slices.Equal(f.eng.background, want) {
				t.Errorf("the engine was asked for background %v, want %v", f.eng.background, want)
			}
		})
	}
}
