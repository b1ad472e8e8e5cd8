package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Request is a user's backup or restore request as stored.
type Request struct {
	ID           int64
	Kind         string // backup, restore
	JobID        int64
	RequesterID  int64
	Department   string
	Reason       string
	RequestedAt  time.Time
	Target       string
	State        string
	DecidedBy    int64
	DecidedAt    time.Time
	RejectReason string
	Attempts     int
	SnapshotID   string
	Number       string   // the request form's document number, once filed
	ReschedBy    int64    // who last rescheduled it
	Include      []string // restore: snapshot paths to bring back; empty = the whole snapshot
	Overwrite    bool     // restore: existing files in the target may be replaced
	// ApprovedRevision is the revision (hash of kind, job, time, target,
	// include set and overwrite) the deciding manager saw.
	ApprovedRevision string
	// Replica is the copy a restore reads from: "" the job's repository,
	// else the name of one of the job's replicas.
	Replica   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

const requestColumns = `id, kind, job_id, requester_id, department, reason, requested_at, target, state,
	decided_by, decided_at, reject_reason, attempts, snapshot_id, number, created_at, updated_at, rescheduled_by, include, overwrite, approved_revision, replica`

func scanRequest(row interface{ Scan(...any) error }) (Request, error) {
	var r Request
	var requested, decidedAt, created, updated string
	var include string
	var decided, resched sql.NullInt64
	if err := row.Scan(&r.ID, &r.Kind, &r.JobID, &r.RequesterID, &r.Department, &r.Reason, &requested, &r.Target,
		&r.State, &decided, &decidedAt, &r.RejectReason, &r.Attempts, &r.SnapshotID, &r.Number, &created, &updated, &resched, &include, &r.Overwrite, &r.ApprovedRevision, &r.Replica); err != nil {
		return Request{}, err
	}
	if err := fromJSON(include, &r.Include); err != nil {
		return Request{}, fmt.Errorf("request #%d: include list: %w", r.ID, err)
	}
	r.DecidedBy, r.ReschedBy = decided.Int64, resched.Int64
	r.RequestedAt, r.DecidedAt, r.CreatedAt, r.UpdatedAt = parseTime(requested), parseTime(decidedAt), parseTime(created), parseTime(updated)
	return r, nil
}

func requestArgs(r Request) ([]any, error) {
	include := r.Include
	if include == nil {
		include = []string{}
	}
	inc, err := toJSON(include)
	if err != nil {
		return nil, err
	}
	return []any{r.Kind, r.JobID, r.RequesterID, r.Department, r.Reason, fmtTime(r.RequestedAt), r.Target, r.State,
		nullID(r.DecidedBy), fmtTime(r.DecidedAt), r.RejectReason, r.Attempts, r.SnapshotID, r.Number,
		fmtTime(r.CreatedAt), fmtTime(r.UpdatedAt), nullID(r.ReschedBy), inc, r.Overwrite, r.ApprovedRevision, r.Replica}, nil
}

// CreateRequest stores a new request and returns its ID.
func (q queries) CreateRequest(ctx context.Context, r Request) (int64, error) {
	args, err := requestArgs(r)
	if err != nil {
		return 0, fmt.Errorf("create request: %w", err)
	}
	id, err := q.insertID(ctx, `INSERT INTO requests (kind, job_id, requester_id, department, reason, requested_at,
		target, state, decided_by, decided_at, reject_reason, attempts, snapshot_id, number, created_at, updated_at, rescheduled_by, include, overwrite, approved_revision, replica)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, args...)
	if err != nil {
		return 0, fmt.Errorf("create request: %w", err)
	}
	return id, nil
}

// UpdateRequest saves every field of r except ID.
func (q queries) UpdateRequest(ctx context.Context, r Request) error {
	args, err := requestArgs(r)
	if err != nil {
		return fmt.Errorf("update request #%d: %w", r.ID, err)
	}
	res, err := q.db.ExecContext(ctx, `UPDATE requests SET kind=?, job_id=?, requester_id=?, department=?, reason=?,
		requested_at=?, target=?, state=?, decided_by=?, decided_at=?, reject_reason=?, attempts=?, snapshot_id=?,
		number=?, created_at=?, updated_at=?, rescheduled_by=?, include=?, overwrite=?, approved_revision=?, replica=? WHERE id=?`, append(args, r.ID)...)
	if err != nil {
		return fmt.Errorf("update request #%d: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update request #%d: %w", r.ID, ErrNotFound)
	}
	return nil
}

// RequestByID reads one request; missing wraps ErrNotFound.
func (q queries) RequestByID(ctx context.Context, id int64) (Request, error) {
	r, err := scanRequest(q.db.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM requests WHERE id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, fmt.Errorf("request #%d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Request{}, fmt.Errorf("read request #%d: %w", id, err)
	}
	return r, nil
}

// RequestFilter selects requests; zero fields match everything.
type RequestFilter struct {
	States      []string
	Kind        string
	JobID       int64
	RequesterID int64
}

// Requests lists requests matching f, newest first.
func (q queries) Requests(ctx context.Context, f RequestFilter) ([]Request, error) {
	where, args := []string{"1=1"}, []any{}
	if len(f.States) > 0 {
		where = append(where, "state IN (?"+strings.Repeat(",?", len(f.States)-1)+")")
		for _, s := range f.States {
			args = append(args, s)
		}
	}
	if f.Kind != "" {
		where, args = append(where, "kind=?"), append(args, f.Kind)
	}
	if f.JobID != 0 {
		where, args = append(where, "job_id=?"), append(args, f.JobID)
	}
	if f.RequesterID != 0 {
		where, args = append(where, "requester_id=?"), append(args, f.RequesterID)
	}
	rows, err := q.db.QueryContext(ctx, `SELECT `+requestColumns+` FROM requests WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("list requests: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
