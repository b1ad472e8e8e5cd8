package replica

import (
	"context"
	"fmt"
	"strings"

	"cadang/engine"
	"cadang/engine/backend"
)

// Lag is how far a replica is behind its source, by file names and sizes
// (no content is read).
type Lag struct {
	MissingFiles     int   `json:"missing_files"` // on the source, not (or with another size) on the replica
	MissingBytes     int64 `json:"missing_bytes"`
	MissingSnapshots int   `json:"missing_snapshots"`
	ExtraFiles       int   `json:"extra_files"` // on the replica only (kept unless synced with --delete)
	Snapshots        int   `json:"replica_snapshots"`
}

// UpToDate reports whether the replica has every file of the source.
func (l Lag) UpToDate() bool { return l.MissingFiles == 0 }

// Compare lists both sides and reports the lag of dst behind src.
func Compare(ctx context.Context, src, dst backend.Backend) (Lag, error) {
	files, err := listSource(ctx, src)
	if err != nil {
		return Lag{}, err
	}
	have := map[string]int64{}
	var lag Lag
	if err := dst.List(ctx, "", func(fi backend.FileInfo) error {
		if isRepositoryFile(fi.Name) {
			have[fi.Name] = fi.Size
			if strings.HasPrefix(fi.Name, engine.SnapshotsDir) {
				lag.Snapshots++
			}
		}
		return nil
	}); err != nil {
		return Lag{}, fmt.Errorf("list replica %s: %w", dst.Location(), err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		seen[f.Name] = true
		if size, ok := have[f.Name]; ok && size == f.Size {
			continue
		}
		lag.MissingFiles++
		lag.MissingBytes += f.Size
		if strings.HasPrefix(f.Name, engine.SnapshotsDir) {
			lag.MissingSnapshots++
		}
	}
	for name := range have {
		if !seen[name] {
			lag.ExtraFiles++
		}
	}
	return lag, nil
}
