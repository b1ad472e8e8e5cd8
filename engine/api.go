package engine

// This file is the engine's public contract, relied on by jobs/, cli/ and ui/.
// Keep the names and meanings stable; add fields freely.

import (
	"context"
	"errors"
	"io"
	"time"

	"cadang/engine/backend"
)

// Sentinel errors callers branch on with errors.Is.
var (
	ErrNotRepository    = errors.New("not a Cadang repository")
	ErrRepositoryExists = errors.New("a repository already exists there")
	ErrPasswordRequired = errors.New("repository is encrypted: a password is required")
	ErrWrongPassword    = errors.New("wrong repository password")
	ErrLocked           = errors.New("repository is locked")
	ErrNoSnapshot       = errors.New("no matching snapshot")
	ErrAmbiguous        = errors.New("snapshot ID prefix is ambiguous")
	ErrNewerFormat      = errors.New("repository was written by a newer Cadang")
	ErrTargetExists     = errors.New("the restore would replace existing files")
	// ErrNotEncrypted: a password was given for a repository that is not
	// encrypted. Opening it anyway would write plaintext where the caller
	// expects ciphertext, with the password ignored.
	ErrNotEncrypted = errors.New("repository is not encrypted, but a password was given")
	// ErrTampered: the repository's config contradicts its key files (it
	// says "not encrypted" next to key files, or differs from the config
	// the key files authenticate). Someone edited it; do not write to it.
	ErrTampered = errors.New("repository config was changed: it does not match the repository's key")
	// ErrNoSpace: the storage being written is full (a *backend.NoSpaceError
	// names where and what). Nothing committed is lost; free space and run
	// again.
	ErrNoSpace = backend.ErrNoSpace
)

// LockInfo names the holder of a repository lock. A *LockedError wraps ErrLocked.
type LockInfo struct {
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	User      string    `json:"user"`
	Operation string    `json:"operation"`
	Since     time.Time `json:"since"`
	Stale     bool      `json:"stale"` // dead PID on this host, or older than the stale limit
}

// LockedError is returned when another writer holds the lock.
type LockedError struct{ Holder LockInfo }

// ProgressStats is a snapshot of long-running work, for bars and ETAs.
type ProgressStats struct {
	Phase       string // "scan", "backup", "restore", "verify", "replicate", "prune"
	FilesDone   int64
	FilesTotal  int64 // 0 when not yet known
	BytesDone   int64
	BytesTotal  int64 // 0 when not yet known
	CurrentPath string
	Started     time.Time
}

// Progress receives reports from long work. The engine calls Report at most
// about ten times a second and once at the end; implementations must be
// safe for concurrent use.
type Progress interface {
	Report(s ProgressStats)
	Warn(path string, err error)
}

// NopProgress ignores every report.
type NopProgress struct{}

func (NopProgress) Report(ProgressStats) {}
func (NopProgress) Warn(string, error)   {}

var _ Progress = NopProgress{}

// InitOptions configure a new repository. An empty Password makes an
// unencrypted repository.
type InitOptions struct {
	Password string
	// PackSize is the target size of pack files in bytes (1 MiB–1 GiB);
	// 0 means the default, 16 MiB.
	PackSize int
}

// Snapshot is one complete backup, the commit point of a backup run.
type Snapshot struct {
	ID    string    `json:"id"` // hex
	Time  time.Time `json:"time"`
	Host  string    `json:"host"`
	Paths []string  `json:"paths"` // absolute source paths as given
	Tags  []string  `json:"tags,omitempty"`
	// Labels are facts the caller asked to keep with the snapshot (for
	// Cadang: the audit chain's head, a partial backup's mark). They are
	// part of the snapshot's encrypted, content-addressed record, so they
	// cannot be changed without changing its ID.
	Labels map[string]string `json:"labels,omitempty"`
	Parent string            `json:"parent,omitempty"`
	// Partial lists the sources (folder paths, or stream paths such as
	// "db/postgres/sales") that could not be read at all: the snapshot
	// holds the rest. A snapshot with Partial set is not a complete backup.
	Partial []string `json:"partial,omitempty"`
	Summary Summary  `json:"summary"`
	Tree    string   `json:"tree"` // root tree blob ID, hex
}

