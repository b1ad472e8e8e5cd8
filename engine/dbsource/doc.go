// Package dbsource backs up and restores databases as engine streams:
// SQLite through its online backup API, PostgreSQL through pg_dump -Fc and
// pg_restore, MySQL/MariaDB through mysqldump and mysql.
//
// Vocabulary. A database is named by a URL (sqlite:///abs/path.db,
// postgres://user@host:port/db, mysql://user@host:port/db). In a snapshot it
// is one stream entry, "db/<kind>/<name>", whose content is the dump and
// whose Meta holds the figures recorded at backup time: every table's row
// count and an order-independent checksum of its rows (see meta.go).
//
// Guarantees.
//   - The dump is streamed into the repository: no temporary copy of a
//     PostgreSQL or MySQL dump is written. SQLite is the exception: its
//     backup API needs a destination database, so a consistent copy is made
//     in a private temporary directory (mode 0700), streamed, then removed.
//   - The recorded figures describe exactly the dumped data: PostgreSQL
//     counts in the snapshot pg_dump uses (an exported snapshot held open by
//     a REPEATABLE READ transaction), MySQL counts the rows in the dump
//     itself, SQLite counts the rows of the copy.
//   - Restores go to a database the caller names; an existing non-empty
//     database is never replaced unless Overwrite is set. Every restore is
//     verified table by table against the recorded figures.
//   - Passwords never appear on a command line or in a URL: the tools read
//     them from their own files or environment (~/.pgpass, PGPASSFILE,
//     PGPASSWORD, ~/.my.cnf, MYSQL_PWD), or from Options.Password, which is
//     written to a 0600 file in a private temporary directory for the run.
//   - A missing tool, a refused connection and a refused login each give one
//     clear error (ErrToolMissing, ErrConnectionRefused, ErrAuthFailed).
//
// Non-guarantees. A MySQL checksum compares dumps made by the same server
// version (float and date formatting belong to the server). Tables of other
// kinds (views, foreign tables, sequences' positions) are restored by the
// tools but not counted.
package dbsource
