// Package store is Cadang's catalog: one SQLite database per workspace that
// records users, requests, approvals, jobs, runs, documents and the audit
// log. It records what happened; the backup repositories themselves are
// self-describing and never depend on it.
//
// Guarantees: WAL journal, foreign keys on, a busy timeout; the schema is
// upgraded by forward-only numbered migrations, all applied at Open inside
// one transaction, so a failed upgrade leaves the catalog as it was. A
// catalog written by a newer Cadang (a higher schema version) is refused and
// never altered; a file that is not an SQLite database is refused with a
// clear error.
package store
