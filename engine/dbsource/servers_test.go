package dbsource

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

func testServers(t *testing.T, fn func(t *testing.T, s *server)) {
	t.Run("postgres", func(t *testing.T) { fn(t, pgServer(t)) })
	t.Run("mariadb", func(t *testing.T) { fn(t, mysqlServer(t)) })
}

// TestServerBackupUnderWritesRestoresAndVerifies: rows are inserted while
// the dump runs; the database restored into a new name matches the figures
// recorded at backup time (which are not the source's figures by then).
func TestServerBackupUnderWritesRestoresAndVerifies(t *testing.T) {
	testServers(t, func(t *testing.T, s *server) {
		ctx := context.Background()
		src := s.newDatabase(t, "cadang_src")
		s.exec(t, src.Name, s.setup)
		w := s.startWriter(t, src)
		stop, done := make(chan struct{}), make(chan int)
		errc := w.run(stop, done)
		<-done

		tmp := t.TempDir()
		opt := s.opt
		opt.TempDir = tmp
		st := Stream(src, opt)
		if want := "db/" + string(s.kind) + "/" + src.Name; st.Path != want {
			t.Fatalf("entry path %q, want %q", st.Path, want)
		}
		dump := readStreamWhileWriting(ctx, t, st.Open, done)
		close(stop)
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		assertEmptyDir(t, tmp) // the password file is gone
		meta := st.Meta()
		items := map[Kind]string{Postgres: "sales.items", MySQL: "items"}[s.kind]
		recorded, _ := strconv.ParseInt(meta[metaRows+items], 10, 64)
		if recorded < 4 {
			t.Fatalf("recorded %d rows of %s, want the fixture's 3 and the writer's first: %v", recorded, items, meta)
		}
		now, _ := strconv.ParseInt(s.exec(t, src.Name, "SELECT count(*) FROM "+items+";"), 10, 64)
		if now < recorded+3 {
			t.Fatalf("source has %d rows, recorded %d: the writer did not write during the dump", now, recorded)
		}

		target := src.WithName(src.Name + "_restored")
		s.dropLater(t, target.Name)
		v, err := Restore(ctx, nodeFor(st.Path, meta), bytes.NewReader(dump), target, RestoreOptions{Options: s.opt})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[Kind]int{Postgres: 4, MySQL: 3}[s.kind]; !v.OK() || len(v.Tables) != want {
			t.Fatalf("verification failed or not %d tables: %+v", want, v)
		}
		for _, tc := range v.Tables {
			if tc.Table == items && tc.GotRows != recorded {
				t.Fatalf("restored %d rows of %s, recorded %d", tc.GotRows, items, recorded)
			}
		}
		if s.kind == MySQL { // routines and triggers came along
			if got := s.exec(t, target.Name, "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE();"); got != "1" {
				t.Fatalf("restored %s triggers, want 1", got)
			}
		}
	})
}

func TestServerTamperedRestoreIsDetected(t *testing.T) {
	testServers(t, func(t *testing.T, s *server) {
		ctx := context.Background()
		src := s.newDatabase(t, "cadang_tamper")
		s.exec(t, src.Name, s.setup)
		st := Stream(src, s.opt)
		dump := readStream(ctx, t, st.Open)
		items := map[Kind]string{Postgres: "sales.items", MySQL: "items"}[s.kind]
		odd := map[Kind]string{Postgres: `public."Odd Name"`, MySQL: "`Odd ``Name```"}[s.kind]
		oddKey := map[Kind]string{Postgres: "public.Odd Name", MySQL: "Odd `Name`"}[s.kind]
		for _, tc := range []struct {
			name, sql, table, problem string
		}{
			{"changed value", "UPDATE " + items + " SET price = 1.51 WHERE price = 1.50;", items, "checksum differs"},
			{"deleted row", "DELETE FROM " + odd + " WHERE k = 'b';", oddKey, "2 rows, backup recorded 3"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				target := s.newDatabase(t, "cadang_tampered")
				if err := Load(ctx, st.Path, bytes.NewReader(dump), target, RestoreOptions{Options: s.opt}); err != nil {
					t.Fatal(err)
				}
				v, err := Verify(ctx, target, st.Meta(), s.opt)
				if err != nil || !v.OK() {
					t.Fatalf("untouched restore: %v %+v", err, v)
				}
				s.exec(t, target.Name, tc.sql)
				v, err = Verify(ctx, target, st.Meta(), s.opt)
				if err != nil {
					t.Fatal(err)
				}
				bad := v.Failed()
				if v.OK() || len(bad) != 1 || bad[0].Table != tc.table || !strings.Contains(bad[0].Problem, tc.problem) {
					t.Fatalf("failed tables %+v, want only %s with %q", bad, tc.table, tc.problem)
				}
			})
		}
	})
}

