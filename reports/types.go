package reports

import (
	"time"

	"cadang/pdfdoc"
)

// ReplicaState is the state of one offsite or cloud replica after a run.
type ReplicaState struct {
	Name, URL, Status string
	LastSync          time.Time
	Lag               time.Duration
}

// Warning is a file that could not be read during a run.
type Warning struct{ Path, Err string }

// ExecutionReport is the report of one backup run.
type ExecutionReport struct {
	Meta                         pdfdoc.Meta
	JobName                      string
	RequestNumber                string
	Sources                      []string
	Repository                   string
	Scheduled, Started, Finished time.Time
	Status                       string // success|warnings|failed|missed
	SnapshotID                   string
	FilesNew                     int64
	FilesChanged                 int64
	FilesUnmodified              int64
	BytesRead                    int64
	BytesAdded                   int64
	TotalBytes                   int64
	Warnings                     []Warning
	Replicas                     []ReplicaState
	// Removed lists the snapshots this run's retention removed (by the
	// job's approved policy); they can no longer be restored.
	Removed []RemovedSnapshot
	Error   string
	// Overrun says the run ended after its window closed (WindowEnd, "23:00").
	Overrun   bool
	WindowEnd string
	// CatchUpOf is the slot of the missed run this run catches up, and
	// CatchUpReport the number of that run's report ("missed").
	CatchUpOf     time.Time
	CatchUpReport string
	Signatories   Signatories
}

// RemovedSnapshot is one snapshot retention removed.
type RemovedSnapshot struct {
	ID   string
	Time time.Time
}

// FileCheck is the verification of one restored file.
type FileCheck struct {
	Path      string
	Size      int64
	Want, Got string // content hashes, hex
	OK        bool
	Err       string
}

// Unreadable says the restored file could not be read to be checked: it
// has no hash. A file that was read and whose hash differs is a mismatch,
// whatever its error text says (the engine explains a mismatch in Err too).
func (f FileCheck) Unreadable() bool { return !f.OK && f.Got == "" }

// Mismatched says the restored file was read and its content is not the
// snapshot's.
func (f FileCheck) Mismatched() bool { return !f.OK && f.Got != "" }

// RestoreVerificationReport proves (or disproves) a restore: a summary of
// every file checked, the attempts, the failures and a per-folder table;
// the complete file-by-file list is its registered attachment (List).
type RestoreVerificationReport struct {
	Meta          pdfdoc.Meta
	RequestNumber string
	Data          string
	SnapshotID    string
	SnapshotTime  time.Time
	RequestedAt   time.Time
	Target        string
	Include       []string // the snapshot paths asked for; empty = the whole snapshot
	Attempts      int
	AttemptLog    []Attempt // each attempt's outcome, when known
	Result        string    // verified|failed
	Summary       VerificationSummary
	List          ListRef
	Signatories   Signatories
}

// Attempt is one restore-and-check of a verification (SOP 5.4c–d).
type Attempt struct {
	Number                          int
	Checked, Mismatched, Unreadable int64
	Error                           string // the restore itself failed
	// Failed names the first files that did not match or could not be
	// read (up to AttemptNames, paths in the snapshot), so that the report
	// says which files made a retry necessary.
	Failed []string
}

// AttemptNames is how many failed files an attempt's row names.
const AttemptNames = 3

// ListRef names a report's registered attachment: its number and SHA-256.
type ListRef struct {
	Number, SHA256 string
}

// RunRow is one run in a history report.
type RunRow struct {
	Job        string
	Started    time.Time
	Duration   time.Duration
	Status     string
	Files      int64
	BytesAdded int64
	Warnings   int
}

// HistoryReport lists the runs between From and To, and ends with the
// procedure that governed them, as the SOP itself ends (§9, §10).
type HistoryReport struct {
	Meta        pdfdoc.Meta
	From, To    time.Time
	Runs        []RunRow
	Procedure   Procedure
	Signatories Signatories
}

// Procedure is the governing SOP's own control page: its document history
// (§9 Riwayat Dokumen) and who prepared, checked and approved it (§10
// Pengesahan). A zero Procedure prints nothing.
type Procedure struct {
	DocNo                       string // "SOP-IT-002"
	History                     []ProcedureRevision
	Prepared, Checked, Approved pdfdoc.Signature // name, title, date of approval
}

// ProcedureRevision is one row of an SOP's document history.
type ProcedureRevision struct {
	Revision, Description string
	Effective             time.Time
}
