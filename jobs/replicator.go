package jobs

import (
	"context"

	"cadang/engine"
)

// EngineReplicator syncs a job's repository to the replicas recorded in the
// repository folder (replicas.json, written by `cadang replica add`), through
// the same engine function as `cadang replica sync`.
type EngineReplicator struct{}

var _ Replicator = EngineReplicator{}

// Replicate copies what the replica lacks and checks it; the outcome is also
// recorded in replicas.json, so `cadang replica list` shows the job's syncs.
func (EngineReplicator) Replicate(ctx context.Context, repo, name string, p engine.Progress) (ReplicaResult, error) {
	res, err := engine.SyncReplica(ctx, repo, name, engine.SyncOptions{ReplicateOptions: engine.ReplicateOptions{Progress: p}})
	st := ReplicaResult{Name: name, Status: "ok"}
	if res != nil {
		st.URL, st.LastSync = res.Replica.URL, res.Replica.LastSync
	}
	if err != nil {
		st.Status = "failed"
		return st, err
	}
	return st, nil
}
