package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cadang/engine"
	"cadang/engine/dbsource"
	"cadang/reports"
	"cadang/store"
)

// RunRequestOptions configure carrying out an approved request.
type RunRequestOptions struct {
	// Target, when set, must be the destination the request was approved
	// for: it is a check, never a change. A different destination is a new
	// request, or an edit the IT manager approves again.
	Target   string
	Progress engine.Progress // defaults to engine.NopProgress
}

// RunRequest carries out an approved request now (IT staff, managers,
// administrators): a backup request runs its job's backup; a restore
// request restores the job's newest snapshot at or before the requested
// time into the approved destination, checks every file and restores
// again on a mismatch.
func (s *Service) RunRequest(ctx context.Context, as User, id int64, opt RunRequestOptions) (Request, error) {
	actor, err := s.act(ctx, as, fmt.Sprintf("run request #%d", id))
	if err != nil {
		return Request{}, err
	}
	return s.runRequest(ctx, actor, as.Name, id, opt, TriggerRequest)
}

// approvedTermsOf refuses a request that is not approved, or whose stored
// terms are not the ones the IT manager approved.
func approvedTermsOf(r store.Request) error {
	if r.State != RequestApproved {
		return errNotApproved("request", fmt.Sprintf("#%d", r.ID), r.State)
	}
	if rev := requestRevisionOf(r); r.ApprovedRevision == "" || r.ApprovedRevision != rev {
		return refusedf("request #%d differs from what the IT manager approved (approved revision %s, stored %s): nothing runs without the IT manager's approval",
			r.ID, ShortRevision(r.ApprovedRevision), ShortRevision(rev))
	}
	return nil
}

// runRequest carries out request id; actor is the account acting (the
// scheduler's account for a scheduled one), audit the name the log shows.
func (s *Service) runRequest(ctx context.Context, actor store.User, audit string, id int64, opt RunRequestOptions, trigger string) (Request, error) {
	r, err := s.catalog.RequestByID(ctx, id)
	if err != nil {
		return Request{}, err
	}
	refuse := func(err error) (Request, error) {
		if aerr := s.audit(ctx, audit, "run.refused", requestObject(r.ID), r.State, "", err.Error()); aerr != nil {
			return Request{}, aerr
		}
		return Request{}, err
	}
	if err := requestRule(actor, r, ActRun, nil); err != nil {
		return refuse(err)
	}
	if err := approvedTermsOf(r); err != nil {
		return refuse(err)
	}
	if err := s.approvalLogged(ctx, requestObject(r.ID), fmt.Sprintf("request #%d", r.ID), r.ApprovedRevision); err != nil {
		return refuse(err)
	}
	if opt.Target != "" && r.Kind == KindRestore {
		want := store.Request{Kind: KindRestore, Target: opt.Target, Include: r.Include}
		if err := cleanTarget(&want); err != nil || want.Target != r.Target {
			return refuse(refusedf("run request #%d: it was approved for %s; a restore to %s needs a new request (or an edit of this one, approved again)",
				r.ID, r.Target, opt.Target))
		}
	}
	if opt.Progress == nil {
		opt.Progress = engine.NopProgress{}
	}
	if r.Kind == KindBackup {
		return s.runBackupRequest(ctx, audit, r, opt, trigger)
	}
	if err := checkLocation("restore target", r.Target); err != nil {
		return Request{}, fmt.Errorf("run request #%d: %w", r.ID, err)
	}
	if r.Target == "" {
		return refuse(refusedf("run request #%d: it names no destination", r.ID))
	}
	if err := s.checkRestoreInto(ctx, fmt.Sprintf("run request #%d", r.ID), r.Target); err != nil {
		return refuse(err)
	}
	return s.restoreAndVerify(ctx, audit, r, opt.Progress)
}

// runBackupRequest runs the request's job; the job must be approved too,
// because its definition is what runs.
func (s *Service) runBackupRequest(ctx context.Context, actor string, r store.Request, opt RunRequestOptions, trigger string) (Request, error) {
	j, err := s.catalog.JobByID(ctx, r.JobID)
	if err != nil {
		return Request{}, err
	}
	if err := s.approvedAsIs(ctx, j); err != nil { // refused like every other run, and audited the same way
		if aerr := s.audit(ctx, actor, "run.refused", requestObject(r.ID), r.State, "", err.Error()+" ("+trigger+")"); aerr != nil {
			return Request{}, aerr
		}
		return Request{}, err
	}
	if err := s.setRequestState(ctx, actor, &r, "request.run", RequestRunning, trigger); err != nil {
		return Request{}, err
	}
	run, runErr := s.runBackup(ctx, j.ID, runSpec{trigger: trigger, actor: actor, requestID: r.ID,
		scheduled: store.Run{ScheduledAt: r.RequestedAt}, opt: RunOptions{Progress: opt.Progress}})
	rctx := context.WithoutCancel(ctx)
	if errors.Is(runErr, ErrAlreadyRunning) || errors.Is(runErr, context.Canceled) || errors.Is(runErr, ErrRefused) {
		// The job is busy (its nightly run), was stopped, or changed after its
		// approval: the request stays approved and runs again, rather than failing.
		if err := s.setRequestState(rctx, actor, &r, "request.wait", RequestApproved, runErr.Error()); err != nil {
			return Request{}, err
		}
		return s.requestFromStore(rctx, r), runErr
	}
	state := RequestCompleted
	if runErr != nil || run.Status == RunFailed {
		state = RequestFailed
	}
	r.SnapshotID = run.SnapshotID // held by retention while the request needs it
	if err := s.setRequestState(rctx, actor, &r, "request.finish", state, fmt.Sprintf("run #%d %s", run.ID, run.Status)); err != nil {
		return Request{}, err
	}
	return s.requestFromStore(rctx, r), runErr
}

