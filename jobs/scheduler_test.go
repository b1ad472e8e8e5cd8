package jobs

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// startScheduler starts a scheduler and waits until gocron has armed the
// timers of n scheduled jobs on the fake clock (plus the minute refresh),
// so that Advance fires them.
func (f *fixture) startScheduler(t *testing.T, timers int) *Scheduler {
	t.Helper()
	sc, err := f.svc.NewScheduler(f.ctx, f.staff)
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sc.Stop() })
	if err := f.clock.BlockUntilContext(f.ctx, timers+1); err != nil {
		t.Fatal(err)
	}
	return sc
}

// nextFinished waits for the next run-finished event.
func nextFinished(t *testing.T, events <-chan Event) Run {
	t.Helper()
	for ev := range events {
		if ev.Kind == EventRunFinished {
			return *ev.Run
		}
	}
	t.Fatal("event channel closed before a run finished")
	return Run{}
}

func at(day, hour, min int) time.Time {
	return time.Date(2026, 3, day, hour, min, 0, 0, time.Local)
}

func TestSchedulerRunsApprovedJobInItsWindow(t *testing.T) {
	f := newFixture(t)
	j := f.approvedJob(t, "erp", Schedule{})
	events, stop := f.svc.Subscribe()
	defer stop()
	sc := f.startScheduler(t, 1)
	if got := sc.NextRuns()[j.ID]; !got.Equal(at(2, 21, 0)) {
		t.Errorf("next run = %v, want %v", got, at(2, 21, 0))
	}
	f.clock.Advance(time.Hour)
	run := nextFinished(t, events)
	if run.Status != RunSuccess || run.Trigger != TriggerSchedule || run.Actor != SchedulerActor {
		t.Errorf("scheduled run = %+v", run)
	}
	if !run.ScheduledAt.Equal(at(2, 21, 0)) || run.Overrun {
		t.Errorf("scheduled at %v (overrun %v), want 21:00 within the window", run.ScheduledAt, run.Overrun)
	}
	if run.Report == "" {
		t.Error("no execution report filed for the run")
	}
}

func TestSchedulerFlagsOverrun(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "erp", Schedule{})
	f.eng.onBackup = func() { f.clock.Advance(3 * time.Hour) } // the backup takes until 00:00
	events, stop := f.svc.Subscribe()
	defer stop()
	f.startScheduler(t, 1)
	f.clock.Advance(time.Hour)
	run := nextFinished(t, events)
	if !run.Overrun {
		t.Errorf("run finished at %v after a 23:00 window end: overrun not flagged", run.FinishedAt)
	}
}

func TestSchedulerEditedJobLeavesSchedule(t *testing.T) {
	f := newFixture(t)
	j := f.approvedJob(t, "erp", Schedule{})
	sc := f.startScheduler(t, 1)
	spec := j.JobSpec
	spec.Sources = append(spec.Sources, t.TempDir())
	if _, err := f.svc.EditJob(f.ctx, f.staff, "erp", spec); err != nil {
		t.Fatal(err)
	}
	if _, ok := sc.NextRuns()[j.ID]; ok {
		t.Error("an edited (re-submitted) job is still scheduled")
	}
	if _, err := f.svc.ApproveJob(f.ctx, f.mgr, "erp", f.svc.jobRev("erp")); err != nil {
		t.Fatal(err)
	}
	if _, ok := sc.NextRuns()[j.ID]; !ok {
		t.Error("the re-approved job is not scheduled again")
	}
}

func TestSchedulerRecordsMissedRunsAndCatchesUp(t *testing.T) {
	f := newFixture(t)
	j := f.approvedJob(t, "erp", Schedule{})
	f.clock.Advance(37 * time.Hour) // Wednesday 09:00: Monday's and Tuesday's windows passed with Cadang off
	sc := f.startScheduler(t, 1)
	missed, err := f.svc.MissedRuns(f.ctx, f.staff)
	if err != nil {
		t.Fatal(err)
	}
	if len(missed) != 2 {
		t.Fatalf("missed runs = %d, want 2 (Monday and Tuesday 21:00)", len(missed))
	}
	for _, m := range missed {
		if m.Status != RunMissed || m.Report == "" {
			t.Errorf("missed run %+v: want status missed with a filed report", m)
		}
	}
	if got := sc.NextRuns()[j.ID]; !got.Equal(at(4, 21, 0)) {
		t.Errorf("next run = %v, want Wednesday 21:00", got)
	}
	run, err := f.svc.CatchUp(f.ctx, f.staff, missed[0].ID, RunOptions{})
	if err != nil || run.Status != RunSuccess || run.Trigger != TriggerCatchUp {
		t.Fatalf("catch-up = %+v, %v", run, err)
	}
	if left, _ := f.svc.MissedRuns(f.ctx, f.staff); len(left) != 1 {
		t.Errorf("missed runs after one catch-up = %d, want 1", len(left))
	}
	_, err = f.svc.CatchUp(f.ctx, f.staff, missed[0].ID, RunOptions{})
	wantRefused(t, "catching up twice", err)
	// A restart does not record the same slots again.
	if err := sc.Stop(); err != nil {
		t.Fatal(err)
	}
	f.startScheduler(t, 0)
	if again, _ := f.svc.Runs(f.ctx, f.staff, RunFilter{Statuses: []string{RunMissed}}); len(again) != 2 {
		t.Errorf("missed runs after restart = %d, want still 2", len(again))
	}
}

