package engine

// Replication: the engine's entry points over engine/replica, which holds
// the algorithm (see its doc.go for the guarantees) and the replica list.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cadang/engine/backend"
	"cadang/engine/location"
	"cadang/engine/replica"
)

// Replicate copies to dst every repository file it lacks, snapshots last,
// then checks what it copied. Files are copied as stored, so an encrypted
// repository needs no password and stays encrypted. It never deletes from
// dst; see SyncOptions.Delete.
func Replicate(ctx context.Context, src, dst backend.Backend, opt ReplicateOptions) (*ReplicateResult, error) {
	started := time.Now()
	res, err := replica.Copy(ctx, src, dst, replica.Options{
		BandwidthLimit: opt.BandwidthLimit,
		Progress:       replicaProgress{p: opt.Progress, started: started},
	})
	if errors.Is(err, replica.ErrNotRepository) {
		err = fmt.Errorf("replicate %s: %w", src.Location(), ErrNotRepository)
	}
	if res == nil {
		return nil, err
	}
	return &ReplicateResult{
		FilesCopied:  res.FilesCopied,
		BytesCopied:  res.BytesCopied,
		FilesSkipped: res.FilesSkipped,
		Duration:     time.Since(started),
	}, err
}

// replicaProgress forwards replica.Stats as ProgressStats.
type replicaProgress struct {
	p       Progress
	started time.Time
}

func (r replicaProgress) Report(s replica.Stats) {
	if r.p == nil {
		return
	}
	r.p.Report(ProgressStats{
		Phase:       "replicate",
		FilesDone:   s.FilesDone,
		FilesTotal:  s.FilesTotal,
		BytesDone:   s.BytesDone,
		BytesTotal:  s.BytesTotal,
		CurrentPath: s.CurrentPath,
		Started:     r.started,
	})
}

// SyncOptions configure SyncReplica.
type SyncOptions struct {
	ReplicateOptions
	// Delete removes from the replica what forget and prune removed from the
	// repository, after a successful copy (snapshots first). Off by default:
	// an offsite copy that keeps what the source lost protects against
	// mistakes and attacks on the source.
	Delete bool
	// Now stamps the record; nil means time.Now.
	Now func() time.Time
}

// SyncResult reports one replica sync.
type SyncResult struct {
	Replica replica.Replica  `json:"replica"`
	Copy    *ReplicateResult `json:"copy,omitempty"`
	Removed []string         `json:"removed,omitempty"`
}

// SyncReplica copies the local repository folder repoDir to its replica
// called name (recorded in repoDir/replicas.json by `cadang replica add`)
// and records the outcome, success or failure, in that file. A bandwidth
// limit in opt wins over the replica's recorded one.
func SyncReplica(ctx context.Context, repoDir, name string, opt SyncOptions) (*SyncResult, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	reg, err := replica.LoadRegistry(repoDir)
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
	out, syncErr := syncReplica(ctx, repoDir, rep, opt)
	if errors.Is(syncErr, context.Canceled) {
		return out, syncErr // an interruption is not the replica's failure
	}
	if err := reg.RecordSync(name, opt.Now(), replicaResult(out.Copy), syncErr); err != nil {
		return out, errors.Join(syncErr, err)
	}
	if err := reg.Save(); err != nil {
		return out, errors.Join(syncErr, err)
	}
	out.Replica, _ = reg.Get(name)
	return out, syncErr
}

func syncReplica(ctx context.Context, repoDir string, rep replica.Replica, opt SyncOptions) (*SyncResult, error) {
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
	out.Copy, err = Replicate(ctx, src, dst, opt.ReplicateOptions)
	if err != nil {
		return out, fmt.Errorf("replica %s: %w", rep.Name, err)
	}
	if opt.Delete {
		out.Removed, err = replica.Mirror(ctx, src, dst)
		if err != nil {
			return out, fmt.Errorf("replica %s: %w", rep.Name, err)
		}
	}
	return out, nil
}

func replicaResult(r *ReplicateResult) *replica.Result {
	if r == nil {
		return nil
	}
	return &replica.Result{FilesCopied: r.FilesCopied, BytesCopied: r.BytesCopied, FilesSkipped: r.FilesSkipped, Duration: r.Duration}
}

// ReplicaLag compares the local repository folder repoDir with its replica
// called name, by file names and sizes.
func ReplicaLag(ctx context.Context, repoDir, name string) (replica.Replica, replica.Lag, error) {
	reg, err := replica.LoadRegistry(repoDir)
	if err != nil {
		return replica.Replica{}, replica.Lag{}, err
	}
	rep, err := reg.Get(name)
	if err != nil {
		return rep, replica.Lag{}, err
	}
	src, err := location.Open(ctx, repoDir)
	if err != nil {
		return rep, replica.Lag{}, err
	}
	defer src.Close()
	dst, err := location.Open(ctx, rep.URL)
	if err != nil {
		return rep, replica.Lag{}, fmt.Errorf("replica %s: %w", rep.Name, err)
	}
	defer dst.Close()
	lag, err := replica.Compare(ctx, src, dst)
	if err != nil {
		return rep, lag, fmt.Errorf("replica %s: %w", rep.Name, err)
	}
	return rep, lag, nil
}
