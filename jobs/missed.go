package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cadang/store"
)

// recordMissed looks, for every approved job, at the slots that passed
// since its last run (or its approval) without a run. A slot whose window
// is still open runs now; the others are recorded as missed, get an
// execution report, and are offered for catch-up.
func (sc *Scheduler) recordMissed(ctx context.Context) error { return sc.lookBack(ctx, true) }

// runLate is the minute's look back: a slot without a run whose window is
// still open runs now (its timer was lost, or a run of the job was still
// going on when it fired). Nothing is recorded missed: a timer firing at
// this very moment would find its slot taken.
func (sc *Scheduler) runLate(ctx context.Context) error { return sc.lookBack(ctx, false) }

func (sc *Scheduler) lookBack(ctx context.Context, record bool) error {
	s := sc.svc
	jobs, err := s.catalog.Jobs(ctx, JobApproved)
	if err != nil {
		return err
	}
	now := s.now()
	for _, j := range jobs {
		if !sc.mine(j) {
			continue
		}
		if !record && s.approvedAsIs(ctx, j) != nil {
			continue // its timer's start is refused and audited once; no retry each minute
		}
		sched := Schedule{Kind: j.ScheduleKind, WindowStart: j.WindowStart, WindowEnd: j.WindowEnd, Cron: j.Cron, Once: j.OnceAt}
		after, err := sc.lastAccounted(ctx, j)
		if err != nil {
			return err
		}
		for _, slot := range sched.slotsBetween(after, now, maxMissedPerJob) {
			if now.Before(sched.startBy(slot)) {
				id, at := j.ID, slot
				go sc.launch(func(ctx context.Context) { // still inside its window: run it late rather than never
					_, err := s.runBackup(ctx, id, runSpec{trigger: TriggerSchedule, actor: SchedulerActor, account: &sc.account, scheduled: store.Run{ScheduledAt: at}})
					switch {
					case errors.Is(err, ErrSlotTaken), errors.Is(err, ErrAlreadyRunning):
						// its timer fired meanwhile, or a run of the job is still
						// going on here: the next minute's look decides again
						s.log.Debug("late run in window: not now", "job", id, "err", err)
					case err != nil:
						s.log.Error("late run in window", "job", id, "err", err)
					}
				})
				continue
			}
			if !record {
				continue
			}
			if err := s.markMissed(ctx, j, slot); err != nil {
				return err
			}
		}
	}
	return nil
}

// lastAccounted is the newest time already covered for job j: its newest
// run's slot (or start), else the moment it was approved.
func (sc *Scheduler) lastAccounted(ctx context.Context, j store.Job) (time.Time, error) {
	after := j.DecidedAt
	runs, err := sc.svc.catalog.Runs(ctx, store.RunFilter{JobID: j.ID, Limit: 20})
	if err != nil {
		return time.Time{}, err
	}
	for _, r := range runs {
		if r.Kind != KindBackup {
			continue
		}
		t := r.ScheduledAt
		if t.IsZero() {
			t = r.StartedAt
		}
		if t.After(after) {
			after = t
		}
	}
	return after, nil
}

func (s *Service) markMissed(ctx context.Context, j store.Job, slot time.Time) error {
	run := store.Run{JobID: j.ID, Kind: KindBackup, Trigger: TriggerSchedule, Actor: SchedulerActor, ScheduledAt: slot,
		Status: RunMissed, Error: "Cadang was not running during the job's window; catch up with `cadang job catch-up`"}
	err := s.catalog.Update(ctx, func(tx *store.Tx) error {
		// Another scheduler may have recorded (or run) the slot meanwhile.
		if taken, err := tx.SlotTaken(ctx, j.ID, slot); err != nil || taken {
			return errors.Join(err, slotTaken(j, slot, taken))
		}
		var err error
		if run.ID, err = tx.InsertRun(ctx, run); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, SchedulerActor, "run.missed", runObject(run.ID), "", RunMissed, j.Name+" at "+slot.Format("2006-01-02 15:04"))
	})
	if errors.Is(err, ErrSlotTaken) {
		return nil
	}
	if err != nil {
		return err
	}
	s.logRun(j.Name, run)
	if _, err := s.fileExecutionReport(ctx, SchedulerActor, j, run, backupOutcome{}); err != nil {
		s.log.Error("file missed-run report", "run", run.ID, "err", err)
	}
	out := s.runFromStore(ctx, run)
	s.publish(Event{Kind: EventRunMissed, JobID: j.ID, Run: &out, Message: fmt.Sprintf("backup %s missed its %s slot", j.Name, slot.Format("2006-01-02 15:04"))})
	return nil
}

// MissedRuns lists missed runs not yet caught up (the catch-up offer).
func (s *Service) MissedRuns(ctx context.Context, as User) ([]Run, error) {
	all, err := s.Runs(ctx, as, RunFilter{Statuses: []string{RunMissed}})
	if err != nil {
		return nil, err
	}
	var out []Run
	for _, r := range all {
		if !r.CaughtUp && !s.retired(ctx, r.JobID) {
			out = append(out, r)
		}
	}
	return out, nil
}

// CatchUp runs now the job of a missed run (approved jobs only, as always)
// and marks the missed run as caught up.
func (s *Service) CatchUp(ctx context.Context, as User, runID int64, opt RunOptions) (Run, error) {
	if _, err := s.act(ctx, as, fmt.Sprintf("catch up run #%d", runID), requestHandlers...); err != nil {
		return Run{}, err
	}
	missed, err := s.catalog.RunByID(ctx, runID)
	if err != nil {
		return Run{}, err
	}
	if missed.Status != RunMissed || missed.CaughtUp {
		return Run{}, refusedf("catch up run #%d: it is %s, not a missed run waiting for catch-up", runID, missed.Status)
	}
	run, runErr := s.runBackup(ctx, missed.JobID, runSpec{trigger: TriggerCatchUp, actor: as.Name, opt: opt, missed: missed})
	if run.ID == 0 {
		return run, runErr
	}
	missed.CaughtUp = true
	rctx := context.WithoutCancel(ctx)
	err = s.catalog.Update(rctx, func(tx *store.Tx) error {
		if err := tx.UpdateRun(rctx, missed); err != nil {
			return err
		}
		return s.auditIn(rctx, tx, as.Name, "run.caught-up", runObject(missed.ID), RunMissed, RunMissed, fmt.Sprintf("by run #%d", run.ID))
	})
	if err != nil {
		return run, err
	}
	return run, runErr
}
