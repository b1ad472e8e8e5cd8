package replica

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"cadang/engine"
	"cadang/engine/backend"
)

// Mirror removes from dst the repository files that src no longer has
// (what forget and prune removed), after a successful Copy. Snapshots go
// first, then indexes and keys, packs last, so that at every instant each
// snapshot left on dst still finds its data. Files outside the repository
// layout and locks are left alone. It returns the names it removed. It also
// removes the hidden leftovers of interrupted uploads: do not run it while
// another sync writes to the same replica.
//
// Mirror is never part of a default sync: keeping what the source lost is
// what makes an offsite copy a defence against mistakes and attacks there.
func Mirror(ctx context.Context, src, dst backend.Backend) ([]string, error) {
	files, err := listSource(ctx, src) // also refuses a source without config
	if err != nil {
		return nil, err
	}
	keep := make(map[string]bool, len(files))
	for _, f := range files {
		keep[f.Name] = true
	}
	var extra []string
	if err := dst.List(ctx, "", func(fi backend.FileInfo) error {
		if isRepositoryFile(fi.Name) && !keep[fi.Name] {
			extra = append(extra, fi.Name)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list replica %s: %w", dst.Location(), err)
	}
	sort.Slice(extra, func(i, j int) bool {
		if ri, rj := removeRank(extra[i]), removeRank(extra[j]); ri != rj {
			return ri < rj
		}
		return extra[i] < extra[j]
	})
	var removed []string
	for _, name := range extra {
		if err := dst.Remove(ctx, name); err != nil && !errors.Is(err, backend.ErrNotFound) {
			return removed, fmt.Errorf("remove %s from %s: %w", name, dst.Location(), err)
		}
		removed = append(removed, name)
	}
	// Interrupted uploads leave hidden temporary files; the backends that
	// can find them remove them here (never during a plain sync, which may
	// run next to another one).
	if c, ok := dst.(tempCleaner); ok {
		if _, err := c.CleanTemp(ctx); err != nil {
			return removed, fmt.Errorf("remove temporary files from %s: %w", dst.Location(), err)
		}
	}
	return removed, nil
}

// tempCleaner is implemented by the local, sftp and rclone backends.
type tempCleaner interface {
	CleanTemp(ctx context.Context) (int, error)
}

// removeRank orders removals: what references data before the data.
func removeRank(name string) int {
	switch {
	case strings.HasPrefix(name, engine.SnapshotsDir):
		return 0
	case strings.HasPrefix(name, engine.PacksDir):
		return 2
	default:
		return 1
	}
}
