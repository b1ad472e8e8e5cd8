package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"cadang/engine"
	"cadang/engine/secrets"
	"cadang/pdfdoc"
	"cadang/reports"
	"cadang/store"
)

// ErrAlreadyRunning is returned when a job is started while it runs.
var ErrAlreadyRunning = store.ErrAlreadyRunning

// errRunningHere is ErrAlreadyRunning when the run going on is this
// process's: its end can be waited for (runGuard.ended).
var errRunningHere = fmt.Errorf("%w in this process", ErrAlreadyRunning)

// ErrSlotTaken is returned when a scheduler starts a job's slot that
// already has its run (another scheduler ran it, or recorded it missed).
var ErrSlotTaken = errors.New("this slot of the schedule already has its run")

func slotTaken(j store.Job, at time.Time, taken bool) error {
	if !taken {
		return nil
	}
	return fmt.Errorf("run job %s at %s: %w", j.Name, at.Local().Format("2006-01-02 15:04"), ErrSlotTaken)
}

// RunOptions configure a run started by a person. The zero value works.
type RunOptions struct {
	Progress engine.Progress // defaults to engine.NopProgress
	// Workers is how many files the backup reads, and how many chunks it
	// seals, at once; zero means the engine's default (a file worker per
	// CPU, engine.BackupOptions.Workers). The window asks for one fewer
	// than its CPUs, to keep drawing while it runs the backup.
	Workers int
	// Background runs the backup's workers at a lower CPU priority than
	// the rest of the process (engine.BackupOptions.Background): the
	// window's own runs, so that it keeps drawing while they run.
	Background bool
}

// runSpec is one run the runner carries out.
type runSpec struct {
	trigger   string
	actor     string
	scheduled store.Run // ScheduledAt when scheduled
	missed    store.Run // the missed run a catch-up makes up for
	requestID int64
	opt       RunOptions // progress, workers and priority of a run a person started
	// account is the account a scheduler acts as; checked again at every
	// start, so disabling it stops the scheduler's runs.
	account *User
}

// RunJob runs an approved job now (IT staff, managers, administrators).
// A job that is not approved is refused with ErrRefused, whoever asks.
func (s *Service) RunJob(ctx context.Context, as User, ref string, opt RunOptions) (Run, error) {
	actor, err := s.act(ctx, as, "run job "+ref)
	if err != nil {
		return Run{}, err
	}
	j, err := s.findJob(ctx, ref)
	if err != nil {
		return Run{}, err
	}
	if err := jobRule(actor, j, ActRun, s.now(), nil); err != nil {
		if errors.Is(err, ErrRefused) && j.State != JobApproved {
			if aerr := s.audit(ctx, as.Name, "run.refused", jobObject(j.ID), j.State, "", "not approved (manual)"); aerr != nil {
				return Run{}, aerr
			}
		}
		return Run{}, err
	}
	return s.runBackup(ctx, j.ID, runSpec{trigger: TriggerManual, actor: as.Name, opt: opt})
}

// approvedAsIs refuses a job that is not approved, or whose stored
// definition is not the one the IT manager approved.
func approvedAsIs(j store.Job) error {
	if j.State != JobApproved {
		return errNotApproved("job", j.Name, j.State)
	}
	if j.ApprovedRevision == "" || j.ApprovedRevision != revisionOf(j) {
		return refusedf("job %s differs from the definition the IT manager approved (approved revision %s, stored %s): nothing runs without the IT manager's approval",
			j.Name, ShortRevision(j.ApprovedRevision), ShortRevision(revisionOf(j)))
	}
	return nil
}

// approvedAsIs is approvedAsIs(j), and the audit log's approval of it.
func (s *Service) approvedAsIs(ctx context.Context, j store.Job) error {
	if err := approvedAsIs(j); err != nil {
		return err
	}
	return s.approvalLogged(ctx, jobObject(j.ID), "job "+j.Name, j.ApprovedRevision)
}

