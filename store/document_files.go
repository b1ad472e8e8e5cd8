package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// PutDocumentFile keeps the bytes of a filed document (or its content
// record) in the catalog under its path in the workspace, replacing what
// was kept there. A shared catalog keeps every filed document so that
// every workstation opens the same file; a workstation's documents folder
// is then a cache of it.
func (q queries) PutDocumentFile(ctx context.Context, path, sha256 string, content []byte) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO document_files (path, sha256, content) VALUES (?,?,?)
		ON CONFLICT (path) DO UPDATE SET sha256=excluded.sha256, content=excluded.content`, path, sha256, content)
	if err != nil {
		return fmt.Errorf("keep %s in the catalog: %w", path, err)
	}
	return nil
}

// DocumentFile returns the bytes kept under path and the SHA-256 recorded
// with them; missing wraps ErrNotFound.
func (q queries) DocumentFile(ctx context.Context, path string) (sha256 string, content []byte, err error) {
	err = q.db.QueryRowContext(ctx, `SELECT sha256, content FROM document_files WHERE path=?`, path).Scan(&sha256, &content)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, fmt.Errorf("%s in the catalog: %w", path, ErrNotFound)
	}
	if err != nil {
		return "", nil, fmt.Errorf("read %s from the catalog: %w", path, err)
	}
	return sha256, content, nil
}

// DocumentFileCount says how many files the catalog keeps.
func (q queries) DocumentFileCount(ctx context.Context) (int, error) {
	var n int
	if err := q.db.QueryRowContext(ctx, `SELECT count(*) FROM document_files`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count the documents kept in the catalog: %w", err)
	}
	return n, nil
}
