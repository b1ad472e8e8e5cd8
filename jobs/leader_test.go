package jobs

import (
	"errors"
	"testing"
	"time"

	"cadang/store"
)

// openOther opens the fixture's workspace again, as a second process on
// the same machine would (a daemon beside the window).
func (f *fixture) openOther(t *testing.T) *Service {
	t.Helper()
	other, err := OpenWorkspace(f.ctx, f.svc.Dir(), Options{Clock: f.clock, Engine: f.eng})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return other
}

// slotRuns lists the runs of job jobID for the slot at.
func (f *fixture) slotRuns(t *testing.T, jobID int64, at time.Time) []store.Run {
	t.Helper()
	all, err := f.svc.catalog.Runs(f.ctx, store.RunFilter{JobID: jobID})
	if err != nil {
		t.Fatal(err)
	}
	var out []store.Run
	for _, r := range all {
		if r.ScheduledAt.Equal(at) {
			out = append(out, r)
		}
	}
	return out
}

// TestTwoSchedulersOfOneHostRunASlotOnce: a window and a daemon of one
// host (or two daemons) both schedule the job; its slot runs once. On a
// shared catalog one of them leads and the other stands by; on SQLite both
// fire and the slot check under the write lock lets one through.
func TestTwoSchedulersOfOneHostRunASlotOnce(t *testing.T) {
	f := newFixture(t)
	j := f.approvedJob(t, "erp", Schedule{})
	other := f.openOther(t)
	first := f.startScheduler(t, 1)
	second, err := other.NewScheduler(f.ctx, f.staff)
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	shared := f.svc.catalog.Shared()
	if !first.Leading() || second.Leading() == shared {
		t.Errorf("leading: first %v, second %v; want the first only on a shared catalog, both on SQLite", first.Leading(), second.Leading())
	}
	timers := 2 + 1 // the first's job and refresh, the second's refresh
	if !shared {
		timers++ // the second schedules the job too
	}
	if err := f.clock.BlockUntilContext(f.ctx, timers); err != nil {
		t.Fatal(err)
	}
	events, stop := f.svc.Subscribe()
	defer stop()
	f.clock.Advance(time.Hour) // 21:00 passes
	nextFinished(t, events)
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := second.Stop(); err != nil {
		t.Fatal(err)
	}
	runs := f.slotRuns(t, j.ID, at(2, 21, 0))
	if len(runs) != 1 || runs[0].Status != RunSuccess {
		t.Fatalf("runs of the 21:00 slot = %+v, want exactly one, successful", runs)
	}
}

// TestStandbyTakesTheLeadAndClosesTheDeadLeadersRun: on a shared catalog,
// when the leading scheduler's process is gone, the one standing by takes
// the lead at its next refresh, marks the run the dead process left
// running as interrupted, and runs the next slot.
func TestStandbyTakesTheLeadAndClosesTheDeadLeadersRun(t *testing.T) {
	f := newFixture(t)
	if !f.svc.catalog.Shared() {
		t.Skip("leads are taken on a shared catalog (CADANG_TEST_CATALOG=postgres); on SQLite every scheduler leads")
	}
	j := f.approvedJob(t, "erp", Schedule{})
	leader := f.openOther(t)
	first, err := leader.NewScheduler(f.ctx, f.staff)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	// The leader's process dies mid-run: its run stays "running" under an
	// owner nobody holds any more, and its connection (with the lead) ends.
	dead, err := f.svc.catalog.InsertRun(f.ctx, store.Run{JobID: j.ID, Kind: KindBackup, Trigger: TriggerSchedule,
		Actor: SchedulerActor, ScheduledAt: at(2, 21, 0), StartedAt: at(2, 21, 0), Status: RunRunning, Owner: "fs1:424242"})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := leader.Close(); err != nil {
		t.Fatal(err)
	}
	events, stop := f.svc.Subscribe()
	defer stop()
	standby := f.startScheduler(t, 0)
	if !standby.Leading() {
		t.Fatal("the scheduler standing by did not take the lead of a host whose leader is gone")
	}
	r, err := f.svc.catalog.RunByID(f.ctx, dead)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != RunFailed || r.Error == "" {
		t.Errorf("the dead leader's run = %s %q, want failed as interrupted", r.Status, r.Error)
	}
	f.clock.Advance(25 * time.Hour) // the next day's 21:00
	next := nextFinished(t, events)
	if !next.ScheduledAt.Equal(at(3, 21, 0)) || next.Status != RunSuccess {
		t.Errorf("next run = %+v, want the next day's slot, successful", next)
	}
	if runs := f.slotRuns(t, j.ID, at(2, 21, 0)); len(runs) != 1 {
		t.Errorf("runs of the interrupted slot = %d, want 1 (the interrupted one, not run again)", len(runs))
	}
}

