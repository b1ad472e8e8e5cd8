package cli

import (
	"context"
	"errors"
	"io"

	"cadang/engine"
)

// errNoDatabaseSupport is the placeholder answer until database sources land.
var errNoDatabaseSupport = errors.New("database support is not built yet")

// databaseStreams turns --db URLs into engine streams for a backup.
func databaseStreams(ctx context.Context, urls []string) ([]engine.Stream, error) {
	if len(urls) == 0 {
		return nil, nil
	}
	return nil, errNoDatabaseSupport
}

// restoreDatabase restores the database entries of snap into the database at
// target (--db-target), writing a human-readable account to out.
func restoreDatabase(ctx context.Context, repo *engine.Repository, snap engine.Snapshot, target string, out io.Writer) error {
	return errNoDatabaseSupport
}
