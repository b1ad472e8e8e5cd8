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
	// 2: the procedure: jobs (schedules), requests, runs, documents, audit log.
	// Lists and policies are JSON text: they are read and written whole.
	`CREATE TABLE jobs (
		id            INTEGER PRIMARY KEY,
		name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
		sources       TEXT NOT NULL DEFAULT '[]',
		repository    TEXT NOT NULL,
		password_file TEXT NOT NULL DEFAULT '',
		replicas      TEXT NOT NULL DEFAULT '[]',
		excludes      TEXT NOT NULL DEFAULT '[]',
		retention     TEXT NOT NULL DEFAULT '{}',
		schedule_kind TEXT NOT NULL CHECK (schedule_kind IN ('window','cron','once')),
		window_start  TEXT NOT NULL DEFAULT '',
		window_end    TEXT NOT NULL DEFAULT '',
		cron          TEXT NOT NULL DEFAULT '',
		once_at       TEXT NOT NULL DEFAULT '',
		state         TEXT NOT NULL,
		revision      INTEGER NOT NULL DEFAULT 1,
		created_by    INTEGER NOT NULL REFERENCES users(id),
		submitted_by  INTEGER REFERENCES users(id),
		decided_by    INTEGER REFERENCES users(id),
		decided_at    TEXT NOT NULL DEFAULT '',
		reject_reason TEXT NOT NULL DEFAULT '',
		created_at    TEXT NOT NULL,
		updated_at    TEXT NOT NULL
	);
	CREATE TABLE requests (
		id            INTEGER PRIMARY KEY,
		kind          TEXT NOT NULL CHECK (kind IN ('backup','restore')),
		job_id        INTEGER NOT NULL REFERENCES jobs(id),
		requester_id  INTEGER NOT NULL REFERENCES users(id),
		department    TEXT NOT NULL DEFAULT '',
		reason        TEXT NOT NULL,
		requested_at  TEXT NOT NULL DEFAULT '',
		target        TEXT NOT NULL DEFAULT '',
		state         TEXT NOT NULL,
		decided_by    INTEGER REFERENCES users(id),
		decided_at    TEXT NOT NULL DEFAULT '',
		reject_reason TEXT NOT NULL DEFAULT '',
		attempts      INTEGER NOT NULL DEFAULT 0,
		snapshot_id   TEXT NOT NULL DEFAULT '',
		number        TEXT NOT NULL DEFAULT '',
		created_at    TEXT NOT NULL,
		updated_at    TEXT NOT NULL
	);
	CREATE INDEX requests_state ON requests(state);
	CREATE TABLE runs (
		id               INTEGER PRIMARY KEY,
		job_id           INTEGER NOT NULL REFERENCES jobs(id),
		request_id       INTEGER REFERENCES requests(id),
		kind             TEXT NOT NULL CHECK (kind IN ('backup','restore')),
		trigger          TEXT NOT NULL,
		actor            TEXT NOT NULL DEFAULT '',
		scheduled_at     TEXT NOT NULL DEFAULT '',
		started_at       TEXT NOT NULL DEFAULT '',
		finished_at      TEXT NOT NULL DEFAULT '',
		status           TEXT NOT NULL,
		overrun          INTEGER NOT NULL DEFAULT 0,
		snapshot_id      TEXT NOT NULL DEFAULT '',
		files_new        INTEGER NOT NULL DEFAULT 0,
		files_changed    INTEGER NOT NULL DEFAULT 0,
		files_unmodified INTEGER NOT NULL DEFAULT 0,
		bytes_read       INTEGER NOT NULL DEFAULT 0,
		bytes_added      INTEGER NOT NULL DEFAULT 0,
		total_bytes      INTEGER NOT NULL DEFAULT 0,
		warnings         TEXT NOT NULL DEFAULT '[]',
		error            TEXT NOT NULL DEFAULT '',
		caught_up        INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX runs_job ON runs(job_id, scheduled_at);
	-- The catalog's half of "the same job never runs twice at once".
	CREATE UNIQUE INDEX runs_one_running ON runs(job_id) WHERE status = 'running';
	CREATE TABLE documents (
		id          INTEGER PRIMARY KEY,
		number      TEXT NOT NULL,
		type        TEXT NOT NULL,
		revision    INTEGER NOT NULL DEFAULT 0,
		request_id  INTEGER REFERENCES requests(id),
		run_id      INTEGER REFERENCES runs(id),
		created_at  TEXT NOT NULL,
		sha256      TEXT NOT NULL,
		path        TEXT NOT NULL,
		verify_code TEXT NOT NULL,
		lang        TEXT NOT NULL DEFAULT 'id',
		UNIQUE (number, revision)
	);
	CREATE INDEX documents_sha ON documents(sha256);
	CREATE TABLE doc_sequences (
		form_code TEXT NOT NULL,
		year      INTEGER NOT NULL,
		last      INTEGER NOT NULL,
		PRIMARY KEY (form_code, year)
	);
	CREATE TABLE audit (
		seq        INTEGER PRIMARY KEY,
		at         TEXT NOT NULL,
		actor      TEXT NOT NULL,
		action     TEXT NOT NULL,
		object     TEXT NOT NULL,
		from_state TEXT NOT NULL DEFAULT '',
		to_state   TEXT NOT NULL DEFAULT '',
		detail     TEXT NOT NULL DEFAULT '',
		prev_hash  TEXT NOT NULL,
		hash       TEXT NOT NULL
	);`,
	// 3: which process owns a running run ("host:pid"), so a restart marks
	// only the runs of dead processes as interrupted.
	`ALTER TABLE runs ADD COLUMN owner TEXT NOT NULL DEFAULT '';`,
	// 4: who last changed a job's definition: they may not approve it either.
	`ALTER TABLE jobs ADD COLUMN edited_by INTEGER REFERENCES users(id);`,
	// 5: who last rescheduled a request: they may not approve it either.
	`ALTER TABLE requests ADD COLUMN rescheduled_by INTEGER REFERENCES users(id);`,
	// 6: a restore request may name the snapshot paths to bring back (JSON
	// list); empty means the whole snapshot.
	`ALTER TABLE requests ADD COLUMN include TEXT NOT NULL DEFAULT '[]';`,
	// 7: each job's offsite replicas as of their last sync attempt (by a run):
	// result, last successful sync, and how far behind the repository they
	// were measured right after it (lag_known = 0 when it could not be).
	`CREATE TABLE replica_state (
		job_id            INTEGER NOT NULL REFERENCES jobs(id),
		name              TEXT NOT NULL,
		url               TEXT NOT NULL DEFAULT '',
		run_id            INTEGER REFERENCES runs(id),
		status            TEXT NOT NULL,
		error             TEXT NOT NULL DEFAULT '',
		last_attempt      TEXT NOT NULL DEFAULT '',
		last_sync         TEXT NOT NULL DEFAULT '',
		lag_known         INTEGER NOT NULL DEFAULT 0,
		missing_snapshots INTEGER NOT NULL DEFAULT 0,
		missing_files     INTEGER NOT NULL DEFAULT 0,
		missing_bytes     INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (job_id, name)
	);`,
	// 8: what an approval covers (a hash of the definition the manager saw),
	// which repository a job writes (its identity, so a missing or swapped
	// repository is refused instead of silently created), whether a restore
	// may replace existing files, and the snapshots retention removed.
	`ALTER TABLE jobs ADD COLUMN approved_revision TEXT NOT NULL DEFAULT '';
	ALTER TABLE jobs ADD COLUMN repo_id TEXT NOT NULL DEFAULT '';
	ALTER TABLE jobs ADD COLUMN repo_encrypted INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE requests ADD COLUMN approved_revision TEXT NOT NULL DEFAULT '';
	ALTER TABLE requests ADD COLUMN overwrite INTEGER NOT NULL DEFAULT 0;
	CREATE TABLE forgotten (
		job_id        INTEGER NOT NULL REFERENCES jobs(id),
		snapshot_id   TEXT NOT NULL,
		snapshot_time TEXT NOT NULL,
		run_id        INTEGER REFERENCES runs(id),
		actor         TEXT NOT NULL,
		at            TEXT NOT NULL,
		PRIMARY KEY (job_id, snapshot_id)
	);`,
	// 9: the document register says what each entry is and binds its code:
	// kind ("signed scan of NUMBER"), who filed it, the entry it belongs to
	// (a signed scan's original, a verification list's report), its job,
	// the SHA-256 of the content its verification code is derived from, and
	// a seal (HMAC under the workspace's document key) over the file's SHA-256.
	`ALTER TABLE documents ADD COLUMN kind TEXT NOT NULL DEFAULT '';
	ALTER TABLE documents ADD COLUMN actor TEXT NOT NULL DEFAULT '';
	ALTER TABLE documents ADD COLUMN parent_id INTEGER REFERENCES documents(id);
	ALTER TABLE documents ADD COLUMN job_id INTEGER REFERENCES jobs(id);
	ALTER TABLE documents ADD COLUMN content_sha256 TEXT NOT NULL DEFAULT '';
	ALTER TABLE documents ADD COLUMN seal TEXT NOT NULL DEFAULT '';
	CREATE INDEX documents_code ON documents(verify_code);`,
	// 10: a restore request may name the copy it restores from: "" the job's
	// repository, else one of the job's replicas (APCA 3.4, restore from the
	// offsite or cloud copy).
	`ALTER TABLE requests ADD COLUMN replica TEXT NOT NULL DEFAULT '';`,
	// 11: a team catalog. The host whose daemon runs a job ("" any), and
	// the bytes of the filed documents, kept with a shared catalog so that
	// every workstation opens the same PDF (the documents folder is their
	// cache).
	`ALTER TABLE jobs ADD COLUMN host TEXT NOT NULL DEFAULT '';
	CREATE TABLE document_files (
		path    TEXT PRIMARY KEY,
		sha256  TEXT NOT NULL,
		content BLOB NOT NULL
	);`,
	// 12: the pending retry of a failed offsite copy, so that it outlives
	// the process that armed it (a restarted daemon, a closed window) and
	// every workstation sees when it comes: its attempt (0-based) and when
	// it is due ("" none).
	`ALTER TABLE replica_state ADD COLUMN retry_attempt INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE replica_state ADD COLUMN retry_at TEXT NOT NULL DEFAULT '';`,
}
