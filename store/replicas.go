package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ReplicaState is one replica of a job as its last sync attempt left it.
type ReplicaState struct {
	JobID       int64
	Name        string
	URL         string
	RunID       int64 // the run that synced it
	Status      string
	Error       string
	LastAttempt time.Time
	LastSync    time.Time // end of the last successful sync
	LagKnown    bool      // the lag below was measured
	// How far the replica was behind the repository right after the attempt.
	MissingSnapshots, MissingFiles int
	MissingBytes                   int64
}

// SaveReplicaState records a replica's state, replacing the one before.
func (q queries) SaveReplicaState(ctx context.Context, r ReplicaState) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO replica_state (job_id, name, url, run_id, status, error, last_attempt,
		last_sync, lag_known, missing_snapshots, missing_files, missing_bytes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (job_id, name) DO UPDATE SET url=excluded.url, run_id=excluded.run_id, status=excluded.status,
		error=excluded.error, last_attempt=excluded.last_attempt, last_sync=excluded.last_sync, lag_known=excluded.lag_known,
		missing_snapshots=excluded.missing_snapshots, missing_files=excluded.missing_files, missing_bytes=excluded.missing_bytes`,
		r.JobID, r.Name, r.URL, nullID(r.RunID), r.Status, r.Error, fmtTime(r.LastAttempt), fmtTime(r.LastSync), r.LagKnown,
		r.MissingSnapshots, r.MissingFiles, r.MissingBytes)
	if err != nil {
		return fmt.Errorf("save state of replica %s of job #%d: %w", r.Name, r.JobID, err)
	}
	return nil
}

// ReplicaStates lists the recorded replicas of a job by name.
func (q queries) ReplicaStates(ctx context.Context, jobID int64) (map[string]ReplicaState, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT name, url, run_id, status, error, last_attempt, last_sync, lag_known,
		missing_snapshots, missing_files, missing_bytes FROM replica_state WHERE job_id=?`, jobID)
	if err != nil {
		return nil, fmt.Errorf("list replica states of job #%d: %w", jobID, err)
	}
	defer rows.Close()
	out := map[string]ReplicaState{}
	for rows.Next() {
		r := ReplicaState{JobID: jobID}
		var run sql.NullInt64
		var attempt, synced string
		if err := rows.Scan(&r.Name, &r.URL, &run, &r.Status, &r.Error, &attempt, &synced, &r.LagKnown,
			&r.MissingSnapshots, &r.MissingFiles, &r.MissingBytes); err != nil {
			return nil, fmt.Errorf("list replica states of job #%d: %w", jobID, err)
		}
		r.RunID, r.LastAttempt, r.LastSync = run.Int64, parseTime(attempt), parseTime(synced)
		out[r.Name] = r
	}
	return out, rows.Err()
}
