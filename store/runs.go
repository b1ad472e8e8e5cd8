package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrAlreadyRunning is returned by StartRun while the job has a run in progress.
var ErrAlreadyRunning = errors.New("the job is already running")

// Run is one execution (or one missed execution) of a job.
type Run struct {
	ID              int64
	JobID           int64
	RequestID       int64
	Kind            string // backup, restore
	Trigger         string // schedule, manual, catch-up, request
	Actor           string
	ScheduledAt     time.Time
	StartedAt       time.Time
	FinishedAt      time.Time
	Status          string // running, success, warnings, failed, missed, verified
	Overrun         bool
	SnapshotID      string
	FilesNew        int64
	FilesChanged    int64
	FilesUnmodified int64
	BytesRead       int64
	BytesAdded      int64
	TotalBytes      int64
	Warnings        []RunWarning
	Error           string
	CaughtUp        bool   // a missed run that was later caught up
	Owner           string // "host:pid" of the process carrying out a running run
}

// RunWarning is one path that did not stop a run.
type RunWarning struct {
	Path string `json:"path"`
	Err  string `json:"error"`
}

const runColumns = `id, job_id, request_id, kind, trigger, actor, scheduled_at, started_at, finished_at, status,
	overrun, snapshot_id, files_new, files_changed, files_unmodified, bytes_read, bytes_added, total_bytes,
	warnings, error, caught_up, owner`

func scanRun(row interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var req sql.NullInt64
	var sched, started, finished, warnings string
	if err := row.Scan(&r.ID, &r.JobID, &req, &r.Kind, &r.Trigger, &r.Actor, &sched, &started, &finished, &r.Status,
		&r.Overrun, &r.SnapshotID, &r.FilesNew, &r.FilesChanged, &r.FilesUnmodified, &r.BytesRead, &r.BytesAdded,
		&r.TotalBytes, &warnings, &r.Error, &r.CaughtUp, &r.Owner); err != nil {
		return Run{}, err
	}
	r.RequestID = req.Int64
	r.ScheduledAt, r.StartedAt, r.FinishedAt = parseTime(sched), parseTime(started), parseTime(finished)
	if err := fromJSON(warnings, &r.Warnings); err != nil {
		return Run{}, fmt.Errorf("run #%d warnings: %w", r.ID, err)
	}
	return r, nil
}

func runArgs(r Run) ([]any, error) {
	if r.Warnings == nil {
		r.Warnings = []RunWarning{}
	}
	w, err := toJSON(r.Warnings)
	if err != nil {
		return nil, err
	}
	return []any{r.JobID, nullID(r.RequestID), r.Kind, r.Trigger, r.Actor, fmtTime(r.ScheduledAt), fmtTime(r.StartedAt),
		fmtTime(r.FinishedAt), r.Status, r.Overrun, r.SnapshotID, r.FilesNew, r.FilesChanged, r.FilesUnmodified,
		r.BytesRead, r.BytesAdded, r.TotalBytes, w, r.Error, r.CaughtUp, r.Owner}, nil
}

// InsertRun stores r as is (a missed run, or a finished one) and returns its ID.
// A run with status "running" while another is running wraps ErrAlreadyRunning:
// a unique index makes this hold across processes, not only goroutines.
func (q queries) InsertRun(ctx context.Context, r Run) (int64, error) {
	args, err := runArgs(r)
	if err != nil {
		return 0, fmt.Errorf("record run: %w", err)
	}
	id, err := q.insertID(ctx, `INSERT INTO runs (job_id, request_id, kind, trigger, actor, scheduled_at, started_at,
		finished_at, status, overrun, snapshot_id, files_new, files_changed, files_unmodified, bytes_read, bytes_added,
		total_bytes, warnings, error, caught_up, owner) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, args...)
	if isUniqueViolation(err) {
		return 0, fmt.Errorf("start run of job #%d: %w", r.JobID, ErrAlreadyRunning)
	}
	if err != nil {
		return 0, fmt.Errorf("record run of job #%d: %w", r.JobID, err)
	}
	return id, nil
}

// UpdateRun saves every field of r except ID.
func (q queries) UpdateRun(ctx context.Context, r Run) error {
	args, err := runArgs(r)
	if err != nil {
		return fmt.Errorf("update run #%d: %w", r.ID, err)
	}
	res, err := q.db.ExecContext(ctx, `UPDATE runs SET job_id=?, request_id=?, kind=?, trigger=?, actor=?, scheduled_at=?,
		started_at=?, finished_at=?, status=?, overrun=?, snapshot_id=?, files_new=?, files_changed=?, files_unmodified=?,
		bytes_read=?, bytes_added=?, total_bytes=?, warnings=?, error=?, caught_up=?, owner=? WHERE id=?`, append(args, r.ID)...)
	if err != nil {
		return fmt.Errorf("update run #%d: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update run #%d: %w", r.ID, ErrNotFound)
	}
	return nil
}

// RunByID reads one run.
func (q queries) RunByID(ctx context.Context, id int64) (Run, error) {
	r, err := scanRun(q.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("run #%d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Run{}, fmt.Errorf("read run #%d: %w", id, err)
	}
	return r, nil
}

// RunFilter selects runs; zero fields match everything.
type RunFilter struct {
	JobID    int64
	Kind     string // backup or restore; "" both
	Statuses []string
	From, To time.Time // on scheduled_at, else started_at
	Limit    int
}

// Runs lists runs matching f, newest first.
func (q queries) Runs(ctx context.Context, f RunFilter) ([]Run, error) {
	where, args := []string{"1=1"}, []any{}
	if f.JobID != 0 {
		where, args = append(where, "job_id=?"), append(args, f.JobID)
	}
	if f.Kind != "" {
		where, args = append(where, "kind=?"), append(args, f.Kind)
	}
	if len(f.Statuses) > 0 {
		where = append(where, "status IN (?"+strings.Repeat(",?", len(f.Statuses)-1)+")")
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	const when = "COALESCE(NULLIF(started_at,''), scheduled_at)"
	if !f.From.IsZero() {
		where, args = append(where, when+">=?"), append(args, fmtTime(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, when+"<?"), append(args, fmtTime(f.To))
	}
	sqlText := `SELECT ` + runColumns + ` FROM runs WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + when + ` DESC, id DESC`
	if f.Limit > 0 {
		sqlText += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := q.db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SlotTaken reports whether job jobID already has a run of its schedule
// (of any outcome, missed included; a backup request's runs do not count)
// for the slot at: a slot runs once, whichever scheduler fires it.
func (q queries) SlotTaken(ctx context.Context, jobID int64, at time.Time) (bool, error) {
	var n int
	err := q.db.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE job_id=? AND kind='backup' AND request_id IS NULL AND scheduled_at=?`, jobID, fmtTime(at)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up the %s slot of job #%d: %w", fmtTime(at), jobID, err)
	}
	return n > 0, nil
}
