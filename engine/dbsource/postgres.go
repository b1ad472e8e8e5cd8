package dbsource

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"cadang/engine"
)

// pgURI is the libpq connection URI of d (never with a password).
func pgURI(d Database) string {
	u := url.URL{Scheme: "postgresql", Host: d.Host, Path: "/" + d.Name}
	if d.Port != 0 {
		u.Host += ":" + strconv.Itoa(d.Port)
	}
	if d.User != "" {
		u.User = url.User(d.User)
	}
	if len(d.Query) > 0 {
		u.RawQuery = d.Query.Encode()
	}
	return u.String()
}

// psql runs a script with psql in unaligned, tuples-only mode; fields are
// separated by fieldSep. -w: never prompt for a password (no terminal).
func psql(ctx context.Context, te *toolEnv, d Database, script string, vars ...string) ([]byte, error) {
	args := []string{"-X", "-q", "-w", "-A", "-t", "-F", fieldSep, "-v", "ON_ERROR_STOP=1", "--dbname=" + pgURI(d)}
	for _, v := range vars {
		args = append(args, "-v", v)
	}
	cmd, err := te.command(ctx, "psql", args...)
	if err != nil {
		return nil, err
	}
	cmd.db = d // errors name the database connected to (maybe the maintenance one)
	return cmd.run(strings.NewReader(script))
}

const fieldSep = "\x1f"

// pgSessionSettings fix how values print, so that a row's text is the same
// at backup and at verification whatever the server's or user's defaults
// (money follows lc_monetary, regclass the search_path); counting a large
// table must not hit a configured statement timeout; and, as in pg_dump,
// row security must not hide rows silently (it is an error instead).
const pgSessionSettings = `SET statement_timeout = 0;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 3;
SET bytea_output = 'hex';
SET lc_monetary = 'C';
SET search_path = pg_catalog;
SET row_security = off;
`

// pgFiguresQuery generates and runs (\gexec) one count-and-checksum query
// per ordinary table; ROW(t.*) cannot clash with a column name.
const pgFiguresQuery = `SELECT format('SELECT %L, count(*), coalesce(sum((''x'' || left(md5(ROW(t.*)::text), 16))::bit(64)::bigint::numeric), 0) FROM ONLY %I.%I AS t',
       n.nspname || '.' || c.relname, n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
 ORDER BY 1 \gexec
`

// pgFigures counts and checksums every table of d; with a snapshot ID, in
// that exported snapshot (which its exporter must still hold open).
func pgFigures(ctx context.Context, te *toolEnv, d Database, snapshot string) (Figures, error) {
	var script strings.Builder
	script.WriteString(pgSessionSettings)
	if snapshot != "" {
		script.WriteString("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\n")
		fmt.Fprintf(&script, "SET TRANSACTION SNAPSHOT '%s';\n", snapshot)
	}
	script.WriteString(pgFiguresQuery)
	if snapshot != "" {
		script.WriteString("COMMIT;\n")
	}
	out, err := psql(ctx, te, d, script.String())
	if err != nil {
		return Figures{}, fmt.Errorf("count rows of %s: %w", d, err)
	}
	f := Figures{Kind: Postgres, Name: d.Name, Method: methodPostgres, Tables: map[string]TableFigures{}}
	if err := parseFigureLines(out, f.Tables); err != nil {
		return Figures{}, fmt.Errorf("count rows of %s: %w", d, err)
	}
	return f, nil
}

// parseFigureLines reads "table<sep>rows<sep>sum" lines.
func parseFigureLines(out []byte, into map[string]TableFigures) error {
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		parts := strings.Split(line, fieldSep)
		if len(parts) != 3 {
			return fmt.Errorf("unexpected output line %q", line)
		}
		rows, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			return fmt.Errorf("unexpected row count in %q", line)
		}
		into[parts[0]] = TableFigures{Rows: rows, Sum: parts[2]}
	}
	return nil
}

// pgHolder is a psql session holding a REPEATABLE READ transaction open
// whose snapshot it exported: pg_dump and the row counts both use it, so
// the counts describe exactly what was dumped, whatever is written meanwhile.
type pgHolder struct {
	cmd      *toolCmd
	stdin    io.WriteCloser
	snapshot string
}

