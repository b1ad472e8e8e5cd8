package jobs

// The window's replica administration: the same ReplicaList operations as
// `cadang replica …`, for the repositories the workspace's jobs write to,
// by IT staff, managers and administrators, each change audited.

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"cadang/engine"
	"cadang/engine/location"
	"cadang/store"
)

// RepositoryReplicas is a repository the workspace's jobs write to and its
// replicas, for Settings → Repositories and replicas.
type RepositoryReplicas struct {
	Repository string        `json:"repository"`
	Jobs       []string      `json:"jobs"`      // the jobs writing there (deleted ones left out)
	Encrypted  bool          `json:"encrypted"` // a job opens it with a password file
	Problem    string        `json:"problem,omitempty"`
	Replicas   []ReplicaView `json:"replicas"`
	// Writable says whether replicas can be added: a local folder that
	// holds a repository. Problem says why not.
	Writable bool `json:"writable"`
}

// ReplicaView is a replica, the jobs that name it and its state as last
// seen (a run's sync, a sync from the window, or `cadang replica sync`).
type ReplicaView struct {
	Replica
	UsedBy []string      `json:"used_by,omitempty"`
	State  ReplicaResult `json:"state"`
}

// Behind reports whether the replica's last sync failed, it was never
// synced, or it was measured lacking files of its repository.
func (v ReplicaView) Behind() bool { return v.State.Behind() }

func cleanRepo(repo string) string {
	if dir, err := filepath.Abs(repo); err == nil && !isRemote(repo) {
		return dir
	}
	return repo
}

func isRemote(repo string) bool { _, ok := location.IsLocal(repo); return !ok }

// jobsByRepository groups the live jobs by their (cleaned) repository.
func (s *Service) jobsByRepository(ctx context.Context) (map[string][]store.Job, []string, error) {
	all, err := s.catalog.Jobs(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	by := map[string][]store.Job{}
	var order []string
	for _, j := range all {
		if j.State == JobRetired {
			continue
		}
		key := cleanRepo(j.Repository)
		if _, ok := by[key]; !ok {
			order = append(order, key)
		}
		by[key] = append(by[key], j)
	}
	sort.Strings(order)
	return by, order, nil
}

// Repositories lists the repositories of the workspace's jobs with their
// replicas and each replica's state (IT staff, managers, administrators).
func (s *Service) Repositories(ctx context.Context, as User) ([]RepositoryReplicas, error) {
	if _, err := s.act(ctx, as, "list repositories", requestHandlers...); err != nil {
		return nil, err
	}
	by, order, err := s.jobsByRepository(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]RepositoryReplicas, 0, len(order))
	for _, repo := range order {
		rr := RepositoryReplicas{Repository: repo}
		states := map[string]ReplicaResult{}
		for _, j := range by[repo] {
			rr.Jobs = append(rr.Jobs, j.Name)
			rr.Encrypted = rr.Encrypted || j.PasswordFile != ""
			for _, st := range s.replicaStates(ctx, s.jobFromStore(ctx, j)) {
				if cur, ok := states[st.Name]; !ok || st.LastAttempt.After(cur.LastAttempt) {
					states[st.Name] = st
				}
			}
		}
		list, err := OpenReplicaList(ctx, repo)
		if err != nil {
			rr.Problem = err.Error()
			out = append(out, rr)
			continue
		}
		reps, err := list.Replicas()
		if err != nil {
			rr.Problem = err.Error()
			out = append(out, rr)
			continue
		}
		rr.Writable = true
		for _, r := range reps {
			v := ReplicaView{Replica: r, State: registryState(r)}
			if st, ok := states[r.Name]; ok && st.URL == r.URL && !st.LastAttempt.Before(r.LastAttempt) {
				v.State = st
			}
			for _, j := range by[repo] {
				if slices.Contains(j.Replicas, r.Name) {
					v.UsedBy = append(v.UsedBy, j.Name)
				}
			}
			rr.Replicas = append(rr.Replicas, v)
		}
		out = append(out, rr)
	}
	return out, nil
}

