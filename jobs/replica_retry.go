package jobs

// Retrying a failed offsite copy: a run's sync that failed (a link down, a
// cloud quota hit) is tried again after 30 minutes, 1 hour and 2 hours, not
// left for the next night. The process that ran the backup (the window or
// a daemon) arms each retry on the Service's clock and records it in the
// catalog, so every workstation sees when it comes. A retry whose process
// is gone (a daemon restarted, the window closed) is still due: a leading
// scheduler takes it over once it is overdue (resumeReplicaRetries). Each
// try first claims the recorded retry, so that of the processes that may
// hold it exactly one runs it.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"cadang/engine"
	"cadang/store"
)

// DefaultReplicaRetryDelays are the waits before each retry of a failed
// offsite copy: three tries over the next three and a half hours.
var DefaultReplicaRetryDelays = []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour}

type retryKey struct {
	job  int64
	name string
}

// replicaRetries holds the pending retry of each failed (job, replica).
type replicaRetries struct {
	delays []time.Duration
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	pending map[retryKey]pendingRetry
	wg      sync.WaitGroup
}

// pendingRetry is an armed retry and when it is due; recorded says the
// catalog holds it (a try then claims it first).
type pendingRetry struct {
	timer    clockwork.Timer
	at       time.Time
	recorded bool
}

// replicaRetryGrace is how long past its time a recorded retry waits for
// the process that armed it before a leading scheduler takes it over.
const replicaRetryGrace = 2 * time.Minute

func newReplicaRetries(delays []time.Duration) *replicaRetries {
	ctx, cancel := context.WithCancel(context.Background())
	return &replicaRetries{delays: delays, ctx: ctx, cancel: cancel, pending: map[retryKey]pendingRetry{}}
}

// close stops the pending retries and waits for one in progress.
func (rr *replicaRetries) close() {
	rr.mu.Lock()
	rr.cancel()
	for k, p := range rr.pending {
		p.timer.Stop()
		delete(rr.pending, k)
	}
	rr.mu.Unlock()
	rr.wg.Wait()
}

// retryReplicaLater starts the retries of a job's replica after its run's
// sync failed, unless they are already under way.
func (s *Service) retryReplicaLater(jobID int64, name string) {
	s.scheduleReplicaRetry(retryKey{jobID, name}, 0, false)
}

// scheduleReplicaRetry arms retry number attempt (0-based) and records it
// in the catalog; next says it follows a failed retry, which replaces the
// pending timer.
func (s *Service) scheduleReplicaRetry(k retryKey, attempt int, next bool) {
	rr := s.replRetry
	rr.mu.Lock()
	if rr.ctx.Err() != nil || attempt >= len(rr.delays) {
		rr.mu.Unlock()
		return
	}
	if _, busy := rr.pending[k]; busy && !next {
		rr.mu.Unlock()
		return
	}
	at := s.clock.Now().Add(rr.delays[attempt])
	rr.mu.Unlock()
	// Recorded before it is armed: the try claims what is recorded.
	recorded, err := s.catalog.SetReplicaRetry(rr.ctx, k.job, k.name, attempt, at)
	if err != nil {
		s.log.Error("record replica retry", "job", k.job, "replica", k.name, "err", err)
	}
	rr.mu.Lock()
	defer rr.mu.Unlock()
	s.armReplicaRetry(k, attempt, at, rr.delays[attempt], recorded)
}

// armReplicaRetry sets the timer of a retry (caller holds replRetry.mu).
func (s *Service) armReplicaRetry(k retryKey, attempt int, at time.Time, wait time.Duration, recorded bool) {
	rr := s.replRetry
	if rr.ctx.Err() != nil {
		return
	}
	if p, ok := rr.pending[k]; ok {
		p.timer.Stop()
	}
	timer := s.clock.AfterFunc(wait, func() {
		rr.mu.Lock()
		if rr.ctx.Err() != nil {
			rr.mu.Unlock()
			return
		}
		rr.wg.Add(1) // under mu: never concurrent with close's Wait
		rr.mu.Unlock()
		defer rr.wg.Done()
		s.retryReplica(rr.ctx, k, attempt, at, recorded)
	})
	rr.pending[k] = pendingRetry{timer, at, recorded}
}

// resumeReplicaRetries takes over the recorded retries that are overdue
// (their process is gone) for the jobs mine says this scheduler runs.
func (s *Service) resumeReplicaRetries(ctx context.Context, mine func(store.Job) bool) error {
	due, err := s.catalog.PendingReplicaRetries(ctx, s.now().Add(-replicaRetryGrace))
	if err != nil {
		return err
	}
	for _, r := range due {
		k := retryKey{r.JobID, r.Name}
		j, err := s.catalog.JobByID(ctx, r.JobID)
		if err != nil || !mine(j) {
			continue
		}
		rr := s.replRetry
		rr.mu.Lock()
		if p, held := rr.pending[k]; !held || !p.at.Equal(r.RetryAt) {
			s.log.Info("taking over an overdue offsite copy retry", "job", j.Name, "replica", r.Name, "due", r.RetryAt)
			s.armReplicaRetry(k, r.RetryAttempt, r.RetryAt, 0, true)
		}
		rr.mu.Unlock()
	}
	return nil
}

