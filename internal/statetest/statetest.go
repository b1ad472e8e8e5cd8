// Package statetest takes a picture of everything Cadang writes (every
// catalog table, and folders file by file) so that a test can assert that
// a refused action wrote nothing, and can make the audit log refuse new
// entries to check that a state change never commits without its entry.
// Tests only.
//
// The audit log is kept apart from the other tables (with the settings row
// that records its head): a refusal may add a "run.refused" entry, and a
// test says exactly which entries it expects with AuditAfter.
package statetest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"cadang/store"
)

// auditHeadKey is the settings row the audit log keeps its head in.
const auditHeadKey = "audit.head"

// Picture is the state of a workspace and the folders around it.
type Picture struct {
	Tables map[string][]string // table → rows, the audit log apart
	Files  map[string]string   // label/relative path → type, size and SHA-256
}

// A catalogPath below is where the catalog is: an SQLite file, or the URL
// of a shared (PostgreSQL) catalog. It is opened as another process would.

// Take pictures the catalog at catalogPath and each folder in dirs (a
// label, e.g. "repository", and its path; a missing folder is pictured as
// missing).
func Take(t testing.TB, catalogPath string, dirs map[string]string) Picture {
	t.Helper()
	p := Picture{Tables: tables(t, catalogPath), Files: map[string]string{}}
	for label, dir := range dirs {
		files(t, label, dir, p.Files)
	}
	return p
}

// Diff lists what differs between two pictures, one line per difference.
func (p Picture) Diff(q Picture) []string {
	var out []string
	names := mapKeys(p.Tables, q.Tables)
	for _, name := range names {
		a, b := p.Tables[name], q.Tables[name]
		for _, row := range b {
			if !slices.Contains(a, row) {
				out = append(out, fmt.Sprintf("table %s: row added or changed: %s", name, row))
			}
		}
		for _, row := range a {
			if !slices.Contains(b, row) {
				out = append(out, fmt.Sprintf("table %s: row removed or changed: %s", name, row))
			}
		}
	}
	for _, f := range mapKeys(p.Files, q.Files) {
		a, okA := p.Files[f]
		b, okB := q.Files[f]
		switch {
		case !okA:
			out = append(out, "file added: "+f+" ("+b+")")
		case !okB:
			out = append(out, "file removed: "+f)
		case a != b:
			out = append(out, "file changed: "+f+" ("+a+" → "+b+")")
		}
	}
	return out
}

// AuditEntry is one entry of the audit log, as the catalog holds it.
type AuditEntry struct {
	Seq                                   int64
	Actor, Action, Object, From, To, Note string
}

func (e AuditEntry) String() string {
	return fmt.Sprintf("#%d %s %s %s %s→%s %q", e.Seq, e.Actor, e.Action, e.Object, e.From, e.To, e.Note)
}