// replicaList opens the list of a repository that one of the workspace's
// live jobs writes to; the window changes no other folder.
func (s *Service) replicaList(ctx context.Context, what, repo string) (*ReplicaList, []store.Job, error) {
	by, _, err := s.jobsByRepository(ctx)
	if err != nil {
		return nil, nil, err
	}
	users, ok := by[cleanRepo(repo)]
	if !ok {
		return nil, nil, refusedf("%s: no job writes to %s", what, repo)
	}
	list, err := OpenReplicaList(ctx, repo)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	return list, users, nil
}

func replicaObject(name string) string { return "replica:" + name }

// AddReplica records a replica of a job's repository (IT staff, managers,
// administrators). Nothing is copied until it is synced.
func (s *Service) AddReplica(ctx context.Context, as User, repo string, spec ReplicaSpec) (Replica, error) {
	what := "add replica " + spec.Name
	if _, err := s.act(ctx, as, what, requestHandlers...); err != nil {
		return Replica{}, err
	}
	list, _, err := s.replicaList(ctx, what, repo)
	if err != nil {
		return Replica{}, err
	}
	r, err := list.Add(spec, s.now())
	if err != nil {
		return Replica{}, err
	}
	detail := fmt.Sprintf("repository %s, location %s, bandwidth %d B/s", list.Dir(), r.URL, r.BandwidthLimit)
	if err := s.audit(ctx, as.Name, "replica.add", replicaObject(r.Name), "", "added", detail); err != nil {
		return r, err
	}
	s.publish(Event{Kind: EventReplicaChanged, Message: "replica " + r.Name + " added"})
	return r, nil
}

// EditReplica changes a replica's location or bandwidth limit (IT staff,
// managers, administrators). A new location starts with no sync recorded.
func (s *Service) EditReplica(ctx context.Context, as User, repo, name string, spec ReplicaSpec) (Replica, error) {
	what := "edit replica " + name
	if _, err := s.act(ctx, as, what, requestHandlers...); err != nil {
		return Replica{}, err
	}
	list, users, err := s.replicaList(ctx, what, repo)
	if err != nil {
		return Replica{}, err
	}
	old, err := list.Get(name)
	if err != nil {
		return Replica{}, err
	}
	if strings.TrimSpace(spec.URL) != old.URL {
		if err := replicaInUse(what, users, name); err != nil {
			return Replica{}, err
		}
	}
	r, err := list.Edit(name, spec)
	if err != nil {
		return Replica{}, err
	}
	detail := fmt.Sprintf("repository %s, location %s -> %s, bandwidth %d -> %d B/s", list.Dir(), old.URL, r.URL, old.BandwidthLimit, r.BandwidthLimit)
	if err := s.audit(ctx, as.Name, "replica.edit", replicaObject(name), "", "", detail); err != nil {
		return r, err
	}
	s.publish(Event{Kind: EventReplicaChanged, Message: "replica " + name + " changed"})
	return r, nil
}

// RemoveReplica forgets a replica (IT staff, managers, administrators); its
// data stays where it is. A replica a job still sends its backups to is
// refused: take it out of the job first (a change the manager approves).
func (s *Service) RemoveReplica(ctx context.Context, as User, repo, name string) error {
	what := "remove replica " + name
	if _, err := s.act(ctx, as, what, requestHandlers...); err != nil {
		return err
	}
	list, users, err := s.replicaList(ctx, what, repo)
	if err != nil {
		return err
	}
	if err := replicaInUse(what, users, name); err != nil {
		return err
	}
	old, err := list.Get(name)
	if err != nil {
		return err
	}
	if err := list.Remove(name); err != nil {
		return err
	}
	s.cancelReplicaRetries(name)
	detail := fmt.Sprintf("repository %s, location %s (its data was not touched)", list.Dir(), old.URL)
	if err := s.audit(ctx, as.Name, "replica.remove", replicaObject(name), "added", "removed", detail); err != nil {
		return err
	}
	s.publish(Event{Kind: EventReplicaChanged, Message: "replica " + name + " removed"})
	return nil
}

// replicaInUse refuses to remove or move a replica that one of the live
// jobs sends its backups to: the job's approval names the replica, and
// where it is was part of what the IT manager approved.
func replicaInUse(what string, users []store.Job, name string) error {
	for _, j := range users {
		if j.State != JobRetired && slices.Contains(j.Replicas, name) {
			return refusedf("%s: job %s sends its backups there; take the replica out of the job first (a change the IT manager approves)", what, j.Name)
		}
	}
	return nil
}

