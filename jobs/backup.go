package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"

	"cadang/engine"
	"cadang/engine/secrets"
	"cadang/pdfdoc"
	"cadang/reports"
	"cadang/store"
)

// ErrAlreadyRunning is returned when a job is started while it runs.
var ErrAlreadyRunning = store.ErrAlreadyRunning

// RunOptions configure a run started by a person. The zero value works.
type RunOptions struct {
	Progress engine.Progress // defaults to engine.NopProgress
}

// runSpec is one run the runner carries out.
type runSpec struct {
	trigger   string
	actor     string
	scheduled store.Run // ScheduledAt (and the missed run it catches up, via ID) when scheduled
	requestID int64
	progress  engine.Progress
}

// RunJob runs an approved job now (IT staff, managers, administrators).
// A job that is not approved is refused with ErrRefused, whoever asks.
func (s *Service) RunJob(ctx context.Context, as User, ref string, opt RunOptions) (Run, error) {
	if _, err := s.act(ctx, as, "run job "+ref, requestHandlers...); err != nil {
		return Run{}, err
	}
	j, err := s.findJob(ctx, ref)
	if err != nil {
		return Run{}, err
	}
	return s.runBackup(ctx, j.ID, runSpec{trigger: TriggerManual, actor: as.Name, progress: opt.Progress})
}

// runBackup is the one place a backup starts, whatever asked for it: it
// re-reads the job and refuses unless it is approved at this instant.
func (s *Service) runBackup(ctx context.Context, jobID int64, rs runSpec) (Run, error) {
	j, err := s.catalog.JobByID(ctx, jobID)
	if err != nil {
		return Run{}, err
	}
	if j.State != JobApproved {
		if err := s.audit(ctx, rs.actor, "run.refused", jobObject(j.ID), j.State, "", "not approved ("+rs.trigger+")"); err != nil {
			return Run{}, err
		}
		return Run{}, errNotApproved("job", j.Name, j.State)
	}
	if !s.running.acquire(j.ID) {
		return Run{}, fmt.Errorf("run job %s: %w", j.Name, ErrAlreadyRunning)
	}
	defer s.running.release(j.ID)
	if rs.progress == nil {
		rs.progress = engine.NopProgress{}
	}
	run := store.Run{JobID: j.ID, RequestID: rs.requestID, Kind: KindBackup, Trigger: rs.trigger, Actor: rs.actor,
		ScheduledAt: rs.scheduled.ScheduledAt, StartedAt: s.now(), Status: RunRunning, Owner: processOwner()}
	if run.ID, err = s.catalog.InsertRun(ctx, run); err != nil {
		return Run{}, err
	}
	if err := s.audit(ctx, rs.actor, "run.start", runObject(run.ID), "", RunRunning, j.Name+" ("+rs.trigger+")"); err != nil {
		return Run{}, err
	}
	started := s.runFromStore(ctx, run)
	s.publish(Event{Kind: EventRunStarted, JobID: j.ID, Run: &started, Message: "backup " + j.Name + " started"})

	replicas, runErr := s.backupInto(ctx, j, &run, rs.progress)
	return s.finishBackup(ctx, j, run, rs, replicas, runErr)
}

