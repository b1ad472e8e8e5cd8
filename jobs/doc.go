// Package jobs is the procedure of SOP-IT-002 and the APCA work instruction:
// accounts and roles, requests and approvals, job schedules, runs, restore
// and verification, documents and the audit log. The window (ui/) and the
// command line (cli/) both act only through a Service, so the rules hold
// whatever calls them.
//
// A workspace is a directory holding the catalog (catalog.db), the filed
// documents (documents/YEAR/) and run logs (logs/). A workspace of a team
// names a shared catalog on PostgreSQL instead (catalog.url); the filed
// documents then live in the catalog and documents/ is a cache of them
// (documents_cache.go), a job names the host whose daemon runs it, and the
// daemons of one host elect one to lead (scheduler.go). Every process using
// a catalog hears what the others did from its audit log (events.go).
//
// Vocabulary: a Job is a backup schedule defined by IT staff (SOP 5.3a); a
// Request is a department's ask for a backup or a restore (SOP 5.2); a Run
// is one execution of a job, or one missed execution; a Document is a filed
// PDF in the register; an audit entry is one action in the hash-chained log.
//
// Guarantees:
//   - Every method takes the acting User and re-reads the account: a
//     disabled or locked account, or a wrong role, is refused with an error
//     matching ErrRefused (the command line exits 3).
//   - Nothing unapproved runs: runBackup and runRequest, the only places a
//     backup or restore starts, re-read the job or request and refuse unless
//     it is approved at that instant, whether the window, the command line,
//     a catch-up or the scheduler asked. Editing an approved job sends it
//     back to submitted. Nobody decides on what they submitted or requested;
//     only IT managers decide; a rejection needs a reason.
//   - The same job never runs twice at once: an in-process guard, gocron's
//     singleton mode and a unique index on running runs in the catalog. A
//     slot of a job's schedule runs at most once, whichever scheduler fires
//     it: its run starts only if the slot has none, checked under the
//     catalog's write lock.
//   - Every state change is appended to the audit log, each entry chained
//     by SHA-256 to the one before; VerifyAudit finds changed, inserted and
//     deleted entries and a removed tail.
//   - A deleted job is retired, not erased (RetireJob): it never runs again
//     and lists hide it, but its runs, documents, audit entries and
//     repository stay, so its data can still be restored and its history
//     shown.
//   - A restore request may name snapshot paths (Include): only those are
//     restored and checked, and its documents say so.
//   - After every run each replica's result, last sync and lag are kept in
//     the catalog (replica_state) for the dashboard and the report.
//   - Every document gets its number (form code / year / sequence) before
//     rendering, is written atomically and registered with its SHA-256;
//     numbers are never reused (a failed rendering leaves a gap). Its
//     verification code is derived, under the document key kept outside
//     the catalog, from its content record (NUMBER.content.json: the facts
//     handed to forms/reports) and number, and the register seals the
//     entry to the file, so a code typed or scanned from paper is checked
//     without the file (VerifyDocumentCode). Names on documents come from
//     the accounts that acted (documents_names.go).
//   - A signed scan is its own register entry, never a revision of its
//     original; a restore is handed over only once its signed handover form
//     is attached, or the IT manager records a paper handover.
//   - The workspace's own records are backed up (records.go): one built-in
//     job, RecordsJobName, approved by the first-time setup and then
//     bound by the same approval gate as every job, copies the catalog
//     (SQLite online backup, before anything else) and every other file of
//     the workspace into a repository outside it; it cannot be deleted,
//     renamed or given other sources. RebuildWorkspace rebuilds a lost
//     workspace from it into an empty folder only, checks every file,
//     table, audit entry and document, and never reuses a document number.
//
// Non-guarantees: the scheduler only runs while the window or `cadang
// daemon` runs; what it missed meanwhile is recorded at the next start and
// offered for catch-up, never run silently late outside its window.
package jobs
