package dbsource

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// server is a test database server (PostgreSQL or MariaDB) started by the
// project's scripts; its helpers run SQL through the same tools as the code.
type server struct {
	kind  Kind
	base  Database // the URL the script printed
	opt   Options  // carries the test password
	setup string   // SQL creating the fixture tables
}

func pgServer(t *testing.T) *server {
	v := serviceEnv(t, "CADANG_TEST_PG_URL", "CADANG_TEST_PG_PASSWORD")
	d, err := Parse(v[0])
	if err != nil {
		t.Fatal(err)
	}
	return &server{kind: Postgres, base: d, opt: Options{Password: v[1]}, setup: pgFixture}
}

func mysqlServer(t *testing.T) *server {
	v := serviceEnv(t, "CADANG_TEST_MYSQL_URL", "CADANG_TEST_MYSQL_PASSWORD")
	d, err := Parse(v[0])
	if err != nil {
		t.Fatal(err)
	}
	return &server{kind: MySQL, base: d, opt: Options{Password: v[1]}, setup: mysqlFixture}
}

const pgFixture = `
CREATE SCHEMA sales;
CREATE TABLE sales.items (id serial PRIMARY KEY, name text, price numeric(10,2), weight double precision,
  data bytea, created timestamptz DEFAULT now(), t text);
CREATE TABLE public."Odd Name" (k text PRIMARY KEY, v jsonb);
CREATE TABLE public.empty (x int);
CREATE VIEW sales.expensive AS SELECT * FROM sales.items WHERE price > 10;
INSERT INTO sales.items (name, price, weight, data, t) VALUES
  ('it''s', 1.50, 0.1, '\x00ff10', 'column named t'),
  ('(paren), comma', 12.00, -1e-300, NULL, NULL),
  (E'back\\slash\nnewline', NULL, 'NaN', '', 'ünïcode');
INSERT INTO public."Odd Name" VALUES ('a', '{"x": [1, 2]}'), ('b', 'null'), ('c', NULL);
CREATE TABLE public.printed (i interval, m money, r regclass, ts timestamptz, d date, f float8, b bytea);
INSERT INTO public.printed VALUES ('1 day 02:03:04', 12.34, 'sales.items', '2026-11-20 23:00:00+07', '2026-02-28', 0.1, '\x5c00'),
  ('-1 year', -0.5, 'public.empty', 'infinity', NULL, 1e300, NULL);
`

const mysqlFixture = "CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name TEXT, price DECIMAL(10,2), weight DOUBLE, data BLOB, created DATETIME(6), t TEXT) ENGINE=InnoDB;\n" +
	"CREATE TABLE `Odd ``Name``` (k VARCHAR(10) PRIMARY KEY, v JSON) ENGINE=InnoDB;\n" +
	"CREATE TABLE empty (x INT) ENGINE=InnoDB;\n" +
	"CREATE VIEW expensive AS SELECT * FROM items WHERE price > 10;\n" +
	"CREATE TRIGGER items_name BEFORE INSERT ON items FOR EACH ROW SET NEW.name = COALESCE(NEW.name, 'unnamed');\n" +
	"INSERT INTO items (name, price, weight, data, created, t) VALUES\n" +
	"  ('it''s', 1.50, 0.1, X'00FF10', '2024-02-29 10:11:12.5', 'x'),\n" +
	"  ('(paren), comma', 12.00, -1e-300, NULL, NULL, NULL),\n" +
	"  ('back\\\\slash\\nnewline', NULL, 3, '', NOW(6), 'ünïcode');\n" +
	"INSERT INTO `Odd ``Name``` VALUES ('a', '{\"x\": [1, 2]}'), ('b', 'null'), ('c', NULL);\n"

// exec runs SQL in database name (as the test user).
func (s *server) exec(t *testing.T, name, sql string) string {
	t.Helper()
	d := s.base.WithName(name)
	te, err := newToolEnv(d, s.opt)
	if err != nil {
		t.Fatal(err)
	}
	defer te.Close()
	var out []byte
	if s.kind == Postgres {
		out, err = psql(context.Background(), te, d, sql)
	} else {
		out, err = mysqlExec(context.Background(), te, d, sql, name)
	}
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return strings.TrimSpace(string(out))
}

