package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
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
	// The pending retry of a failed sync: its attempt (0-based) and when it
	// is due (zero: none). SaveReplicaState leaves them; SetReplicaRetry and
	// ClaimReplicaRetry change them.
	RetryAttempt int
	RetryAt      time.Time
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
		missing_snapshots, missing_files, missing_bytes, retry_attempt, retry_at FROM replica_state WHERE job_id=?`, jobID)
	if err != nil {
		return nil, fmt.Errorf("list replica states of job #%d: %w", jobID, err)
	}
	defer rows.Close()
	out := map[string]ReplicaState{}
	for rows.Next() {
		r := ReplicaState{JobID: jobID}
		var run sql.NullInt64
		var attempt, synced, retryAt string
		if err := rows.Scan(&r.Name, &r.URL, &run, &r.Status, &r.Error, &attempt, &synced, &r.LagKnown,
			&r.MissingSnapshots, &r.MissingFiles, &r.MissingBytes, &r.RetryAttempt, &retryAt); err != nil {
			return nil, fmt.Errorf("list replica states of job #%d: %w", jobID, err)
		}
		r.RunID, r.LastAttempt, r.LastSync, r.RetryAt = run.Int64, parseTime(attempt), parseTime(synced), parseTime(retryAt)
		out[r.Name] = r
	}
	return out, rows.Err()
}

// SetReplicaRetry records the pending retry of a job's replica (a zero at
// clears it) and reports whether the replica has a recorded state to hold
// it.
func (q queries) SetReplicaRetry(ctx context.Context, jobID int64, name string, attempt int, at time.Time) (bool, error) {
	ok, err := q.updateOne(ctx, `UPDATE replica_state SET retry_attempt=?, retry_at=? WHERE job_id=? AND name=?`,
		attempt, fmtTime(at), jobID, name)
	if err != nil {
		return false, fmt.Errorf("record the retry of replica %s of job #%d: %w", name, jobID, err)
	}
	return ok, nil
}

// ClaimReplicaRetry takes the pending retry (attempt, due at) of a job's
// replica for the caller, clearing it, and reports whether it was still
// there: of several processes that try, exactly one gets it.
func (q queries) ClaimReplicaRetry(ctx context.Context, jobID int64, name string, attempt int, at time.Time) (bool, error) {
	ok, err := q.updateOne(ctx, `UPDATE replica_state SET retry_at='' WHERE job_id=? AND name=? AND retry_attempt=? AND retry_at=?`,
		jobID, name, attempt, fmtTime(at))
	if err != nil {
		return false, fmt.Errorf("claim the retry of replica %s of job #%d: %w", name, jobID, err)
	}
	return ok, nil
}

// PendingReplicaRetries lists every recorded replica retry due at or
// before until, soonest first.
func (q queries) PendingReplicaRetries(ctx context.Context, until time.Time) ([]ReplicaState, error) {
	// Compared here, not in SQL: RFC 3339 text with trimmed fractions does
	// not sort as the times do.
	rows, err := q.db.QueryContext(ctx, `SELECT job_id, name, retry_attempt, retry_at FROM replica_state
		WHERE retry_at <> '' ORDER BY job_id, name`)
	if err != nil {
		return nil, fmt.Errorf("list pending replica retries: %w", err)
	}
	defer rows.Close()
	var out []ReplicaState
	for rows.Next() {
		var r ReplicaState
		var at string
		if err := rows.Scan(&r.JobID, &r.Name, &r.RetryAttempt, &at); err != nil {
			return nil, fmt.Errorf("list pending replica retries: %w", err)
		}
		if r.RetryAt = parseTime(at); !r.RetryAt.IsZero() && !r.RetryAt.After(until) {
			out = append(out, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list pending replica retries: %w", err)
	}
	slices.SortStableFunc(out, func(a, b ReplicaState) int { return a.RetryAt.Compare(b.RetryAt) })
	return out, nil
}
