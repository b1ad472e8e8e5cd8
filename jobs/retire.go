package jobs

import (
	"context"
	"fmt"
	"strings"

	"cadang/store"
)

// JobRetired is the state of a deleted job. Deleting a job retires it: it
// is never scheduled or run again and lists hide it, but its runs, filed
// documents and audit history stay in the catalog (SOP 5.5: documents are
// kept under control), and its repository is left untouched on disk.
const JobRetired = "retired"

// JobAny, given as the state to Jobs, lists every job including retired ones.
const JobAny = "any"

// RetireJob deletes (retires) a job (IT staff, managers, administrators).
// A job that is running now is refused: wait for the run to end. Retiring
// is final; nothing un-retires a job (define a new one instead).
func (s *Service) RetireJob(ctx context.Context, as User, ref string) (Job, error) {
	what := "delete job " + ref
	if _, err := s.act(ctx, as, what, jobEditors...); err != nil {
		return Job{}, err
	}
	j, err := s.findJob(ctx, ref)
	if err != nil {
		return Job{}, err
	}
	if j.State == JobRetired {
		return Job{}, refusedf("%s: the job is already deleted", what)
	}
	if err := s.recordsRule(ctx, j, ActDelete); err != nil {
		return Job{}, err
	}
	// Holding the run guard keeps this process from starting the job while
	// it is retired; the catalog's running row covers another process.
	if !s.running.acquire(j.ID) {
		return Job{}, refusedf("%s: it is running now; wait for the run to end (or cancel it), then delete it", what)
	}
	defer s.running.release(j.ID)
	running, err := s.catalog.Runs(ctx, store.RunFilter{JobID: j.ID, Statuses: []string{RunRunning}, Limit: 1})
	if err != nil {
		return Job{}, fmt.Errorf("%s: %w", what, err)
	}
	if len(running) > 0 {
		return Job{}, refusedf("%s: it is running now; wait for the run to end (or cancel it), then delete it", what)
	}
	from := j.State
	j.State, j.UpdatedAt = JobRetired, s.now()
	detail := "repository kept at " + j.Repository
	if len(j.Replicas) > 0 {
		detail += "; replicas kept: " + strings.Join(j.Replicas, ", ")
	}
	err = s.catalog.Update(ctx, func(tx *store.Tx) error {
		cur, err := tx.JobByID(ctx, j.ID)
		if err != nil {
			return err
		}
		if cur.State != from {
			return refusedf("%s: it changed meanwhile (it is %s now); look again", what, cur.State)
		}
		if err := tx.UpdateJob(ctx, j); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, as.Name, "job.delete", jobObject(j.ID), from, JobRetired, detail)
	})
	if err != nil {
		return Job{}, err
	}
	s.jobsChanged(j.ID)
	return s.jobFromStore(ctx, j), nil
}

// errRetired refuses work on a deleted job.
func errRetired(what, name string) error {
	return refusedf("%s: job %s is deleted; define a new job instead", what, name)
}

// retired reports whether a job is deleted: its missed runs are no longer
// offered for catch-up.
func (s *Service) retired(ctx context.Context, jobID int64) bool {
	j, err := s.catalog.JobByID(ctx, jobID)
	return err == nil && j.State == JobRetired
}
