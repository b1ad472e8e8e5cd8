package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"cadang/engine"
	"cadang/engine/dbsource"
	"cadang/store"
)

// A restore request whose target is a database URL (sqlite:///…,
// postgres://…, mysql://…) restores the job's database of that kind into
// it and verifies every table (row counts and checksums recorded at backup
// time) instead of files. The same bounded "restore again" applies.

// dbRestoreAttempts restores the database entry of snap into target and
// verifies it, again on a mismatch or a failure, at most s.retries times.
// Whether the target may ever be replaced is decided once, before the first
// attempt: a non-empty database is refused; one that does not exist yet is
// created by the first attempt, and only then may a later attempt replace
// it, and only while it holds nothing but what this restore wrote
// (dbsource.RestoreOptions.ReplaceOwn). An existing empty database someone
// prepared is used, never replaced. A retry never drops what Cadang did not
// create.
func (s *Service) dbRestoreAttempts(ctx context.Context, actor string, r *store.Request, j store.Job, repo Repository, snap engine.Snapshot) ([]engine.FileCheck, error) {
	target, err := dbsource.Parse(r.Target)
	if err != nil {
		return nil, err
	}
	dbRepo, ok := repo.(dbsource.Repository)
	if !ok {
		return nil, errors.New("this repository cannot restore databases")
	}
	entry, err := databaseEntry(ctx, dbRepo, snap, j, target.Kind)
	if err != nil {
		return nil, err
	}
	before, err := dbsource.Probe(ctx, target, dbsource.Options{})
	if err != nil {
		return nil, err
	}
	if before.Exists && !before.Empty {
		return nil, fmt.Errorf("restore into %s: %w (%s)", target, dbsource.ErrTargetNotEmpty, before.Detail)
	}
	createdHere := !before.Exists
	var checks []engine.FileCheck
	var lastErr error
	for r.Attempts = 0; r.Attempts < s.retries; {
		r.Attempts++
		if err := s.setRequestState(ctx, actor, r, "request.restore", RequestRestoring, fmt.Sprintf("attempt %d, %s into %s", r.Attempts, entry, target)); err != nil {
			return nil, err
		}
		v, err := dbsource.RestoreEntry(ctx, dbRepo, snap, entry, target, dbsource.RestoreOptions{ReplaceOwn: createdHere && r.Attempts > 1})
		if r.Attempts > 1 && errors.Is(err, dbsource.ErrTargetNotEmpty) && !errors.Is(err, dbsource.ErrTargetChanged) {
			err = fmt.Errorf("attempt %d: restore into %s: %w (the database existed before the restore, so it is never replaced)", r.Attempts, target, dbsource.ErrTargetChanged)
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, dbsource.ErrTargetNotEmpty) {
			return nil, err // nothing to retry: stopped, or what is there is not ours to replace
		}
		if serr := s.setRequestState(ctx, actor, r, "request.check", RequestVerifying, fmt.Sprintf("attempt %d", r.Attempts)); serr != nil {
			return nil, serr
		}
		if v != nil {
			checks = tableChecks(v)
		}
		if err != nil {
			lastErr = err
			continue
		}
		lastErr = nil
		if v.OK() {
			return checks, nil
		}
	}
	return checks, lastErr
}

// databaseEntry picks the snapshot's database of kind: the only one, or
// the one of the job's sources of that kind when the job has exactly one.
func databaseEntry(ctx context.Context, repo dbsource.Repository, snap engine.Snapshot, j store.Job, kind dbsource.Kind) (string, error) {
	entries, err := dbsource.Entries(ctx, repo, snap, kind)
	if err != nil {
		return "", err
	}
	if len(entries) == 1 {
		return entries[0].Path, nil
	}
	var names []string
	_, urls := dbsource.SplitSources(j.Sources)
	for _, u := range urls {
		if d, err := dbsource.Parse(u); err == nil && d.Kind == kind {
			names = append(names, d.Name)
		}
	}
	if len(entries) > 1 && len(names) == 1 {
		for _, e := range entries {
			if _, name, _ := dbsource.KindOfEntry(e.Path); name == names[0] {
				return e.Path, nil
			}
		}
	}
	if len(entries) == 0 {
		return "", fmt.Errorf("snapshot %s holds no %s database", shortID(snap.ID), kind)
	}
	paths := make([]string, len(entries))
	for i, e := range entries {
		paths[i] = e.Path
	}
	return "", fmt.Errorf("snapshot %s holds several %s databases (%s): a restore request restores one; use `cadang restore --db-target`", shortID(snap.ID), kind, strings.Join(paths, ", "))
}

// tableChecks shows a database verification in the report's file table:
// one line per table, rows and checksum as the "hash".
func tableChecks(v *dbsource.Verification) []engine.FileCheck {
	var out []engine.FileCheck
	if v.Kind == dbsource.SQLite {
		out = append(out, engine.FileCheck{Path: "integrity_check", Want: "ok", Got: v.Integrity, OK: v.Integrity == "ok"})
	}
	for _, t := range v.Tables {
		out = append(out, engine.FileCheck{Path: "table " + t.Table, Size: t.GotRows,
			Want: fmt.Sprintf("%d rows %s", t.WantRows, t.WantSum), Got: fmt.Sprintf("%d rows %s", t.GotRows, t.GotSum), OK: t.OK, Err: t.Problem})
	}
	return out
}
