package jobs

import (
	"context"
	"errors"
	"fmt"

	"cadang/engine"
	"cadang/engine/location"
)

// LocalEngine is the real engine on any location engine/location opens
// (a folder path or a supported URL).
type LocalEngine struct{}

// Open opens (and with create, initialises) the repository at repo.
func (LocalEngine) Open(ctx context.Context, repo, password string, create bool) (Repository, error) {
	be, err := location.Open(ctx, repo)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", repo, err)
	}
	r, err := engine.Open(ctx, be, password)
	if errors.Is(err, engine.ErrNotRepository) && create {
		r, err = engine.Init(ctx, be, engine.InitOptions{Password: password})
	}
	if err != nil {
		be.Close() //nolint:errcheck // cleanup after a failure
		return nil, fmt.Errorf("open repository %s: %w", repo, err)
	}
	return r, nil
}
