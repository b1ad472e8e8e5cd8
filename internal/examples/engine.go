package examples

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"cadang/engine"
	"cadang/jobs"
)

// clockedEngine is the real engine (jobs.LocalEngine) seen through the
// examples' fake clock. Only time is simulated: the backups, restores and
// checks are real. The engine stamps a snapshot with the machine's clock;
// here each snapshot keeps the fake time its backup started at, so that a
// request "as of the night of 2 November" finds that night's backup. A
// backup advances the clock by the time it would take on the department's
// network (minutes per gigabyte), so reports show realistic durations.
type clockedEngine struct {
	inner jobs.Engine
	clock *clockwork.FakeClock

	mu    sync.Mutex
	times map[string]time.Time // snapshot ID → fake time
	// damageNext, when set, is a restored file the next restore writes
	// wrong (a write error on the target share), so its check fails once.
	damageNext string
	backups    int // so far, to vary their durations
}

func newClockedEngine(clock *clockwork.FakeClock) *clockedEngine {
	return &clockedEngine{inner: jobs.LocalEngine{}, clock: clock, times: map[string]time.Time{}}
}

func (e *clockedEngine) Open(ctx context.Context, repo, password string, create bool) (jobs.Repository, error) {
	r, err := e.inner.Open(ctx, repo, password, create)
	if err != nil {
		return nil, err
	}
	return &clockedRepo{Repository: r, e: e}, nil
}

type clockedRepo struct {
	jobs.Repository
	e *clockedEngine
}

// simulated is how long the n-th backup takes over the department's LAN:
// two minutes to connect and walk the share over SMB, a quarter second
// to compare each file's metadata, 30 MB/s reading, 15 MB/s writing to
// the repository on the NAS, and the office network's load, which differs
// from night to night (up to 80 s).
func simulated(n int, res *engine.BackupResult) time.Duration {
	files := res.FilesNew + res.FilesChanged + res.FilesUnmodified
	return 2*time.Minute + time.Duration(files)*250*time.Millisecond +
		time.Duration(res.BytesRead/(30<<20))*time.Second + time.Duration(res.BytesAdded/(15<<20))*time.Second +
		time.Duration((n*37)%80)*time.Second
}

func (r *clockedRepo) Backup(ctx context.Context, paths []string, opt engine.BackupOptions) (*engine.BackupResult, error) {
	start := r.e.clock.Now()
	res, err := r.Repository.Backup(ctx, paths, opt)
	if err != nil {
		return res, err
	}
	r.e.mu.Lock()
	r.e.times[res.Snapshot.ID] = start
	r.e.backups++
	n := r.e.backups
	r.e.mu.Unlock()
	res.Snapshot.Time = start
	r.e.clock.Advance(simulated(n, res))
	return res, nil
}

func (r *clockedRepo) Snapshots(ctx context.Context) ([]engine.Snapshot, error) {
	snaps, err := r.Repository.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	r.e.mu.Lock()
	for i, s := range snaps {
		if t, ok := r.e.times[s.ID]; ok {
			snaps[i].Time = t
		}
	}
	r.e.mu.Unlock()
	sort.SliceStable(snaps, func(i, j int) bool { return snaps[i].Time.Before(snaps[j].Time) })
	return snaps, nil
}

func (r *clockedRepo) Restore(ctx context.Context, snap engine.Snapshot, target string, opt engine.RestoreOptions) (*engine.RestoreResult, error) {
	res, err := r.Repository.Restore(ctx, snap, target, opt)
	r.e.clock.Advance(2 * time.Minute)
	r.e.mu.Lock()
	damage := r.e.damageNext
	r.e.damageNext = ""
	r.e.mu.Unlock()
	if err == nil && damage != "" {
		// The share dropped a write: the file is there, its end is not.
		p := filepath.Join(target, filepath.FromSlash(damage))
		if st, serr := os.Stat(p); serr == nil && st.Size() > 4096 {
			if terr := os.Truncate(p, st.Size()-4096); terr != nil {
				return res, terr
			}
		}
	}
	return res, err
}

func (r *clockedRepo) CheckRestored(ctx context.Context, snap engine.Snapshot, target string, opt engine.RestoreOptions) ([]engine.FileCheck, error) {
	checks, err := r.Repository.CheckRestored(ctx, snap, target, opt)
	r.e.clock.Advance(time.Minute)
	return checks, err
}

// clockedReplicator stamps a replica's sync with the fake clock.
type clockedReplicator struct {
	inner jobs.Replicator
	clock *clockwork.FakeClock
}

func (c clockedReplicator) Replicate(ctx context.Context, repo, replica string, p engine.Progress) (jobs.ReplicaResult, error) {
	res, err := c.inner.Replicate(ctx, repo, replica, p)
	c.clock.Advance(45 * time.Second)
	now := c.clock.Now()
	res.LastAttempt = now
	if !res.LastSync.IsZero() {
		res.LastSync = now
	}
	return res, err
}