// backupInto opens the repository, backs up, applies retention and
// replicates, filling run's statistics.
func (s *Service) backupInto(ctx context.Context, j store.Job, run *store.Run, p engine.Progress) ([]ReplicaResult, error) {
	pw, err := readPasswordFile(s.passwordFileOf(ctx, j))
	if err != nil {
		return nil, err
	}
	repo, err := s.engine.Open(ctx, j.Repository, pw, true)
	if err != nil {
		return nil, hint(err)
	}
	defer repo.Close()
	src, err := s.sourcesOf(ctx, j)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := src.close(); err != nil { // a temporary copy left behind; the snapshot is what counts
			s.log.Warn("remove the catalog copy", "job", j.Name, "err", err)
		}
	}()
	res, err := repo.Backup(ctx, src.paths, engine.BackupOptions{Excludes: src.excludes, Tags: []string{"job:" + j.Name}, Progress: p, Streams: src.streams})
	if err != nil {
		return nil, hint(err)
	}
	run.SnapshotID, run.FilesNew, run.FilesChanged, run.FilesUnmodified = res.Snapshot.ID, res.FilesNew, res.FilesChanged, res.FilesUnmodified
	run.BytesRead, run.BytesAdded, run.TotalBytes = res.BytesRead, res.BytesAdded, res.Snapshot.Summary.TotalBytes
	for _, w := range res.Warnings {
		run.Warnings = append(run.Warnings, store.RunWarning{Path: w.Path, Err: w.Err})
	}
	if pol := j.Retention; pol != (store.Retention{}) {
		policy := engine.RetentionPolicy{KeepLast: pol.KeepLast, KeepDaily: pol.KeepDaily, KeepWeekly: pol.KeepWeekly, KeepMonthly: pol.KeepMonthly, KeepYearly: pol.KeepYearly}
		if _, err := repo.Forget(ctx, policy, false); err != nil {
			run.Warnings = append(run.Warnings, store.RunWarning{Path: j.Repository, Err: "retention: " + err.Error()})
		} else if _, err := repo.Prune(ctx, false); err != nil {
			run.Warnings = append(run.Warnings, store.RunWarning{Path: j.Repository, Err: "prune: " + err.Error()})
		}
	}
	var states []ReplicaResult
	for _, name := range j.Replicas {
		st, err := s.repl.Replicate(ctx, j.Repository, name, p)
		if err != nil {
			run.Warnings = append(run.Warnings, store.RunWarning{Path: "replica " + name, Err: err.Error()})
		}
		st = s.settleReplica(context.WithoutCancel(ctx), []store.Job{j}, run.ID, name, st, err)
		if err != nil && !errors.Is(err, context.Canceled) && st.Status == ReplicaFailed {
			s.retryReplicaLater(j.ID, name)
		}
		states = append(states, st)
	}
	return states, nil
}

// hint adds what a person should do to errors they can act on.
func hint(err error) error {
	if errors.Is(err, engine.ErrLocked) {
		return fmt.Errorf("%w (if no other backup is running, the lock is stale: run `cadang unlock`)", err)
	}
	if errors.Is(err, engine.ErrPasswordRequired) || errors.Is(err, engine.ErrWrongPassword) {
		return fmt.Errorf("%w (set the job's repository password file)", err)
	}
	return err
}

// finishBackup records the result, files the execution report and tells subscribers.
func (s *Service) finishBackup(ctx context.Context, j store.Job, run store.Run, rs runSpec, replicas []ReplicaResult, runErr error) (Run, error) {
	run.FinishedAt = s.now()
	switch {
	case errors.Is(runErr, context.Canceled):
		run.Status, run.Error = RunFailed, "cancelled"
	case runErr != nil:
		run.Status, run.Error = RunFailed, runErr.Error()
	case len(run.Warnings) > 0:
		run.Status = RunWarnings
	default:
		run.Status = RunSuccess
	}
	sc := Schedule{Kind: j.ScheduleKind, WindowStart: j.WindowStart, WindowEnd: j.WindowEnd}
	if end := sc.windowEnd(run.ScheduledAt); !run.ScheduledAt.IsZero() && !end.IsZero() && run.FinishedAt.After(end) {
		run.Overrun = true
	}
	// Record even when the caller's context ended: the run happened.
	rctx := context.WithoutCancel(ctx)
	redactRun(&run)
	if err := s.catalog.UpdateRun(rctx, run); err != nil {
		return Run{}, err
	}
	detail := fmt.Sprintf("snapshot %s, %d new, %d changed, %d warnings", shortID(run.SnapshotID), run.FilesNew, run.FilesChanged, len(run.Warnings))
	if run.Overrun {
		detail += ", overran its window"
	}
	if run.Error != "" {
		detail = run.Error
	}
	if err := s.audit(rctx, rs.actor, "run.finish", runObject(run.ID), RunRunning, run.Status, detail); err != nil {
		return Run{}, err
	}
	s.logRun(j.Name, run)
	if _, err := s.fileExecutionReport(rctx, rs.actor, j, run, replicas); err != nil {
		s.log.Error("file execution report", "run", run.ID, "err", err)
		run.Warnings = append(run.Warnings, store.RunWarning{Path: "execution report", Err: err.Error()})
	}
	out := s.runFromStore(rctx, run)
	s.publish(Event{Kind: EventRunFinished, JobID: j.ID, RequestID: run.RequestID, Run: &out, Message: runMessage(j.Name, out)})
	if runErr != nil {
		return out, fmt.Errorf("backup %s: %w", j.Name, runErr)
	}
	return out, nil
}

