package jobs

// Restoring from an offsite or cloud copy (APCA 3.4): a restore request may
// name one of its job's replicas instead of the job's repository. The copy
// is opened with the job's password, read only; everything else (approval,
// verification, reports, handover, audit) is the same as for the primary.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"cadang/engine/secrets"
	"cadang/store"
)

// checkRestoreCopy checks the copy a new request names: only a restore
// reads from a replica, and only from one its job sends its backups to.
func checkRestoreCopy(kind string, j store.Job, name string) error {
	if name == "" {
		return nil
	}
	if kind != KindRestore {
		return fmt.Errorf("only a restore request reads from a replica (%s)", name)
	}
	if !slices.Contains(j.Replicas, name) {
		return refusedf("restore from replica %s: job %s does not copy its backups there (its replicas: %s)", name, j.Name, listOrNone(j.Replicas))
	}
	return nil
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// replicaLocation is where a job's replica lives: the repository's replica
// list says so, and when the repository cannot be read (the reason to
// restore from a copy) the catalog's record of its last sync does.
func (s *Service) replicaLocation(ctx context.Context, j store.Job, name string) (string, error) {
	if !slices.Contains(j.Replicas, name) {
		return "", refusedf("restore from replica %s: job %s does not copy its backups there", name, j.Name)
	}
	if list, err := OpenReplicaList(ctx, j.Repository); err == nil {
		if r, err := list.Get(name); err == nil {
			return r.URL, nil
		}
	}
	states, err := s.catalog.ReplicaStates(ctx, j.ID)
	if err != nil {
		return "", err
	}
	if st, ok := states[name]; ok && st.URL != "" {
		return st.URL, nil
	}
	return "", fmt.Errorf("replica %s of %s: its location is not known here (the repository's replica list cannot be read and no sync recorded it)", name, j.Name)
}

// openCopy opens, read only, the copy of a job's backups that replica
// names: the job's repository for "", else that replica.
func (s *Service) openCopy(ctx context.Context, j store.Job, replica, password string) (Repository, error) {
	where := j.Repository
	if replica != "" {
		url, err := s.replicaLocation(ctx, j, replica)
		if err != nil {
			return nil, err
		}
		where = url
	}
	repo, err := s.engine.Open(ctx, where, password, false)
	if err != nil {
		if replica != "" {
			return nil, fmt.Errorf("replica %s: %w", replica, hint(err))
		}
		return nil, hint(err)
	}
	if err := sameRepository(j, repo, secrets.Redact(where)); err != nil {
		repo.Close() //nolint:errcheck // cleanup after a refusal
		return nil, err
	}
	return repo, nil
}

// RestoreCopy is one place a job's backups can be restored from.
type RestoreCopy struct {
	Replica  string `json:"replica,omitempty"` // "" the job's repository
	Location string `json:"location"`
	Problem  string `json:"problem,omitempty"` // why its location is unknown
}

// RestoreCopies lists where a job's backups can be restored from: its
// repository first, then each replica it copies to (IT staff, managers,
// administrators). Nothing is opened: the wizard tries them.
func (s *Service) RestoreCopies(ctx context.Context, as User, job string) ([]RestoreCopy, error) {
	if _, err := s.act(ctx, as, "list the copies of "+job, requestHandlers...); err != nil {
		return nil, err
	}
	j, err := s.findJob(ctx, job)
	if err != nil {
		return nil, err
	}
	out := []RestoreCopy{{Location: j.Repository}}
	for _, name := range j.Replicas {
		c := RestoreCopy{Replica: name}
		if c.Location, err = s.replicaLocation(ctx, j, name); err != nil {
			c.Problem = err.Error()
		}
		out = append(out, c)
	}
	return out, nil
}
