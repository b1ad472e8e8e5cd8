package dbsource

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sqliteWriter inserts rows into a SQLite database from its own connection
// until stopped, reporting each committed insert on done.
func sqliteWriter(t *testing.T, path string, stop <-chan struct{}, done chan<- int) <-chan error {
	t.Helper()
	errc := make(chan error, 1)
	db, err := sql.Open("sqlite3", sqliteDSN(path, "_busy_timeout=10000"))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer db.Close()
		for i := 0; ; i++ {
			select {
			case <-stop:
				errc <- nil
				return
			default:
			}
			if _, err := db.Exec("INSERT INTO items (name, price, note) VALUES (?, ?, ?)", "concurrent", float64(i)/3, strings.Repeat("x", i%50)); err != nil {
				errc <- err
				return
			}
			select {
			case done <- i:
			default:
			}
		}
	}()
	return errc
}

func newSQLiteFixture(t *testing.T, journal string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := sql.Open("sqlite3", sqliteDSN(path, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"PRAGMA journal_mode=" + journal,
		"CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price REAL, note TEXT, data BLOB, created DATETIME)",
		`CREATE TABLE "odd ""name""" (k TEXT PRIMARY KEY, v) WITHOUT ROWID`,
		"CREATE TABLE empty (x)",
		"CREATE INDEX items_name ON items(name)",
		`INSERT INTO items (name, price, note, data, created) VALUES ('it''s', 1.5, NULL, x'00ff10', '2024-02-29 10:11:12'), ('(paren)', -0.0, 'line
break', NULL, NULL)`,
		`INSERT INTO "odd ""name""" VALUES ('a', 1), ('b', 'two'), ('c', NULL)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return path
}

// TestSQLiteBackupUnderWritesRestoresAndVerifies is the SOP's promise for
// SQLite: a copy taken while another connection writes restores to a file
// that passes integrity_check and matches the figures of the backup.
func TestSQLiteBackupUnderWritesRestoresAndVerifies(t *testing.T) {
	for _, journal := range []string{"wal", "delete"} {
		t.Run(journal, func(t *testing.T) {
			ctx := context.Background()
			src := newSQLiteFixture(t, journal)
			stop, done := make(chan struct{}), make(chan int)
			errc := sqliteWriter(t, src, stop, done)
			<-done // the writer is running before the backup starts

			d, err := Parse("sqlite://" + src)
			if err != nil {
				t.Fatal(err)
			}
			tmp := t.TempDir()
			s := Stream(d, Options{TempDir: tmp})
			if got, want := s.Path, "db/sqlite/app.db"; got != want {
				t.Fatalf("entry path %q, want %q", got, want)
			}
			dump := readStream(ctx, t, s.Open)
			<-done // and still writing after it
			close(stop)
			if err := <-errc; err != nil {
				t.Fatalf("writer: %v", err)
			}
			assertEmptyDir(t, tmp)
			meta := s.Meta()
			if meta[metaRows+"items"] == "" || meta[metaRows+"empty"] != "0" {
				t.Fatalf("meta lacks table figures: %v", meta)
			}

			target, _ := Parse("sqlite://" + filepath.Join(t.TempDir(), "restored", "app-restored.db"))
			v, err := Restore(ctx, nodeFor(s.Path, meta), bytes.NewReader(dump), target, RestoreOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !v.OK() || v.Integrity != "ok" || len(v.Tables) != 3 {
				t.Fatalf("verification failed: %+v", v)
			}

			// The restored file holds what the figures say, not what the source holds now.
			srcNow := countRows(t, src, "items")
			if srcNow <= v.Tables[1].GotRows {
				t.Fatalf("source has %d rows, restored %d: the writer did not write during the test", srcNow, v.Tables[1].GotRows)
			}
		})
	}
}

func TestSQLiteTamperedRestoreIsDetected(t *testing.T) {
	ctx := context.Background()
	src := newSQLiteFixture(t, "wal")
	d, _ := Parse("sqlite://" + src)
	s := Stream(d, Options{})
	dump := readStream(ctx, t, s.Open)
	for _, tc := range []struct {
		name, sql, table, problem string
	}{
		{"changed value", "UPDATE items SET price = 2.5 WHERE price = 1.5", "items", "checksum differs"},
		{"deleted row", `DELETE FROM "odd ""name""" WHERE k = 'b'`, `odd "name"`, "2 rows, backup recorded 3"},
		{"added table", "CREATE TABLE intruder (x)", "intruder", "not in the backup"},
		{"dropped table", "DROP TABLE empty", "empty", "missing from the restored"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target, _ := Parse("sqlite://" + filepath.Join(t.TempDir(), "r.db"))
			if err := Load(ctx, s.Path, bytes.NewReader(dump), target, RestoreOptions{}); err != nil {
				t.Fatal(err)
			}
			execSQLite(t, target.File, tc.sql)
			v, err := Verify(ctx, target, s.Meta(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if v.OK() {
				t.Fatalf("tampering not detected: %+v", v)
			}
			bad := v.Failed()
			if len(bad) != 1 || bad[0].Table != tc.table || !strings.Contains(bad[0].Problem, tc.problem) {
				t.Fatalf("failed tables %+v, want only %s with %q", bad, tc.table, tc.problem)
			}
		})
	}
}

func TestSQLiteRestoreRefusesExistingFileUnlessOverwrite(t *testing.T) {
	ctx := context.Background()
	src := newSQLiteFixture(t, "wal")
	d, _ := Parse("sqlite://" + src)
	s := Stream(d, Options{})
	dump := readStream(ctx, t, s.Open)

	dir := t.TempDir()
	target, _ := Parse("sqlite://" + filepath.Join(dir, "live.db"))
	if err := os.WriteFile(target.File, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A stale WAL of the old file must not be applied to the restored one.
	if err := os.WriteFile(target.File+"-wal", []byte("stale wal"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Restore(ctx, nodeFor(s.Path, s.Meta()), bytes.NewReader(dump), target, RestoreOptions{})
	if !errors.Is(err, ErrTargetNotEmpty) {
		t.Fatalf("got %v, want ErrTargetNotEmpty", err)
	}
	if b, _ := os.ReadFile(target.File); string(b) != "precious" {
		t.Fatalf("existing file changed to %q", b)
	}
	v, err := Restore(ctx, nodeFor(s.Path, s.Meta()), bytes.NewReader(dump), target, RestoreOptions{Overwrite: true})
	if err != nil || !v.OK() {
		t.Fatalf("overwrite: %v %+v", err, v)
	}
	if _, err := os.Stat(target.File + "-wal"); err == nil {
		if b, _ := os.ReadFile(target.File + "-wal"); string(b) == "stale wal" {
			t.Fatal("stale -wal file left next to the restored database")
		}
	}
}

func TestSQLiteBackupErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, bytes.Repeat([]byte("not a database "), 100), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		want       error
		msg        string
	}{
		{"missing file", filepath.Join(dir, "nope.db"), ErrNoDatabase, "no such file"},
		{"not a database", notDB, nil, "not a database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := Parse("sqlite://" + tc.path)
			tmp := t.TempDir()
			rc, err := Stream(d, Options{TempDir: tmp}).Open(ctx)
			if err == nil {
				rc.Close()
				t.Fatal("no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("message %q lacks %q", err, tc.msg)
			}
			assertEmptyDir(t, tmp)
		})
	}
}

// readStream opens a stream and reads it all, as the engine does.
func readStream(ctx context.Context, t *testing.T, open func(context.Context) (io.ReadCloser, error)) []byte {
	t.Helper()
	rc, err := open(ctx)
	if err != nil {
		t.Fatalf("open stream: %v", err)
	}
	b, err := io.ReadAll(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("read stream: %v", err)
	}
	return b
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("temporary files left in %s: %v", dir, entries)
	}
}

func execSQLite(t *testing.T, path, q string) {
	t.Helper()
	db, err := sql.Open("sqlite3", sqliteDSN(path, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func countRows(t *testing.T, path, table string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite3", sqliteDSN(path, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
