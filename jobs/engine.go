package jobs

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"cadang/engine"
)

// Engine opens a job's repository. create makes a new one when the location
// holds none (a job's first run), with password when it is not empty.
type Engine interface {
	Open(ctx context.Context, repo, password string, create bool) (Repository, error)
}

// Repository is what the procedure and the window need of an open
// repository; *engine.Repository implements it.
type Repository interface {
	Backup(ctx context.Context, paths []string, opt engine.BackupOptions) (*engine.BackupResult, error)
	// Snapshots lists every snapshot, oldest first; List one directory of
	// a snapshot (the restore wizard's browser).
	Snapshots(ctx context.Context) ([]engine.Snapshot, error)
	List(ctx context.Context, snap engine.Snapshot, dir string) ([]engine.Node, error)
	Restore(ctx context.Context, snap engine.Snapshot, target string, opt engine.RestoreOptions) (*engine.RestoreResult, error)
	CheckRestored(ctx context.Context, snap engine.Snapshot, target string, opt engine.RestoreOptions) ([]engine.FileCheck, error)
	// Verify checks the structure and, with ReadData, every byte.
	Verify(ctx context.Context, opt engine.VerifyOptions) (*engine.VerifyResult, error)
	// ForgetWith applies retention to one job's snapshots (by its tag).
	ForgetWith(ctx context.Context, opt engine.ForgetOptions) (*engine.ForgetResult, error)
	Prune(ctx context.Context, dryRun bool) (*engine.PruneResult, error)
	// ID and Encrypted identify the repository, so the catalog notices
	// when a job's location holds another one, or none.
	ID() string
	Encrypted() bool
	Close() error
}

var _ Repository = (*engine.Repository)(nil)

// Replicator copies a job's repository to one of its named replicas after
// a backup (SOP 5.3f: kept in a separate building). The replica commands
// (cli/replica.go) define the names.
type Replicator interface {
	Replicate(ctx context.Context, repo, replica string, progress engine.Progress) (ReplicaResult, error)
}

// Replica statuses.
const (
	ReplicaOK            = "ok"
	ReplicaFailed        = "failed"
	ReplicaNotConfigured = "not configured"
	ReplicaNeverSynced   = "never synced"
)

// ReplicaResult is the state of one replica after a run, for the execution
// report, the catalog and the dashboard.
type ReplicaResult struct {
	Name        string    `json:"name"`
	URL         string    `json:"url,omitempty"`
	Status      string    `json:"status"` // ok, failed, not configured, never synced
	Error       string    `json:"error,omitempty"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	LastSync    time.Time `json:"last_sync,omitzero"` // end of the last successful sync
	// Lag is how far the replica was behind the repository right after the
	// attempt; nil when it could not be measured (unreachable, or only
	// replicas.json was read).
	Lag *ReplicaLag `json:"lag,omitempty"`
	// NextRetry is when this process tries a failed sync again (see
	// DefaultReplicaRetryDelays); zero when no retry is pending. Only the
	// dashboard's and `job show`'s states carry it.
	NextRetry time.Time `json:"next_retry,omitzero"`
}

// ReplicaLag is what a replica lacks of its repository.
type ReplicaLag struct {
	Snapshots int   `json:"missing_snapshots"`
	Files     int   `json:"missing_files"`
	Bytes     int64 `json:"missing_bytes"`
}

// Behind reports whether the replica needs attention: its last sync failed,
// it was never synced, or it was measured lacking files. A successful sync
// whose lag was not measured is not behind.
func (r ReplicaResult) Behind() bool {
	switch r.Status {
	case ReplicaFailed, ReplicaNeverSynced:
		return true
	case ReplicaOK:
		return r.Lag != nil && r.Lag.Files > 0
	}
	return false
}

// UpToDate reports whether the last sync succeeded and left nothing missing.
func (r ReplicaResult) UpToDate() bool {
	return r.Status == ReplicaOK && r.Lag != nil && r.Lag.Files == 0
}

// readPasswordFile reads a repository password file, dropping one trailing newline.
func readPasswordFile(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read repository password file: %w", err)
	}
	return strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"), nil
}
