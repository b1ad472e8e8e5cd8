// Package store is Cadang's catalog: the database that records users,
// requests, approvals, jobs, runs, documents and the audit log. It records
// what happened; the backup repositories themselves are self-describing and
// never depend on it.
//
// A catalog is a workspace's own SQLite file (the embedded default, one
// workstation) or a PostgreSQL database that a team shares (Open with a
// postgres:// URL; the password comes from ~/.pgpass or PGPASSFILE, never
// the URL). Both have one schema and one list of migrations, and every
// statement is written once (dialect.go translates placeholders and DDL
// types). Every write takes the catalog's one write lock, on PostgreSQL
// an advisory lock, so a step's checks hold until it commits and the audit
// chain keeps one order across processes. shared.go has what only a shared
// catalog needs: which run owners are alive, which daemon leads a host,
// and notifications of changes.
//
// Guarantees (SQLite): WAL journal, foreign keys on, a busy timeout; the schema is
// upgraded by forward-only numbered migrations, all applied at Open inside
// one transaction, so a failed upgrade leaves the catalog as it was. A
// catalog written by a newer Cadang (a higher schema version) is refused and
// never altered; a file that is not an SQLite database is refused with a
// clear error.
package store
