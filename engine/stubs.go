package engine

// TEMPORARY: signatures of the engine's operations, so that jobs/ and cli/
// compile while the engine is written. The engine's author replaces each
// one with the real implementation (same signature) and deletes this file.

import (
	"context"
	"errors"
	"time"

	"cadang/engine/backend"
)

var errNotImplemented = errors.New("engine: not implemented yet")

// Repository is an open repository.
type Repository struct{ be backend.Backend }

// Init creates a new repository in be.
func Init(ctx context.Context, be backend.Backend, opt InitOptions) (*Repository, error) {
	return nil, errNotImplemented
}

// Open opens an existing repository; password may be empty for an unencrypted one.
func Open(ctx context.Context, be backend.Backend, password string) (*Repository, error) {
	return nil, errNotImplemented
}

func (r *Repository) Close() error             { return nil }
func (r *Repository) Encrypted() bool          { return false }
func (r *Repository) Backend() backend.Backend { return r.be }
func (r *Repository) Snapshots(ctx context.Context) ([]Snapshot, error) {
	return nil, errNotImplemented
}

// FindSnapshot resolves "latest" or an ID prefix.
func (r *Repository) FindSnapshot(ctx context.Context, ref string) (Snapshot, error) {
	return Snapshot{}, errNotImplemented
}

// SnapshotAt returns the newest snapshot taken at or before t (optionally
// restricted to snapshots containing path); ErrNoSnapshot when none.
func (r *Repository) SnapshotAt(ctx context.Context, t time.Time) (Snapshot, error) {
	return Snapshot{}, errNotImplemented
}

// List returns the entries of directory dir ("" or "/" for the root) in snap.
func (r *Repository) List(ctx context.Context, snap Snapshot, dir string) ([]Node, error) {
	return nil, errNotImplemented
}

// Walk calls fn for every node of snap, parents before children.
func (r *Repository) Walk(ctx context.Context, snap Snapshot, fn func(Node) error) error {
	return errNotImplemented
}

// Backup stores paths (and opt.Streams) as a new snapshot.
func (r *Repository) Backup(ctx context.Context, paths []string, opt BackupOptions) (*BackupResult, error) {
	return nil, errNotImplemented
}

// Restore writes snap (or opt.Include of it) under target and verifies every file.
func (r *Repository) Restore(ctx context.Context, snap Snapshot, target string, opt RestoreOptions) (*RestoreResult, error) {
	return nil, errNotImplemented
}

// CheckRestored re-hashes files already restored under target against snap,
// without writing anything (the SOP's "check the restored data").
func (r *Repository) CheckRestored(ctx context.Context, snap Snapshot, target string, opt RestoreOptions) ([]FileCheck, error) {
	return nil, errNotImplemented
}

// Verify checks the repository's structure and, with ReadData, every byte.
func (r *Repository) Verify(ctx context.Context, opt VerifyOptions) (*VerifyResult, error) {
	return nil, errNotImplemented
}

// Forget removes snapshots not kept by policy (nothing is removed with dryRun).
func (r *Repository) Forget(ctx context.Context, policy RetentionPolicy, dryRun bool) (*ForgetResult, error) {
	return nil, errNotImplemented
}

// Prune removes data no snapshot references and cleans leftovers of crashed runs.
func (r *Repository) Prune(ctx context.Context, dryRun bool) (*PruneResult, error) {
	return nil, errNotImplemented
}

// Replicate copies to dst every repository file it lacks, then checks what it copied.
func Replicate(ctx context.Context, src, dst backend.Backend, opt ReplicateOptions) (*ReplicateResult, error) {
	return nil, errNotImplemented
}
