package dbsource

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"cadang/engine"
)

// sqliteDSN opens path as an SQLite URI (escaping what a path may hold)
// with extra query parameters.
func sqliteDSN(path, query string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: query}).String()
}

// sqliteDump is one backup of an SQLite database.
type sqliteDump struct {
	db  Database
	opt Options
	recorded
}

func sqliteStream(d Database, opt Options) engine.Stream {
	s := &sqliteDump{db: d, opt: opt}
	return engine.Stream{Path: d.EntryPath(), Open: s.open, Meta: s.meta}
}

// open copies the database with SQLite's online backup API into a private
// temporary directory (the API needs a destination database: the one
// exception to streaming), records the copy's figures, and streams the copy.
func (s *sqliteDump) open(ctx context.Context) (io.ReadCloser, error) {
	if _, err := os.Stat(s.db.File); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("back up SQLite database %s: no such file: %w", s.db.File, ErrNoDatabase)
		}
		return nil, fmt.Errorf("back up SQLite database %s: %w", s.db.File, err)
	}
	dir, err := os.MkdirTemp(s.opt.TempDir, "cadang-sqlite-")
	if err != nil {
		return nil, fmt.Errorf("create private temporary directory: %w", err)
	}
	copyPath := filepath.Join(dir, "copy.db")
	f, err := sqliteCopy(ctx, s.db.File, copyPath)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("back up SQLite database %s: %w", s.db.File, err), os.RemoveAll(dir))
	}
	f.Name = s.db.Name
	s.record(f)
	file, err := os.Open(copyPath)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("back up SQLite database %s: %w", s.db.File, err), os.RemoveAll(dir))
	}
	return &removeOnClose{File: file, dir: dir}, nil
}

// removeOnClose removes the private directory of the copy once streamed.
// Calling Close again does nothing.
type removeOnClose struct {
	*os.File
	dir    string
	closed bool
}

func (r *removeOnClose) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	return errors.Join(r.File.Close(), os.RemoveAll(r.dir))
}

// sqliteCopy copies src into the new database dst with the online backup
// API, checks the copy's integrity and returns its figures. The copy is
// made in one backup step, that is inside one read transaction on src:
// consistent, while writers go on (WAL mode) or wait (rollback journal).
func sqliteCopy(ctx context.Context, src, dst string) (Figures, error) {
	srcDB, err := sql.Open("sqlite3", sqliteDSN(src, "mode=ro&_busy_timeout=10000"))
	if err != nil {
		return Figures{}, err
	}
	defer srcDB.Close()
	dstDB, err := sql.Open("sqlite3", sqliteDSN(dst, ""))
	if err != nil {
		return Figures{}, err
	}
	defer dstDB.Close()
	srcConn, err := srcDB.Conn(ctx)
	if err != nil {
		return Figures{}, fmt.Errorf("open: %w", err)
	}
	defer srcConn.Close()
	dstConn, err := dstDB.Conn(ctx)
	if err != nil {
		return Figures{}, fmt.Errorf("open copy: %w", err)
	}
	defer dstConn.Close()
	err = dstConn.Raw(func(d any) error {
		return srcConn.Raw(func(s any) error {
			return backupAll(ctx, d.(*sqlite3.SQLiteConn), s.(*sqlite3.SQLiteConn))
		})
	})
	if err != nil {
		return Figures{}, fmt.Errorf("online backup: %w", err)
	}
	// A WAL-mode copy keeps pages in its -wal file until checkpointed.
	if _, err := dstConn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return Figures{}, fmt.Errorf("checkpoint copy: %w", err)
	}
	if res, err := sqliteIntegrity(ctx, dstConn); err != nil || res != "ok" {
		return Figures{}, errors.Join(fmt.Errorf("the copy fails integrity_check: %s", res), err)
	}
	f, err := sqliteFigures(ctx, dstConn)
	if err != nil {
		return Figures{}, err
	}
	f.Consistency = "counted in the online-backup copy"
	return f, nil
}

// backupAll runs the backup in a single step, retrying while src is locked.
func backupAll(ctx context.Context, dst, src *sqlite3.SQLiteConn) error {
	b, err := dst.Backup("main", src, "main")
	if err != nil {
		return err
	}
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		done, err := b.Step(-1)
		if err != nil {
			return errors.Join(err, b.Finish())
		}
		if done {
			return b.Finish()
		}
		// SQLITE_BUSY or SQLITE_LOCKED: a writer holds the lock; try again.
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), b.Finish())
		case <-time.After(wait):
		}
	}
}

func sqliteIntegrity(ctx context.Context, c *sql.Conn) (string, error) {
	rows, err := c.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return "", fmt.Errorf("integrity_check: %w", err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return "", fmt.Errorf("integrity_check: %w", err)
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("integrity_check: %w", err)
	}
	return strings.Join(lines, "; "), nil
}

// sqliteFigures counts and checksums every table of the database.
func sqliteFigures(ctx context.Context, c *sql.Conn) (Figures, error) {
	names, err := sqliteTables(ctx, c)
	if err != nil {
		return Figures{}, err
	}
	f := Figures{Kind: SQLite, Method: methodSQLite, Tables: map[string]TableFigures{}}
	for _, n := range names {
		t, err := sqliteTableFigures(ctx, c, n)
		if err != nil {
			return Figures{}, err
		}
		f.Tables[n] = t
	}
	return f, nil
}

