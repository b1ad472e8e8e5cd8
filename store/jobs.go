package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Retention mirrors the engine's retention policy; all zero keeps everything.
type Retention struct {
	KeepLast    int `json:"keep_last,omitempty"`
	KeepDaily   int `json:"keep_daily,omitempty"`
	KeepWeekly  int `json:"keep_weekly,omitempty"`
	KeepMonthly int `json:"keep_monthly,omitempty"`
	KeepYearly  int `json:"keep_yearly,omitempty"`
}

// Job is a backup schedule as stored.
type Job struct {
	ID           int64
	Name         string
	Sources      []string
	Repository   string
	PasswordFile string
	Replicas     []string
	Excludes     []string
	Retention    Retention
	ScheduleKind string // window, cron, once
	WindowStart  string // "21:00"
	WindowEnd    string // "23:00"
	Cron         string
	OnceAt       time.Time
	State        string
	Revision     int
	CreatedBy    int64
	SubmittedBy  int64
	DecidedBy    int64
	EditedBy     int64 // who last changed the definition
	// ApprovedRevision is the revision (hash of the definition) the
	// deciding manager saw; only that definition may run.
	ApprovedRevision string
	RepoID           string // the repository's identity, once a run opened or created it
	RepoEncrypted    bool
	// Host names the daemon that runs the job on a shared catalog (where
	// its sources are); "" lets any host's daemon run it.
	Host         string
	DecidedAt    time.Time
	RejectReason string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

const jobColumns = `id, name, sources, repository, password_file, replicas, excludes, retention,
	schedule_kind, window_start, window_end, cron, once_at, state, revision, created_by,
	submitted_by, decided_by, decided_at, reject_reason, created_at, updated_at, edited_by, approved_revision, repo_id, repo_encrypted, host`

func scanJob(row interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var sources, replicas, excludes, retention, onceAt, decidedAt, created, updated string
	var submitted, decided, edited sql.NullInt64
	err := row.Scan(&j.ID, &j.Name, &sources, &j.Repository, &j.PasswordFile, &replicas, &excludes, &retention,
		&j.ScheduleKind, &j.WindowStart, &j.WindowEnd, &j.Cron, &onceAt, &j.State, &j.Revision, &j.CreatedBy,
		&submitted, &decided, &decidedAt, &j.RejectReason, &created, &updated, &edited, &j.ApprovedRevision, &j.RepoID, &j.RepoEncrypted, &j.Host)
	if err != nil {
		return Job{}, err
	}
	j.SubmittedBy, j.DecidedBy, j.EditedBy = submitted.Int64, decided.Int64, edited.Int64
	j.OnceAt, j.DecidedAt, j.CreatedAt, j.UpdatedAt = parseTime(onceAt), parseTime(decidedAt), parseTime(created), parseTime(updated)
	if err := errors.Join(fromJSON(sources, &j.Sources), fromJSON(replicas, &j.Replicas),
		fromJSON(excludes, &j.Excludes), fromJSON(retention, &j.Retention)); err != nil {
		return Job{}, fmt.Errorf("job %q: %w", j.Name, err)
	}
	return j, nil
}

// jobArgs are the values of every column but id, in jobColumns order.
func jobArgs(j Job) ([]any, error) {
	sources, err1 := toJSON(nonNil(j.Sources))
	replicas, err2 := toJSON(nonNil(j.Replicas))
	excludes, err3 := toJSON(nonNil(j.Excludes))
	retention, err4 := toJSON(j.Retention)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return nil, err
	}
	return []any{j.Name, sources, j.Repository, j.PasswordFile, replicas, excludes, retention,
		j.ScheduleKind, j.WindowStart, j.WindowEnd, j.Cron, fmtTime(j.OnceAt), j.State, j.Revision, j.CreatedBy,
		nullID(j.SubmittedBy), nullID(j.DecidedBy), fmtTime(j.DecidedAt), j.RejectReason,
		fmtTime(j.CreatedAt), fmtTime(j.UpdatedAt), nullID(j.EditedBy), j.ApprovedRevision, j.RepoID, j.RepoEncrypted, j.Host}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CreateJob stores a new job and returns its ID; a taken name wraps ErrConflict.
func (q queries) CreateJob(ctx context.Context, j Job) (int64, error) {
	args, err := jobArgs(j)
	if err != nil {
		return 0, fmt.Errorf("create job %q: %w", j.Name, err)
	}
	id, err := q.insertID(ctx, `INSERT INTO jobs (name, sources, repository, password_file, replicas, excludes, retention,
		schedule_kind, window_start, window_end, cron, once_at, state, revision, created_by,
		submitted_by, decided_by, decided_at, reject_reason, created_at, updated_at, edited_by, approved_revision, repo_id, repo_encrypted, host)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, args...)
	if isUniqueViolation(err) {
		return 0, fmt.Errorf("create job %q: %w", j.Name, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("create job %q: %w", j.Name, err)
	}
	return id, nil
}

// UpdateJob saves every field of j except ID.
func (q queries) UpdateJob(ctx context.Context, j Job) error {
	args, err := jobArgs(j)
	if err != nil {
		return fmt.Errorf("update job %q: %w", j.Name, err)
	}
	res, err := q.db.ExecContext(ctx, `UPDATE jobs SET name=?, sources=?, repository=?, password_file=?, replicas=?, excludes=?,
		retention=?, schedule_kind=?, window_start=?, window_end=?, cron=?, once_at=?, state=?, revision=?, created_by=?,
		submitted_by=?, decided_by=?, decided_at=?, reject_reason=?, created_at=?, updated_at=?, edited_by=?,
		approved_revision=?, repo_id=?, repo_encrypted=?, host=? WHERE id=?`, append(args, j.ID)...)
	if isUniqueViolation(err) {
		return fmt.Errorf("update job %q: %w", j.Name, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("update job %q: %w", j.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update job %q: %w", j.Name, ErrNotFound)
	}
	return nil
}

// JobByID reads one job; missing wraps ErrNotFound.
func (q queries) JobByID(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(q.db.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, fmt.Errorf("job #%d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("read job #%d: %w", id, err)
	}
	return j, nil
}

// JobByName reads one job by name (case-insensitive); missing wraps ErrNotFound.
func (q queries) JobByName(ctx context.Context, name string) (Job, error) {
	j, err := scanJob(q.db.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE name=?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, fmt.Errorf("job %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("read job %q: %w", name, err)
	}
	return j, nil
}

// Jobs lists jobs by name; a non-empty state filters.
func (q queries) Jobs(ctx context.Context, state string) ([]Job, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE (?='' OR state=?) ORDER BY name`, state, state)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("list jobs: %w", err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// SetJobRepository records the identity of the repository a job writes.
func (q queries) SetJobRepository(ctx context.Context, id int64, repoID string, encrypted bool) error {
	res, err := q.db.ExecContext(ctx, `UPDATE jobs SET repo_id=?, repo_encrypted=? WHERE id=?`, repoID, encrypted, id)
	if err != nil {
		return fmt.Errorf("record the repository of job #%d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("record the repository of job #%d: %w", id, ErrNotFound)
	}
	return nil
}