// TestReplica connects to a location and lists it without writing (IT
// staff, managers, administrators): "connect and list" before adding.
func (s *Service) TestReplica(ctx context.Context, as User, repo, url string) (ReplicaCheck, error) {
	what := "test replica location " + url
	if _, err := s.act(ctx, as, what, requestHandlers...); err != nil {
		return ReplicaCheck{}, err
	}
	list, _, err := s.replicaList(ctx, what, repo)
	if err != nil {
		return ReplicaCheck{}, err
	}
	return list.Test(ctx, url)
}

// SyncReplica copies a job repository's replica up to date now, with
// progress, and records its state for every job that names it (IT staff,
// managers, administrators). Cancelling is not the replica's failure.
func (s *Service) SyncReplica(ctx context.Context, as User, repo, name string, p engine.Progress) (ReplicaResult, error) {
	what := "sync replica " + name
	if _, err := s.act(ctx, as, what, requestHandlers...); err != nil {
		return ReplicaResult{}, err
	}
	list, users, err := s.replicaList(ctx, what, repo)
	if err != nil {
		return ReplicaResult{}, err
	}
	if _, err := list.Get(name); err != nil {
		return ReplicaResult{}, err
	}
	if p == nil {
		p = engine.NopProgress{}
	}
	st, syncErr := s.repl.Replicate(ctx, list.Dir(), name, p)
	if errors.Is(syncErr, context.Canceled) {
		return st, syncErr
	}
	st = s.settleReplica(context.WithoutCancel(ctx), users, 0, name, st, syncErr)
	detail := "up to date"
	if syncErr != nil {
		detail = "failed: " + syncErr.Error()
	}
	if err := s.audit(context.WithoutCancel(ctx), as.Name, "replica.sync", replicaObject(name), "", st.Status, detail); err != nil {
		return st, err
	}
	return st, syncErr
}

// settleReplica fills in a sync's state, records it for the jobs that name
// the replica (ending their retries when it succeeded) and tells the window.
func (s *Service) settleReplica(ctx context.Context, jobs []store.Job, runID int64, name string, st ReplicaResult, syncErr error) ReplicaResult {
	st = s.filledReplicaState(name, st, syncErr)
	for _, j := range jobs {
		if !slices.Contains(j.Replicas, name) {
			continue
		}
		s.recordReplica(ctx, j.ID, runID, st)
		if syncErr == nil {
			s.cancelReplicaRetry(ctx, j.ID, name)
		}
	}
	s.publish(Event{Kind: EventReplicaChanged, Replica: name, State: st.Status, Message: "replica " + name + " " + st.Status})
	return st
}

// filledReplicaState completes what a Replicator returned: a failure
// always reads failed with its reason, and every attempt has a time.
func (s *Service) filledReplicaState(name string, st ReplicaResult, syncErr error) ReplicaResult {
	if st.Name == "" {
		st.Name = name
	}
	if syncErr != nil {
		if st.Status == "" || st.Status == ReplicaOK || st.Status == ReplicaNeverSynced {
			st.Status = ReplicaFailed
		}
		if st.Error == "" {
			st.Error = syncErr.Error()
		}
	}
	if st.LastAttempt.IsZero() {
		st.LastAttempt = s.now()
	}
	return st
}

// RcloneRemotes lists the rclone remotes this computer has configured, to
// offer in the replica form (IT staff, managers, administrators).
func (s *Service) RcloneRemotes(ctx context.Context, as User) ([]string, error) {
	if _, err := s.act(ctx, as, "list rclone remotes", requestHandlers...); err != nil {
		return nil, err
	}
	return RcloneRemotes(ctx)
}

// ReplicaChoices lists the replicas of a repository, for the job editor:
// a job names its replicas from this list. A repository not created yet
// has none (engine.ErrNotRepository).
func (s *Service) ReplicaChoices(ctx context.Context, as User, repo string) ([]Replica, error) {
	if _, err := s.act(ctx, as, "list replicas", requestHandlers...); err != nil {
		return nil, err
	}
	list, err := OpenReplicaList(ctx, repo)
	if err != nil {
		return nil, err
	}
	return list.Replicas()
}
