package jobs

import (
	"context"
	"errors"
	"time"

	"cadang/engine"
	"cadang/engine/replica"
)

// EngineReplicator syncs a job's repository to the replicas recorded in the
// repository folder (replicas.json, written by `cadang replica add`), through
// the same engine function as `cadang replica sync`.
type EngineReplicator struct {
	// Now stamps the sync in replicas.json; nil means time.Now. The
	// Service passes its own clock, so the catalog and the list agree.
	Now func() time.Time
}

var _ Replicator = EngineReplicator{}

// Replicate copies what the replica lacks and checks it; the outcome is also
// recorded in replicas.json, so `cadang replica list` shows the job's syncs.
// Then it measures what the replica still lacks (replica.Status): after a
// failed sync that is how many snapshots the offsite copy is behind.
func (er EngineReplicator) Replicate(ctx context.Context, repo, name string, p engine.Progress) (ReplicaResult, error) {
	now := er.Now
	if now == nil {
		now = time.Now
	}
	st := ReplicaResult{Name: name, Status: ReplicaOK, LastAttempt: now()}
	res, err := replica.Sync(ctx, repo, name, replica.SyncOptions{Progress: p, Now: now})
	if res != nil {
		st.URL, st.LastSync = res.Replica.URL, res.Replica.LastSync
		if !res.Replica.LastAttempt.IsZero() {
			// The very time replicas.json holds: the dashboard takes the
			// registry instead only when a later sync wrote it.
			st.LastAttempt = res.Replica.LastAttempt
		}
	}
	switch {
	case errors.Is(err, replica.ErrUnknownReplica):
		// Named by the job but never added: nothing to sync or measure.
		st.Status, st.Error = ReplicaNotConfigured, err.Error()
		return st, err
	case err != nil:
		st.Status, st.Error = ReplicaFailed, err.Error()
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return st, err
	}
	if rep, lag, lerr := replica.Status(ctx, repo, name); lerr == nil {
		st.URL = rep.URL
		st.Lag = &ReplicaLag{Snapshots: lag.MissingSnapshots, Files: lag.MissingFiles, Bytes: lag.MissingBytes}
	}
	return st, err
}