// runBackup is the one place a backup starts, whatever asked for it: it
// re-reads the job and refuses unless it is approved, as approved, at this
// instant, and (for a scheduler) unless its account may still act.
func (s *Service) runBackup(ctx context.Context, jobID int64, rs runSpec) (Run, error) {
	if rs.account != nil {
		if _, err := s.act(ctx, *rs.account, "start a scheduled run", capabilityRoles[CapRunScheduler]...); err != nil {
			return Run{}, err
		}
	}
	j, err := s.catalog.JobByID(ctx, jobID)
	if err != nil {
		return Run{}, err
	}
	if err := s.approvedAsIs(ctx, j); err != nil {
		if aerr := s.audit(ctx, rs.actor, "run.refused", jobObject(j.ID), j.State, "", err.Error()+" ("+rs.trigger+")"); aerr != nil {
			return Run{}, aerr
		}
		return Run{}, err
	}
	if !s.running.acquire(j.ID) {
		return Run{}, fmt.Errorf("run job %s: %w", j.Name, errRunningHere)
	}
	defer s.running.release(j.ID)
	if rs.opt.Progress == nil {
		rs.opt.Progress = engine.NopProgress{}
	}
	run := store.Run{JobID: j.ID, RequestID: rs.requestID, Kind: KindBackup, Trigger: rs.trigger, Actor: rs.actor,
		ScheduledAt: rs.scheduled.ScheduledAt, StartedAt: s.now(), Status: RunRunning, Owner: processOwner()}
	detail := j.Name + " (" + rs.trigger + ")"
	if rs.account != nil {
		detail += " as " + rs.account.Name
	}
	if err := s.claimOwner(ctx); err != nil {
		return Run{}, err
	}
	err = s.catalog.Update(ctx, func(tx *store.Tx) error {
		if rs.trigger == TriggerSchedule && rs.requestID == 0 && !run.ScheduledAt.IsZero() {
			// Checked under the write lock: of two schedulers firing one slot
			// (two daemons, or a window and a daemon), one runs it.
			if taken, err := tx.SlotTaken(ctx, j.ID, run.ScheduledAt); err != nil || taken {
				return errors.Join(err, slotTaken(j, run.ScheduledAt, taken))
			}
		}
		var err error
		if run.ID, err = tx.InsertRun(ctx, run); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, rs.actor, "run.start", runObject(run.ID), "", RunRunning, detail)
	})
	if err != nil {
		return Run{}, err
	}
	started := s.runFromStore(ctx, run)
	s.publish(Event{Kind: EventRunStarted, JobID: j.ID, Run: &started, Message: "backup " + j.Name + " started"})

	out, runErr := s.backupInto(ctx, j, &run, rs)
	return s.finishBackup(ctx, j, run, rs, out, runErr)
}

// backupOutcome is what a backup run did besides its statistics.
type backupOutcome struct {
	replicas []ReplicaResult
	removed  []engine.Snapshot // by retention
	// preparedBy is the account the report names as preparer: the one that
	// ran it, the scheduler's own account for a scheduled run.
	preparedBy string
	missed     store.Run // the missed run a catch-up makes up for
}

