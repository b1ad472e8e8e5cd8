package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Document is one entry of the document register.
type Document struct {
	ID         int64
	Number     string // form code / year / sequence
	Type       string // request-form, execution-report, …, signed-scan (see jobs)
	Kind       string // what it is, for a person: "signed scan of FRM-…"; "" for a generated document
	Revision   int
	RequestID  int64
	RunID      int64
	JobID      int64
	ParentID   int64 // the entry this one belongs to (a signed scan's original)
	Actor      string
	CreatedAt  time.Time
	SHA256     string
	Path       string // relative to the workspace
	VerifyCode string
	Lang       string
	// ContentSHA256 is the SHA-256 of the content the verification code is
	// derived from; Seal is an HMAC over SHA256 under the document key.
	// Both are empty for entries filed before schema version 8.
	ContentSHA256 string
	Seal          string
}

const documentColumns = `id, number, type, revision, request_id, run_id, created_at, sha256, path, verify_code, lang,
	kind, actor, parent_id, job_id, content_sha256, seal`

func scanDocument(row interface{ Scan(...any) error }) (Document, error) {
	var d Document
	var req, run, parent, job sql.NullInt64
	var created string
	if err := row.Scan(&d.ID, &d.Number, &d.Type, &d.Revision, &req, &run, &created, &d.SHA256, &d.Path, &d.VerifyCode, &d.Lang,
		&d.Kind, &d.Actor, &parent, &job, &d.ContentSHA256, &d.Seal); err != nil {
		return Document{}, err
	}
	d.RequestID, d.RunID, d.CreatedAt = req.Int64, run.Int64, parseTime(created)
	d.ParentID, d.JobID = parent.Int64, job.Int64
	return d, nil
}

// NextDocumentNumber reserves the next sequence number for formCode in year.
// Numbers are never reused, even when filing the document later fails: a
// gap in the register is explainable, a duplicate is not.
func (q queries) NextDocumentNumber(ctx context.Context, formCode string, year int) (int, error) {
	var n int
	err := q.db.QueryRowContext(ctx, `INSERT INTO doc_sequences(form_code, year, last) VALUES (?,?,1)
		ON CONFLICT(form_code, year) DO UPDATE SET last = doc_sequences.last + 1 RETURNING last`, formCode, year).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("next number for %s/%d: %w", formCode, year, err)
	}
	return n, nil
}

// AddDocument registers a filed document.
func (q queries) AddDocument(ctx context.Context, d Document) (int64, error) {
	id, err := q.insertID(ctx, `INSERT INTO documents (number, type, revision, request_id, run_id, created_at, sha256,
		path, verify_code, lang, kind, actor, parent_id, job_id, content_sha256, seal) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		d.Number, d.Type, d.Revision, nullID(d.RequestID), nullID(d.RunID), fmtTime(d.CreatedAt), d.SHA256, d.Path,
		d.VerifyCode, d.Lang, d.Kind, d.Actor, nullID(d.ParentID), nullID(d.JobID), d.ContentSHA256, d.Seal)
	if isUniqueViolation(err) {
		return 0, fmt.Errorf("register document %s revision %d: %w", d.Number, d.Revision, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("register document %s: %w", d.Number, err)
	}
	return id, nil
}

// DocumentsBySHA256 finds registered documents with that content hash.
func (q queries) DocumentsBySHA256(ctx context.Context, sum string) ([]Document, error) {
	return q.documents(ctx, `WHERE sha256=? ORDER BY id`, sum)
}

// DocumentsByCode finds registered documents with that verification code.
func (q queries) DocumentsByCode(ctx context.Context, code string) ([]Document, error) {
	return q.documents(ctx, `WHERE verify_code=? ORDER BY id`, code)
}

// DocumentByID reads one register entry.
func (q queries) DocumentByID(ctx context.Context, id int64) (Document, error) {
	d, err := scanDocument(q.db.QueryRowContext(ctx, `SELECT `+documentColumns+` FROM documents WHERE id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Document{}, fmt.Errorf("document #%d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Document{}, fmt.Errorf("read document #%d: %w", id, err)
	}
	return d, nil
}

// DocumentByNumber finds the newest revision of a document by its number.
func (q queries) DocumentByNumber(ctx context.Context, number string) (Document, error) {
	d, err := scanDocument(q.db.QueryRowContext(ctx, `SELECT `+documentColumns+` FROM documents WHERE number=? ORDER BY revision DESC LIMIT 1`, number))
	if errors.Is(err, sql.ErrNoRows) {
		return Document{}, fmt.Errorf("document %s: %w", number, ErrNotFound)
	}
	if err != nil {
		return Document{}, fmt.Errorf("read document %s: %w", number, err)
	}
	return d, nil
}

// DocumentFilter selects register entries; zero fields match everything.
type DocumentFilter struct {
	Type      string
	RequestID int64
	RunID     int64
	// JobID selects the documents of a job: filed for it (its schedule
	// records), for its runs, or for its requests.
	JobID    int64
	ParentID int64
}

// Documents lists register entries matching f, oldest first.
func (q queries) Documents(ctx context.Context, f DocumentFilter) ([]Document, error) {
	return q.documents(ctx, `WHERE (?='' OR type=?) AND (?=0 OR request_id=?) AND (?=0 OR run_id=?) AND (?=0 OR parent_id=?)
		AND (?=0 OR job_id=? OR run_id IN (SELECT id FROM runs WHERE job_id=?) OR request_id IN (SELECT id FROM requests WHERE job_id=?))
		ORDER BY id`,
		f.Type, f.Type, f.RequestID, f.RequestID, f.RunID, f.RunID, f.ParentID, f.ParentID, f.JobID, f.JobID, f.JobID, f.JobID)
}

func (q queries) documents(ctx context.Context, where string, args ...any) ([]Document, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+documentColumns+` FROM documents `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	var out []Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, fmt.Errorf("list documents: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DocumentsSealed counts register entries sealed under a document key.
func (q queries) DocumentsSealed(ctx context.Context) (int, error) {
	var n int
	if err := q.db.QueryRowContext(ctx, `SELECT count(*) FROM documents WHERE seal <> ''`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count sealed documents: %w", err)
	}
	return n, nil
}
