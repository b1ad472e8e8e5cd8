package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"

	"cadang/store"
)

// SchedulerActor is the name the audit log shows for unattended runs.
const SchedulerActor = "scheduler"

// maxMissedPerJob bounds how many missed slots one start records per job
// (a machine off for a month should not bury the register).
const maxMissedPerJob = 7

// Scheduler starts approved jobs at their times with gocron. gocron keeps
// no state across restarts, so at Start the catalog decides what was
// missed while Cadang was not running.
type Scheduler struct {
	svc *Service
	gs  gocron.Scheduler
	// account is who the scheduler acts as: every start checks it again,
	// so disabling or locking it stops the scheduled runs.
	account User

	mu          sync.Mutex
	ctx         context.Context
	cancel      context.CancelFunc
	wg          sync.WaitGroup
	fingerprint string // of what reload last scheduled
	stopped     bool
}

// refreshTag marks the minute job that notices changes made by another
// process (the command line while the window or the daemon runs).
const refreshTag = "cadang:refresh"

// NewScheduler builds the scheduler on the Service's clock, acting as
// the given account (IT staff, a manager or an administrator: the window's
// signed-in person, or the daemon's service account).
func (s *Service) NewScheduler(ctx context.Context, as User) (*Scheduler, error) {
	if _, err := s.act(ctx, as, "run the scheduler", capabilityRoles[CapRunScheduler]...); err != nil {
		return nil, err
	}
	gs, err := gocron.NewScheduler(gocron.WithClock(s.clock), gocron.WithLocation(time.Local))
	if err != nil {
		return nil, fmt.Errorf("start scheduler: %w", err)
	}
	return &Scheduler{svc: s, gs: gs, account: as}, nil
}

// Account is the account the scheduler acts as.
func (sc *Scheduler) Account() User { return sc.account }

// Start records missed runs, schedules every approved job and approved
// backup request, and follows later changes until Stop.
func (sc *Scheduler) Start(ctx context.Context) error {
	sc.mu.Lock()
	sc.ctx, sc.cancel = context.WithCancel(ctx)
	sc.mu.Unlock()
	s := sc.svc
	if n, err := s.failInterrupted(ctx); err != nil {
		return err
	} else if n > 0 {
		s.log.Warn("runs interrupted by a previous stop were marked failed", "count", n)
	}
	if err := sc.recordMissed(ctx); err != nil {
		return err
	}
	if err := sc.reload(); err != nil {
		return err
	}
	_, err := sc.gs.NewJob(gocron.DurationJob(time.Minute), gocron.NewTask(sc.refresh), gocron.WithTags(refreshTag),
		gocron.WithName("refresh schedule"), gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	s.hooksMu.Lock()
	s.onJobsChanged = func() {
		if err := sc.reload(); err != nil {
			s.log.Error("reload schedule", "err", err)
		}
	}
	s.hooksMu.Unlock()
	sc.gs.Start()
	return nil
}

// failInterrupted marks failed, each with its audit entry, the runs left
// "running" by a process that is gone.
func (s *Service) failInterrupted(ctx context.Context) (int, error) {
	running, err := s.catalog.Runs(ctx, store.RunFilter{Statuses: []string{RunRunning}})
	if err != nil {
		return 0, fmt.Errorf("close interrupted runs: %w", err)
	}
	n := 0
	for _, r := range running {
		if ownerAlive(r.Owner) {
			continue
		}
		r.Status, r.FinishedAt, r.Error = RunFailed, s.now(), "interrupted: Cadang stopped during the run"
		if err := s.saveRun(ctx, SchedulerActor, r, "run.interrupted", RunRunning); err != nil {
			return n, fmt.Errorf("close interrupted run #%d: %w", r.ID, err)
		}
		n++
	}
	return n, nil
}

// Stop stops scheduling, cancels running work and waits for it to record its result.
func (sc *Scheduler) Stop() error {
	s := sc.svc
	s.hooksMu.Lock()
	s.onJobsChanged = nil
	s.hooksMu.Unlock()
	sc.mu.Lock()
	sc.stopped = true // no launch adds to wg from now on, so Wait below is safe
	if sc.cancel != nil {
		sc.cancel()
	}
	sc.mu.Unlock()
	err := sc.gs.Shutdown()
	sc.wg.Wait()
	return err
}

// NextRuns maps job IDs to their next scheduled start.
func (sc *Scheduler) NextRuns() map[int64]time.Time {
	out := map[int64]time.Time{}
	for _, j := range sc.gs.Jobs() {
		for _, tag := range j.Tags() {
			id, err := strconv.ParseInt(tag, 10, 64)
			if err != nil {
				continue
			}
			if next, err := j.NextRun(); err == nil && !next.IsZero() {
				if cur, ok := out[id]; !ok || next.Before(cur) {
					out[id] = next
				}
			}
		}
	}
	return out
}

// reload replaces gocron's jobs with the catalog's approved ones.
func (sc *Scheduler) reload() error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	s := sc.svc
	ctx := sc.ctx
	if ctx == nil || ctx.Err() != nil {
		return nil
	}
	for _, j := range sc.gs.Jobs() {
		if slices.Contains(j.Tags(), refreshTag) {
			continue
		}
		if err := sc.gs.RemoveJob(j.ID()); err != nil && !errors.Is(err, gocron.ErrJobNotFound) {
			return fmt.Errorf("reload schedule: %w", err)
		}
	}
	jobs, reqs, fp, err := sc.approved(ctx)
	if err != nil {
		return err
	}
	sc.fingerprint = fp
	now := s.now()
	for _, j := range jobs {
		if err := sc.scheduleJob(j, now); err != nil {
			return err
		}
	}
	approvedJob := map[int64]bool{}
	for _, j := range jobs {
		approvedJob[j.ID] = true
	}
	for _, r := range reqs {
		if !approvedJob[r.JobID] {
			continue // its job was changed or paused: it waits for the job's approval
		}
		if err := sc.scheduleRequest(r, now); err != nil {
			return err
		}
	}
	return nil
}

