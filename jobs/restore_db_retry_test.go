package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"cadang/engine"
	"cadang/engine/dbsource"
)

// testDBServer is one of the project's test servers (scripts/services/).
type testDBServer struct {
	kind string   // postgres or mysql
	base *url.URL // URL of the maintenance database
	pw   string   // the test account's password
}

// dbServer returns the server of kind and gives its password to the tools
// through their own variable (PGPASSWORD, MYSQL_PWD), as an operator would.
func dbServer(t *testing.T, kind string) *testDBServer {
	t.Helper()
	urlVar, pwVar, toolVar := "CADANG_TEST_PG_URL", "CADANG_TEST_PG_PASSWORD", "PGPASSWORD"
	if kind == "mysql" {
		urlVar, pwVar, toolVar = "CADANG_TEST_MYSQL_URL", "CADANG_TEST_MYSQL_PASSWORD", "MYSQL_PWD"
	}
	raw, pw := os.Getenv(urlVar), os.Getenv(pwVar)
	if raw == "" || pw == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: scripts/services.sh start must run before the tests in CI", urlVar)
		}
		t.Skipf("%s is not set (eval \"$(bash scripts/services.sh start)\")", urlVar)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(toolVar, pw)
	return &testDBServer{kind: kind, base: u, pw: pw}
}

// url names database db on the server.
func (s *testDBServer) url(db string) string {
	u := *s.base
	u.Path = "/" + db
	return u.String()
}

// sql runs statements in database db ("" for none) as another client would.
func (s *testDBServer) sql(t *testing.T, db, stmts string) string {
	t.Helper()
	var cmd *exec.Cmd
	if s.kind == "postgres" {
		if db == "" {
			db = strings.TrimPrefix(s.base.Path, "/")
		}
		cmd = exec.Command("psql", "-X", "-q", "-w", "-A", "-t", "-v", "ON_ERROR_STOP=1", "--dbname="+s.url(db), "-c", stmts)
	} else {
		cmd = exec.Command("mysql", "--host="+s.base.Hostname(), "--port="+s.base.Port(), "--protocol=TCP",
			"--user="+s.base.User.Username(), "--batch", "--skip-column-names", "--database="+db, "-e", stmts)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v: %s", stmts, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (s *testDBServer) quote(name string) string {
	if s.kind == "postgres" {
		return `"` + name + `"`
	}
	return "`" + name + "`"
}

// dropLater drops database name when the test ends.
func (s *testDBServer) dropLater(t *testing.T, name string) {
	t.Cleanup(func() {
		stmt := "DROP DATABASE IF EXISTS " + s.quote(name)
		if s.kind == "postgres" {
			stmt += " WITH (FORCE)"
		}
		s.sql(t, "", stmt)
	})
}

func uniqueName(t *testing.T, prefix string) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + "_" + hex.EncodeToString(b)
}

// faultEngine is the real engine whose repository, the first time a
// database entry is opened, hands out readFirst bytes of it, then runs
// meanwhile (as another process) and fails like a dropped connection.
type faultEngine struct {
	readFirst int64
	meanwhile func()
	opened    int
}

var errTransient = errors.New("read from the repository: connection reset by peer")

func (e *faultEngine) Open(ctx context.Context, repo, password string, create bool) (Repository, error) {
	r, err := LocalEngine{}.Open(ctx, repo, password, create)
	if err != nil {
		return nil, err
	}
	return &faultRepo{Repository: r.(*engine.Repository), e: e}, nil
}

type faultRepo struct {
	*engine.Repository
	e *faultEngine
}

func (r *faultRepo) OpenFile(ctx context.Context, snap engine.Snapshot, path string) (io.ReadCloser, engine.Node, error) {
	rc, n, err := r.Repository.OpenFile(ctx, snap, path)
	if err != nil || !strings.HasPrefix(path, "/db/") && !strings.HasPrefix(path, "db/") {
		return rc, n, err
	}
	r.e.opened++
	if r.e.opened > 1 {
		return rc, n, nil
	}
	return &faultReader{ReadCloser: rc, left: r.e.readFirst, meanwhile: r.e.meanwhile}, n, nil
}

type faultReader struct {
	io.ReadCloser
	left      int64
	meanwhile func()
}