// ShortID is the first 8 hex digits of the snapshot ID.
func (s Snapshot) ShortID() string {
	if len(s.ID) > 8 {
		return s.ID[:8]
	}
	return s.ID
}

// Summary is what a snapshot contains and what its backup added.
type Summary struct {
	Files      int64 `json:"files"`
	Dirs       int64 `json:"dirs"`
	TotalBytes int64 `json:"total_bytes"` // logical size of all file contents
	AddedBytes int64 `json:"added_bytes"` // bytes written to the repository by this backup
}

// NodeType is the kind of a tree entry.
type NodeType string

const (
	NodeFile    NodeType = "file"
	NodeDir     NodeType = "dir"
	NodeSymlink NodeType = "symlink"
	NodeStream  NodeType = "stream" // a database dump or other stream, see Stream
	NodeFIFO    NodeType = "fifo"   // a named pipe
	NodeDevice  NodeType = "device" // a block or character device node (Mode says which), see Node.Rdev
)

// Node is one entry of a snapshot's tree, as shown by ls and the UI.
type Node struct {
	Name       string            `json:"name"`
	Path       string            `json:"path"` // slash-separated path inside the snapshot
	Type       NodeType          `json:"type"`
	Mode       uint32            `json:"mode"` // os.FileMode bits
	ModTime    time.Time         `json:"mtime"`
	Size       int64             `json:"size"`
	LinkTarget string            `json:"link_target,omitempty"`
	SHA256     string            `json:"sha256,omitempty"` // whole-content hash, hex
	Meta       map[string]string `json:"meta,omitempty"`   // e.g. a database's row counts
	UID        uint32            `json:"uid"`              // numeric owner (0 where the system has none)
	GID        uint32            `json:"gid"`
	Links      uint32            `json:"links,omitempty"` // a file's hard links at backup time, when more than one
	Rdev       uint64            `json:"rdev,omitempty"`  // a device node's device number
}

// Stream is a non-file source, such as a database dump, stored in the
// snapshot as one entry at Path (e.g. "db/postgres/sales").
type Stream struct {
	Path string
	// Open starts producing the content; the engine reads it to EOF and closes it.
	Open func(ctx context.Context) (io.ReadCloser, error)
	// Meta is called after the content was read completely and closed
	// without error; its result is stored with the entry (may be nil).
	Meta func() map[string]string
}

// BackupOptions configure one backup. The zero value works.
type BackupOptions struct {
	Excludes []string // glob patterns matched against base names and full paths
	Tags     []string
	Labels   map[string]string // stored in the snapshot as they are
	Host     string            // defaults to os.Hostname
	Parent   string            // snapshot ID to compare with; default: newest with the same paths and host
	Streams  []Stream
	Progress Progress // defaults to NopProgress
	// Time is the snapshot's time; zero means the moment the backup
	// starts. Set it only to rebuild a history (a demonstration, an import).
	Time time.Time
	// Workers is how many files are read and hashed, and how many chunks
	// compressed and sealed, at once; zero or less means one file worker
	// per CPU (GOMAXPROCS) and one chunk worker more, which covers the
	// one waiting for its pack to reach the disk. A caller that must keep
	// a core for itself (a window drawing while it runs the backup) asks
	// for fewer.
	Workers int
	// Background runs the workers that read, hash, compress and seal at a
	// lower CPU priority than the rest of the process (nice 10 on Linux,
	// "below normal" on Windows; elsewhere it does nothing). A window that
	// runs a backup keeps drawing at once, and the backup still has every
	// core nobody else wants.
	Background bool
	// Prescan, when the caller started one (StartPrescan) before opening
	// the repository, hands the walk the folders it has already listed.
	Prescan *Prescan
}

// Warning is a problem with one path that did not stop the run.
type Warning struct {
	Path string `json:"path"`
	Err  string `json:"error"`
}

