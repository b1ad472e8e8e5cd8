package jobs

// Retrying a failed offsite copy: a run's sync that failed (a link down, a
// cloud quota hit) is tried again after 30 minutes, 1 hour and 2 hours, not
// left for the next night. The retries run in this process (the window or
// the daemon) on the Service's clock; closing the workspace drops them.

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

// pendingRetry is an armed retry and when it is due.
type pendingRetry struct {
	timer clockwork.Timer
	at    time.Time
}

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

// scheduleReplicaRetry arms retry number attempt (0-based); next says it
// follows a failed retry, which replaces the pending timer.
func (s *Service) scheduleReplicaRetry(k retryKey, attempt int, next bool) {
	rr := s.replRetry
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if rr.ctx.Err() != nil || attempt >= len(rr.delays) {
		return
	}
	if _, busy := rr.pending[k]; busy && !next {
		return
	}
	at := s.clock.Now().Add(rr.delays[attempt])
	timer := s.clock.AfterFunc(rr.delays[attempt], func() {
		rr.mu.Lock()
		if rr.ctx.Err() != nil {
			rr.mu.Unlock()
			return
		}
		rr.wg.Add(1) // under mu: never concurrent with close's Wait
		rr.mu.Unlock()
		defer rr.wg.Done()
		s.retryReplica(rr.ctx, k, attempt)
	})
	rr.pending[k] = pendingRetry{timer, at}
}

// cancelReplicaRetry ends a pending retry: the replica was synced.
func (s *Service) cancelReplicaRetry(jobID int64, name string) {
	rr := s.replRetry
	rr.mu.Lock()
	defer rr.mu.Unlock()
	k := retryKey{jobID, name}
	if p, ok := rr.pending[k]; ok {
		p.timer.Stop()
		delete(rr.pending, k)
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
// job to a replica; false when no retry is pending.
func (s *Service) nextReplicaRetry(jobID int64, name string) (time.Time, bool) {
	s.replRetry.mu.Lock()
	defer s.replRetry.mu.Unlock()
	p, ok := s.replRetry.pending[retryKey{jobID, name}]
	return p.at, ok
}

// retryReplica tries one failed offsite copy again, as the scheduler, and
// arms the next try or, after the last, tells the tray.
func (s *Service) retryReplica(ctx context.Context, k retryKey, attempt int) {
	total := len(s.replRetry.delays)
	j, err := s.catalog.JobByID(ctx, k.job)
	if err != nil || j.State != JobApproved || !slices.Contains(j.Replicas, k.name) {
		// Changed, paused or deleted since: its approval no longer covers the copy.
		s.cancelReplicaRetry(k.job, k.name)
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
	if syncErr != nil && !final {
		s.scheduleReplicaRetry(k, attempt+1, true)
	} else {
		s.cancelReplicaRetry(k.job, k.name)
	}
	s.settleReplica(ctx, []store.Job{j}, 0, k.name, st, syncErr)
	if final {
		s.publish(Event{Kind: EventReplicaFailed, JobID: j.ID, Replica: k.name,
			Message: fmt.Sprintf("offsite copy %s of %s still fails after %d retries: %v", k.name, j.Name, total, syncErr)})
	}
}