func (f *faultReader) Read(p []byte) (int, error) {
	if f.left <= 0 {
		if f.meanwhile != nil {
			f.meanwhile()
			f.meanwhile = nil
		}
		return 0, errTransient
	}
	if int64(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := f.ReadCloser.Read(p)
	f.left -= int64(n)
	return n, err
}

// TestDatabaseRestoreRetryNeverDropsWhatCadangDidNotCreate is the hole "a
// second attempt runs with overwrite, so a retry after a transient error can
// drop a live, non-empty database": with the real PostgreSQL and MariaDB
// servers, the first attempt of a restore request fails transiently after
// another client put data into the target. The retry must leave that data;
// without a foreign writer, the retry replaces only what the first attempt
// left and the restore is verified.
func TestDatabaseRestoreRetryNeverDropsWhatCadangDidNotCreate(t *testing.T) {
	for _, kind := range []string{"postgres", "mysql"} {
		for _, tc := range []struct {
			name      string
			readFirst int64 // bytes of the dump the first attempt gets
			foreign   bool  // another client writes into the target meanwhile
			prepared  bool  // the target exists, empty, before the request runs
		}{
			{name: "foreign data after a failed first attempt", readFirst: 0, foreign: true},
			{name: "foreign data after a partial load", readFirst: 1500, foreign: true},
			{name: "prepared empty database filled by someone else", readFirst: 0, foreign: true, prepared: true},
			{name: "own partial load is replaced", readFirst: 1500},
		} {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				srv := dbServer(t, kind)
				fe := &faultEngine{readFirst: tc.readFirst}
				svc, staff, reqID, target := dbRestoreFixture(t, srv, fe)
				if tc.prepared {
					srv.sql(t, "", "CREATE DATABASE "+srv.quote(target))
				}
				if tc.foreign {
					fe.meanwhile = func() {
						srv.sql(t, target, "CREATE TABLE live_orders (id INT PRIMARY KEY); INSERT INTO live_orders VALUES (1), (2);")
					}
				}
				got, err := svc.RunRequest(context.Background(), staff, reqID, RunRequestOptions{})
				if tc.foreign {
					if !errors.Is(err, dbsource.ErrTargetNotEmpty) || got.State == RequestVerified {
						t.Fatalf("restore after a foreign write: %s, %v; want refused, not verified", got.State, err)
					}
					if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "not write") {
						t.Errorf("refusal %q: want one line saying the data is not the restore's", msg)
					}
					if n := srv.sql(t, target, "SELECT count(*) FROM live_orders"); n != "2" {
						t.Fatalf("the other client's table holds %q rows, want 2: the retry dropped it", n)
					}
					return
				}
				if err != nil || got.State != RequestVerified || got.Attempts != 2 {
					t.Fatalf("restore after an own partial load: %s after %d attempts, %v; want verified at the second", got.State, got.Attempts, err)
				}
				if n := srv.sql(t, target, "SELECT count(*) FROM items"); n != "3" {
					t.Fatalf("restored items = %q rows, want 3", n)
				}
			})
		}
	}
}

// dbRestoreFixture backs up a fresh database of srv through an approved job
// and returns an approved restore request into a new database name.
func dbRestoreFixture(t *testing.T, srv *testDBServer, eng Engine) (*Service, User, int64, string) {
	t.Helper()
	ctx := context.Background()
	src, target := uniqueName(t, "cadang_retry_src"), uniqueName(t, "cadang_retry_tgt")
	srv.dropLater(t, src)
	srv.dropLater(t, target)
	srv.sql(t, "", "CREATE DATABASE "+srv.quote(src))
	srv.sql(t, src, "CREATE TABLE items (id INT PRIMARY KEY, name TEXT); INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c');")

	svc, err := OpenWorkspace(ctx, t.TempDir(), Options{Clock: clockwork.NewFakeClockAt(start), Engine: eng})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	staff, mgr, dept := mkUser(t, svc, "yoga", RoleStaff), mkUser(t, svc, "gideon", RoleManager), mkUser(t, svc, "siti", RoleUser)
	if _, err := svc.CreateJob(ctx, staff, JobSpec{Name: "db", Sources: []string{srv.url(src)}, Repository: filepath.Join(t.TempDir(), "repo")}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubmitJob(ctx, staff, "db"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveJob(ctx, mgr, "db", svc.jobRev("db")); err != nil {
		t.Fatal(err)
	}
	if run, err := svc.RunJob(ctx, staff, "db", RunOptions{}); err != nil || run.Status != RunSuccess {
		t.Fatalf("backup: %+v, %v", run, err)
	}
	r, err := svc.CreateRequest(ctx, dept, NewRequest{Kind: KindRestore, Job: "db", RequestedAt: time.Now().Add(time.Hour), // snapshots carry the real time
		Target: srv.url(target), Reason: "restore test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubmitRequest(ctx, dept, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveRequest(ctx, mgr, r.ID, svc.requestRev(r.ID)); err != nil {
		t.Fatal(err)
	}
	return svc, staff, r.ID, target
}
