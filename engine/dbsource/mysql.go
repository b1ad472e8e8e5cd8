package dbsource

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"cadang/engine"
)

// mysqlConnArgs address the server; the password comes from the option
// file written by toolEnv, ~/.my.cnf or MYSQL_PWD.
func mysqlConnArgs(d Database) []string {
	var args []string
	if d.Host != "" {
		args = append(args, "--host="+d.Host)
	}
	if d.Port != 0 {
		args = append(args, "--port="+strconv.Itoa(d.Port), "--protocol=TCP")
	}
	if d.User != "" {
		args = append(args, "--user="+d.User)
	}
	return args
}

// mysqldumpArgs are the same at backup and at verification, so that both
// dumps print rows the same way. --single-transaction gives a consistent
// InnoDB snapshot without locking; --hex-blob keeps binary data printable.
func mysqldumpArgs(d Database) []string {
	args := mysqlConnArgs(d)
	args = append(args, "--single-transaction", "--routines", "--triggers", "--hex-blob",
		"--skip-dump-date", "--no-tablespaces", "--default-character-set=utf8mb4", "--", d.Name)
	return args
}

// mysqlExec runs SQL with the mysql client and returns its tab-separated rows.
func mysqlExec(ctx context.Context, te *toolEnv, d Database, sql string, database string) ([]byte, error) {
	args := append(mysqlConnArgs(d), "--batch", "--skip-column-names", "--connect-timeout=15", "--default-character-set=utf8mb4")
	if database != "" {
		args = append(args, "--database="+database)
	}
	cmd, err := te.command(ctx, "mysql", args...)
	if err != nil {
		return nil, err
	}
	return cmd.run(strings.NewReader(sql))
}

// mysqlString quotes s as an SQL string literal.
func mysqlString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\x00", `\0`).Replace(s) + "'"
}

// mysqlIdent quotes s as an identifier.
func mysqlIdent(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// myDump is one backup of a MySQL/MariaDB database.
type myDump struct {
	db  Database
	opt Options
	recorded
}

func mysqlStream(d Database, opt Options) engine.Stream {
	m := &myDump{db: d, opt: opt}
	return engine.Stream{Path: d.EntryPath(), Open: m.open, Meta: m.meta}
}

func (m *myDump) open(ctx context.Context) (io.ReadCloser, error) {
	te, err := newToolEnv(m.db, m.opt)
	if err != nil {
		return nil, err
	}
	r, err := startMysqldump(ctx, te, m.db)
	if err == nil {
		err = r.connected()
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("back up %s: %w", m.db, err), te.Close())
	}
	r.onEnd = func(f Figures) {
		f.Consistency = "counted in the dump itself"
		m.record(f)
	}
	r.te = te
	return r, nil
}

func startMysqldump(ctx context.Context, te *toolEnv, d Database) (*myDumpReader, error) {
	cmd, err := te.command(ctx, "mysqldump", mysqldumpArgs(d)...)
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("mysqldump: %w", err)
	}
	if err := cmd.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start mysqldump: %w", err)
	}
	return &myDumpReader{db: d, dump: cmd, stdout: stdout, out: bufio.NewReaderSize(stdout, 64<<10), scan: newDumpScanner()}, nil
}

// connected waits for mysqldump's first output, which it writes once
// connected: a refused connection or login is then an error of Open, as
// for the other kinds, rather than of the first Read.
func (r *myDumpReader) connected() error {
	if _, err := r.out.Peek(1); err != nil {
		r.done = true
		if werr := r.dump.cmd.Wait(); werr != nil {
			return r.dump.failure(werr)
		}
		return fmt.Errorf("mysqldump wrote nothing: %w", err)
	}
	return nil
}

// myDumpReader streams mysqldump's output through a dumpScanner. A failed
// dump is returned by Read instead of io.EOF.
type myDumpReader struct {
	db     Database
	te     *toolEnv // removed on Close when set
	dump   *toolCmd
	stdout io.ReadCloser
	out    *bufio.Reader // stdout, buffered so that Open can wait for the first byte
	scan   *dumpScanner
	onEnd  func(Figures)
	done   bool
	closed bool
	err    error
}

func (r *myDumpReader) Read(b []byte) (int, error) {
	if r.done {
		return 0, r.err
	}
	// As for pg_dump: once cancelled, the rest of the pipe is not read.
	if err := r.dump.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := r.out.Read(b)
	r.scan.Write(b[:n])
	if err == io.EOF {
		r.done, r.err = true, io.EOF
		if werr := r.dump.cmd.Wait(); werr != nil {
			r.err = fmt.Errorf("dump %s: %w", r.db, r.dump.failure(werr))
		} else if r.onEnd != nil {
			r.onEnd(r.scan.figures(r.db.Name))
		}
		return n, r.err
	}
	return n, err
}

