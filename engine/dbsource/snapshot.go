package dbsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"

	"cadang/engine"
)

// Repository is what restoring a database from a snapshot needs;
// *engine.Repository implements it.
type Repository interface {
	List(ctx context.Context, snap engine.Snapshot, dir string) ([]engine.Node, error)
	OpenFile(ctx context.Context, snap engine.Snapshot, path string) (io.ReadCloser, engine.Node, error)
}

var _ Repository = (*engine.Repository)(nil)

// Entries lists the database entries of snap (db/<kind>/<name>), all kinds
// or only kind when it is not empty, sorted by path. It descends from the
// root instead of walking every file of the snapshot.
func Entries(ctx context.Context, repo Repository, snap engine.Snapshot, kind Kind) ([]engine.Node, error) {
	kinds, err := subdirs(ctx, repo, snap, "/", "db")
	if err != nil || len(kinds) == 0 {
		return nil, err
	}
	var out []engine.Node
	for _, k := range []Kind{MySQL, Postgres, SQLite} {
		if (kind != "" && k != kind) || !kinds[string(k)] {
			continue
		}
		nodes, err := repo.List(ctx, snap, "/db/"+string(k))
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			if n.Type == engine.NodeStream {
				out = append(out, n)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// subdirs returns the directories inside dir/name, or nil when dir holds no
// directory called name.
func subdirs(ctx context.Context, repo Repository, snap engine.Snapshot, dir, name string) (map[string]bool, error) {
	nodes, err := repo.List(ctx, snap, dir)
	if err != nil {
		return nil, err
	}
	found := false
	for _, n := range nodes {
		found = found || (n.Name == name && n.Type == engine.NodeDir)
	}
	if !found {
		return nil, nil
	}
	inner, err := repo.List(ctx, snap, path.Join(dir, name))
	if err != nil {
		return nil, err
	}
	dirs := map[string]bool{}
	for _, n := range inner {
		if n.Type == engine.NodeDir {
			dirs[n.Name] = true
		}
	}
	return dirs, nil
}

// RestoreEntry restores the database entry at entryPath of snap into target
// and verifies it; the entry is streamed from the repository into the
// database's tool, never written to a temporary file.
func RestoreEntry(ctx context.Context, repo Repository, snap engine.Snapshot, entryPath string, target Database, opt RestoreOptions) (*Verification, error) {
	if kind, _, ok := KindOfEntry(entryPath); !ok {
		return nil, fmt.Errorf("restore %s: %w", entryPath, ErrNotDatabaseEntry)
	} else if kind != target.Kind {
		return nil, fmt.Errorf("restore %s into %s: %w", entryPath, target, ErrKindMismatch)
	}
	rc, node, err := repo.OpenFile(ctx, snap, entryPath)
	if err != nil {
		return nil, err
	}
	v, err := Restore(ctx, node, rc, target, opt)
	return v, errors.Join(err, rc.Close())
}
