package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// treeID returns the root tree of a snapshot loaded from the repository.
func (s Snapshot) treeID() (ID, error) {
	if s.Tree == "" {
		return ID{}, fmt.Errorf("snapshot %s has no tree (not loaded from a repository?)", s.ShortID())
	}
	return parseID(s.Tree)
}

// saveSnapshot writes the commit record; its file name (the BLAKE3 of the
// stored bytes) becomes the snapshot ID.
func (r *Repository) saveSnapshot(ctx context.Context, s *Snapshot) (int64, error) {
	s.ID = ""
	plain, err := json.Marshal(s)
	if err != nil {
		return 0, err
	}
	stored, err := r.crypt.seal(nil, plain)
	if err != nil {
		return 0, err
	}
	id, err := saveNamed(ctx, r.be, SnapshotsDir, stored)
	if err != nil {
		return 0, fmt.Errorf("save snapshot: %w", err)
	}
	s.ID = id.String()
	return int64(len(stored)), nil
}

func (r *Repository) loadSnapshot(ctx context.Context, id ID) (Snapshot, error) {
	var s Snapshot
	data, err := loadNamed(ctx, r.be, SnapshotsDir+id.String(), id)
	if err != nil {
		return s, err
	}
	plain, err := r.crypt.open(nil, data)
	if err != nil {
		return s, fmt.Errorf("snapshot %s: %w", id, err)
	}
	s, err = decodeSnapshot(plain)
	if err != nil {
		return s, fmt.Errorf("snapshot %s: %w", id, err)
	}
	s.ID = id.String()
	return s, nil
}

func decodeSnapshot(plain []byte) (Snapshot, error) {
	var s Snapshot
	if err := json.Unmarshal(plain, &s); err != nil {
		return s, err
	}
	if _, err := s.treeID(); err != nil {
		return s, err
	}
	return s, nil
}

// snapshotsWithErrors loads every snapshot; unreadable ones are returned
// separately so one damaged file does not hide the others.
func (r *Repository) snapshotsWithErrors(ctx context.Context) ([]Snapshot, map[ID]error, error) {
	ids, err := listIDs(ctx, r.be, SnapshotsDir)
	if err != nil {
		return nil, nil, fmt.Errorf("list snapshots: %w", err)
	}
	var out []Snapshot
	bad := map[ID]error{}
	for _, id := range ids {
		s, err := r.loadSnapshot(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			bad[id] = err
			continue
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, bad, nil
}

// Snapshots lists the readable snapshots, oldest first.
func (r *Repository) Snapshots(ctx context.Context) ([]Snapshot, error) {
	s, _, err := r.snapshotsWithErrors(ctx)
	return s, err
}

// FindSnapshot resolves "latest" or an ID prefix.
func (r *Repository) FindSnapshot(ctx context.Context, ref string) (Snapshot, error) {
	snaps, err := r.Snapshots(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	ref = strings.ToLower(strings.TrimSpace(ref))
	if ref == "latest" {
		if len(snaps) == 0 {
			return Snapshot{}, ErrNoSnapshot
		}
		return snaps[len(snaps)-1], nil
	}
	if ref == "" {
		return Snapshot{}, fmt.Errorf("empty snapshot ID: %w", ErrNoSnapshot)
	}
	var found []Snapshot
	for _, s := range snaps {
		if strings.HasPrefix(s.ID, ref) {
			found = append(found, s)
		}
	}
	switch len(found) {
	case 0:
		return Snapshot{}, fmt.Errorf("snapshot %q: %w", ref, ErrNoSnapshot)
	case 1:
		return found[0], nil
	}
	return Snapshot{}, fmt.Errorf("snapshot %q: %w", ref, ErrAmbiguous)
}

// SnapshotAt returns the newest snapshot taken at or before t; ErrNoSnapshot when none.
func (r *Repository) SnapshotAt(ctx context.Context, t time.Time) (Snapshot, error) {
	snaps, err := r.Snapshots(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	for i := len(snaps) - 1; i >= 0; i-- {
		if !snaps[i].Time.After(t) {
			return snaps[i], nil
		}
	}
	return Snapshot{}, fmt.Errorf("no snapshot at or before %s: %w", t.Format("2006-01-02 15:04"), ErrNoSnapshot)
}