// errNothingRestored means the snapshot holds nothing of what the request names.
var errNothingRestored = errors.New("nothing to restore")

// restoreAndVerify is SOP 5.4a–d.
func (s *Service) restoreAndVerify(ctx context.Context, actor string, r store.Request, p engine.Progress) (Request, error) {
	j, err := s.catalog.JobByID(ctx, r.JobID)
	if err != nil {
		return Request{}, err
	}
	started := s.now()
	prepared := "target " + r.Target
	if r.Replica != "" {
		prepared += ", from replica " + r.Replica
	}
	if err := s.setRequestState(ctx, actor, &r, "request.prepare", RequestPreparing, prepared); err != nil {
		return Request{}, err
	}
	rctx := context.WithoutCancel(ctx)
	fail := func(cause error) (Request, error) {
		action, state := "request.fail", RequestFailed
		switch {
		case errors.Is(cause, context.Canceled):
			// Stopped by a person or a shutdown, not a failed restore: it stays
			// approved and can be carried out again.
			action, state = "request.cancel", RequestApproved
		case errors.Is(cause, dbsource.ErrTargetNotEmpty), errors.Is(cause, engine.ErrTargetExists),
			errors.Is(cause, errNoBackupAsOf), errors.Is(cause, errNothingRestored):
			// Nothing was restored: the request is corrected (a new time, a
			// destination, consent to replace files) and approved again.
			action, state = "request.wait", RequestApproved
		}
		if err := s.setRequestState(rctx, actor, &r, action, state, cause.Error()); err != nil {
			return Request{}, err
		}
		return s.requestFromStore(rctx, r), fmt.Errorf("restore request #%d: %w", r.ID, cause)
	}
	repo, err := s.openJobRepository(ctx, j, r.Replica) // the job's repository, or the replica the request names
	if err != nil {
		return fail(err)
	}
	defer repo.Close()
	all, err := repo.Snapshots(ctx)
	if err != nil {
		return fail(err)
	}
	snap, nearest, err := snapshotAsOf(ownSnapshots(all, j.Name), r.RequestedAt)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", noBackupMessage(j.Name, r.RequestedAt, nearest), err))
	}
	r.SnapshotID = snap.ID
	var checks []engine.FileCheck
	var res *engine.RestoreResult
	var attempts []reports.Attempt // each attempt's outcome, for the report
	if dbsource.IsURL(r.Target) {
		checks, err = s.dbRestoreAttempts(ctx, actor, &r, j, repo, snap)
	} else {
		checks, res, err = s.restoreAttempts(ctx, actor, &r, repo, snap, p, &attempts)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, dbsource.ErrTargetNotEmpty) || errors.Is(err, engine.ErrTargetExists) || errors.Is(err, errNothingRestored) {
		return fail(err)
	}
	failedEntries := 0
	if res != nil {
		failedEntries = len(res.Failed)
	}
	result := RequestVerified
	if err != nil || !allOK(checks) || failedEntries > 0 {
		result = RequestFailed
	}
	if _, ferr := s.fileVerificationReport(rctx, actor, j, r, snap, checks, attempts, result); ferr != nil {
		return fail(ferr)
	}
	s.recordRestoreRun(rctx, restoreRecord{actor: actor, job: j, req: r, snap: snap, started: started, res: res, checks: checks, result: result, err: err})
	if result == RequestFailed {
		cause := err
		if cause == nil {
			cause = fmt.Errorf("after %d attempts, %d of %d files differ from the backup and %d files, folders or links could not be restored",
				r.Attempts, countBad(checks), len(checks), failedEntries)
		}
		return fail(cause)
	}
	if err := s.setRequestState(rctx, actor, &r, "request.verify", RequestVerified, fmt.Sprintf("%d files match snapshot %s", len(checks), shortID(snap.ID))); err != nil {
		return Request{}, err
	}
	s.publish(Event{Kind: EventRestoreFinished, RequestID: r.ID, JobID: j.ID, Message: fmt.Sprintf("restore #%d verified", r.ID)})
	return s.requestFromStore(rctx, r), nil
}