func runMessage(job string, r Run) string {
	msg := fmt.Sprintf("backup %s: %s", job, r.Status)
	switch {
	case r.Status == RunWarnings:
		msg += fmt.Sprintf(" (%d warnings)", len(r.Warnings))
	case r.Status == RunFailed:
		msg += ": " + r.Error
	}
	if r.Overrun {
		msg += "; overran its window"
	}
	return msg
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func runObject(id int64) string { return fmt.Sprintf("run#%d", id) }

// fileExecutionReport files the execution report of a run (SOP 5.3e).
func (s *Service) fileExecutionReport(ctx context.Context, actor string, j store.Job, run store.Run, replicas []ReplicaResult) (Document, error) {
	set, err := s.settings(ctx)
	if err != nil {
		return Document{}, err
	}
	rep := reports.ExecutionReport{JobName: j.Name, Sources: redactAll(s.reportedSources(ctx, j)), Repository: secrets.Redact(j.Repository), Scheduled: run.ScheduledAt,
		Started: run.StartedAt, Finished: run.FinishedAt, Status: reportStatus(run.Status), SnapshotID: run.SnapshotID,
		FilesNew: run.FilesNew, FilesChanged: run.FilesChanged, FilesUnmodified: run.FilesUnmodified, BytesRead: run.BytesRead,
		BytesAdded: run.BytesAdded, TotalBytes: run.TotalBytes, Error: run.Error}
	if run.Overrun {
		rep.Warnings = append(rep.Warnings, reports.Warning{Path: "-", Err: "the run finished after its window closed (" + j.WindowEnd + ")"})
	}
	for _, w := range run.Warnings {
		rep.Warnings = append(rep.Warnings, reports.Warning{Path: w.Path, Err: w.Err})
	}
	for _, r := range replicas {
		rep.Replicas = append(rep.Replicas, reportReplica(r, run.FinishedAt))
	}
	approver := j.DecidedBy // the IT manager who approved the job that ran
	if run.RequestID != 0 {
		if r, err := s.catalog.RequestByID(ctx, run.RequestID); err == nil {
			rep.RequestNumber, approver = r.Number, r.DecidedBy
		}
	}
	rep.Signatories = s.signatories(ctx, set, actor, approver)
	return s.fileDocument(ctx, filing{docType: DocExecutionReport, runID: run.ID, requestID: run.RequestID, jobID: j.ID, actor: actor,
		build: func(meta pdfdoc.Meta) (any, func(io.Writer) error) {
			rep.Meta = meta
			for i, r := range replicas {
				rep.Replicas[i].Status = replicaStatusText(meta.Lang, r)
			}
			r := rep
			return r, func(w io.Writer) error { return reports.WriteExecutionReport(w, r) }
		}})
}

func reportStatus(status string) string {
	if status == RunVerified {
		return RunSuccess
	}
	return status
}
