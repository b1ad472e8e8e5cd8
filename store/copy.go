package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// copyOrder lists the catalog's tables with every referenced table before
// the tables that refer to it, so that each copied row finds its parent.
// A table added by a migration must be added here too (a test checks).
var copyOrder = []string{"settings", "users", "jobs", "requests", "runs", "documents", "doc_sequences", "audit",
	"replica_state", "forgotten", "document_files"}

// copyBatch is how many rows one INSERT carries.
const copyBatch = 100

// Copy copies every row of every table of src into dst, which must be an
// empty catalog (no row in any table), in one transaction on dst that
// holds its write lock. Row IDs are kept, so every reference, the audit
// chain and the document register stay as they were; on PostgreSQL the
// ID sequences then continue after the copied rows. It returns each
// table's row count as copied.
func Copy(ctx context.Context, dst, src *Catalog) (map[string]int, error) {
	tables, err := src.Tables(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if !slices.Contains(copyOrder, t) {
			return nil, fmt.Errorf("copy catalog: table %s has no place in the copy order", t)
		}
	}
	for _, t := range copyOrder {
		var n int
		if err := dst.db.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("copy catalog: %w", err)
		}
		if n > 0 {
			return nil, fmt.Errorf("copy catalog: the target catalog is not empty (table %s has %d rows)", t, n)
		}
	}
	counts := map[string]int{}
	err = dst.Update(ctx, func(tx *Tx) error {
		for _, t := range copyOrder {
			n, err := copyTable(ctx, tx.db, src, t)
			if err != nil {
				return fmt.Errorf("copy catalog: table %s: %w", t, err)
			}
			counts[t] = n
		}
		if dst.dialect == Postgres {
			return resetIdentities(ctx, tx.db)
		}
		return nil
	})
	return counts, err
}

// copyTable copies the rows of one table, oldest row first.
func copyTable(ctx context.Context, dst querier, src *Catalog, table string) (int, error) {
	rows, err := src.db.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	insert := func(batch [][]any) error {
		if len(batch) == 0 {
			return nil
		}
		var args []any
		for _, r := range batch {
			args = append(args, r...)
		}
		q := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat(one+",", len(batch)), ",")
		_, err := dst.ExecContext(ctx, q, args...)
		return err
	}
	var batch [][]any
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		batch = append(batch, vals)
		n++
		if len(batch) == copyBatch {
			if err := insert(batch); err != nil {
				return n, err
			}
			batch = batch[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, insert(batch)
}

// resetIdentities moves every ID sequence past the copied rows.
func resetIdentities(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES'`)
	if err != nil {
		return fmt.Errorf("copy catalog: %w", err)
	}
	var ids [][2]string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			rows.Close()
			return fmt.Errorf("copy catalog: %w", err)
		}
		ids = append(ids, [2]string{t, c})
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("copy catalog: %w", err)
	}
	for _, id := range ids {
		query := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'), COALESCE(MAX(%s), 1), MAX(%s) IS NOT NULL) FROM %s`,
			id[0], id[1], id[1], id[1], id[0])
		var v int64
		if err := q.QueryRowContext(ctx, query).Scan(&v); err != nil {
			return fmt.Errorf("copy catalog: continue the IDs of %s: %w", id[0], err)
		}
	}
	return nil
}