// restoreAttempts restores and checks, and restores again on a mismatch,
// at most s.retries times (SOP 5.4d).
func (s *Service) restoreAttempts(ctx context.Context, actor string, r *store.Request, repo Repository, snap engine.Snapshot, p engine.Progress, log *[]reports.Attempt) ([]engine.FileCheck, *engine.RestoreResult, error) {
	var checks []engine.FileCheck
	var res *engine.RestoreResult
	var lastErr error
	for r.Attempts = 0; r.Attempts < s.retries; {
		r.Attempts++
		if err := s.setRequestState(ctx, actor, r, "request.restore", RequestRestoring, fmt.Sprintf("attempt %d, snapshot %s", r.Attempts, shortID(snap.ID))); err != nil {
			return nil, nil, err
		}
		// The first attempt replaces existing files only with the requester's
		// approved consent; later ones replace what the first one wrote.
		var err error
		res, err = repo.Restore(ctx, snap, r.Target, engine.RestoreOptions{Include: r.Include, Overwrite: r.Overwrite || r.Attempts > 1, Progress: p})
		if errors.Is(err, context.Canceled) || errors.Is(err, engine.ErrTargetExists) && r.Attempts == 1 {
			return nil, res, err
		}
		if err == nil && r.Attempts == 1 && res.Files+res.Dirs == 0 && len(res.Failed) == 0 {
			if len(r.Include) > 0 {
				return nil, res, fmt.Errorf("%w: snapshot %s holds none of %s", errNothingRestored, shortID(snap.ID), strings.Join(r.Include, ", "))
			}
			return nil, res, fmt.Errorf("%w: snapshot %s is empty", errNothingRestored, shortID(snap.ID))
		}
		if err := s.setRequestState(ctx, actor, r, "request.check", RequestVerifying, fmt.Sprintf("attempt %d", r.Attempts)); err != nil {
			return nil, nil, err
		}
		if err != nil {
			lastErr = err
			*log = append(*log, reports.Attempt{Number: r.Attempts, Error: err.Error()})
			continue
		}
		checks, err = repo.CheckRestored(ctx, snap, r.Target, engine.RestoreOptions{Include: r.Include, Progress: p})
		if err != nil {
			lastErr = err
			*log = append(*log, reports.Attempt{Number: r.Attempts, Error: err.Error()})
			continue
		}
		*log = append(*log, attemptOf(r.Attempts, checks))
		lastErr = nil
		if allOK(checks) && len(res.Failed) == 0 {
			return checks, res, nil
		}
	}
	return checks, res, lastErr
}

func allOK(checks []engine.FileCheck) bool { return countBad(checks) == 0 }

func countBad(checks []engine.FileCheck) int {
	n := 0
	for _, c := range checks {
		if !c.OK {
			n++
		}
	}
	return n
}

// restoreRecord is what the run history keeps of a restore.
type restoreRecord struct {
	actor   string
	job     store.Job
	req     store.Request
	snap    engine.Snapshot
	started time.Time
	res     *engine.RestoreResult
	checks  []engine.FileCheck
	result  string
	err     error
}

// recordRestoreRun puts the restore in the run history. Its ScheduledAt is
// the snapshot's time: the point in time the data was restored to.
func (s *Service) recordRestoreRun(ctx context.Context, rr restoreRecord) {
	j, r, res, runErr := rr.job, rr.req, rr.res, rr.err
	run := store.Run{JobID: j.ID, RequestID: r.ID, Kind: KindRestore, Trigger: TriggerRequest, Actor: rr.actor,
		ScheduledAt: rr.snap.Time, StartedAt: rr.started, FinishedAt: s.now(), Status: RunVerified, SnapshotID: r.SnapshotID}
	if rr.result != RequestVerified {
		run.Status = RunFailed
	}
	if res != nil {
		run.FilesNew, run.TotalBytes = res.Files, res.Bytes
		for _, f := range res.Failed {
			run.Warnings = append(run.Warnings, store.RunWarning{Path: f.Path, Err: firstNonEmpty(f.Err, "content differs from the backup")})
		}
		if res.OwnersNotRestored > 0 {
			run.Warnings = append(run.Warnings, store.RunWarning{Path: r.Target, Err: fmt.Sprintf(
				"%d files and folders belonged to other users and now belong to the account that ran the restore (only a restore run as root gives them their owners)",
				res.OwnersNotRestored)})
		}
	} else {
		run.FilesNew = int64(len(rr.checks)) // a database: the tables (and integrity check) verified
	}
	if runErr != nil {
		run.Error = runErr.Error()
	}
	redactRun(&run)
	var err error
	if run.ID, err = s.catalog.InsertRun(ctx, run); err != nil {
		s.log.Error("record restore run", "request", r.ID, "err", err)
	}
	s.logRun(j.Name, run)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