// TestServerRestoreRefusesNonEmptyTarget: the live database is never
// replaced unless Overwrite is set.
func TestServerRestoreRefusesNonEmptyTarget(t *testing.T) {
	testServers(t, func(t *testing.T, s *server) {
		ctx := context.Background()
		src := s.newDatabase(t, "cadang_live")
		s.exec(t, src.Name, s.setup)
		st := Stream(src, s.opt)
		dump := readStream(ctx, t, st.Open)
		node := nodeFor(st.Path, st.Meta())

		s.exec(t, src.Name, "CREATE TABLE added_later (x INT);")
		_, err := Restore(ctx, node, bytes.NewReader(dump), src, RestoreOptions{Options: s.opt})
		if !errors.Is(err, ErrTargetNotEmpty) {
			t.Fatalf("restore over the live database: got %v, want ErrTargetNotEmpty", err)
		}
		v, err := Restore(ctx, node, bytes.NewReader(dump), src, RestoreOptions{Options: s.opt, Overwrite: true})
		if err != nil || !v.OK() {
			t.Fatalf("restore with overwrite: %v %+v", err, v)
		}

		empty := s.newDatabase(t, "cadang_empty") // an empty database someone prepared is used
		if v, err := Restore(ctx, node, bytes.NewReader(dump), empty, RestoreOptions{Options: s.opt}); err != nil || !v.OK() {
			t.Fatalf("restore into an empty database: %v %+v", err, v)
		}
	})
}

// TestServerErrorsAreOneClearLine: missing tools, refused connections and
// wrong passwords each have their own error and message.
func TestServerErrorsAreOneClearLine(t *testing.T) {
	testServers(t, func(t *testing.T, s *server) {
		ctx := context.Background()
		refused := s.base
		refused.Port = 1
		for _, tc := range []struct {
			name string
			db   Database
			opt  Options
			path string // PATH for the tools; "" keeps the real one
			want error
			msg  string
		}{
			{"wrong password", s.base, Options{Password: "wrong password"}, "", ErrAuthFailed, "refused the login of user \"cadang\""},
			{"connection refused", refused, s.opt, "", ErrConnectionRefused, "connection refused (is the server running"},
			{"missing tools", s.base, s.opt, t.TempDir(), ErrToolMissing, "not found: install the"},
			{"missing database", s.base.WithName("cadang_no_such_db"), s.opt, "", ErrNoDatabase, "does not exist"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.path != "" {
					t.Setenv("PATH", tc.path)
				}
				tc.opt.TempDir = t.TempDir()
				rc, err := Stream(tc.db, tc.opt).Open(ctx)
				if err == nil {
					_, err = readAllClose(rc)
				}
				if !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
				if msg := err.Error(); !strings.Contains(msg, tc.msg) || strings.Contains(msg, "\n") {
					t.Fatalf("message %q: want one line containing %q", msg, tc.msg)
				}
				if strings.Contains(err.Error(), s.opt.Password) {
					t.Fatalf("message %q shows the password", err)
				}
				assertEmptyDir(t, tc.opt.TempDir)
			})
		}
	})
}

// TestServerDumpStoppedEarly: a dump closed half-way (the engine failed
// elsewhere) or cancelled stops the tool and leaves nothing behind; Close
// may be called twice, as the engine does. Cancelled also covers a small
// dump whose tool has already written everything and exited: what is left
// in the pipe must not be read as a complete dump.
func TestServerDumpStoppedEarly(t *testing.T) {
	testServers(t, func(t *testing.T, s *server) {
		src := s.newDatabase(t, "cadang_stop")
		s.exec(t, src.Name, s.setup)
		for _, tc := range []struct {
			name          string
			cancel        bool
			afterToolExit bool
		}{
			{"closed", false, false},
			{"cancelled", true, false},
			{"cancelled after the tool exited", true, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx, stop := context.WithCancel(context.Background())
				defer stop()
				opt := s.opt
				opt.TempDir = t.TempDir()
				rc, err := Stream(src, opt).Open(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := rc.Read(make([]byte, 16)); err != nil {
					t.Fatal(err)
				}
				if tc.afterToolExit {
					waitToolExited(t, rc)
				}
				if tc.cancel {
					stop()
					if _, err := io.Copy(io.Discard, rc); !errors.Is(err, context.Canceled) {
						t.Fatalf("read after cancel: got %v, want context.Canceled", err)
					}
				}
				if err := rc.Close(); err != nil && !tc.cancel {
					t.Fatalf("close: %v", err)
				}
				if err := rc.Close(); err != nil {
					t.Fatalf("second close: %v", err)
				}
				assertEmptyDir(t, opt.TempDir)
			})
		}
	})
}

// waitToolExited waits until the dump tool behind rc has exited (it stays
// a zombie until Wait), so its whole output is in the pipe.
func waitToolExited(t *testing.T, rc io.ReadCloser) {
	t.Helper()
	var cmd *toolCmd
	switch r := rc.(type) {
	case *pgDumpReader:
		cmd = r.dump
	case *myDumpReader:
		cmd = r.dump
	default:
		t.Fatalf("unexpected reader %T", rc)
	}
	// Blocks until the tool exits, without polling or a deadline of its
	// own (the test's timeout bounds it); the tool stays a zombie.
	if err := waitExitedNoReap(cmd.cmd.Process.Pid); errors.Is(err, errors.ErrUnsupported) {
		t.Skip("waiting for a process without reaping it needs Linux")
	} else if err != nil {
		t.Fatalf("wait for %s to exit: %v", cmd.tool, err)
	}
}

