package dbsource

import (
	"context"
	"fmt"
	"io"

	"cadang/engine"
)

// Stream is the backup of database d as an engine stream at d.EntryPath().
// Its Open starts the dump; its Meta, after the whole dump was read, holds
// the figures recorded at backup time.
func Stream(d Database, opt Options) engine.Stream {
	switch d.Kind {
	case Postgres:
		return pgStream(d, opt)
	case MySQL:
		return mysqlStream(d, opt)
	default:
		return sqliteStream(d, opt)
	}
}

// Streams parses database URLs into streams, refusing two URLs that would
// land on the same entry.
func Streams(urls []string, opt Options) ([]engine.Stream, error) {
	seen := map[string]string{}
	streams := make([]engine.Stream, 0, len(urls))
	for _, raw := range urls {
		d, err := Parse(raw)
		if err != nil {
			return nil, err
		}
		p := d.EntryPath()
		if other, dup := seen[p]; dup {
			return nil, fmt.Errorf("databases %s and %s would both be stored as %s: back them up separately", other, d, p)
		}
		seen[p] = d.String()
		streams = append(streams, Stream(d, opt))
	}
	return streams, nil
}

// RestoreOptions configure a database restore. The zero value works.
type RestoreOptions struct {
	Options
	// Overwrite allows replacing an existing, non-empty target database
	// (it is dropped and created again; a SQLite file is replaced).
	Overwrite bool
	// ReplaceOwn, for a later attempt of a restore whose first attempt
	// created the target, allows replacing it only while it holds nothing
	// but what restoring this entry can have written (see onlyOwn): a
	// partly loaded dump, or a load that failed verification. Anything
	// else there is ErrTargetChanged, and nothing is dropped. Only Restore
	// and RestoreEntry know the entry's figures; Load refuses.
	ReplaceOwn bool

	own Figures // the entry's figures, set by Restore
}

// Load writes a database entry's content into target, without verifying.
// entryPath is the entry's path in the snapshot; its kind must be target's.
func Load(ctx context.Context, entryPath string, content io.Reader, target Database, opt RestoreOptions) error {
	kind, _, ok := KindOfEntry(entryPath)
	if !ok {
		return fmt.Errorf("restore %s: %w", entryPath, ErrNotDatabaseEntry)
	}
	if kind != target.Kind {
		return fmt.Errorf("restore %s into %s: %w", entryPath, target, ErrKindMismatch)
	}
	switch kind {
	case Postgres:
		return pgLoad(ctx, content, target, opt)
	case MySQL:
		return mysqlLoad(ctx, content, target, opt)
	default:
		return sqliteLoad(ctx, content, target, opt)
	}
}

// Verify compares the database at target with the figures an entry's Meta
// recorded at backup time, table by table. A mismatch is reported in the
// result, not as an error; errors mean the check could not be made.
func Verify(ctx context.Context, target Database, meta map[string]string, opt Options) (*Verification, error) {
	want, err := FiguresFromMeta(meta)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", target, err)
	}
	if want.Kind != target.Kind {
		return nil, fmt.Errorf("verify %s against a %s backup: %w", target, want.Kind, ErrKindMismatch)
	}
	var got Figures
	var integrity string
	switch target.Kind {
	case Postgres:
		got, err = pgCurrentFigures(ctx, target, opt)
	case MySQL:
		got, err = mysqlCurrentFigures(ctx, target, opt)
	default:
		got, integrity, err = sqliteCurrent(ctx, target)
	}
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", target, err)
	}
	v, err := verification(target, want, got)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", target, err)
	}
	v.Integrity = integrity
	return v, nil
}

// Restore loads a database entry into target and verifies the result. The
// entry's recorded figures are checked first: an entry that cannot be
// verified is not restored.
func Restore(ctx context.Context, entry engine.Node, content io.Reader, target Database, opt RestoreOptions) (*Verification, error) {
	own, err := FiguresFromMeta(entry.Meta)
	if err != nil {
		return nil, fmt.Errorf("restore %s: %w", entry.Path, err)
	}
	opt.own = own
	if err := Load(ctx, entry.Path, content, target, opt); err != nil {
		return nil, err
	}
	return Verify(ctx, target, entry.Meta, opt.Options)
}