// TestASlotStartsOnce: whoever fires a slot of the schedule second finds
// it taken, checked under the write lock, whether the first run is going
// on, finished, or was recorded missed.
func TestASlotStartsOnce(t *testing.T) {
	f := newFixture(t)
	j := f.approvedJob(t, "erp", Schedule{})
	spec := func(at time.Time) runSpec {
		return runSpec{trigger: TriggerSchedule, actor: SchedulerActor, scheduled: store.Run{ScheduledAt: at}}
	}
	if _, err := f.svc.runBackup(f.ctx, j.ID, spec(at(2, 21, 0))); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.markMissed(f.ctx, f.storeJob(t, j.ID), at(3, 21, 0)); err != nil {
		t.Fatal(err)
	}
	for _, slot := range []time.Time{at(2, 21, 0), at(3, 21, 0)} {
		if _, err := f.svc.runBackup(f.ctx, j.ID, spec(slot)); !errors.Is(err, ErrSlotTaken) {
			t.Errorf("second start of the %v slot: %v, want ErrSlotTaken", slot, err)
		}
		if err := f.svc.markMissed(f.ctx, f.storeJob(t, j.ID), slot); err != nil {
			t.Errorf("recording the %v slot missed again: %v", slot, err)
		}
		if runs := f.slotRuns(t, j.ID, slot); len(runs) != 1 {
			t.Errorf("runs of the %v slot = %d, want 1", slot, len(runs))
		}
	}
	// A manual run at the same minute is not a slot of the schedule.
	if _, err := f.svc.RunJob(f.ctx, f.staff, "erp", RunOptions{}); err != nil {
		t.Errorf("manual run: %v", err)
	}
}

func (f *fixture) storeJob(t *testing.T, id int64) store.Job {
	t.Helper()
	j, err := f.svc.catalog.JobByID(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// A slot that fires again and again while the job's run goes on (gocron
// under a fake clock fires a standing slot every millisecond) leaves one
// firing waiting, not one goroutine per firing: each waited, holding or
// wanting a database connection, until a CI run's test process had 23 GB.
func TestSlotFiredRepeatedlyWaitsOnce(t *testing.T) {
	f := newFixture(t)
	j := f.approvedJob(t, "erp", Schedule{})
	sc, err := f.svc.NewScheduler(f.ctx, f.staff)
	if err != nil {
		t.Fatal(err)
	}
	sched := Schedule{Kind: ScheduleWindow, WindowStart: "21:00", WindowEnd: "23:00"}
	slot := at(2, 21, 0)
	f.clock.Advance(slot.Sub(f.clock.Now()))
	if !f.svc.running.acquire(j.ID) { // a run of the job going on in this process
		t.Fatal("the job is already running")
	}
	const firings = 20
	returned := make(chan struct{}, firings)
	for range firings {
		go func() {
			sc.runSlot(f.ctx, j.ID, sched, slot)
			returned <- struct{}{}
		}()
	}
	for i := range firings - 1 {
		select {
		case <-returned:
		case <-time.After(30 * time.Second):
			t.Fatalf("%d of %d repeated firings returned; the others wait for the run going on", i, firings-1)
		}
	}
	f.svc.running.release(j.ID) // the run ends: the one waiting firing starts the slot
	select {
	case <-returned:
	case <-time.After(30 * time.Second):
		t.Fatal("the waiting firing did not return after the run ended")
	}
	if runs := f.slotRuns(t, j.ID, slot); len(runs) != 1 {
		t.Errorf("runs of the slot = %d, want 1", len(runs))
	}
}