// TestPostgresFiguresIgnoreSessionDefaults: the source database prints
// values differently by default (time zone, date and interval style, float
// digits, bytea, search_path) than the restored one; the figures agree.
func TestPostgresFiguresIgnoreSessionDefaults(t *testing.T) {
	s := pgServer(t)
	ctx := context.Background()
	src := s.newDatabase(t, "cadang_defaults")
	s.exec(t, src.Name, s.setup)
	s.exec(t, src.Name, "ALTER DATABASE "+s.ident(src.Name)+" SET TimeZone = 'Asia/Jakarta';\n"+
		"ALTER DATABASE "+s.ident(src.Name)+" SET DateStyle = 'SQL, DMY';\n"+
		"ALTER DATABASE "+s.ident(src.Name)+" SET IntervalStyle = 'sql_standard';\n"+
		"ALTER DATABASE "+s.ident(src.Name)+" SET extra_float_digits = 0;\n"+
		"ALTER DATABASE "+s.ident(src.Name)+" SET bytea_output = 'escape';\n"+
		"ALTER DATABASE "+s.ident(src.Name)+" SET search_path = sales, public;\n")
	st := Stream(src, s.opt)
	dump := readStream(ctx, t, st.Open)
	target := s.newDatabase(t, "cadang_defaults_r")
	v, err := Restore(ctx, nodeFor(st.Path, st.Meta()), bytes.NewReader(dump), target, RestoreOptions{Options: s.opt})
	if err != nil || !v.OK() {
		t.Fatalf("verification: %v %+v", err, v)
	}
}

// TestServerRetryReplacesOnlyWhatTheRestoreWrote is the dbsource side of the
// hole "a retry after a transient error can drop a live database": with
// ReplaceOwn, a target holding only the backup's tables with at most their
// recorded rows (what a failed attempt leaves) is replaced; a foreign
// table, extra rows or changed rows make it ErrTargetChanged, untouched.
// Probe tells an absent, an empty and a filled target apart.
func TestServerRetryReplacesOnlyWhatTheRestoreWrote(t *testing.T) {
	testServers(t, func(t *testing.T, s *server) {
		ctx := context.Background()
		src := s.newDatabase(t, "cadang_own")
		s.exec(t, src.Name, s.setup)
		st := Stream(src, s.opt)
		dump := readStream(ctx, t, st.Open)
		entry := nodeFor(st.Path, st.Meta())
		items := map[Kind]string{Postgres: "sales.items", MySQL: "items"}[s.kind]
		for _, tc := range []struct {
			name, sql string
			changed   bool
		}{
			{"partly loaded (rows missing)", "DELETE FROM " + items + " WHERE price > 10;", false},
			{"loaded whole, failed elsewhere", "", false},
			{"a foreign table", "CREATE TABLE live_orders (id INT); INSERT INTO live_orders VALUES (1);", true},
			{"a foreign row", "INSERT INTO " + items + " (name) VALUES ('live');", true},
			{"a changed row", "UPDATE " + items + " SET price = 99 WHERE price = 1.50;", true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				target := src.WithName(src.Name + "_t" + randomHex(t))
				s.dropLater(t, target.Name)
				if p, err := Probe(ctx, target, s.opt); err != nil || p.Exists {
					t.Fatalf("Probe before = %+v, %v; want absent", p, err)
				}
				if err := Load(ctx, st.Path, bytes.NewReader(dump), target, RestoreOptions{Options: s.opt}); err != nil {
					t.Fatal(err)
				}
				if tc.sql != "" {
					s.exec(t, target.Name, tc.sql)
				}
				if p, err := Probe(ctx, target, s.opt); err != nil || !p.Exists || p.Empty {
					t.Fatalf("Probe after = %+v, %v; want filled", p, err)
				}
				v, err := Restore(ctx, entry, bytes.NewReader(dump), target, RestoreOptions{Options: s.opt, ReplaceOwn: true})
				if !tc.changed {
					if err != nil || !v.OK() {
						t.Fatalf("retry over the restore's own leftovers: %v %+v; want replaced and verified", err, v)
					}
					return
				}
				if !errors.Is(err, ErrTargetChanged) || !errors.Is(err, ErrTargetNotEmpty) {
					t.Fatalf("retry over foreign data: %v; want ErrTargetChanged", err)
				}
				if tc.sql != "" && strings.HasPrefix(tc.sql, "CREATE") {
					if got := s.exec(t, target.Name, "SELECT count(*) FROM live_orders;"); got != "1" {
						t.Fatalf("foreign table holds %q rows after the refusal, want 1", got)
					}
				}
			})
		}
	})
}
