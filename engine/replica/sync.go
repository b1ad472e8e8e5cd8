package replica

// Sync and Status: a local repository folder's replicas by name, as
// recorded in its replicas.json, opened from their URLs.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cadang/engine"
	"cadang/engine/location"
)

// SyncOptions configure Sync; the zero value copies at the replica's own
// bandwidth limit, deletes nothing and reports nothing.
type SyncOptions struct {
	// BandwidthLimit in bytes per second wins over the replica's recorded
	// one; 0 means the replica's.
	BandwidthLimit int64
	// Delete removes from the replica what forget and prune removed from the
	// repository, after a successful copy (see Mirror). Off by default: an
	// offsite copy that keeps what the source lost protects against mistakes
	// and attacks on the source.
	Delete   bool
	Progress engine.Progress // phase "replicate"; nil reports nothing
	// Now stamps the record; nil means time.Now.
	Now func() time.Time
}

// SyncResult reports one replica sync.
type SyncResult struct {
	Replica Replica  `json:"replica"` // as recorded after the sync
	Copy    *Result  `json:"copy,omitempty"`
	Removed []string `json:"removed,omitempty"`
}

// Sync copies the local repository folder repoDir to its replica called
// name (recorded in repoDir/replicas.json) and records the outcome, success
// or failure, in that file. A cancelled sync is not recorded.
func Sync(ctx context.Context, repoDir, name string, opt SyncOptions) (*SyncResult, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	reg, err := LoadRegistry(repoDir)
	if err != nil {
		return nil, err
	}
	rep, err := reg.Get(name)
	if err != nil {
		return nil, err
	}
	if opt.BandwidthLimit == 0 {
		opt.BandwidthLimit = rep.BandwidthLimit
	}
	out, syncErr := syncTo(ctx, repoDir, rep, opt)
	if errors.Is(syncErr, context.Canceled) {
		return out, syncErr // an interruption is not the replica's failure
	}
	if err := reg.RecordSync(name, opt.Now(), out.Copy, syncErr); err != nil {
		return out, errors.Join(syncErr, err)
	}
	if err := reg.Save(); err != nil {
		return out, errors.Join(syncErr, err)
	}
	out.Replica, _ = reg.Get(name)
	return out, syncErr
}

func syncTo(ctx context.Context, repoDir string, rep Replica, opt SyncOptions) (*SyncResult, error) {
	out := &SyncResult{Replica: rep}
	src, err := location.Open(ctx, repoDir)
	if err != nil {
		return out, err
	}
	defer src.Close()
	dst, err := location.Open(ctx, rep.URL)
	if err != nil {
		return out, fmt.Errorf("replica %s: %w", rep.Name, err)
	}
	defer dst.Close()
	started := time.Now()
	out.Copy, err = Copy(ctx, src, dst, Options{
		BandwidthLimit: opt.BandwidthLimit,
		Progress:       engineProgress{p: opt.Progress, started: started},
	})
	if err != nil {
		return out, fmt.Errorf("replica %s: %w", rep.Name, err)
	}
	if opt.Delete {
		out.Removed, err = Mirror(ctx, src, dst)
		if err != nil {
			return out, fmt.Errorf("replica %s: %w", rep.Name, err)
		}
	}
	return out, nil
}

// engineProgress forwards Stats to an engine.Progress.
type engineProgress struct {
	p       engine.Progress
	started time.Time
}

func (e engineProgress) Report(s Stats) {
	if e.p == nil {
		return
	}
	e.p.Report(engine.ProgressStats{
		Phase:       "replicate",
		FilesDone:   s.FilesDone,
		FilesTotal:  s.FilesTotal,
		BytesDone:   s.BytesDone,
		BytesTotal:  s.BytesTotal,
		CurrentPath: s.CurrentPath,
		Started:     e.started,
	})
}

// Status compares the local repository folder repoDir with its replica
// called name, by file names and sizes (nothing is downloaded).
func Status(ctx context.Context, repoDir, name string) (Replica, Lag, error) {
	reg, err := LoadRegistry(repoDir)
	if err != nil {
		return Replica{}, Lag{}, err
	}
	rep, err := reg.Get(name)
	if err != nil {
		return rep, Lag{}, err
	}
	src, err := location.Open(ctx, repoDir)
	if err != nil {
		return rep, Lag{}, err
	}
	defer src.Close()
	dst, err := location.Open(ctx, rep.URL)
	if err != nil {
		return rep, Lag{}, fmt.Errorf("replica %s: %w", rep.Name, err)
	}
	defer dst.Close()
	lag, err := Compare(ctx, src, dst)
	if err != nil {
		return rep, lag, fmt.Errorf("replica %s: %w", rep.Name, err)
	}
	return rep, lag, nil
}