// Close stops mysqldump if it is still running and removes the private
// directory. Calling it again does nothing.
func (r *myDumpReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if !r.done {
		r.done, r.err = true, errors.New("closed before the end of the dump")
		_ = r.stdout.Close()
		if r.dump.cmd.Process != nil {
			_ = r.dump.cmd.Process.Kill()
		}
		_ = r.dump.cmd.Wait() // killed on purpose: its exit status says nothing
	}
	if r.te != nil {
		return r.te.Close()
	}
	return nil
}

// mysqlLoad restores a mysqldump script into target, creating it. An
// existing database must be empty unless overwrite is set, in which case it
// is dropped and created again.
func mysqlLoad(ctx context.Context, content io.Reader, target Database, opt RestoreOptions) error {
	te, err := newToolEnv(target, opt.Options)
	if err != nil {
		return err
	}
	defer te.Close()
	if err := mysqlPrepareTarget(ctx, te, target, opt); err != nil {
		return err
	}
	args := append(mysqlConnArgs(target), "--batch", "--connect-timeout=15", "--default-character-set=utf8mb4", "--database="+target.Name)
	cmd, err := te.command(ctx, "mysql", args...)
	if err != nil {
		return err
	}
	if _, err := cmd.run(content); err != nil {
		return fmt.Errorf("restore into %s: %w", target, err)
	}
	return nil
}

// mysqlLookTarget says whether target exists and how many tables it holds.
func mysqlLookTarget(ctx context.Context, te *toolEnv, target Database) (Presence, error) {
	name := mysqlString(target.Name)
	out, err := mysqlExec(ctx, te, target,
		"SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = "+name+";\n"+
			"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "+name+";\n", "")
	if err != nil {
		return Presence{}, fmt.Errorf("look for database %q: %w", target.Name, err)
	}
	fields := strings.Fields(string(out))
	if len(fields) != 2 {
		return Presence{}, fmt.Errorf("look for database %q: unexpected answer %q", target.Name, out)
	}
	exists, tables := fields[0] != "0", fields[1]
	return Presence{Exists: exists, Empty: exists && tables == "0", Detail: tables + " tables"}, nil
}

func mysqlPrepareTarget(ctx context.Context, te *toolEnv, target Database, opt RestoreOptions) error {
	p, err := mysqlLookTarget(ctx, te, target)
	if err != nil {
		return err
	}
	switch {
	case p.Empty:
		return nil // an empty database someone prepared: use it
	case p.Exists && !opt.Overwrite && !opt.ReplaceOwn:
		return fmt.Errorf("restore into %s: %w (%s)", target, ErrTargetNotEmpty, p.Detail)
	case p.Exists && !opt.Overwrite:
		// Decided just before the drop: what is there must be what this
		// restore's earlier attempt can have left (a partly loaded dump).
		cur, err := mysqlDumpFigures(ctx, te, target)
		if err != nil {
			return fmt.Errorf("look into database %q: %w", target.Name, err)
		}
		if err := onlyOwn(cur, opt.own); err != nil {
			return fmt.Errorf("restore into %s: %w", target, err)
		}
	}
	sql := "CREATE DATABASE " + mysqlIdent(target.Name) + ";\n"
	if p.Exists {
		sql = "DROP DATABASE " + mysqlIdent(target.Name) + ";\n" + sql
	}
	if _, err := mysqlExec(ctx, te, target, sql, ""); err != nil {
		return fmt.Errorf("create database %q: %w", target.Name, err)
	}
	return nil
}

// mysqlCurrentFigures dumps the restored database with the backup's options
// into a scanner only: the same dump, the same figures, if the data matches.
func mysqlCurrentFigures(ctx context.Context, target Database, opt Options) (Figures, error) {
	te, err := newToolEnv(target, opt)
	if err != nil {
		return Figures{}, err
	}
	defer te.Close()
	return mysqlDumpFigures(ctx, te, target)
}

// mysqlDumpFigures dumps target into a scanner only and returns its figures.
func mysqlDumpFigures(ctx context.Context, te *toolEnv, target Database) (Figures, error) {
	r, err := startMysqldump(ctx, te, target)
	if err != nil {
		return Figures{}, fmt.Errorf("count rows of %s: %w", target, err)
	}
	defer r.Close()
	if _, err := io.Copy(io.Discard, r); err != nil {
		return Figures{}, fmt.Errorf("count rows of %s: %w", target, err)
	}
	return r.scan.figures(target.Name), nil
}
