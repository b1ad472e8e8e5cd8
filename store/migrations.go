package store

// migrations are applied in order; migrations[i] brings the schema from
// version i to i+1. Never edit or reorder a released entry: append a new one.
var migrations = []string{
	// 1: settings and accounts.
	`CREATE TABLE settings (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	);
	CREATE TABLE users (
		id            INTEGER PRIMARY KEY,
		name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
		full_name     TEXT NOT NULL DEFAULT '',
		role          TEXT NOT NULL CHECK (role IN ('user','staff','manager','admin')),
		department    TEXT NOT NULL DEFAULT '',
		password_hash TEXT NOT NULL,
		disabled      INTEGER NOT NULL DEFAULT 0,
		failed_logins INTEGER NOT NULL DEFAULT 0,
		created_at    TEXT NOT NULL
	);`,
}
