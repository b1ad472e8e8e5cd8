package jobs

// Retention removes a job's old snapshots, only the job's own, only by a
// policy the IT manager approved, never one that an open request still
// needs, and never silently: every removed snapshot is recorded in the
// catalog, listed in the execution report of the run that removed it, and
// audited.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"cadang/engine"
	"cadang/store"
)

// DefaultRetention is what a new job keeps unless IT staff choose
// otherwise: the last 10 snapshots (so the backups of one busy day are not
// thinned to one), plus one a day for a week, a week for a month and a
// month for a year.
var DefaultRetention = Retention{KeepLast: 10, KeepDaily: 7, KeepWeekly: 4, KeepMonthly: 12}

func policyOf(r store.Retention) engine.RetentionPolicy {
	return engine.RetentionPolicy{KeepLast: r.KeepLast, KeepDaily: r.KeepDaily, KeepWeekly: r.KeepWeekly,
		KeepMonthly: r.KeepMonthly, KeepYearly: r.KeepYearly}
}

// retentionSpan is how long the policy keeps a snapshot by date: a
// request's snapshot is held that long after the request closes.
func retentionSpan(r store.Retention) time.Duration {
	days := max(r.KeepDaily, 7*r.KeepWeekly, 31*r.KeepMonthly, 366*r.KeepYearly)
	return time.Duration(days) * 24 * time.Hour
}

// heldSnapshots lists the job's snapshots that requests still need: the
// one a restore request will restore (or restored), and the one a backup
// request made, while the request is open and for the job's retention span
// after it closed.
func (s *Service) heldSnapshots(ctx context.Context, j store.Job, own []engine.Snapshot) ([]string, error) {
	reqs, err := s.catalog.Requests(ctx, store.RequestFilter{JobID: j.ID})
	if err != nil {
		return nil, err
	}
	span, now := retentionSpan(j.Retention), s.now()
	var held []string
	for _, r := range reqs {
		if RequestFinal(r.State) && !r.UpdatedAt.Add(span).After(now) {
			continue
		}
		id := r.SnapshotID
		if id == "" && r.Kind == KindRestore {
			if snap, _, err := snapshotAsOf(own, r.RequestedAt); err == nil {
				id = snap.ID
			}
		}
		if id != "" && !slices.Contains(held, id) {
			held = append(held, id)
		}
	}
	return held, nil
}

// retain applies job j's approved retention to its own snapshots and
// records what it removed (runID is the run that did it; 0 by hand).
func (s *Service) retain(ctx context.Context, repo Repository, j store.Job, actor string, runID int64, dryRun bool) (*engine.ForgetResult, error) {
	if j.Retention == (store.Retention{}) {
		return &engine.ForgetResult{}, nil
	}
	if j.ApprovedRevision == "" || j.ApprovedRevision != revisionOf(j) {
		return nil, refusedf("retention of job %s: its policy is not the approved one; nothing is removed until the job is approved again", j.Name)
	}
	if err := s.approvalLogged(ctx, jobObject(j.ID), "retention of job "+j.Name, j.ApprovedRevision); err != nil {
		return nil, err
	}
	all, err := repo.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	held, err := s.heldSnapshots(ctx, j, ownSnapshots(all, j.Name))
	if err != nil {
		return nil, err
	}
	res, ferr := repo.ForgetWith(ctx, engine.ForgetOptions{Policy: policyOf(j.Retention), Tag: jobTag(j.Name), Hold: held, DryRun: dryRun})
	if dryRun || res == nil || len(res.Remove) == 0 {
		return res, ferr
	}
	removed := res.Remove
	if ferr != nil { // stopped part-way: record what is really gone
		left, err := repo.Snapshots(ctx)
		if err != nil {
			return res, ferr
		}
		removed = slices.DeleteFunc(slices.Clone(res.Remove), func(s engine.Snapshot) bool {
			return slices.ContainsFunc(left, func(l engine.Snapshot) bool { return l.ID == s.ID })
		})
	}
	if err := s.recordForgotten(context.WithoutCancel(ctx), j, actor, runID, removed); err != nil {
		return res, err
	}
	return res, ferr
}

// recordForgotten keeps the removed snapshots in the catalog and the audit log.
func (s *Service) recordForgotten(ctx context.Context, j store.Job, actor string, runID int64, removed []engine.Snapshot) error {
	if len(removed) == 0 {
		return nil
	}
	now := s.now()
	names := make([]string, len(removed))
	for i, sn := range removed {
		names[i] = sn.ShortID() + " (" + sn.Time.Local().Format("2006-01-02 15:04") + ")"
	}
	return s.catalog.Update(ctx, func(tx *store.Tx) error {
		for _, sn := range removed {
			if err := tx.AddForgotten(ctx, store.Forgotten{JobID: j.ID, SnapshotID: sn.ID, SnapshotTime: sn.Time, RunID: runID, Actor: actor, At: now}); err != nil {
				return err
			}
		}
		detail := fmt.Sprintf("removed %d snapshots by the approved policy (%s): %s", len(removed), describePolicy(j.Retention), strings.Join(names, ", "))
		if runID != 0 {
			detail = fmt.Sprintf("run #%d ", runID) + detail
		}
		return s.auditIn(ctx, tx, actor, "job.retention", jobObject(j.ID), "", "", detail)
	})
}

func describePolicy(r store.Retention) string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{r.KeepLast, "last"}, {r.KeepDaily, "daily"}, {r.KeepWeekly, "weekly"}, {r.KeepMonthly, "monthly"}, {r.KeepYearly, "yearly"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("keep %s %d", p.what, p.n))
		}
	}
	return strings.Join(parts, ", ")
}

// ApplyRetention forgets the job's own snapshots that its approved
// retention policy does not keep, then prunes the data no snapshot uses
// any more (IT staff, managers, administrators). With dryRun it only says
// what would be removed, so the window can ask first. A job without a
// policy keeps everything and is refused; so is one whose policy was
// changed and not yet approved again.
func (s *Service) ApplyRetention(ctx context.Context, as User, job string, dryRun bool) (*engine.ForgetResult, *engine.PruneResult, error) {
	what := "apply the retention of " + job
	actor, err := s.act(ctx, as, what)
	if err != nil {
		return nil, nil, err
	}
	j, err := s.findJob(ctx, job)
	if err != nil {
		return nil, nil, err
	}
	if err := jobRule(actor, j, ActRetention, s.now(), nil); err != nil {
		return nil, nil, err
	}
	if j.Retention == (store.Retention{}) {
		return nil, nil, refusedf("%s: the job keeps every snapshot (no retention policy); set one in the job first", what)
	}
	repo, err := s.openJobRepository(ctx, j, "")
	if err != nil {
		return nil, nil, err
	}
	defer repo.Close()
	fr, err := s.retain(ctx, repo, j, as.Name, 0, dryRun)
	if err != nil {
		return fr, nil, fmt.Errorf("%s: %w", what, hint(err))
	}
	pr, err := repo.Prune(ctx, dryRun)
	if err != nil {
		return fr, nil, fmt.Errorf("%s: %w", what, hint(err))
	}
	return fr, pr, nil
}