func startHolder(ctx context.Context, te *toolEnv, d Database) (*pgHolder, error) {
	cmd, err := te.command(ctx, "psql", "-X", "-q", "-w", "-A", "-t", "-v", "ON_ERROR_STOP=1", "--dbname="+pgURI(d))
	if err != nil {
		return nil, err
	}
	stdin, err := cmd.cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("psql: %w", err)
	}
	stdout, err := cmd.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("psql: %w", err)
	}
	if err := cmd.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start psql: %w", err)
	}
	h := &pgHolder{cmd: cmd, stdin: stdin}
	// psql flushes each result, so the ID arrives while the transaction stays open.
	// The session idles in its transaction for the whole dump: a server-wide
	// idle timeout must not end it (and the snapshot with it).
	_, err = io.WriteString(stdin, "SET idle_in_transaction_session_timeout = 0;\n"+
		"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\nSELECT pg_export_snapshot();\n")
	line, rerr := bufio.NewReader(stdout).ReadString('\n')
	h.snapshot = strings.TrimSpace(line)
	if err != nil || rerr != nil || h.snapshot == "" {
		_ = stdin.Close()
		if werr := cmd.cmd.Wait(); werr != nil {
			return nil, cmd.failure(werr)
		}
		return nil, fmt.Errorf("psql: no snapshot exported (%v)", errors.Join(err, rerr))
	}
	return h, nil
}

// release ends the transaction and the session.
func (h *pgHolder) release() error {
	_, werr := io.WriteString(h.stdin, "COMMIT;\n")
	cerr := h.stdin.Close()
	if err := h.cmd.cmd.Wait(); err != nil {
		return h.cmd.failure(err)
	}
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("end snapshot session: %w", err)
	}
	return nil
}

// pgDump is one backup of a PostgreSQL database.
type pgDump struct {
	db  Database
	opt Options
	recorded
}

func pgStream(d Database, opt Options) engine.Stream {
	p := &pgDump{db: d, opt: opt}
	return engine.Stream{Path: d.EntryPath(), Open: p.open, Meta: p.meta}
}

// open exports a snapshot and starts pg_dump in it; the returned reader is
// pg_dump's standard output.
func (p *pgDump) open(ctx context.Context) (io.ReadCloser, error) {
	te, err := newToolEnv(p.db, p.opt)
	if err != nil {
		return nil, err
	}
	holder, err := startHolder(ctx, te, p.db)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("back up %s: %w", p.db, err), te.Close())
	}
	dump, err := te.command(ctx, "pg_dump", "-w", "-Fc", "--snapshot="+holder.snapshot, "--dbname="+pgURI(p.db))
	var stdout io.ReadCloser
	if err == nil {
		stdout, err = dump.cmd.StdoutPipe()
	}
	if err == nil {
		err = dump.cmd.Start()
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("back up %s: %w", p.db, err), holder.release(), te.Close())
	}
	fctx, cancel := context.WithCancel(ctx)
	r := &pgDumpReader{ctx: ctx, p: p, te: te, holder: holder, dump: dump, stdout: stdout,
		figures: make(chan figuresResult, 1), stopFigures: cancel}
	// The figures come from the same exported snapshot, so they can be
	// counted while pg_dump runs: the server counts, the client compresses.
	go func() {
		f, err := pgFigures(fctx, te, p.db, holder.snapshot)
		r.figures <- figuresResult{f, err}
	}()
	return r, nil
}

type figuresResult struct {
	f   Figures
	err error
}

// pgDumpReader streams pg_dump's output. At its end it checks pg_dump's
// exit and counts the rows in the same snapshot; a failure of either is
// returned by Read instead of io.EOF, so the entry is never stored as good.
type pgDumpReader struct {
	ctx    context.Context
	p      *pgDump
	te     *toolEnv
	holder *pgHolder
	dump   *toolCmd
	stdout io.ReadCloser
	done   bool
	closed bool
	err    error

	figures     chan figuresResult // counted concurrently with the dump
	stopFigures context.CancelFunc
}

func (r *pgDumpReader) Read(b []byte) (int, error) {
	if r.done {
		return 0, r.err
	}
	// A small dump may already sit whole in the pipe when the run is
	// cancelled; cancelled still means stopped, never a complete entry.
	// Not marked done, so Close still stops pg_dump and the snapshot.
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := r.stdout.Read(b)
	if err == io.EOF {
		r.done, r.err = true, r.finish()
		if r.err == nil {
			r.err = io.EOF
		}
		return n, r.err
	}
	return n, err
}

func (r *pgDumpReader) finish() error {
	dumpErr := r.dump.cmd.Wait()
	res := <-r.figures // wait in any case: Close ends the snapshot it uses
	if dumpErr != nil {
		return fmt.Errorf("back up %s: %w", r.p.db, r.dump.failure(dumpErr))
	}
	f, err := res.f, res.err
	if err != nil {
		return fmt.Errorf("back up %s: %w", r.p.db, err)
	}
	f.Consistency = "counted in pg_dump's exported snapshot"
	r.p.record(f)
	return nil
}

