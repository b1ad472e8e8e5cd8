package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"text/tabwriter"

	"cadang/engine"
	"cadang/engine/dbsource"
)

// databaseStreams turns --db URLs into engine streams for a backup.
// Passwords come from the tools' own files and environment (~/.pgpass,
// PGPASSFILE, PGPASSWORD, ~/.my.cnf, MYSQL_PWD), never from the URL.
func databaseStreams(ctx context.Context, urls []string) ([]engine.Stream, error) {
	if len(urls) == 0 {
		return nil, nil
	}
	streams, err := dbsource.Streams(urls, dbsource.Options{})
	if err != nil {
		return nil, withExit(ExitUsage, err)
	}
	return streams, nil
}

// dbRestore is what `restore --db-target` asks for.
type dbRestore struct {
	Target    string // database URL to restore into
	Entry     string // which database of the snapshot: name or db/<kind>/<name>; "" when only one
	Overwrite bool   // replace an existing non-empty target database
	JSON      bool
}

// dbRestoreResult is the --json answer.
type dbRestoreResult struct {
	Snapshot     string                 `json:"snapshot"`
	Entry        string                 `json:"entry"`
	Target       string                 `json:"target"`
	Verification *dbsource.Verification `json:"verification"`
	OK           bool                   `json:"ok"`
}

// restoreDatabase restores one database entry of snap into the database at
// req.Target and verifies every table against the figures recorded at
// backup time, writing a human-readable account (or JSON) to out.
func restoreDatabase(ctx context.Context, repo *engine.Repository, snap engine.Snapshot, req dbRestore, out io.Writer) error {
	target, err := dbsource.Parse(req.Target)
	if err != nil {
		return withExit(ExitUsage, err)
	}
	entry, err := chooseDatabaseEntry(ctx, repo, snap, target.Kind, req.Entry)
	if err != nil {
		return err
	}
	v, err := dbsource.RestoreEntry(ctx, repo, snap, entry, target, dbsource.RestoreOptions{Overwrite: req.Overwrite})
	if errors.Is(err, dbsource.ErrTargetNotEmpty) {
		return withExit(ExitRefused, fmt.Errorf("%w: name a new database, or replace it with --overwrite", err))
	}
	if err != nil {
		return err
	}
	res := dbRestoreResult{Snapshot: snap.ID, Entry: entry, Target: target.String(), Verification: v, OK: v.OK()}
	if req.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		err = enc.Encode(res)
	} else {
		err = printDatabaseRestore(out, snap, res)
	}
	if err != nil {
		return err
	}
	if !v.OK() {
		return exitf(ExitDamaged, "database %s does not match the backup: %d table(s) differ", target, len(v.Failed()))
	}
	return nil
}

// chooseDatabaseEntry finds the entry to restore: the only database of the
// target's kind in the snapshot, or the one named by want.
func chooseDatabaseEntry(ctx context.Context, repo *engine.Repository, snap engine.Snapshot, kind dbsource.Kind, want string) (string, error) {
	entries, err := dbsource.Entries(ctx, repo, snap, kind)
	if err != nil {
		return "", err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name
	}
	dir := path.Join("db", string(kind))
	if want != "" {
		wantName := path.Base(want)
		if strings.Contains(strings.Trim(want, "/"), "/") && path.Dir(strings.Trim(want, "/")) != dir {
			return "", withExit(ExitUsage, fmt.Errorf("--db-entry %s is not a %s database entry (%s/NAME)", want, kind, dir))
		}
		for _, n := range names {
			if n == wantName {
				return path.Join(dir, n), nil
			}
		}
		return "", fmt.Errorf("snapshot %s holds no %s database %q (it holds: %s)", snap.ShortID(), kind, wantName, listOrNone(names))
	}
	switch len(names) {
	case 0:
		return "", fmt.Errorf("snapshot %s holds no %s database: back one up with --db %s://…", snap.ShortID(), kind, kind)
	case 1:
		return path.Join(dir, names[0]), nil
	}
	return "", withExit(ExitUsage, fmt.Errorf("snapshot %s holds %d %s databases (%s): choose one with --db-entry NAME", snap.ShortID(), len(names), kind, strings.Join(names, ", ")))
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func printDatabaseRestore(w io.Writer, snap engine.Snapshot, res dbRestoreResult) error {
	v := res.Verification
	fmt.Fprintf(w, "restored %s of snapshot %s (%s) into %s\n", res.Entry, snap.ShortID(), snap.Time.Local().Format("2006-01-02 15:04"), res.Target)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "table\trows\tchecksum\t\n")
	for _, t := range v.Tables {
		state := "ok"
		if !t.OK {
			state = "FAILED: " + t.Problem
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", t.Table, t.GotRows, state)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if v.Kind == dbsource.SQLite {
		fmt.Fprintf(w, "integrity_check: %s\n", v.Integrity)
	}
	verdict := "every table matches"
	if !v.OK() {
		verdict = fmt.Sprintf("%d table(s) DO NOT MATCH", len(v.Failed()))
	}
	_, err := fmt.Fprintf(w, "verified %d tables, %d rows against the row counts and checksums recorded at backup time: %s\n", len(v.Tables), v.Rows(), verdict)
	return err
}
