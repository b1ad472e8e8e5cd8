package jobs

// Browsing a job's snapshots (the restore wizard) and checking again, file
// by file, what a restore wrote.

import (
	"context"
	"fmt"

	"cadang/engine"
)

// openForReading opens a job's repository, or with replica one of its
// replicas, without creating it, for browsing and checking (IT staff,
// managers, administrators).
func (s *Service) openForReading(ctx context.Context, as User, what, ref, replica string) (Repository, error) {
	if _, err := s.act(ctx, as, what, requestHandlers...); err != nil {
		return nil, err
	}
	j, err := s.findJob(ctx, ref)
	if err != nil {
		return nil, err
	}
	pw, err := readPasswordFile(s.passwordFileOf(ctx, j))
	if err != nil {
		return nil, err
	}
	return s.openCopy(ctx, j, replica, pw)
}

// Snapshots lists the job's own snapshots in its repository, or with
// replica in that replica of it, oldest first: a repository shared with
// other jobs shows only this one's (IT staff, managers, administrators).
func (s *Service) Snapshots(ctx context.Context, as User, job, replica string) ([]engine.Snapshot, error) {
	repo, err := s.openForReading(ctx, as, "browse the snapshots of "+job, job, replica)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	j, err := s.findJob(ctx, job)
	if err != nil {
		return nil, err
	}
	all, err := repo.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	return ownSnapshots(all, j.Name), nil
}

// SnapshotFiles lists one directory ("" or "/" for the top) of a snapshot
// of a job's repository or, with replica, of that replica.
func (s *Service) SnapshotFiles(ctx context.Context, as User, job, replica string, snap engine.Snapshot, dir string) ([]engine.Node, error) {
	repo, err := s.openForReading(ctx, as, "browse the snapshots of "+job, job, replica)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	return repo.List(ctx, snap, dir)
}

// VerifyRepository checks a job's repository, or with replica one of its
// replicas: its structure and, with readData, every byte (IT staff,
// managers, administrators). The result lists any damage; a cancelled
// check returns context.Canceled.
func (s *Service) VerifyRepository(ctx context.Context, as User, job, replica string, readData bool, p engine.Progress) (*engine.VerifyResult, error) {
	repo, err := s.openForReading(ctx, as, "verify the repository of "+job, job, replica)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	if p == nil {
		p = engine.NopProgress{}
	}
	res, err := repo.Verify(ctx, engine.VerifyOptions{ReadData: readData, Progress: p})
	if err != nil {
		return nil, fmt.Errorf("verify the repository of %s: %w", job, hint(err))
	}
	detail := fmt.Sprintf("%d snapshots, %d packs, read data %v: %d problems", res.Snapshots, res.Packs, readData, len(res.Damage))
	if replica != "" {
		detail = "replica " + replica + ": " + detail
	}
	j, err := s.findJob(ctx, job)
	if err != nil {
		return res, err
	}
	return res, s.audit(ctx, as.Name, "repository.verify", jobObject(j.ID), "", "", detail)
}

// RestoreChecks checks again, file by file, what a restore request put in
// its target against the snapshot it came from, so the window can show the
// verification result per file (the filed verification report lists the
// same). It reads every restored file (IT staff, managers, administrators).
func (s *Service) RestoreChecks(ctx context.Context, as User, id int64, p engine.Progress) ([]engine.FileCheck, error) {
	what := fmt.Sprintf("check restore request #%d", id)
	if _, err := s.act(ctx, as, what, requestHandlers...); err != nil {
		return nil, err
	}
	r, err := s.catalog.RequestByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Kind != KindRestore || r.SnapshotID == "" || r.Target == "" {
		return nil, refusedf("%s: it has not restored anything yet", what)
	}
	repo, err := s.openForReading(ctx, as, what, fmt.Sprint(r.JobID), r.Replica)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	snaps, err := repo.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	for _, sn := range snaps {
		if sn.ID == r.SnapshotID {
			if p == nil {
				p = engine.NopProgress{}
			}
			return repo.CheckRestored(ctx, sn, r.Target, engine.RestoreOptions{Include: r.Include, Progress: p})
		}
	}
	return nil, fmt.Errorf("%s: snapshot %s is no longer in the repository: %w", what, shortID(r.SnapshotID), engine.ErrNoSnapshot)
}
