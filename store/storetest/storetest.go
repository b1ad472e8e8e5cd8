// Package storetest gives tests a fresh catalog: an SQLite file by default,
// or, when CADANG_TEST_CATALOG=postgres, a new PostgreSQL database on the
// test server (CADANG_TEST_PG_URL; its password CADANG_TEST_PG_PASSWORD
// reaches the driver through a private PGPASSFILE, never a URL). Each call
// creates its own database and drops it when the test ends, so tests stay
// independent. It is for tests only.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the test server's admin connection
)

// Env selects the catalog the store and jobs suites run on.
const Env = "CADANG_TEST_CATALOG"

// Postgres reports whether the suites run on PostgreSQL.
func Postgres() bool { return strings.EqualFold(os.Getenv(Env), "postgres") }

// Run is a TestMain body: with PostgreSQL selected it writes the test
// server's password into a private PGPASSFILE for the duration of the
// tests and removes it after.
//
//	func TestMain(m *testing.M) { os.Exit(storetest.Run(m)) }
func Run(m *testing.M) int {
	if !Postgres() && os.Getenv("CADANG_TEST_PG_PASSWORD") == "" {
		return m.Run()
	}
	dir, err := PassFile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "storetest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	return m.Run()
}

// PassFile writes the test server's password into a pgpass file in a new
// directory and points PGPASSFILE at it; the caller removes the directory.
func PassFile() (string, error) {
	u, err := serverURL()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "cadang-pgpass-")
	if err != nil {
		return "", err
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	line := fmt.Sprintf("%s:%s:*:%s:%s\n", u.Hostname(), port, u.User.Username(), os.Getenv("CADANG_TEST_PG_PASSWORD"))
	file := filepath.Join(dir, "pgpass")
	if err := os.WriteFile(file, []byte(line), 0o600); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, os.Setenv("PGPASSFILE", file)
}

func serverURL() (*url.URL, error) {
	raw := os.Getenv("CADANG_TEST_PG_URL")
	if raw == "" {
		return nil, fmt.Errorf("%s=postgres needs the test server: source /work/services.env or run scripts/services.sh start (CADANG_TEST_PG_URL is not set)", Env)
	}
	return url.Parse(raw)
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

func adminDB() (*sql.DB, error) {
	adminOnce.Do(func() {
		u, err := serverURL()
		if err != nil {
			adminErr = err
			return
		}
		admin, adminErr = sql.Open("pgx", u.String())
		if adminErr == nil {
			admin.SetMaxOpenConns(2)
		}
	})
	return admin, adminErr
}

// NewDatabase creates an empty PostgreSQL database, dropped (with whatever
// is still connected to it) when the test ends, and returns its URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	u, err := serverURL()
	if err != nil {
		t.Fatal(err)
	}
	db, err := adminDB()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "cadang_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	out := *u
	out.Path = "/" + name
	return out.String()
}

// Location is where a test's catalog lives: the SQLite file dir/catalog.db,
// or a new PostgreSQL database.
func Location(t testing.TB, dir string) string {
	t.Helper()
	if Postgres() {
		return NewDatabase(t)
	}
	return filepath.Join(dir, "catalog.db")
}

// Schemas gives each new workspace folder a catalog of its own: a schema
// in one database created for the whole test run (a schema is made much
// faster than a database). Close drops the database.
type Schemas struct {
	url  url.URL
	name string

	mu    sync.Mutex
	byDir map[string]string
	n     int
}

// NewSchemas creates the database the schemas live in.
func NewSchemas() (*Schemas, error) {
	u, err := serverURL()
	if err != nil {
		return nil, err
	}
	db, err := adminDB()
	if err != nil {
		return nil, err
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	name := "cadang_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create test database: %w", err)
	}
	out := *u
	out.Path = "/" + name
	return &Schemas{url: out, name: name, byDir: map[string]string{}}, nil
}

// For returns the catalog URL of the workspace at dir, creating its schema
// on first use.
func (s *Schemas) For(dir string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.byDir[dir]; ok {
		return u
	}
	s.n++
	schema := fmt.Sprintf("ws_%d", s.n)
	db, err := sql.Open("pgx", s.url.String())
	if err != nil {
		panic(err) // the test server went away: no test can go on
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		panic(fmt.Sprintf("storetest: create schema: %v", err))
	}
	u := s.url
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s.byDir[dir] = u.String()
	return s.byDir[dir]
}

// Close drops the database with every schema in it.
func (s *Schemas) Close() error {
	db, err := adminDB()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+s.name+" WITH (FORCE)")
	return err
}
