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

// Repository is what the procedure needs of an open repository;
// *engine.Repository implements it.
type Repository interface {
	Backup(ctx context.Context, paths []string, opt engine.BackupOptions) (*engine.BackupResult, error)
	SnapshotAt(ctx context.Context, t time.Time) (engine.Snapshot, error)
	Restore(ctx context.Context, snap engine.Snapshot, target string, opt engine.RestoreOptions) (*engine.RestoreResult, error)
	CheckRestored(ctx context.Context, snap engine.Snapshot, target string, opt engine.RestoreOptions) ([]engine.FileCheck, error)
	Forget(ctx context.Context, policy engine.RetentionPolicy, dryRun bool) (*engine.ForgetResult, error)
	Prune(ctx context.Context, dryRun bool) (*engine.PruneResult, error)
	Close() error
}

var _ Repository = (*engine.Repository)(nil)

// Replicator copies a job's repository to one of its named replicas after
// a backup (SOP 5.3f: kept in a separate building). The replica commands
// (cli/replica.go) define the names.
type Replicator interface {
	Replicate(ctx context.Context, repo, replica string, progress engine.Progress) (ReplicaResult, error)
}

// ReplicaResult is the state of one replica after a run, for the execution report.
type ReplicaResult struct {
	Name     string    `json:"name"`
	URL      string    `json:"url,omitempty"`
	Status   string    `json:"status"` // ok, failed, not configured
	LastSync time.Time `json:"last_sync,omitzero"`
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
