package engine

// TEMPORARY: signatures of the engine's operations not written yet.

import (
	"context"
	"errors"
)

var errNotImplemented = errors.New("engine: not implemented yet")

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
