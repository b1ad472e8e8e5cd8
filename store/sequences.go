package store

import (
	"context"
	"fmt"
)

// SkipDocumentNumbers moves the numbering of years forward by n: every
// existing sequence of those years, and the sequences of codes that have
// none yet (they start after n). A workspace rebuilt from a backup uses it
// so that no number the lost workspace gave after the backup is given
// again; the gap is explainable, a duplicate is not.
func (q queries) SkipDocumentNumbers(ctx context.Context, codes []string, years []int, n int) error {
	for _, y := range years {
		if _, err := q.db.ExecContext(ctx, `UPDATE doc_sequences SET last = last + ? WHERE year = ?`, n, y); err != nil {
			return fmt.Errorf("skip document numbers of %d: %w", y, err)
		}
		for _, c := range codes {
			if _, err := q.db.ExecContext(ctx, `INSERT INTO doc_sequences(form_code, year, last) VALUES (?,?,?)
				ON CONFLICT(form_code, year) DO NOTHING`, c, y, n); err != nil {
				return fmt.Errorf("skip document numbers of %s/%d: %w", c, y, err)
			}
		}
	}
	return nil
}
