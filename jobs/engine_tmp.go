package jobs

import (
	"context"
	"errors"
)

// LocalEngine is the real engine. TEMPORARY: replaced by engine_local.go as
// soon as engine/location is committed.
type LocalEngine struct{}

// Open reports that the engine is not wired in yet.
func (LocalEngine) Open(ctx context.Context, repo, password string, create bool) (Repository, error) {
	return nil, errors.New("open repository " + repo + ": the engine is not wired in yet")
}
