package jobs

import (
	"context"
	"errors"
	"fmt"

	"cadang/engine"
	"cadang/store"
)

// ErrRepositoryChanged means a job's location no longer holds the
// repository the job wrote before: it is missing (an unmounted share) or
// another one is there.
var ErrRepositoryChanged = errors.New("the job's repository is not the one it wrote before")

// openRunRepository opens the job's repository for a run. Only a job that
// never made a backup may create one; the identity of the repository it
// opens or creates is then recorded, and every later run must find that
// same repository, encrypted as it was. A missing or different repository
// fails the run with the reason: Cadang never starts a new repository in
// an empty mount point.
func (s *Service) openRunRepository(ctx context.Context, j store.Job, actor string) (Repository, error) {
	pw, err := readPasswordFile(s.passwordFileOf(ctx, j))
	if err != nil {
		return nil, err
	}
	known := j.RepoID != ""
	backedUp := false
	if !known {
		runs, err := s.catalog.Runs(ctx, store.RunFilter{JobID: j.ID, Statuses: []string{RunSuccess, RunWarnings}, Limit: 1})
		if err != nil {
			return nil, err
		}
		backedUp = len(runs) > 0
	}
	repo, err := s.engine.Open(ctx, j.Repository, pw, !known && !backedUp)
	if errors.Is(err, engine.ErrNotRepository) && (known || backedUp) {
		return nil, fmt.Errorf("%w: no repository at %s any more (the job's is %s): is the share or disk mounted? Cadang does not create a new one in its place",
			ErrRepositoryChanged, j.Repository, orUnknown(j.RepoID))
	}
	if err != nil {
		return nil, hint(err)
	}
	fail := func(err error) (Repository, error) {
		repo.Close() //nolint:errcheck // cleanup after a failure
		return nil, err
	}
	if pw != "" && !repo.Encrypted() {
		return fail(fmt.Errorf("%w: the repository at %s is not encrypted, but the job has a password: refusing to write it in the clear", ErrRepositoryChanged, j.Repository))
	}
	switch {
	case !known:
		err := s.catalog.Update(ctx, func(tx *store.Tx) error {
			if err := tx.SetJobRepository(ctx, j.ID, repo.ID(), repo.Encrypted()); err != nil {
				return err
			}
			return s.auditIn(ctx, tx, actor, "job.repository", jobObject(j.ID), "", "",
				fmt.Sprintf("repository %s at %s (encrypted: %t) recorded", repo.ID(), j.Repository, repo.Encrypted()))
		})
		if err != nil {
			return fail(err)
		}
	default:
		if err := sameRepository(j, repo, j.Repository); err != nil {
			return fail(err)
		}
	}
	return repo, nil
}

// sameRepository refuses, once the job's repository is known, any other
// one at where (the job's location or one of its replicas, which keep its
// ID): a restore, retention, the browser and the audit anchors read only
// the repository the job wrote, as a backup does.
func sameRepository(j store.Job, repo Repository, where string) error {
	switch {
	case j.RepoID == "":
		return nil
	case repo.ID() != j.RepoID:
		return fmt.Errorf("%w: the repository at %s is %s, but the job's is %s: it was replaced or the share points elsewhere",
			ErrRepositoryChanged, where, repo.ID(), j.RepoID)
	case repo.Encrypted() != j.RepoEncrypted:
		return fmt.Errorf("%w: the repository at %s says encrypted=%t, but it was encrypted=%t", ErrRepositoryChanged,
			where, repo.Encrypted(), j.RepoEncrypted)
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "not yet recorded"
	}
	return s
}
