package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	_ "github.com/mattn/go-sqlite3" // the catalog's SQL driver
)

// Errors callers branch on.
var (
	ErrNewerCatalog = errors.New("catalog was written by a newer Cadang")
	ErrNotCatalog   = errors.New("not a Cadang catalog")
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("already exists")
)

// Catalog is an open catalog database: a workspace's own SQLite file, or
// a PostgreSQL database a team shares.
type Catalog struct {
	queries
	db      *sql.DB
	path    string // the SQLite file, or the PostgreSQL URL (it never holds a password)
	dialect Dialect
	pg      *pgShared // PostgreSQL only: locks and notifications
	own     ownSeqs   // audit entries appended through this Catalog
	// upgradedFrom is the schema version this Open found and upgraded
	// (0: a new catalog), or -1 when it was already up to date.
	upgradedFrom int
}

// UpgradedFrom says whether this Open upgraded an existing catalog, and
// from which schema version: the procedure adapts records a newer rule
// needs (see jobs.adoptApprovals) exactly once, at the upgrade.
func (c *Catalog) UpgradedFrom() (int, bool) { return c.upgradedFrom, c.upgradedFrom > 0 }

// sqliteHeader starts every SQLite 3 database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// Open opens the catalog at path and brings its schema up to date. path is
// an SQLite file (created if missing) or a postgres:// URL naming a
// database (its schema is created when it is empty); the URL never holds a
// password: it comes from ~/.pgpass or the file PGPASSFILE names.
func Open(ctx context.Context, path string) (*Catalog, error) {
	if IsURL(path) {
		return openPostgres(ctx, path)
	}
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	// WAL is switched on only after the version check: changing the journal
	// mode rewrites the file header, and a refused catalog stays untouched.
	q := url.Values{}
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	db, err := sql.Open("sqlite3", "file:"+escapePath(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	c := &Catalog{queries: queries{db: plain{db}, dialect: SQLite}, db: db, path: path, dialect: SQLite, upgradedFrom: -1}
	if err := c.refuseNewer(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode=WAL"); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, explain(path, err))
	}
	if err := c.migrate(ctx, len(migrations)); err != nil {
		db.Close()
		return nil, err
	}
	return c, nil
}

// escapePath makes a file path safe inside a "file:" URI.
func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// checkHeader refuses an existing, non-empty file that is not SQLite, before
// the driver gets a chance to treat it as something else.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open catalog %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open catalog %s: %w", path, err)
	}
	if st.IsDir() {
		return fmt.Errorf("open catalog %s: %w: it is a directory", path, ErrNotCatalog)
	}
	if st.Size() == 0 {
		return nil
	}
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteHeader) {
		return fmt.Errorf("open catalog %s: %w: the file is not an SQLite database", path, ErrNotCatalog)
	}
	return nil
}

// IsURL reports whether a catalog location names a PostgreSQL database
// rather than an SQLite file.
func IsURL(location string) bool {
	l := strings.ToLower(location)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// Path is the catalog's file, or the PostgreSQL URL of a shared catalog.
func (c *Catalog) Path() string { return c.path }

// Dialect is the catalog's database engine.
func (c *Catalog) Dialect() Dialect { return c.dialect }

// Shared reports a catalog that several workstations and servers use at
// once (PostgreSQL): documents live in it, daemons take the lead per host,
// and changes are announced to every process.
func (c *Catalog) Shared() bool { return c.dialect == Postgres }

// DB gives packages in this module's store layer raw access (tests, migrations).
func (c *Catalog) DB() *sql.DB { return c.db }

// Close closes the database (and, on PostgreSQL, releases every lock this
// process holds on it).
func (c *Catalog) Close() error {
	var err error
	if c.pg != nil {
		err = c.pg.close()
	}
	return errors.Join(err, c.db.Close())
}

// SchemaVersion returns the catalog's schema version.
func (c *Catalog) SchemaVersion(ctx context.Context) (int, error) {
	if c.dialect == Postgres {
		return c.pgSchemaVersion(ctx, c.db)
	}
	var v int
	if err := c.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read catalog schema version: %w", explain(c.path, err))
	}
	return v, nil
}

// explain turns SQLite's corruption errors into a message a person can act on.
func explain(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "file is not a database") || strings.Contains(msg, "malformed") || strings.Contains(msg, "file is encrypted") {
		return fmt.Errorf("%w: %s is damaged or not an SQLite database (%v); restore it from a copy or start a new workspace", ErrNotCatalog, path, err)
	}
	return err
}

// refuseNewer reads the schema version without writing anything and
// refuses a catalog from a newer Cadang.
func (c *Catalog) refuseNewer(ctx context.Context) error {
	v, err := c.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("open catalog %s: %w", c.path, err)
	}
	if v > len(migrations) {
		return fmt.Errorf("open catalog %s: %w (schema version %d, this Cadang knows up to %d): use a newer Cadang", c.path, ErrNewerCatalog, v, len(migrations))
	}
	return nil
}

// migrate brings the schema to version target in one transaction.
func (c *Catalog) migrate(ctx context.Context, target int) error {
	if c.dialect == Postgres {
		return c.pgMigrate(ctx, target)
	}
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("open catalog %s: %w", c.path, explain(c.path, err))
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("open catalog %s: %w", c.path, explain(c.path, err))
	}
	if v > len(migrations) {
		return fmt.Errorf("open catalog %s: %w (schema version %d, this Cadang knows up to %d): use a newer Cadang", c.path, ErrNewerCatalog, v, len(migrations))
	}
	if v >= target {
		return nil
	}
	// Check the file is sane before changing anything.
	var ok string
	if err := tx.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&ok); err != nil {
		return fmt.Errorf("open catalog %s: %w", c.path, explain(c.path, err))
	}
	if ok != "ok" {
		return fmt.Errorf("open catalog %s: %w: integrity check says %q", c.path, ErrNotCatalog, ok)
	}
	for i := v; i < target; i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("upgrade catalog %s to schema version %d: %w", c.path, i+1, explain(c.path, err))
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", target)); err != nil {
		return fmt.Errorf("upgrade catalog %s: %w", c.path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("upgrade catalog %s: %w", c.path, explain(c.path, err))
	}
	c.upgradedFrom = v
	return nil
}

// CreateAtSchema writes a new SQLite catalog at an earlier schema version,
// as an older Cadang would have left it, for tests of what an upgrade does
// (store's own and the procedure's).
func CreateAtSchema(ctx context.Context, path string, version int) error {
	if version < 0 || version > len(migrations) {
		return fmt.Errorf("create catalog at schema %d: this Cadang knows 0 to %d", version, len(migrations))
	}
	db, err := sql.Open("sqlite3", "file:"+escapePath(path)+"?_foreign_keys=on")
	if err != nil {
		return err
	}
	defer db.Close()
	c := &Catalog{db: db, path: path, dialect: SQLite}
	return c.migrate(ctx, version)
}
