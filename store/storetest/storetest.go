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
// faster than a database). A goroutine keeps a few schemas made and
// prepared (prepare, e.g. opening a catalog there to create its tables)
// ahead of the tests that take them. Close drops the database.
type Schemas struct {
	url     url.URL
	name    string
	db      *sql.DB
	prepare func(url string) error
	ready   chan string
	stop    chan struct{}
	done    chan struct{}

	mu    sync.Mutex
	byDir map[string]string
	n     int
}

// schemasAhead is how many prepared schemas wait for a test.
const schemasAhead = 3

// NewSchemas creates the database the schemas live in.
func NewSchemas(prepare func(url string) error) (*Schemas, error) {
	u, err := serverURL()
	if err != nil {
		return nil, err
	}
	admin, err := adminDB()
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
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create test database: %w", err)
	}
	out := *u
	out.Path = "/" + name
	db, err := sql.Open("pgx", out.String())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	s := &Schemas{url: out, name: name, db: db, prepare: prepare, byDir: map[string]string{},
		ready: make(chan string, schemasAhead), stop: make(chan struct{}), done: make(chan struct{})}
	go s.makeAhead()
	return s, nil
}

// makeAhead keeps prepared schemas waiting.
func (s *Schemas) makeAhead() {
	defer close(s.done)
	for {
		u, err := s.make()
		if err != nil {
			fmt.Fprintln(os.Stderr, "storetest: prepare a schema:", err)
			return // For makes its own
		}
		select {
		case s.ready <- u:
		case <-s.stop:
			return
		}
	}
}

// make creates and prepares a new schema and returns its URL.
func (s *Schemas) make() (string, error) {
	s.mu.Lock()
	s.n++
	schema := fmt.Sprintf("ws_%d", s.n)
	s.mu.Unlock()
	if _, err := s.db.Exec("CREATE SCHEMA " + schema); err != nil {
		return "", fmt.Errorf("create schema: %w", err)
	}
	u := s.url
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	if s.prepare != nil {
		if err := s.prepare(u.String()); err != nil {
			return "", err
		}
	}
	return u.String(), nil
}

// For returns the catalog URL of the workspace at dir: the same for the
// same folder, a prepared schema of its own for a new one.
func (s *Schemas) For(dir string) string {
	s.mu.Lock()
	u, ok := s.byDir[dir]
	s.mu.Unlock()
	if ok {
		return u
	}
	select {
	case u = <-s.ready:
	default:
		var err error
		if u, err = s.make(); err != nil {
			panic(fmt.Sprintf("storetest: %v", err)) // the test server went away: no test can go on
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byDir[dir] = u
	return u
}

// Close drops the database with every schema in it.
func (s *Schemas) Close() error {
	close(s.stop)
	<-s.done
	s.db.Close()
	admin, err := adminDB()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+s.name+" WITH (FORCE)")
	return err
}

// NeedServer skips a test that needs the PostgreSQL test server when none
// is configured (CI and `make test` start one: scripts/services.sh).
func NeedServer(t testing.TB) {
	t.Helper()
	if os.Getenv("CADANG_TEST_PG_URL") == "" || os.Getenv("CADANG_TEST_PG_PASSWORD") == "" {
		t.Skip("no PostgreSQL test server: run scripts/services.sh start and source its exports")
	}
}
