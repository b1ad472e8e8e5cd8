package engine

// Replication is owned by the replication engineer; this stub keeps the
// contract compiling until then.

import (
	"context"
	"errors"

	"cadang/engine/backend"
)

var errReplicateNotImplemented = errors.New("engine: replication is not implemented yet")

// Replicate copies to dst every repository file it lacks, then checks what it copied.
func Replicate(ctx context.Context, src, dst backend.Backend, opt ReplicateOptions) (*ReplicateResult, error) {
	return nil, errReplicateNotImplemented
}
