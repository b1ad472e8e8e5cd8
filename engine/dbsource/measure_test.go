package dbsource

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"
	"time"
)

// TestMeasureThroughput times a backup (dump + figures), a raw dump with the
// tool alone, a restore and a verification of a database of
// CADANG_DB_MEASURE rows (e.g. 1000000) on each test server. It only runs
// when that variable is set: it is a measurement, not a check.
func TestMeasureThroughput(t *testing.T) {
	rows := os.Getenv("CADANG_DB_MEASURE")
	if rows == "" {
		t.Skip("set CADANG_DB_MEASURE=ROWS to measure")
	}
	fill := map[Kind]string{
		Postgres: "CREATE TABLE m (id bigint PRIMARY KEY, name text, amount numeric(12,2), at timestamptz);\n" +
			"INSERT INTO m SELECT i, md5(i::text), i * 1.25, now() - i * interval '1 minute' FROM generate_series(1, " + rows + ") i;\n",
		MySQL: "CREATE TABLE m (id BIGINT PRIMARY KEY, name TEXT, amount DECIMAL(12,2), at DATETIME) ENGINE=InnoDB;\n" +
			"INSERT INTO m SELECT seq, MD5(seq), seq * 1.25, NOW() - INTERVAL seq MINUTE FROM seq_1_to_" + rows + ";\n",
	}
	testServers(t, func(t *testing.T, s *server) {
		ctx := context.Background()
		src := s.newDatabase(t, "cadang_measure")
		s.exec(t, src.Name, fill[s.kind])

		te, err := newToolEnv(src, s.opt)
		if err != nil {
			t.Fatal(err)
		}
		defer te.Close()
		tool, args := "pg_dump", []string{"-w", "-Fc", "--dbname=" + pgURI(src)}
		if s.kind == MySQL {
			tool, args = "mysqldump", mysqldumpArgs(src)
		}
		raw, err := te.command(ctx, tool, args...)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		out, err := raw.run(nil)
		if err != nil {
			t.Fatal(err)
		}
		rawTime := time.Since(start)

		st := Stream(src, s.opt)
		start = time.Now()
		rc, err := st.Open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var dump bytes.Buffer
		if _, err := io.Copy(&dump, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		backupTime := time.Since(start)

		target := src.WithName(src.Name + "_r")
		s.dropLater(t, target.Name)
		start = time.Now()
		if err := Load(ctx, st.Path, bytes.NewReader(dump.Bytes()), target, RestoreOptions{Options: s.opt}); err != nil {
			t.Fatal(err)
		}
		loadTime := time.Since(start)
		start = time.Now()
		v, err := Verify(ctx, target, st.Meta(), s.opt)
		if err != nil || !v.OK() {
			t.Fatalf("verify: %v %+v", err, v)
		}
		verifyTime := time.Since(start)
		t.Logf("%s, %s rows: dump %.1f MB; %s alone %v; backup stream (dump + figures) %v; restore %v; verify %v",
			s.kind, rows, float64(len(out))/1e6, tool, rawTime.Round(time.Millisecond), backupTime.Round(time.Millisecond),
			loadTime.Round(time.Millisecond), verifyTime.Round(time.Millisecond))
	})
}