// newDatabase creates a database with a unique name, dropped at the end.
func (s *server) newDatabase(t *testing.T, prefix string) Database {
	t.Helper()
	name := prefix + "_" + randomHex(t)
	s.exec(t, s.base.Name, "CREATE DATABASE "+s.ident(name)+";")
	s.dropLater(t, name)
	return s.base.WithName(name)
}

// dropLater drops database name when the test ends (if it exists then).
func (s *server) dropLater(t *testing.T, name string) {
	t.Cleanup(func() {
		sql := "DROP DATABASE IF EXISTS " + s.ident(name) + ";"
		if s.kind == Postgres {
			sql = "DROP DATABASE IF EXISTS " + s.ident(name) + " WITH (FORCE);"
		}
		s.exec(t, s.base.Name, sql)
	})
}

func (s *server) ident(name string) string {
	if s.kind == Postgres {
		return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
	}
	return mysqlIdent(name)
}

func randomHex(t *testing.T) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// writer is a client session inserting rows one by one; each insert is
// committed (autocommit) when insert returns.
type writer struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Reader
	te    *toolEnv
	table string
	kind  Kind
}

func (s *server) startWriter(t *testing.T, d Database) *writer {
	t.Helper()
	te, err := newToolEnv(d, s.opt)
	if err != nil {
		t.Fatal(err)
	}
	var tc *toolCmd
	table := "sales.items"
	if s.kind == Postgres {
		tc, err = te.command(context.Background(), "psql", "-X", "-q", "-w", "-A", "-t", "-v", "ON_ERROR_STOP=1", "--dbname="+pgURI(d))
	} else {
		table = "items"
		// --unbuffered: each result is flushed, so a read line means committed.
		tc, err = te.command(context.Background(), "mysql", append(mysqlConnArgs(d), "--batch", "--skip-column-names", "--unbuffered", "--database="+d.Name)...)
	}
	if err != nil {
		t.Fatal(err)
	}
	w := &writer{cmd: tc.cmd, te: te, table: table, kind: s.kind}
	w.in, _ = tc.cmd.StdinPipe()
	out, _ := tc.cmd.StdoutPipe()
	w.out = bufio.NewReader(out)
	if err := tc.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.stop() })
	return w
}

func (w *writer) insert(i int) error {
	q := fmt.Sprintf("INSERT INTO %s (name, price, weight) VALUES ('concurrent %d', %d.25, %d); SELECT %d;\n", w.table, i, i, i, i)
	if _, err := io.WriteString(w.in, q); err != nil {
		return err
	}
	line, err := w.out.ReadString('\n')
	if err != nil {
		return fmt.Errorf("writer: %w", err)
	}
	if strings.TrimSpace(line) != fmt.Sprint(i) {
		return fmt.Errorf("writer: unexpected answer %q", line)
	}
	return nil
}

func (w *writer) stop() {
	if w.in != nil {
		w.in.Close()
		w.cmd.Wait()
		w.te.Close()
		w.in = nil
	}
}

// runWriter inserts rows until stop is closed, reporting each on done.
func (w *writer) run(stop <-chan struct{}, done chan<- int) <-chan error {
	errc := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				errc <- nil
				return
			default:
			}
			if err := w.insert(i); err != nil {
				errc <- err
				return
			}
			select {
			case done <- i:
			case <-stop:
				errc <- nil
				return
			}
		}
	}()
	return errc
}

// readStreamWhileWriting reads the dump while the writer commits rows: the
// first block is read, then the test waits for four more commits, then
// reads the rest. Four, not three: the writer commits its next row as soon
// as the test took the previous one, usually before the dump's snapshot, so
// only the last three surely came after it (what the caller checks).
func readStreamWhileWriting(ctx context.Context, t *testing.T, open func(context.Context) (io.ReadCloser, error), done <-chan int) []byte {
	t.Helper()
	rc, err := open(ctx)
	if err != nil {
		t.Fatalf("open stream: %v", err)
	}
	var buf bytes.Buffer
	first := make([]byte, 64)
	n, err := io.ReadFull(rc, first)
	buf.Write(first[:n])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		rc.Close()
		t.Fatalf("read stream: %v", err)
	}
	for range 4 {
		<-done
	}
	_, err = io.Copy(&buf, rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("read stream: %v", err)
	}
	return buf.Bytes()
}
