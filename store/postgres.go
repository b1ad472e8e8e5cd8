package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"cadang/engine/secrets"
)

// Advisory lock keys: (space, key) pairs of pg_advisory_lock(int, int).
// The spaces keep Cadang's locks apart from anything else using the
// database's advisory locks; a key is a hash of the catalog's schema and a
// name (pgKey), so that catalogs in several schemas of one database keep
// their locks apart too.
const (
	lockSpaceCatalog = 0x43444e47 // the catalog's write lock ("write") and migration lock ("migrate")
	lockSpaceLeader  = 0x43444e48 // a daemon leading its host (the host's name)
	lockSpaceOwner   = 0x43444e49 // a process alive (its owner name)
)

// pgKey is the advisory lock key of name in this catalog's schema.
func (c *Catalog) pgKey(name string) int32 {
	schema := ""
	if c.pg != nil {
		schema = c.pg.schema
	}
	return lockKey(schema + "/" + name)
}

// pgMaxConns bounds one process's connections: a window or a daemon does
// a few things at once, and a server's connections are shared by the team.
const pgMaxConns = 6

// openPostgres opens the shared catalog in the database the URL names and
// brings its schema up to date (creating it in an empty database).
func openPostgres(ctx context.Context, location string) (*Catalog, error) {
	if err := secrets.Check(location); err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", secrets.Redact(location), err)
	}
	cfg, err := pgx.ParseConfig(location) // the password from PGPASSFILE or ~/.pgpass
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", location, err)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "cadang"
	}
	// A step waits for the write lock as an SQLite step waits for its
	// busy timeout, not forever.
	cfg.RuntimeParams["lock_timeout"] = "60s"
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(pgMaxConns)
	db.SetMaxIdleConns(2)
	db.SetConnMaxIdleTime(5 * time.Minute)
	c := &Catalog{db: db, path: location, dialect: Postgres, upgradedFrom: -1}
	c.queries = queries{db: pgAuto{c}, dialect: Postgres}
	c.pg = newPGShared(cfg)
	var schema string
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(current_schema(), '')`).Scan(&schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", location, err)
	}
	if schema == "" {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w: no schema of its search_path exists", location, ErrNotCatalog)
	}
	c.pg.schema = schema
	if err := c.refuseNewer(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := c.migrate(ctx, len(migrations)); err != nil {
		db.Close()
		return nil, err
	}
	return c, nil
}

// pgSchemaVersion reads the schema_version table; a database without one
// is at version 0 when it is empty, and refused when it holds other tables.
func (c *Catalog) pgSchemaVersion(ctx context.Context, q sqlQuerier) (int, error) {
	var has bool
	if err := q.QueryRowContext(ctx, `SELECT to_regclass('schema_version') IS NOT NULL`).Scan(&has); err != nil {
		return 0, fmt.Errorf("read catalog schema version: %w", err)
	}
	if !has {
		var tables int
		err := q.QueryRowContext(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()`).Scan(&tables)
		if err != nil {
			return 0, fmt.Errorf("read catalog schema version: %w", err)
		}
		if tables > 0 {
			return 0, fmt.Errorf("%w: database %s holds %d tables but no Cadang schema; give Cadang an empty database of its own", ErrNotCatalog, c.path, tables)
		}
		return 0, nil
	}
	var v int
	if err := q.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read catalog schema version: %w", err)
	}
	return v, nil
}

// pgBootstrap creates what the translated migrations rely on: the
// case-insensitive collation that COLLATE NOCASE names, and the version table.
const pgBootstrap = `CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
	CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);
	INSERT INTO schema_version (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);`

// pgMigrate is migrate on PostgreSQL: the same migrations, translated, in
// one transaction, under a lock so that two processes opening a new
// catalog at once create it once.
func (c *Catalog) pgMigrate(ctx context.Context, target int) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("open catalog %s: %w", c.path, err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockSpaceCatalog, c.pgKey("migrate")); err != nil {
		return fmt.Errorf("open catalog %s: %w", c.path, err)
	}
	v, err := c.pgSchemaVersion(ctx, tx)
	if err != nil {
		return fmt.Errorf("open catalog %s: %w", c.path, err)
	}
	if v > len(migrations) {
		return fmt.Errorf("open catalog %s: %w (schema version %d, this Cadang knows up to %d): use a newer Cadang", c.path, ErrNewerCatalog, v, len(migrations))
	}
	if v >= target {
		return nil
	}
	if _, err := tx.ExecContext(ctx, pgBootstrap); err != nil {
		return fmt.Errorf("create catalog in %s: %w", c.path, err)
	}
	for i := v; i < target; i++ {
		if _, err := tx.ExecContext(ctx, pgDDL(migrations[i])); err != nil {
			return fmt.Errorf("upgrade catalog %s to schema version %d: %w", c.path, i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = $1`, target); err != nil {
		return fmt.Errorf("upgrade catalog %s: %w", c.path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("upgrade catalog %s: %w", c.path, err)
	}
	return nil
}
