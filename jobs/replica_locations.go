package jobs

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"cadang/engine/replica"
	"cadang/store"
)

// ErrNoWorkspace means the directory holds no catalog.
var ErrNoWorkspace = errors.New("no Cadang workspace there")

// ReplicaLocation is one replica of a job's repository, as its replicas.json records it.
type ReplicaLocation struct {
	Name       string `json:"name"`
	URL        string `json:"url"`
	Job        string `json:"job"`
	Repository string `json:"repository"`
}

// ReplicaLocations lists the replicas of the repositories of a workspace's
// jobs (deleted jobs included: their repositories are kept), sorted by
// name, so the command line can open a replica by its name. It needs no
// account: it only says where copies are, which replicas.json beside each
// repository already says to whoever can read it, and opening a copy still
// needs the repository's password. A workspace without a catalog is
// ErrNoWorkspace; nothing is created.
func ReplicaLocations(ctx context.Context, dir string) ([]ReplicaLocation, error) {
	cat, exists, err := WorkspaceCatalog(dir)
	if err != nil {
		return nil, fmt.Errorf("list replicas: %w", err)
	}
	if !exists {
		return nil, fmt.Errorf("list replicas: %s: %w", dir, ErrNoWorkspace)
	}
	c, err := store.Open(ctx, cat)
	if err != nil {
		return nil, fmt.Errorf("list replicas: %w", err)
	}
	defer c.Close()
	all, err := c.Jobs(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list replicas: %w", err)
	}
	var out []ReplicaLocation
	seen := map[string]bool{}
	for _, j := range all {
		if strings.Contains(j.Repository, "://") || seen[j.Repository] {
			continue // only a local repository folder has a replicas.json
		}
		seen[j.Repository] = true
		reg, err := replica.LoadRegistry(j.Repository)
		if err != nil {
			continue // an unreadable list is not this lookup's problem; `replica list` says why
		}
		for _, r := range reg.Replicas {
			out = append(out, ReplicaLocation{Name: r.Name, URL: r.URL, Job: j.Name, Repository: j.Repository})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out, nil
}