// BackupResult reports a backup. A nil error with Warnings means
// "completed with warnings".
type BackupResult struct {
	Snapshot        Snapshot      `json:"snapshot"`
	FilesNew        int64         `json:"files_new"`
	FilesChanged    int64         `json:"files_changed"`
	FilesUnmodified int64         `json:"files_unmodified"`
	DirsTotal       int64         `json:"dirs"`
	BytesRead       int64         `json:"bytes_read"`
	BytesAdded      int64         `json:"bytes_added"` // stored bytes (after compression/encryption)
	Duration        time.Duration `json:"duration_ns"`
	Warnings        []Warning     `json:"warnings,omitempty"`
}

// RestoreOptions configure a restore. The zero value restores everything.
type RestoreOptions struct {
	// Include limits the restore to these snapshot paths (and what is below them).
	Include []string
	// Overwrite allows replacing existing files in the target.
	Overwrite bool
	Progress  Progress
}

// FileCheck is the verification of one restored file.
type FileCheck struct {
	Path string `json:"path"` // path inside the snapshot
	Size int64  `json:"size"`
	Want string `json:"want_sha256"`
	Got  string `json:"got_sha256,omitempty"`
	OK   bool   `json:"ok"`
	Err  string `json:"error,omitempty"`
}

// RestoreResult reports a restore. Every restored file was verified against
// its recorded hash; Failed lists the ones that could not be restored or did
// not match. A restore with failures returns a nil error and a non-empty Failed.
type RestoreResult struct {
	Snapshot Snapshot      `json:"snapshot"`
	Files    int64         `json:"files"`
	Dirs     int64         `json:"dirs"`
	Bytes    int64         `json:"bytes"`
	Checks   []FileCheck   `json:"checks"`
	Failed   []FileCheck   `json:"failed,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	// Warnings are entries deliberately not restored (a device node when
	// not run as root); they are not failures of the restored data.
	Warnings []Warning `json:"warnings,omitempty"`
	// HardLinks counts names restored as hard links to another restored name.
	HardLinks int64 `json:"hard_links,omitempty"`
	// OwnersNotRestored counts restored entries recorded with another
	// owner than the restoring user's, which kept that user as owner: only
	// a restore run as root (on Linux) gives entries their recorded owners.
	OwnersNotRestored int64 `json:"owners_not_restored,omitempty"`
}

// VerifyOptions configure a repository check.
type VerifyOptions struct {
	ReadData bool // decompress and re-hash every chunk
	Progress Progress
}

// Damage is one problem found by Verify.
type Damage struct {
	Object    string   `json:"object"` // repository file, e.g. "packs/ab/ab12…"
	Err       string   `json:"error"`
	Snapshots []string `json:"snapshots,omitempty"` // affected snapshot IDs
	Files     []string `json:"files,omitempty"`     // affected paths inside those snapshots
}

// VerifyResult reports a repository check; OK is false when anything is damaged.
type VerifyResult struct {
	Snapshots int      `json:"snapshots"`
	Packs     int      `json:"packs"`
	Chunks    int      `json:"chunks"`
	ReadData  bool     `json:"read_data"`
	Damage    []Damage `json:"damage,omitempty"`
}

// OK reports whether the check found no damage.
func (v *VerifyResult) OK() bool { return len(v.Damage) == 0 }

// RetentionPolicy chooses which snapshots forget keeps; all zero keeps everything.
type RetentionPolicy struct {
	KeepLast, KeepDaily, KeepWeekly, KeepMonthly, KeepYearly int
}

// ForgetOptions choose the snapshots Forget considers and keeps.
type ForgetOptions struct {
	Policy RetentionPolicy
	// Tag, when set, limits Forget to the snapshots carrying it, and
	// treats them as one group whatever their host and paths: one job's
	// snapshots, when several jobs share a repository.
	Tag string
	// Hold lists snapshot IDs that are kept whatever the policy says
	// (a request still needs them).
	Hold   []string
	DryRun bool
}

// ForgetResult lists the decision for every snapshot.
type ForgetResult struct {
	Keep   []Snapshot `json:"keep"`
	Remove []Snapshot `json:"remove"`
}

// PruneResult reports what prune removed.
type PruneResult struct {
	PacksRemoved   int   `json:"packs_removed"`
	PacksRewritten int   `json:"packs_rewritten"`
	BytesFreed     int64 `json:"bytes_freed"`
}
