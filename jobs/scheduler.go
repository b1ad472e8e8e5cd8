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
//
// On a shared catalog a scheduler runs the jobs of its host (SetHost;
// default this machine's name) and, if it leads them, the jobs that name
// no host. Several schedulers may serve one host (two daemons, or a daemon
// and a window): the one holding the host's lead (an advisory lock of the
// catalog, lost when its process dies) runs them; the others stand by and
// try to take the lead at every minute's refresh. Whoever takes it first
// marks the runs of dead processes as interrupted and applies the
// missed-run rules. A slot runs at most once whatever happens: the run's
// start checks, under the catalog's write lock, that the slot has none.
// On SQLite every scheduler runs every job, as before; the slot check
// holds there too.
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

	host    string // whose jobs it runs on a shared catalog
	leading bool   // it holds its host's lead (always, on SQLite)
	anyHost bool   // it holds the lead of the jobs that name no host

	// refreshed, when set (by a test, before Start), is called after each
	// minute's refresh.
	refreshed func()

	// inFlight holds the slots a firing is starting, running or waiting
	// for, under mu (enterSlot).
	inFlight map[slotKey]bool
}

// slotKey is one slot of one job.
type slotKey struct {
	job  int64
	slot int64 // Unix seconds
}

// enterSlot reports whether no other firing of job's slot is in runSlot,
// and if so marks one in until leave is called. gocron can fire one slot
// more than once: under a test's fake clock, every millisecond while the
// clock stands at the slot. Each firing that found the job's run going on
// waited for its end, so thousands of goroutines piled up, each holding
// or waiting for a database connection, until the test process ran out of
// memory (23 GB in a CI run, on PostgreSQL).
func (sc *Scheduler) enterSlot(job int64, slot time.Time) (leave func(), ok bool) {
	k := slotKey{job, slot.Unix()}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.inFlight[k] {
		return nil, false
	}
	if sc.inFlight == nil {
		sc.inFlight = map[slotKey]bool{}
	}
	sc.inFlight[k] = true
	return func() {
		sc.mu.Lock()
		delete(sc.inFlight, k)
		sc.mu.Unlock()
	}, true
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
	return &Scheduler{svc: s, gs: gs, account: as, host: ThisHost()}, nil
}

// Account is the account the scheduler acts as.
func (sc *Scheduler) Account() User { return sc.account }

// SetHost makes the scheduler run the jobs of host on a shared catalog
// (`cadang daemon --host`); call it before Start.
func (sc *Scheduler) SetHost(host string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.host = host
}

// Host is the host whose jobs the scheduler runs.
func (sc *Scheduler) Host() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.host
}

// Leading reports whether the scheduler runs its host's jobs now, rather
// than standing by for another scheduler of the same host.
func (sc *Scheduler) Leading() bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.leading
}

// Lead names: a host's jobs, and the jobs that name no host.
func hostLead(host string) string { return "host:" + host }

const anyHostLead = "host:*"

// mine reports whether this scheduler runs job j now.
func (sc *Scheduler) mine(j store.Job) bool {
	if !sc.svc.catalog.Shared() {
		return true
	}
	return j.Host == sc.host || j.Host == "" && sc.anyHost
}