// cancelReplicaRetry ends a pending retry, here and in the catalog: the
// replica was synced, or the job no longer covers it.
func (s *Service) cancelReplicaRetry(ctx context.Context, jobID int64, name string) {
	rr := s.replRetry
	rr.mu.Lock()
	k := retryKey{jobID, name}
	if p, ok := rr.pending[k]; ok {
		p.timer.Stop()
		delete(rr.pending, k)
	}
	rr.mu.Unlock()
	if _, err := s.catalog.SetReplicaRetry(ctx, jobID, name, 0, time.Time{}); err != nil {
		s.log.Error("clear replica retry", "job", jobID, "replica", name, "err", err)
	}
}

// cancelReplicaRetries ends every pending retry of a replica (removed).
func (s *Service) cancelReplicaRetries(name string) {
	rr := s.replRetry
	rr.mu.Lock()
	defer rr.mu.Unlock()
	for k, p := range rr.pending {
		if k.name == name {
			p.timer.Stop()
			delete(rr.pending, k)
		}
	}
}

// PendingReplicaRetries says how many failed offsite copies wait for a retry.
func (s *Service) PendingReplicaRetries() int {
	s.replRetry.mu.Lock()
	defer s.replRetry.mu.Unlock()
	return len(s.replRetry.pending)
}

// nextReplicaRetry is when this process next retries the failed copy of a
// job to a replica; false when it holds no retry of it.
func (s *Service) nextReplicaRetry(jobID int64, name string) (time.Time, bool) {
	s.replRetry.mu.Lock()
	defer s.replRetry.mu.Unlock()
	p, ok := s.replRetry.pending[retryKey{jobID, name}]
	return p.at, ok
}

// retryReplica tries one failed offsite copy again, as the scheduler, and
// arms the next try or, after the last, tells the tray. A recorded retry
// is claimed first: another process may have run it already.
func (s *Service) retryReplica(ctx context.Context, k retryKey, attempt int, at time.Time, recorded bool) {
	total := len(s.replRetry.delays)
	if recorded {
		mine, err := s.catalog.ClaimReplicaRetry(ctx, k.job, k.name, attempt, at)
		if err != nil {
			// The catalog is unreachable: a sync tried twice is harmless, a
			// retry never tried is the loss this exists to prevent.
			s.log.Error("claim replica retry", "job", k.job, "replica", k.name, "err", err)
		} else if !mine {
			s.forgetReplicaRetry(k, at)
			return
		}
	}
	j, err := s.catalog.JobByID(ctx, k.job)
	if err != nil || j.State != JobApproved || !slices.Contains(j.Replicas, k.name) {
		// Changed, paused or deleted since: its approval no longer covers the copy.
		s.cancelReplicaRetry(ctx, k.job, k.name)
		return
	}
	st, syncErr := s.repl.Replicate(ctx, j.Repository, k.name, engine.NopProgress{})
	if errors.Is(syncErr, context.Canceled) || ctx.Err() != nil {
		return
	}
	st = s.filledReplicaState(k.name, st, syncErr)
	detail := fmt.Sprintf("retry %d of %d: up to date", attempt+1, total)
	if syncErr != nil {
		detail = fmt.Sprintf("retry %d of %d: %v", attempt+1, total, syncErr)
	}
	if err := s.audit(ctx, SchedulerActor, "replica.retry", replicaObject(k.name), "", st.Status, j.Name+", "+detail); err != nil {
		s.log.Error("audit replica retry", "job", j.Name, "replica", k.name, "err", err)
	}
	final := syncErr != nil && attempt+1 >= total
	switch {
	case final:
		s.cancelReplicaRetry(ctx, k.job, k.name)
	case syncErr != nil:
		s.scheduleReplicaRetry(k, attempt+1, true)
	} // up to date: settleReplica ends the retries
	s.settleReplica(ctx, []store.Job{j}, 0, k.name, st, syncErr)
	if final {
		s.publish(Event{Kind: EventReplicaFailed, JobID: j.ID, Replica: k.name,
			Message: fmt.Sprintf("offsite copy %s of %s still fails after %d retries: %v", k.name, j.Name, total, syncErr)})
	}
}

// forgetReplicaRetry drops this process's timer of a retry another process
// ran, unless a later one replaced it.
func (s *Service) forgetReplicaRetry(k retryKey, at time.Time) {
	rr := s.replRetry
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if p, ok := rr.pending[k]; ok && p.at.Equal(at) {
		delete(rr.pending, k)
	}
}