func sqliteTables(ctx context.Context, c *sql.Conn) ([]string, error) {
	rows, err := c.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

func sqliteTableFigures(ctx context.Context, c *sql.Conn, table string) (TableFigures, error) {
	rows, err := c.QueryContext(ctx, `SELECT * FROM "`+strings.ReplaceAll(table, `"`, `""`)+`"`)
	if err != nil {
		return TableFigures{}, fmt.Errorf("read table %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return TableFigures{}, fmt.Errorf("read table %s: %w", table, err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var t TableFigures
	var sum uint64
	h := sha256.New()
	var digest [sha256.Size]byte
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return TableFigures{}, err
		}
		if err := rows.Scan(ptrs...); err != nil {
			return TableFigures{}, fmt.Errorf("read table %s: %w", table, err)
		}
		h.Reset()
		for _, v := range vals {
			writeValue(h, v)
		}
		sum += binary.BigEndian.Uint64(h.Sum(digest[:0]))
		t.Rows++
	}
	if err := rows.Err(); err != nil {
		return TableFigures{}, fmt.Errorf("read table %s: %w", table, err)
	}
	t.Sum = fmt.Sprintf("%016x", sum)
	return t, nil
}

// writeValue encodes one value unambiguously: a type tag, a length, the bytes.
func writeValue(w io.Writer, v any) {
	var tag byte
	var b []byte
	switch x := v.(type) {
	case nil:
		tag = 'n'
	case int64:
		tag, b = 'i', binary.BigEndian.AppendUint64(nil, uint64(x))
	case float64:
		tag, b = 'f', binary.BigEndian.AppendUint64(nil, math.Float64bits(x))
	case []byte:
		tag, b = 'b', x
	case string:
		tag, b = 's', []byte(x)
	case bool:
		tag, b = 'i', []byte{0}
		if x {
			b[0] = 1
		}
	case time.Time:
		tag, b = 't', []byte(x.UTC().Format(time.RFC3339Nano))
	default:
		tag, b = '?', fmt.Appendf(nil, "%v", x)
	}
	hdr := binary.BigEndian.AppendUint64([]byte{tag}, uint64(len(b)))
	w.Write(hdr)
	w.Write(b)
}

// sqliteLoad writes the streamed database file to target. An existing file
// is replaced only with overwrite; its -wal, -shm and -journal files go too,
// since SQLite would otherwise apply them to the restored file.
func sqliteLoad(ctx context.Context, content io.Reader, target Database, opt RestoreOptions) (err error) {
	if st, statErr := os.Stat(target.File); statErr == nil && st.Size() > 0 && !opt.Overwrite {
		if !opt.ReplaceOwn {
			return fmt.Errorf("restore into %s: %w (the file exists)", target.File, ErrTargetNotEmpty)
		}
		cur, _, err := sqliteCurrent(ctx, target)
		if err != nil {
			return fmt.Errorf("restore into %s: %w (the file exists and cannot be read: %w)", target.File, ErrTargetChanged, err)
		}
		if err := onlyOwn(cur, opt.own); err != nil {
			return fmt.Errorf("restore into %s: %w", target.File, err)
		}
	}
	dir := filepath.Dir(target.File)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("restore into %s: %w", target.File, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(target.File)+".cadang-*")
	if err != nil {
		return fmt.Errorf("restore into %s: %w", target.File, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = io.Copy(f, readerWithContext{ctx, content}); err != nil {
		return fmt.Errorf("restore into %s: %w", target.File, err)
	}
	if err = errors.Join(f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("restore into %s: %w", target.File, err)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if rmErr := os.Remove(target.File + suffix); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			return fmt.Errorf("restore into %s: %w", target.File, rmErr)
		}
	}
	if err = os.Rename(f.Name(), target.File); err != nil {
		return fmt.Errorf("restore into %s: %w", target.File, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return errors.Join(d.Sync(), d.Close())
}

// readerWithContext stops a copy once ctx is cancelled.
type readerWithContext struct {
	ctx context.Context
	r   io.Reader
}

func (r readerWithContext) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// sqliteCurrent checks the integrity of a restored file and counts its tables.
func sqliteCurrent(ctx context.Context, target Database) (Figures, string, error) {
	if _, err := os.Stat(target.File); err != nil {
		return Figures{}, "", fmt.Errorf("check %s: %w", target.File, err)
	}
	db, err := sql.Open("sqlite3", sqliteDSN(target.File, "_busy_timeout=10000"))
	if err != nil {
		return Figures{}, "", err
	}
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		return Figures{}, "", fmt.Errorf("open %s: %w", target.File, err)
	}
	defer c.Close()
	integrity, err := sqliteIntegrity(ctx, c)
	if err != nil {
		return Figures{}, "", fmt.Errorf("check %s: %w", target.File, err)
	}
	f, err := sqliteFigures(ctx, c)
	if err != nil {
		return Figures{}, integrity, fmt.Errorf("check %s: %w", target.File, err)
	}
	f.Name = target.Name
	return f, integrity, nil
}
