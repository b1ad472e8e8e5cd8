package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// querier is what both the database and a transaction offer; every read
// and write of the catalog goes through one, so the same method works
// alone or inside Update.
// Statements are written once, for both dialects (see dialect.go).
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) row
}

// queries holds the catalog's statements; Catalog runs them on the
// database, Tx inside one transaction.
type queries struct {
	db      querier
	dialect Dialect
	notify  string // PostgreSQL: the payload an audit append announces (the schema)
}

// Tx is one catalog transaction. A procedure step changes state and
// appends its audit entry through the same Tx, so either both are
// recorded or neither is.
type Tx struct {
	queries
	appended []int64 // audit entries appended, for Catalog.AppendedHere
}

// Update runs fn in one write transaction and commits when fn returns nil;
// any error rolls back everything fn wrote. The transaction takes the
// catalog's one write lock when it begins, so two processes never
// interleave their steps, a step's checks still hold when it writes, and
// the audit chain never forks. On SQLite the lock is the database's own
// (BEGIN IMMEDIATE); on PostgreSQL it is an advisory transaction lock
// taken before the first read (at READ COMMITTED, every later statement
// sees what the previous holder committed), and every write outside
// Update takes it too (pgAuto), as every SQLite write does.
func (c *Catalog) Update(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin catalog transaction: %w", explain(c.path, err))
	}
	t := &Tx{queries: queries{db: plain{tx}, dialect: c.dialect}}
	if c.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockSpaceCatalog, c.pgKey("write")); err != nil {
			return errors.Join(fmt.Errorf("take the catalog's write lock: %w", err), ignoreDone(tx.Rollback()))
		}
		t = &Tx{queries: queries{db: pgTx{tx}, dialect: c.dialect, notify: c.pg.schema}}
	}
	if err := fn(t); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	// Known as this Catalog's before the commit makes them visible: a
	// listener told of the commit at once must not take them for another
	// process's. Nobody else can append those sequence numbers while the
	// write lock is held.
	c.own.add(t.appended)
	if err := tx.Commit(); err != nil {
		c.own.remove(t.appended)
		return fmt.Errorf("commit catalog transaction: %w", explain(c.path, err))
	}
	return nil
}

// ignoreDone drops the error of rolling back a transaction that already ended.
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// AppendAudit adds e to the log inside the transaction.
func (t *Tx) AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	e, err := t.appendAudit(ctx, e)
	if err == nil {
		t.appended = append(t.appended, e.Seq)
	}
	return e, err
}

// AppendAudit adds e to the log in a transaction of its own (Seq, PrevHash
// and Hash are computed) and returns it as stored.
func (c *Catalog) AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	var out AuditEntry
	err := c.Update(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.AppendAudit(ctx, e)
		return err
	})
	return out, err
}

// insertID runs an INSERT … RETURNING id and returns the new row's ID.
func (q queries) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := q.db.QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// updateOne runs an UPDATE of at most one row and reports whether it
// changed one (a conditional UPDATE's answer to "was it still so?").
func (q queries) updateOne(ctx context.Context, query string, args ...any) (bool, error) {
	res, err := q.db.ExecContext(ctx, query, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Exec runs one statement written in the catalog's SQL ("?" placeholders)
// outside the procedure, with no audit entry: for tests, and for repairs
// a person makes by hand.
func (c *Catalog) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.queries.db.ExecContext(ctx, query, args...)
}

// Query runs one read written in the catalog's SQL ("?" placeholders).
func (c *Catalog) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return c.queries.db.QueryContext(ctx, query, args...)
}

// Tables lists the catalog's tables by name (the schema version's own
// table on PostgreSQL left out).
func (c *Catalog) Tables(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if c.dialect == Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
			AND table_type = 'BASE TABLE' AND table_name <> 'schema_version' ORDER BY table_name`
	}
	rows, err := c.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list catalog tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("list catalog tables: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