// backupInto opens the job's own repository, backs up, applies the approved
// retention and replicates, filling run's statistics.
func (s *Service) backupInto(ctx context.Context, j store.Job, run *store.Run, rs runSpec) (backupOutcome, error) {
	var out backupOutcome
	repo, err := s.openRunRepository(ctx, j, rs.actor)
	if err != nil {
		return out, err
	}
	defer repo.Close()
	// The audit chain's head goes into the snapshot, and with it to every
	// replica: a rewrite of the chain up to here no longer matches it. It
	// is read before the records job copies the catalog, so that the copy
	// (and a workspace rebuilt from it) holds the anchored entry.
	seq, head, err := s.catalog.AuditHead(ctx)
	if err != nil {
		return out, err
	}
	src, err := s.sourcesOf(ctx, j)
	if err != nil {
		return out, err
	}
	defer func() {
		if err := src.close(); err != nil { // a temporary copy left behind; the snapshot is what counts
			s.log.Warn("remove the catalog copy", "job", j.Name, "err", err)
		}
	}()
	labels := map[string]string{LabelAuditHead: fmt.Sprintf("%d:%s", seq, head)}
	res, err := repo.Backup(ctx, src.paths, engine.BackupOptions{Excludes: src.excludes, Tags: []string{jobTag(j.Name)}, Labels: labels,
		Progress: rs.opt.Progress, Streams: src.streams, Workers: rs.opt.Workers, Background: rs.opt.Background})
	if err != nil {
		return out, hint(err)
	}
	run.SnapshotID, run.FilesNew, run.FilesChanged, run.FilesUnmodified = res.Snapshot.ID, res.FilesNew, res.FilesChanged, res.FilesUnmodified
	run.BytesRead, run.BytesAdded, run.TotalBytes = res.BytesRead, res.BytesAdded, res.Snapshot.Summary.TotalBytes
	for _, w := range res.Warnings {
		run.Warnings = append(run.Warnings, store.RunWarning{Path: w.Path, Err: w.Err})
	}
	var partial error
	if len(res.Snapshot.Partial) > 0 {
		// Kept (it holds what could be read), but a failed run, and no
		// retention: older complete snapshots are what a restore needs now.
		partial = fmt.Errorf("could not read %s at all: snapshot %s holds the rest and is marked partial; no snapshot was removed",
			strings.Join(res.Snapshot.Partial, ", "), shortID(res.Snapshot.ID))
	} else {
		fr, err := s.retain(ctx, repo, j, rs.actor, run.ID, false)
		if fr != nil {
			out.removed = fr.Remove
		}
		if err != nil {
			run.Warnings = append(run.Warnings, store.RunWarning{Path: j.Repository, Err: "retention: " + err.Error()})
		} else if len(out.removed) > 0 {
			if _, err := repo.Prune(ctx, false); err != nil {
				run.Warnings = append(run.Warnings, store.RunWarning{Path: j.Repository, Err: "prune: " + err.Error()})
			}
		}
	}
	for _, name := range j.Replicas {
		st, err := s.repl.Replicate(ctx, j.Repository, name, rs.opt.Progress)
		if err != nil {
			run.Warnings = append(run.Warnings, store.RunWarning{Path: "replica " + name, Err: err.Error()})
		}
		st = s.settleReplica(context.WithoutCancel(ctx), []store.Job{j}, run.ID, name, st, err)
		if err != nil && !errors.Is(err, context.Canceled) && st.Status == ReplicaFailed {
			s.retryReplicaLater(j.ID, name)
		}
		out.replicas = append(out.replicas, st)
	}
	return out, partial
}

// LabelAuditHead is the snapshot label that holds the audit chain's head
// ("SEQ:HASH") when the backup started.
const LabelAuditHead = "cadang.audit-head"

// hint adds what a person should do to errors they can act on.
func hint(err error) error {
	if errors.Is(err, engine.ErrLocked) {
		return fmt.Errorf("%w (if no other backup is running, the lock is stale: run `cadang unlock --repo REPOSITORY --as YOU`)", err)
	}
	if errors.Is(err, engine.ErrPasswordRequired) || errors.Is(err, engine.ErrWrongPassword) {
		return fmt.Errorf("%w (set the job's repository password file)", err)
	}
	return err
}

