package store

import (
	"context"
	"fmt"
	"time"
)

// Forgotten is a snapshot that a job's retention removed from its
// repository: reports that cite it say so, and the execution report of
// the run that removed it lists it.
type Forgotten struct {
	JobID        int64
	SnapshotID   string
	SnapshotTime time.Time
	RunID        int64 // the run whose retention removed it (0: applied by hand)
	Actor        string
	At           time.Time
}

// AddForgotten records a removed snapshot; recording it twice keeps the first.
func (q queries) AddForgotten(ctx context.Context, f Forgotten) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO forgotten (job_id, snapshot_id, snapshot_time, run_id, actor, at)
		VALUES (?,?,?,?,?,?) ON CONFLICT (job_id, snapshot_id) DO NOTHING`,
		f.JobID, f.SnapshotID, fmtTime(f.SnapshotTime), nullID(f.RunID), f.Actor, fmtTime(f.At))
	if err != nil {
		return fmt.Errorf("record forgotten snapshot %s of job #%d: %w", f.SnapshotID, f.JobID, err)
	}
	return nil
}

// ForgottenSnapshots lists what retention removed, oldest snapshot first;
// jobID 0 lists every job's.
func (q queries) ForgottenSnapshots(ctx context.Context, jobID int64) ([]Forgotten, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT job_id, snapshot_id, snapshot_time, COALESCE(run_id, 0), actor, at
		FROM forgotten WHERE (?=0 OR job_id=?) ORDER BY snapshot_time, snapshot_id`, jobID, jobID)
	if err != nil {
		return nil, fmt.Errorf("list forgotten snapshots: %w", err)
	}
	defer rows.Close()
	var out []Forgotten
	for rows.Next() {
		var f Forgotten
		var st, at string
		if err := rows.Scan(&f.JobID, &f.SnapshotID, &st, &f.RunID, &f.Actor, &at); err != nil {
			return nil, fmt.Errorf("list forgotten snapshots: %w", err)
		}
		f.SnapshotTime, f.At = parseTime(st), parseTime(at)
		out = append(out, f)
	}
	return out, rows.Err()
}
