package jobs

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"cadang/store"
)

// JobSummary is one line of the dashboard.
type JobSummary struct {
	Job     Job       `json:"job"`
	LastRun *Run      `json:"last_run,omitempty"` // the last backup (restores are not the job's runs)
	NextRun time.Time `json:"next_run,omitzero"`  // zero when not runnable, or no slot is left
	// RunsOn names the host whose daemon runs the job, when that is not
	// this window's scheduler (a shared catalog).
	RunsOn   string   `json:"runs_on,omitempty"`
	RepoSize int64    `json:"repository_bytes"` // -1 when not a local folder
	Replicas []string `json:"replicas,omitempty"`
	// ReplicaStates is each replica's last sync: result, time and lag, as
	// the catalog recorded it after the job's last run (or replicas.json,
	// when `cadang replica sync` ran since).
	ReplicaStates []ReplicaResult `json:"replica_states,omitempty"`
}

// Dashboard is the window's first screen: last results, next runs,
// storage, replicas, and what waits for a decision.
type Dashboard struct {
	Jobs             []JobSummary `json:"jobs"`
	PendingApprovals int          `json:"pending_approvals"` // for the acting manager
	PendingRequests  int          `json:"pending_requests"`  // approved, not yet carried out
	Missed           int          `json:"missed"`            // missed runs waiting for catch-up
	Running          int          `json:"running"`
}

// Dashboard summarises the workspace. next may be nil (no scheduler running).
func (s *Service) Dashboard(ctx context.Context, as User, sched *Scheduler) (Dashboard, error) {
	jobs, err := s.Jobs(ctx, as, "")
	if err != nil {
		return Dashboard{}, err
	}
	var next map[int64]time.Time
	if sched != nil {
		next = sched.NextRuns()
	}
	var d Dashboard
	for _, j := range jobs {
		js := JobSummary{Job: j, NextRun: next[j.ID], RepoSize: folderSize(j.Repository), Replicas: j.Replicas,
			ReplicaStates: s.replicaStates(ctx, j)}
		elsewhere := s.catalog.Shared() && j.Host != "" && (sched == nil || sched.Host() != j.Host)
		if js.NextRun.IsZero() && j.Runnable() && (sched == nil || elsewhere) {
			// Not this window's to schedule (a department user's window,
			// or another host's daemon): the schedule says when.
			js.NextRun = j.Schedule.next(s.now())
			if elsewhere {
				js.RunsOn = j.Host
			}
		}
		runs, err := s.catalog.Runs(ctx, store.RunFilter{JobID: j.ID, Kind: KindBackup, Limit: 1})
		if err != nil {
			return Dashboard{}, err
		}
		if len(runs) > 0 {
			r := s.runFromStore(ctx, runs[0])
			js.LastRun = &r
			if r.Status == RunRunning {
				d.Running++
			}
		}
		d.Jobs = append(d.Jobs, js)
	}
	in, err := s.Inbox(ctx, as)
	if err != nil {
		return Dashboard{}, err
	}
	d.PendingApprovals = len(in.Requests) + len(in.Jobs)
	approved, err := s.catalog.Requests(ctx, store.RequestFilter{States: RequestsForStaff})
	if err != nil {
		return Dashboard{}, err
	}
	d.PendingRequests = len(approved)
	missed, err := s.MissedRuns(ctx, as)
	if err != nil {
		return Dashboard{}, err
	}
	d.Missed = len(missed)
	return d, nil
}

// folderSize adds up a local repository's files; -1 for remote locations.
func folderSize(repo string) int64 {
	if strings.Contains(repo, "://") {
		return -1
	}
	var n int64
	err := filepath.WalkDir(repo, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil // a vanished or unreadable file only makes the figure approximate
		}
		if info, ierr := e.Info(); ierr == nil && !e.IsDir() {
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		return -1
	}
	return n
}