// approved reads what may be scheduled, and a fingerprint that changes
// whenever any of it does.
func (sc *Scheduler) approved(ctx context.Context) ([]store.Job, []store.Request, string, error) {
	jobs, err := sc.svc.catalog.Jobs(ctx, JobApproved)
	if err != nil {
		return nil, nil, "", err
	}
	reqs, err := sc.svc.catalog.Requests(ctx, store.RequestFilter{States: []string{RequestApproved}, Kind: KindBackup})
	if err != nil {
		return nil, nil, "", err
	}
	var fp strings.Builder
	for _, j := range jobs {
		fmt.Fprintf(&fp, "j%d.%d.%s;", j.ID, j.Revision, j.UpdatedAt.Format(time.RFC3339Nano))
	}
	for _, r := range reqs {
		fmt.Fprintf(&fp, "r%d.%s;", r.ID, r.UpdatedAt.Format(time.RFC3339Nano))
	}
	return jobs, reqs, fp.String(), nil
}

// refresh reloads when another process changed what is approved.
func (sc *Scheduler) refresh() {
	sc.mu.Lock()
	ctx, last := sc.ctx, sc.fingerprint
	sc.mu.Unlock()
	if ctx == nil || ctx.Err() != nil {
		return
	}
	_, _, fp, err := sc.approved(ctx)
	if err != nil {
		sc.svc.log.Error("check schedule for changes", "err", err)
		return
	}
	if fp != last {
		if err := sc.reload(); err != nil {
			sc.svc.log.Error("reload schedule", "err", err)
		}
	}
}

func (sc *Scheduler) scheduleJob(j store.Job, now time.Time) error {
	sched := Schedule{Kind: j.ScheduleKind, WindowStart: j.WindowStart, WindowEnd: j.WindowEnd, Cron: j.Cron, Once: j.OnceAt}
	var def gocron.JobDefinition
	if sched.Kind == ScheduleOnce {
		if !sched.Once.After(now) {
			return nil // past: recordMissed offered it for catch-up
		}
		def = gocron.OneTimeJob(gocron.OneTimeJobStartDateTime(sched.Once))
	} else {
		def = gocron.CronJob(sched.cronSpec(), false)
	}
	id := j.ID
	_, err := sc.gs.NewJob(def, gocron.NewTask(func() {
		sc.launch(func(ctx context.Context) {
			if _, err := sc.svc.runBackup(ctx, id, runSpec{trigger: TriggerSchedule, actor: SchedulerActor, account: &sc.account,
				scheduled: store.Run{ScheduledAt: sc.svc.now().Truncate(time.Minute)}}); err != nil {
				sc.svc.log.Error("scheduled run", "job", id, "err", err)
			}
		})
	}), gocron.WithName(j.Name), gocron.WithTags(strconv.FormatInt(j.ID, 10)), gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		return fmt.Errorf("schedule job %s: %w", j.Name, err)
	}
	return nil
}

// scheduleRequest runs an approved backup request at its requested time
// (at once when that time has passed).
func (sc *Scheduler) scheduleRequest(r store.Request, now time.Time) error {
	start := gocron.OneTimeJobStartImmediately()
	if r.RequestedAt.After(now) {
		start = gocron.OneTimeJobStartDateTime(r.RequestedAt)
	}
	id := r.ID
	_, err := sc.gs.NewJob(gocron.OneTimeJob(start), gocron.NewTask(func() {
		sc.launch(func(ctx context.Context) {
			actor, err := sc.svc.act(ctx, sc.account, "start a scheduled request", capabilityRoles[CapRunScheduler]...)
			if err == nil {
				_, err = sc.svc.runRequest(ctx, actor, SchedulerActor, id, RunRequestOptions{}, TriggerSchedule)
			}
			if err != nil {
				sc.svc.log.Error("scheduled request", "request", id, "err", err)
			}
		})
	}), gocron.WithName(requestObject(r.ID)), gocron.WithTags(strconv.FormatInt(r.JobID, 10), requestObject(r.ID)),
		gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		return fmt.Errorf("schedule request #%d: %w", r.ID, err)
	}
	return nil
}

// launch runs fn under the scheduler's context and lets Stop wait for it.
func (sc *Scheduler) launch(fn func(ctx context.Context)) {
	sc.mu.Lock()
	ctx := sc.ctx
	if sc.stopped || ctx == nil || ctx.Err() != nil {
		sc.mu.Unlock()
		return
	}
	sc.wg.Add(1) // under mu: never concurrent with Stop's Wait
	sc.mu.Unlock()
	defer sc.wg.Done()
	fn(ctx)
}
