package jobs

import (
	"context"
	"errors"
	"sync"
	"time"

	"cadang/store"
)

// Run statuses.
const (
	RunRunning  = "running"
	RunSuccess  = "success"
	RunWarnings = "warnings" // completed, but some paths were not backed up
	RunFailed   = "failed"
	RunMissed   = "missed" // could not start in its window (the machine was off)
	RunVerified = "verified"
)

// Run triggers.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
	TriggerCatchUp  = "catch-up"
	TriggerRequest  = "request"
)

// Warning is one path that did not stop a run.
type Warning = store.RunWarning

// Run is one execution, or one missed execution, of a job.
type Run struct {
	ID              int64     `json:"id"`
	JobID           int64     `json:"job_id"`
	JobName         string    `json:"job"`
	RequestID       int64     `json:"request_id,omitempty"`
	Kind            string    `json:"kind"`
	Trigger         string    `json:"trigger"`
	Actor           string    `json:"actor"`
	ScheduledAt     time.Time `json:"scheduled_at,omitzero"`
	StartedAt       time.Time `json:"started_at,omitzero"`
	FinishedAt      time.Time `json:"finished_at,omitzero"`
	Status          string    `json:"status"`
	Overrun         bool      `json:"overrun,omitempty"` // finished after its window closed
	SnapshotID      string    `json:"snapshot_id,omitempty"`
	FilesNew        int64     `json:"files_new"`
	FilesChanged    int64     `json:"files_changed"`
	FilesUnmodified int64     `json:"files_unmodified"`
	BytesRead       int64     `json:"bytes_read"`
	BytesAdded      int64     `json:"bytes_added"`
	TotalBytes      int64     `json:"total_bytes"`
	Warnings        []Warning `json:"warnings,omitempty"`
	Error           string    `json:"error,omitempty"`
	CaughtUp        bool      `json:"caught_up,omitempty"`
	Report          string    `json:"report,omitempty"` // execution report's document number
}

// Duration is how long the run took (0 when it did not finish).
func (r Run) Duration() time.Duration {
	if r.StartedAt.IsZero() || r.FinishedAt.IsZero() {
		return 0
	}
	return r.FinishedAt.Sub(r.StartedAt)
}

func (s *Service) runFromStore(ctx context.Context, r store.Run) Run {
	out := Run{ID: r.ID, JobID: r.JobID, RequestID: r.RequestID, Kind: r.Kind, Trigger: r.Trigger, Actor: r.Actor,
		ScheduledAt: r.ScheduledAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Status: r.Status, Overrun: r.Overrun,
		SnapshotID: r.SnapshotID, FilesNew: r.FilesNew, FilesChanged: r.FilesChanged, FilesUnmodified: r.FilesUnmodified,
		BytesRead: r.BytesRead, BytesAdded: r.BytesAdded, TotalBytes: r.TotalBytes, Warnings: r.Warnings, Error: r.Error,
		CaughtUp: r.CaughtUp}
	if j, err := s.catalog.JobByID(ctx, r.JobID); err == nil {
		out.JobName = j.Name
	}
	if docs, err := s.catalog.Documents(ctx, store.DocumentFilter{RunID: r.ID}); err == nil && len(docs) > 0 {
		out.Report = docs[len(docs)-1].Number
	}
	return out
}

// RunFilter selects runs; zero fields match everything.
type RunFilter struct {
	Job      string // name or ID
	Statuses []string
	From, To time.Time
	Limit    int
}

// Runs lists the run history, newest first.
func (s *Service) Runs(ctx context.Context, as User, f RunFilter) ([]Run, error) {
	actor, err := s.act(ctx, as, "list runs")
	if err != nil {
		return nil, err
	}
	seeRequest := s.requestSeer(ctx, actor) // a department user: not another's restore
	sf := store.RunFilter{Statuses: f.Statuses, From: f.From, To: f.To, Limit: f.Limit}
	if f.Job != "" {
		j, err := s.findJob(ctx, f.Job)
		if err != nil {
			return nil, err
		}
		sf.JobID = j.ID
	}
	all, err := s.catalog.Runs(ctx, sf)
	if err != nil {
		return nil, err
	}
	out := make([]Run, 0, len(all))
	for _, r := range all {
		if err := seeRequest(r.RequestID); errors.Is(err, ErrRefused) {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, s.runFromStore(ctx, r))
	}
	return out, nil
}

// runGuard is the in-process half of "the same job never runs twice at
// once"; the catalog's unique index on running runs is the other half
// (two processes on one workspace).
type runGuard struct {
	mu sync.Mutex
	// busy holds, for each job running here, a channel closed when its
	// run ends (its report filed).
	busy map[int64]chan struct{}
}

func newRunGuard() *runGuard { return &runGuard{busy: map[int64]chan struct{}{}} }

func (g *runGuard) acquire(jobID int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.busy[jobID]; ok {
		return false
	}
	g.busy[jobID] = make(chan struct{})
	return true
}

func (g *runGuard) release(jobID int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if done, ok := g.busy[jobID]; ok {
		close(done)
		delete(g.busy, jobID)
	}
}

// ended returns a channel closed when the job's run in this process ends,
// or nil when no run of the job is going on here.
func (g *runGuard) ended(jobID int64) <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if done, ok := g.busy[jobID]; ok {
		return done
	}
	return nil
}
