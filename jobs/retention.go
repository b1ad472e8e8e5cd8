package jobs

import (
	"context"
	"fmt"

	"cadang/engine"
	"cadang/store"
)

// ApplyRetention forgets the snapshots of a job's repository that its
// retention policy does not keep, then prunes the data no snapshot uses
// any more (IT staff, managers, administrators). With dryRun it only says
// what would be removed, so the window can ask first. A job without a
// policy keeps everything and is refused.
func (s *Service) ApplyRetention(ctx context.Context, as User, job string, dryRun bool) (*engine.ForgetResult, *engine.PruneResult, error) {
	what := "apply the retention of " + job
	if _, err := s.act(ctx, as, what, requestHandlers...); err != nil {
		return nil, nil, err
	}
	j, err := s.findJob(ctx, job)
	if err != nil {
		return nil, nil, err
	}
	pol := j.Retention
	if pol == (store.Retention{}) {
		return nil, nil, refusedf("%s: the job keeps every snapshot (no retention policy); set one in the job first", what)
	}
	pw, err := readPasswordFile(j.PasswordFile)
	if err != nil {
		return nil, nil, err
	}
	repo, err := s.engine.Open(ctx, j.Repository, pw, false)
	if err != nil {
		return nil, nil, hint(err)
	}
	defer repo.Close()
	policy := engine.RetentionPolicy{KeepLast: pol.KeepLast, KeepDaily: pol.KeepDaily, KeepWeekly: pol.KeepWeekly, KeepMonthly: pol.KeepMonthly, KeepYearly: pol.KeepYearly}
	fr, err := repo.Forget(ctx, policy, dryRun)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, hint(err))
	}
	pr, err := repo.Prune(ctx, dryRun)
	if err != nil {
		return fr, nil, fmt.Errorf("%s: %w", what, hint(err))
	}
	if !dryRun {
		detail := fmt.Sprintf("%d snapshots removed, %d kept, %d bytes freed", len(fr.Remove), len(fr.Keep), pr.BytesFreed)
		if err := s.audit(ctx, as.Name, "job.retention", jobObject(j.ID), "", "", detail); err != nil {
			return fr, pr, err
		}
	}
	return fr, pr, nil
}