// AuditHead is the sequence number of the newest audit entry (0 for none).
func AuditHead(t testing.TB, catalogPath string) int64 {
	t.Helper()
	db := open(t, catalogPath)
	defer db.Close()
	rows, err := db.Query(context.Background(), `SELECT MAX(seq) FROM audit`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var seq sql.NullInt64
	for rows.Next() {
		if err := rows.Scan(&seq); err != nil {
			t.Fatal(err)
		}
	}
	return seq.Int64
}

// AuditAfter lists the audit entries after sequence number seq.
func AuditAfter(t testing.TB, catalogPath string, seq int64) []AuditEntry {
	t.Helper()
	db := open(t, catalogPath)
	defer db.Close()
	rows, err := db.Query(context.Background(), `SELECT seq, actor, action, object, from_state, to_state, detail FROM audit WHERE seq > ? ORDER BY seq`, seq)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Seq, &e.Actor, &e.Action, &e.Object, &e.From, &e.To, &e.Note); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// FailAuditInserts makes new audit entries fail (a trigger aborts the
// INSERT, as a full disk or a locked table would): every entry, or with
// actions only entries of those actions. The returned function ends it;
// the test's cleanup calls it too.
func FailAuditInserts(t testing.TB, catalogPath string, actions ...string) (restore func()) {
	t.Helper()
	when := ""
	if len(actions) > 0 {
		quoted := make([]string, len(actions))
		for i, a := range actions {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", "''") + "'"
		}
		when = " WHEN NEW.action IN (" + strings.Join(quoted, ", ") + ")"
	}
	db := open(t, catalogPath)
	defer db.Close()
	sqliteWhen, pgWhen := "", ""
	if when != "" {
		sqliteWhen, pgWhen = when, " WHEN ("+strings.TrimPrefix(when, " WHEN ")+")"
	}
	create := []string{`CREATE TRIGGER statetest_fail_audit BEFORE INSERT ON audit` + sqliteWhen + `
		BEGIN SELECT RAISE(ABORT, 'the audit log refuses new entries (test)'); END`}
	drop := []string{`DROP TRIGGER statetest_fail_audit`}
	if db.Dialect() == store.Postgres {
		create = []string{`CREATE FUNCTION statetest_fail_audit() RETURNS trigger LANGUAGE plpgsql AS
			$$ BEGIN RAISE EXCEPTION 'the audit log refuses new entries (test)'; END $$`,
			`CREATE TRIGGER statetest_fail_audit BEFORE INSERT ON audit FOR EACH ROW` + pgWhen + ` EXECUTE FUNCTION statetest_fail_audit()`}
		drop = []string{`DROP TRIGGER statetest_fail_audit ON audit`, `DROP FUNCTION statetest_fail_audit()`}
	}
	for _, q := range create {
		if _, err := db.Exec(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	done := false
	restore = func() {
		if done {
			return
		}
		done = true
		db := open(t, catalogPath)
		defer db.Close()
		for _, q := range drop {
			if _, err := db.Exec(context.Background(), q); err != nil {
				t.Error(err)
			}
		}
	}
	t.Cleanup(restore)
	return restore
}

// Exec runs statements on the catalog as someone editing catalog.db by
// hand (or another process) would.
func Exec(t testing.TB, catalogPath, query string, args ...any) {
	t.Helper()
	db := open(t, catalogPath)
	defer db.Close()
	if _, err := db.Exec(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func open(t testing.TB, catalogPath string) *store.Catalog {
	t.Helper()
	db, err := store.Open(context.Background(), catalogPath)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// notState are tables that hold no state of the procedure: the schema's
// version.
var notState = map[string]bool{"schema_version": true}

func tables(t testing.TB, catalogPath string) map[string][]string {
	t.Helper()
	db := open(t, catalogPath)
	defer db.Close()
	names, err := db.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, n := range names {
		if n != "audit" && !notState[n] {
			out[n] = tableRows(t, db, n)
		}
	}
	return out
}

func tableRows(t testing.TB, db *store.Catalog, table string) []string {
	t.Helper()
	q := fmt.Sprintf(`SELECT * FROM %q ORDER BY rowid`, table)
	if db.Dialect() == store.Postgres {
		q = fmt.Sprintf(`SELECT * FROM %q`, table) // Diff compares rows as sets
	}
	rows, err := db.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			if b.Len() > 0 {
				b.WriteString(" ")
			}
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "%s=%v", cols[i], v)
		}
		if table == "settings" && strings.HasPrefix(b.String(), "key="+auditHeadKey+" ") {
			continue // the audit log's head: part of the log
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func files(t testing.TB, label, dir string, out map[string]string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) && path == dir {
			out[label] = "missing"
			return nil
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		key := label + "/" + filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			out[key] = "folder"
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			out[key] = "link to " + target
		case d.Type().IsRegular():
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			out[key] = fmt.Sprintf("%d bytes, sha256 %s", len(b), hex.EncodeToString(sum[:8]))
		default:
			out[key] = d.Type().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mapKeys[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