// finishBackup records the result, files the execution report and tells subscribers.
func (s *Service) finishBackup(ctx context.Context, j store.Job, run store.Run, rs runSpec, out backupOutcome, runErr error) (Run, error) {
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
	if err := s.saveRun(rctx, rs.actor, run, "run.finish", RunRunning); err != nil {
		return Run{}, err
	}
	s.logRun(j.Name, run)
	out.preparedBy, out.missed = rs.actor, rs.missed
	if rs.account != nil {
		out.preparedBy = rs.account.Name
	}
	if _, err := s.fileExecutionReport(rctx, rs.actor, j, run, out); err != nil {
		// A run without its execution report (SOP 5.3e) is not a clean success.
		s.log.Error("file execution report", "run", run.ID, "err", err)
		run.Warnings = append(run.Warnings, store.RunWarning{Path: "execution report", Err: "could not be filed: " + err.Error()})
		if run.Status == RunSuccess {
			run.Status = RunWarnings
		}
		if serr := s.saveRun(rctx, rs.actor, run, "run.report-failed", run.Status); serr != nil {
			return Run{}, errors.Join(err, serr)
		}
	}
	res := s.runFromStore(rctx, run)
	s.publish(Event{Kind: EventRunFinished, JobID: j.ID, RequestID: run.RequestID, Run: &res, Message: runMessage(j.Name, res)})
	if runErr != nil {
		return res, fmt.Errorf("backup %s: %w", j.Name, runErr)
	}
	return res, nil
}

// saveRun stores a run's new state with its audit entry.
func (s *Service) saveRun(ctx context.Context, actor string, run store.Run, action, from string) error {
	redactRun(&run)
	detail := fmt.Sprintf("snapshot %s, %d new, %d changed, %d warnings", shortID(run.SnapshotID), run.FilesNew, run.FilesChanged, len(run.Warnings))
	if run.Overrun {
		detail += ", overran its window"
	}
	if run.Error != "" {
		detail = run.Error
	}
	return s.catalog.Update(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateRun(ctx, run); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, actor, action, runObject(run.ID), from, run.Status, detail)
	})
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
func (s *Service) fileExecutionReport(ctx context.Context, actor string, j store.Job, run store.Run, out backupOutcome) (Document, error) {
	replicas := out.replicas
	set, err := s.settings(ctx)
	if err != nil {
		return Document{}, err
	}
	rep := reports.ExecutionReport{JobName: j.Name, Sources: redactAll(s.reportedSources(ctx, j)), Repository: secrets.Redact(j.Repository), Scheduled: run.ScheduledAt,
		Started: run.StartedAt, Finished: run.FinishedAt, Status: reportStatus(run.Status), SnapshotID: shortID(run.SnapshotID),
		FilesNew: run.FilesNew, FilesChanged: run.FilesChanged, FilesUnmodified: run.FilesUnmodified, BytesRead: run.BytesRead,
		BytesAdded: run.BytesAdded, TotalBytes: run.TotalBytes, Error: run.Error}
	rep.Overrun, rep.WindowEnd = run.Overrun, j.WindowEnd
	if out.missed.ID != 0 { // a catch-up cites the night it makes up for, and that night's report
		rep.CatchUpOf = out.missed.ScheduledAt
		if docs, err := s.catalog.Documents(ctx, store.DocumentFilter{RunID: out.missed.ID}); err == nil && len(docs) > 0 {
			rep.CatchUpReport = docs[len(docs)-1].Number
		}
	}
	for _, w := range run.Warnings {
		rep.Warnings = append(rep.Warnings, reports.Warning{Path: w.Path, Err: w.Err})
	}
	for _, r := range replicas {
		rep.Replicas = append(rep.Replicas, reportReplica(r, run.FinishedAt))
	}
	for _, sn := range out.removed {
		rep.Removed = append(rep.Removed, reports.RemovedSnapshot{ID: sn.ID, Time: sn.Time})
	}
	approver := j.DecidedBy // the IT manager who approved the job that ran
	if run.RequestID != 0 {
		if r, err := s.catalog.RequestByID(ctx, run.RequestID); err == nil {
			rep.RequestNumber, approver = r.Number, r.DecidedBy
		}
	}
	rep.Signatories = s.signatories(ctx, set, firstNonEmpty(out.preparedBy, actor), approver)
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
