package jobs

// A repository may hold the snapshots of several jobs. Each snapshot
// carries its job's tag ("job:NAME", a job keeps its name for good), and
// everything the procedure does with snapshots (restore selection, the
// browser, retention, the reports) looks only at the job's own.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"cadang/engine"
	"cadang/store"
)

// jobTag marks a snapshot as made by a job.
func jobTag(name string) string { return "job:" + name }

// ownSnapshots keeps the snapshots that carry the job's tag, oldest first.
func ownSnapshots(all []engine.Snapshot, job string) []engine.Snapshot {
	tag := jobTag(job)
	var out []engine.Snapshot
	for _, s := range all {
		if slices.Contains(s.Tags, tag) {
			out = append(out, s)
		}
	}
	return out
}

// errNoBackupAsOf says a job has no backup at or before a requested time.
var errNoBackupAsOf = errors.New("no backup at or before the requested time")

// snapshotAsOf picks the job's newest snapshot at or before at; without
// one, it returns errNoBackupAsOf and the nearest later snapshot, if any.
func snapshotAsOf(own []engine.Snapshot, at time.Time) (engine.Snapshot, *engine.Snapshot, error) {
	for i := len(own) - 1; i >= 0; i-- {
		if !own[i].Time.After(at) {
			return own[i], nil, nil
		}
	}
	if len(own) > 0 {
		return engine.Snapshot{}, &own[0], errNoBackupAsOf
	}
	return engine.Snapshot{}, nil, errNoBackupAsOf
}

// noBackupMessage says what a person needs when no backup fits a time.
func noBackupMessage(job string, at time.Time, nearest *engine.Snapshot) string {
	msg := fmt.Sprintf("job %s has no backup at or before %s", job, FormatAsOf(at))
	if nearest != nil {
		return msg + fmt.Sprintf("; the nearest is %s (snapshot %s): correct the request's time", nearest.Time.Local().Format("2006-01-02 15:04:05"), nearest.ShortID())
	}
	return msg + "; it has no backups yet"
}

// openJobRepository opens for reading (never creating one) a job's
// repository, or with replica that copy of it.
func (s *Service) openJobRepository(ctx context.Context, j store.Job, replica string) (Repository, error) {
	pw, err := readPasswordFile(s.passwordFileOf(ctx, j))
	if err != nil {
		return nil, err
	}
	return s.openCopy(ctx, j, replica, pw)
}

// jobSnapshotAt finds the snapshot a restore of job j as of at would use.
func (s *Service) jobSnapshotAt(ctx context.Context, j store.Job, replica string, at time.Time) (engine.Snapshot, *engine.Snapshot, error) {
	repo, err := s.openJobRepository(ctx, j, replica)
	if err != nil {
		return engine.Snapshot{}, nil, err
	}
	defer repo.Close()
	all, err := repo.Snapshots(ctx)
	if err != nil {
		return engine.Snapshot{}, nil, err
	}
	return snapshotAsOf(ownSnapshots(all, j.Name), at)
}

// RequestSnapshot says which backup a restore request will restore, or why
// none fits its time (the nearest one is in the message).
func (s *Service) RequestSnapshot(ctx context.Context, as User, id int64) (engine.Snapshot, error) {
	actor, err := s.act(ctx, as, "show request")
	if err != nil {
		return engine.Snapshot{}, err
	}
	r, err := s.catalog.RequestByID(ctx, id)
	if err != nil {
		return engine.Snapshot{}, err
	}
	if err := requestVisible(actor, r); err != nil {
		return engine.Snapshot{}, err
	}
	if r.Kind != KindRestore {
		return engine.Snapshot{}, fmt.Errorf("request #%d is a backup request: it restores nothing", id)
	}
	j, err := s.catalog.JobByID(ctx, r.JobID)
	if err != nil {
		return engine.Snapshot{}, err
	}
	snap, nearest, err := s.jobSnapshotAt(ctx, j, r.Replica, r.RequestedAt)
	if errors.Is(err, errNoBackupAsOf) {
		return engine.Snapshot{}, fmt.Errorf("%s: %w", noBackupMessage(j.Name, r.RequestedAt, nearest), engine.ErrNoSnapshot)
	}
	return snap, err
}