// Start records missed runs, schedules every approved job and approved
// backup request, and follows later changes until Stop.
func (sc *Scheduler) Start(ctx context.Context) error {
	sc.mu.Lock()
	sc.ctx, sc.cancel = context.WithCancel(ctx)
	sc.mu.Unlock()
	s := sc.svc
	if err := sc.tryLead(ctx); err != nil {
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
// "running" by a process that is gone; alive tells (see ownerLives).
func (s *Service) failInterrupted(ctx context.Context, alive func(owner string) bool) (int, error) {
	running, err := s.catalog.Runs(ctx, store.RunFilter{Statuses: []string{RunRunning}})
	if err != nil {
		return 0, fmt.Errorf("close interrupted runs: %w", err)
	}
	n := 0
	for _, r := range running {
		if alive(r.Owner) {
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
	return errors.Join(err, sc.releaseLead())
}

// tryLead takes the lead of the scheduler's host if it is free and then
// starts leading: the runs of dead processes are marked interrupted, the
// missed slots are recorded (or run late, inside their window), and the
// approved jobs are scheduled. Standing by is no error.
func (sc *Scheduler) tryLead(ctx context.Context) error {
	s := sc.svc
	sc.mu.Lock()
	host, leading := sc.host, sc.leading
	sc.mu.Unlock()
	if leading {
		return nil
	}
	got, err := s.catalog.TryLead(ctx, hostLead(host))
	if err != nil || !got {
		return err
	}
	anyHost := false
	if s.catalog.Shared() {
		if anyHost, err = s.catalog.TryLead(ctx, anyHostLead); err != nil {
			return err
		}
		s.log.Info("scheduler leads its host", "host", host, "jobs without a host", anyHost)
	}
	sc.mu.Lock()
	sc.leading, sc.anyHost = true, anyHost
	sc.mu.Unlock()
	if n, err := s.failInterrupted(ctx, s.ownerLives(ctx)); err != nil {
		return err
	} else if n > 0 {
		s.log.Warn("runs interrupted by a previous stop were marked failed", "count", n)
	}
	if err := sc.recordMissed(ctx); err != nil {
		return err
	}
	return sc.reload()
}

// keepLead checks, on a shared catalog, that the scheduler still leads
// (a lost connection loses the lead: it stops scheduling and stands by),
// takes the lead of the jobs without a host when it is free, and marks
// the runs of processes that died meanwhile as interrupted.
func (sc *Scheduler) keepLead(ctx context.Context) error {
	s := sc.svc
	sc.mu.Lock()
	host, anyHost := sc.host, sc.anyHost
	sc.mu.Unlock()
	still, err := s.catalog.Leading(ctx, hostLead(host))
	if err != nil || !still {
		s.log.Warn("scheduler lost the lead of its host; standing by", "host", host, "err", err)
		sc.mu.Lock()
		sc.leading, sc.anyHost = false, false
		sc.mu.Unlock()
		return errors.Join(err, s.catalog.ReleaseLead(ctx, anyHostLead), sc.reload())
	}
	if !anyHost {
		got, err := s.catalog.TryLead(ctx, anyHostLead)
		if err != nil {
			return err
		}
		if got {
			sc.mu.Lock()
			sc.anyHost = true
			sc.mu.Unlock()
			if err := sc.recordMissed(ctx); err != nil {
				return err
			}
		}
	}
	n, err := s.failInterrupted(ctx, s.ownerLives(ctx))
	if n > 0 {
		s.log.Warn("runs of processes that stopped were marked failed", "count", n)
	}
	return err
}

// releaseLead hands the host's lead to a scheduler standing by.
func (sc *Scheduler) releaseLead() error {
	sc.mu.Lock()
	host, leading := sc.host, sc.leading
	sc.leading, sc.anyHost = false, false
	sc.mu.Unlock()
	if !leading || !sc.svc.catalog.Shared() {
		return nil
	}
	ctx := context.Background()
	return errors.Join(sc.svc.catalog.ReleaseLead(ctx, hostLead(host)), sc.svc.catalog.ReleaseLead(ctx, anyHostLead))
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
	if !sc.leading {
		sc.fingerprint = ""
		return nil // standing by: another scheduler runs the host's jobs
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
	all, err := sc.svc.catalog.Jobs(ctx, JobApproved)
	if err != nil {
		return nil, nil, "", err
	}
	var jobs []store.Job
	for _, j := range all {
		if sc.mine(j) {
			jobs = append(jobs, j)
		}
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

// refresh reloads when another process changed what is approved, and
// every minute runs late, inside its window, a slot that has no run: its
// timer was dropped by a reload at that moment or skipped when the clock
// jumped past it (a suspended machine, a corrected clock), or it fired
// while the job's previous run was still going on. Never twice
// (ErrSlotTaken); slots whose window closed are recorded missed when a
// scheduler takes the lead.
func (sc *Scheduler) refresh() {
	if sc.refreshed != nil {
		defer sc.refreshed()
	}
	sc.mu.Lock()
	ctx := sc.ctx
	sc.mu.Unlock()
	if ctx == nil || ctx.Err() != nil {
		return
	}
	if sc.svc.catalog.Shared() {
		var err error
		if sc.Leading() {
			err = sc.keepLead(ctx)
		} else {
			err = sc.tryLead(ctx)
		}
		if err != nil {
			sc.svc.log.Error("lead of the host's schedule", "err", err)
			return
		}
	}
	sc.mu.Lock()
	last, leading := sc.fingerprint, sc.leading
	sc.mu.Unlock()
	if !leading {
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
	if err := sc.runLate(ctx); err != nil {
		sc.svc.log.Error("look for slots without a run", "err", err)
	}
	if err := sc.svc.resumeReplicaRetries(ctx, sc.mine); err != nil {
		sc.svc.log.Error("look for offsite copy retries left by a stopped process", "err", err)
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
	// No singleton mode: it drops, silently, a firing that comes while
	// the task of the job's previous firing still runs (its backup, or
	// the report it files after the run is recorded), so the slot had no
	// run until the minute's look back found it. runSlot waits instead.
	_, err := sc.gs.NewJob(def, gocron.NewTask(func() {
		slot := sched.slotAt(sc.svc.now()) // named as it fires, however long its start waits
		sc.launch(func(ctx context.Context) { sc.runSlot(ctx, id, sched, slot) })
	}), gocron.WithName(j.Name), gocron.WithTags(strconv.FormatInt(j.ID, 10)))
	if err != nil {
		return fmt.Errorf("schedule job %s: %w", j.Name, err)
	}
	return nil
}

// runSlot starts job id's run for slot. While a run of the job goes on
// in this process (the previous slot's, or a late start of this one), it
// waits for that run's end, then starts the slot if its window is still
// open; the slot check under the write lock keeps it to one run. A
// second firing of a slot already in runSlot returns at once.
func (sc *Scheduler) runSlot(ctx context.Context, id int64, sched Schedule, slot time.Time) {
	leave, first := sc.enterSlot(id, slot)
	if !first {
		return // the firing already in runSlot starts this slot, or finds it taken
	}
	defer leave()
	s := sc.svc
	for {
		_, err := s.runBackup(ctx, id, runSpec{trigger: TriggerSchedule, actor: SchedulerActor, account: &sc.account,
			scheduled: store.Run{ScheduledAt: slot}})
		switch {
		case errors.Is(err, errRunningHere):
			if ended := s.running.ended(id); ended != nil {
				select {
				case <-ended:
				case <-ctx.Done():
					return
				}
			}
			if !s.now().Before(sched.startBy(slot)) {
				s.log.Warn("scheduled run: the job's previous run went on past this slot's window", "job", id,
					"slot", slot.Format("2006-01-02 15:04"))
				return
			}
			continue // checks the job's approval again, as every start does
		case errors.Is(err, ErrSlotTaken):
			s.log.Info("scheduled run: another scheduler ran this slot", "job", id)
		case errors.Is(err, ErrAlreadyRunning):
			// another process runs the job: the minute's look back runs the slot later in its window
			s.log.Warn("scheduled run: a run of the job is still going on in another process", "job", id)
		case err != nil:
			s.log.Error("scheduled run", "job", id, "err", err)
		}
		return
	}
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
