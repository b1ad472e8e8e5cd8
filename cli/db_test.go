package cli

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// TestDatabaseBackupListRestore runs the command line end to end with a
// SQLite database: backup --db, ls shows db/sqlite/NAME, restore
// --db-target into a new file with verification, refusal over an existing
// database without --overwrite.
func TestDatabaseBackupListRestore(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	src := filepath.Join(dir, "app.db")
	db, err := sql.Open("sqlite3", src)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)",
		"INSERT INTO customers (name) VALUES ('Ani'), ('Budi'), ('Citra')",
		"CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER, total REAL)",
		"INSERT INTO orders (customer, total) VALUES (1, 10.5), (2, 99)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	t.Setenv("CADANG_PASSWORD", "")

	if code, _, stderr := run(t, "init", "--repo", repo); code != 0 {
		t.Fatalf("init: %d %s", code, stderr)
	}
	if code, _, stderr := run(t, "backup", "--repo", repo, "--db", "sqlite://"+src); code != 0 {
		t.Fatalf("backup: %d %s", code, stderr)
	}
	code, out, stderr := run(t, "ls", "--repo", repo, "-r", "latest")
	if code != 0 || !strings.Contains(out, "/db/sqlite/app.db") {
		t.Fatalf("ls: %d %q %s", code, out, stderr)
	}

	restored := filepath.Join(dir, "restored", "app.db")
	code, out, stderr = run(t, "restore", "--repo", repo, "--snapshot", "latest", "--db-target", "sqlite://"+restored)
	if code != 0 || !strings.Contains(out, "verified 2 tables, 5 rows") || !strings.Contains(out, "every table matches") || !strings.Contains(out, "integrity_check: ok") {
		t.Fatalf("restore: %d\n%s%s", code, out, stderr)
	}

	code, _, stderr = run(t, "restore", "--repo", repo, "--snapshot", "latest", "--db-target", "sqlite://"+restored)
	if code != ExitRefused || !strings.Contains(stderr, "--overwrite") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("restore over an existing database: %d %q", code, stderr)
	}
	code, out, stderr = run(t, "--json", "restore", "--repo", repo, "--snapshot", "latest", "--db-target", "sqlite://"+restored, "--overwrite")
	var res dbRestoreResult
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || !res.OK || res.Entry != "db/sqlite/app.db" || len(res.Verification.Tables) != 2 {
		t.Fatalf("restore --overwrite --json: %d %q %s", code, out, stderr)
	}

	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"password in URL", []string{"backup", "--repo", repo, "--db", "postgres://u:secret@127.0.0.1/x"}, ExitUsage, "password after the user name is not accepted"},
		{"wrong kind", []string{"restore", "--repo", repo, "--snapshot", "latest", "--db-target", "postgres://u@127.0.0.1:1/x"}, ExitError, "holds no postgres database"},
		{"unknown entry", []string{"restore", "--repo", repo, "--snapshot", "latest", "--db-target", "sqlite://" + restored + "2", "--db-entry", "other.db"}, ExitError, `no sqlite database "other.db"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) || strings.Contains(stderr, "secret") {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.msg)
			}
		})
	}
}

// TestDatabaseServersEndToEnd backs up PostgreSQL and MariaDB databases
// through the command line (passwords from the tools' environment) and
// restores each into a new database.
func TestDatabaseServersEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		kind, urlVar, pwVar, toolPwVar string
	}{
		{"postgres", "CADANG_TEST_PG_URL", "CADANG_TEST_PG_PASSWORD", "PGPASSWORD"},
		{"mysql", "CADANG_TEST_MYSQL_URL", "CADANG_TEST_MYSQL_PASSWORD", "MYSQL_PWD"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			base, pw := os.Getenv(tc.urlVar), os.Getenv(tc.pwVar)
			if base == "" || pw == "" {
				if os.Getenv("CI") == "true" {
					t.Fatalf("%s is not set: scripts/services.sh start must run before the tests in CI", tc.urlVar)
				}
				t.Skipf("%s is not set", tc.urlVar)
			}
			t.Setenv(tc.toolPwVar, pw)
			t.Setenv("CADANG_PASSWORD", "")
			dir := t.TempDir()
			suffix := randomSuffix(t) // unique: other test runs may share the server
			srcURL := base[:strings.LastIndex(base, "/")+1] + "cadang_cli_src_" + suffix
			t.Cleanup(func() { dropDatabase(t, tc.kind, srcURL) })
			createDatabaseWithTools(t, tc.kind, srcURL)
			repo := filepath.Join(dir, "repo")
			if code, _, stderr := run(t, "init", "--repo", repo); code != 0 {
				t.Fatalf("init: %d %s", code, stderr)
			}
			if code, _, stderr := run(t, "backup", "--repo", repo, "--db", srcURL); code != 0 {
				t.Fatalf("backup: %d %s", code, stderr)
			}
			name := "cadang_cli_src_" + suffix
			code, out, stderr := run(t, "ls", "--repo", repo, "latest", "/db/"+tc.kind)
			if code != 0 || !strings.Contains(out, "/db/"+tc.kind+"/"+name) {
				t.Fatalf("ls: %d %q %s", code, out, stderr)
			}
			target := base[:strings.LastIndex(base, "/")+1] + "cadang_cli_restored_" + suffix
			t.Cleanup(func() { dropDatabase(t, tc.kind, target) })
			code, out, stderr = run(t, "restore", "--repo", repo, "--snapshot", "latest", "--db-target", target)
			if code != 0 || !strings.Contains(out, "verified 1 tables, 3 rows") || !strings.Contains(out, "every table matches") {
				t.Fatalf("restore: %d\n%s%s", code, out, stderr)
			}
		})
	}
}

func randomSuffix(t *testing.T) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func dropDatabase(t *testing.T, kind, target string) {
	t.Helper()
	dropDatabaseWithTools(t, kind, target)
}

// TestDatabaseRestoreChoosesAmongSeveral: with two databases of a kind in
// the snapshot, --db-entry picks one; without it the restore asks.
func TestDatabaseRestoreChoosesAmongSeveral(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	t.Setenv("CADANG_PASSWORD", "")
	var urls []string
	for _, name := range []string{"a.db", "b.db"} {
		p := filepath.Join(dir, name)
		db, err := sql.Open("sqlite3", p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("CREATE TABLE t (x); INSERT INTO t VALUES ('" + name + "')"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		urls = append(urls, "--db", "sqlite://"+p)
	}
	if code, _, stderr := run(t, "init", "--repo", repo); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	if code, _, stderr := run(t, append([]string{"backup", "--repo", repo}, urls...)...); code != 0 {
		t.Fatalf("backup: %s", stderr)
	}
	target := "sqlite://" + filepath.Join(dir, "restored.db")
	code, _, stderr := run(t, "restore", "--repo", repo, "--snapshot", "latest", "--db-target", target)
	if code != ExitUsage || !strings.Contains(stderr, "holds 2 sqlite databases (a.db, b.db): choose one with --db-entry NAME") {
		t.Fatalf("restore without --db-entry: %d %q", code, stderr)
	}
	for _, entry := range []string{"b.db", "db/sqlite/b.db"} {
		code, out, stderr := run(t, "restore", "--repo", repo, "--snapshot", "latest", "--db-target", target, "--db-entry", entry, "--overwrite")
		if code != 0 || !strings.Contains(out, "restored db/sqlite/b.db") {
			t.Fatalf("restore --db-entry %s: %d %q %q", entry, code, out, stderr)
		}
	}
	code, _, stderr = run(t, "restore", "--repo", repo, "--snapshot", "latest", "--db-target", target, "--db-entry", "db/postgres/b.db")
	if code != ExitUsage || !strings.Contains(stderr, "is not a sqlite database entry") {
		t.Fatalf("restore --db-entry of another kind: %d %q", code, stderr)
	}
}