func TestSchedulerRunsLateInsideAnOpenWindow(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "erp", Schedule{})
	f.clock.Advance(2 * time.Hour) // 22:00: the window opened at 21:00 while Cadang was off
	events, stop := f.svc.Subscribe()
	defer stop()
	f.startScheduler(t, 0)
	run := nextFinished(t, events)
	if !run.ScheduledAt.Equal(at(2, 21, 0)) || run.Status != RunSuccess {
		t.Errorf("late run = %+v, want the 21:00 slot run now", run)
	}
}

func TestSchedulerStopCancelsWork(t *testing.T) {
	f := newFixture(t)
	sc := f.startScheduler(t, 0)
	if err := sc.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := sc.reload(); err != nil {
		t.Errorf("reload after stop: %v", err)
	}
}

func TestSchedulerNoticesChangesFromAnotherProcess(t *testing.T) {
	f := newFixture(t)
	f.job(t, "erp", Schedule{})
	if _, err := f.svc.SubmitJob(f.ctx, f.staff, "erp"); err != nil {
		t.Fatal(err)
	}
	sc := f.startScheduler(t, 0)
	// The command line approves in its own process: same workspace, another Service.
	other, err := OpenWorkspace(f.ctx, f.svc.Dir(), Options{Clock: f.clock, Engine: f.eng})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	j, err := other.ApproveJob(f.ctx, f.mgr, "erp", other.jobRev("erp"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sc.NextRuns()[j.ID]; ok {
		t.Fatal("scheduled before the refresh: the test would prove nothing")
	}
	f.clock.Advance(time.Minute)
	if err := f.clock.BlockUntilContext(f.ctx, 2); err != nil { // refresh re-armed, and the job's timer
		t.Fatal(err)
	}
	if got := sc.NextRuns()[j.ID]; !got.Equal(at(2, 21, 0)) {
		t.Errorf("after the refresh, next run = %v, want 21:00", got)
	}
}

// TestSchedulerRunsEachSlotWhileThePreviousRunGoesOn: five jobs share the
// 21:00 slot, and their Monday runs are still going on (here in the
// backup; in the team test, filing the report after the run was recorded)
// when the clock reaches Tuesday 21:00. gocron's singleton mode dropped
// those five firings without a word, and on a clock that then stood still
// Tuesday's slots never ran. Now each firing waits for its job's run to
// end and then starts its own slot: every slot runs exactly once.
func TestSchedulerRunsEachSlotWhileThePreviousRunGoesOn(t *testing.T) {
	f := newFixture(t)
	const n = 5
	names := map[int64]string{}
	for i := range n {
		j := f.approvedJob(t, fmt.Sprintf("job%d", i), Schedule{}) // daily, 21:00–23:00
		names[j.ID] = j.Name
	}
	entered := make(chan struct{}, 2*n)
	release := make(chan struct{})
	f.eng.onBackup = func() {
		entered <- struct{}{}
		<-release // Monday's backups go on until Tuesday's slots have fired
	}
	events, stop := f.svc.Subscribe()
	defer stop()
	f.startScheduler(t, n)
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock) // before the scheduler's Stop, which waits for the runs
	ctx, cancel := context.WithTimeout(f.ctx, 2*time.Minute)
	defer cancel()

	f.clock.Advance(90 * time.Minute) // Monday 21:30
	for range n {
		select {
		case <-entered:
		case <-ctx.Done():
			t.Fatal("Monday's five runs did not start")
		}
	}
	if err := f.clock.BlockUntilContext(ctx, n+1); err != nil { // every timer set again, for Tuesday
		t.Fatal(err)
	}
	// Tuesday 21:30: the five timers fire while Monday's runs go on; once
	// every timer is set again (for Wednesday), each firing was handled.
	f.clock.Advance(24 * time.Hour)
	if err := f.clock.BlockUntilContext(ctx, n+1); err != nil {
		t.Fatal(err)
	}
	unblock()

	ran := map[string]int{}
	for finished := 0; finished < 2*n; {
		select {
		case ev := <-events:
			if ev.Kind == EventRunFinished {
				ran[names[ev.Run.JobID]+" "+ev.Run.ScheduledAt.Format("Mon 15:04")]++
				finished++
			}
		case <-ctx.Done():
			t.Fatalf("after 2 minutes, %d of %d runs finished: %v", finished, 2*n, ran)
		}
	}
	for _, name := range names {
		for _, slot := range []time.Time{at(2, 21, 0), at(3, 21, 0)} {
			key := name + " " + slot.Format("Mon 15:04")
			if ran[key] != 1 {
				t.Errorf("slot %s finished %d runs, want 1", key, ran[key])
			}
		}
	}
	for id, name := range names {
		for _, slot := range []time.Time{at(2, 21, 0), at(3, 21, 0)} {
			if runs := f.slotRuns(t, id, slot); len(runs) != 1 || runs[0].Status != RunSuccess {
				t.Errorf("runs of %s at %v = %+v, want one, successful", name, slot, runs)
			}
		}
	}
}