// Close stops pg_dump if it is still running, ends the snapshot session and
// removes the private directory. Calling it again does nothing.
func (r *pgDumpReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	var errs []error
	if !r.done {
		r.done, r.err = true, errors.New("closed before the end of the dump")
		_ = r.stdout.Close()
		if r.dump.cmd.Process != nil {
			_ = r.dump.cmd.Process.Kill()
		}
		_ = r.dump.cmd.Wait() // killed on purpose: its exit status says nothing
		r.stopFigures()
		<-r.figures // the snapshot must outlive the counting session
	}
	r.stopFigures()
	errs = append(errs, r.holder.release(), r.te.Close())
	return errors.Join(errs...)
}

// pgLoad restores a pg_dump -Fc archive into target, creating it. An
// existing database must be empty unless overwrite is set, in which case it
// is dropped and created again.
func pgLoad(ctx context.Context, content io.Reader, target Database, opt RestoreOptions) error {
	te, err := newToolEnv(target, opt.Options)
	if err != nil {
		return err
	}
	defer te.Close()
	if err := pgPrepareTarget(ctx, te, target, opt); err != nil {
		return err
	}
	cmd, err := te.command(ctx, "pg_restore", "-w", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", "--dbname="+pgURI(target))
	if err != nil {
		return err
	}
	if _, err := cmd.run(content); err != nil {
		return fmt.Errorf("restore into %s: %w", target, err)
	}
	return nil
}

// pgMaintenanceDBs are where CREATE/DROP DATABASE run: the first that exists.
var pgMaintenanceDBs = []string{"postgres", "template1"}

// pgLookTarget finds the maintenance database to run CREATE and DROP in,
// and whether target exists and what it holds.
func pgLookTarget(ctx context.Context, te *toolEnv, target Database) (admin Database, p Presence, err error) {
	var out []byte
	for _, name := range pgMaintenanceDBs {
		admin = target.WithName(name)
		out, err = psql(ctx, te, admin, "SELECT count(*) FROM pg_database WHERE datname = :'db';\n", "db="+target.Name)
		if !errors.Is(err, ErrNoDatabase) {
			break
		}
	}
	if err != nil {
		return admin, p, fmt.Errorf("look for database %q: %w", target.Name, err)
	}
	if strings.TrimSpace(string(out)) == "0" {
		return admin, p, nil
	}
	out, err = psql(ctx, te, target, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%';
`)
	if err != nil {
		return admin, p, fmt.Errorf("look into database %q: %w", target.Name, err)
	}
	objects := strings.TrimSpace(string(out))
	return admin, Presence{Exists: true, Empty: objects == "0", Detail: objects + " objects"}, nil
}

func pgPrepareTarget(ctx context.Context, te *toolEnv, target Database, opt RestoreOptions) error {
	admin, p, err := pgLookTarget(ctx, te, target)
	if err != nil {
		return err
	}
	if p.Exists {
		if p.Empty {
			return nil // an empty database someone prepared: use it
		}
		if !opt.Overwrite {
			if !opt.ReplaceOwn {
				return fmt.Errorf("restore into %s: %w (%s)", target, ErrTargetNotEmpty, p.Detail)
			}
			// Decided just before the drop: what is there must be what
			// this restore's earlier attempt can have left.
			cur, err := pgFigures(ctx, te, target, "")
			if err != nil {
				return fmt.Errorf("look into database %q: %w", target.Name, err)
			}
			if err := onlyOwn(cur, opt.own); err != nil {
				return fmt.Errorf("restore into %s: %w", target, err)
			}
		}
		if _, err := psql(ctx, te, admin, "DROP DATABASE :\"db\" WITH (FORCE);\n", "db="+target.Name); err != nil {
			return fmt.Errorf("drop database %q to overwrite it: %w", target.Name, err)
		}
	}
	// template0: nothing added to template1 may appear as an extra table.
	if _, err := psql(ctx, te, admin, "CREATE DATABASE :\"db\" TEMPLATE template0;\n", "db="+target.Name); err != nil {
		return fmt.Errorf("create database %q: %w", target.Name, err)
	}
	return nil
}

// pgCurrentFigures counts the tables of a restored database.
func pgCurrentFigures(ctx context.Context, target Database, opt Options) (Figures, error) {
	te, err := newToolEnv(target, opt)
	if err != nil {
		return Figures{}, err
	}
	defer te.Close()
	return pgFigures(ctx, te, target, "")
}
