package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// approvalRace is an IT manager approving jobs on one window while IT
// staff edit the same jobs on another (two Services on one catalog, each
// with its own connections, as two workstations have).
type approvalRace struct {
	names                 []string
	seen                  []string // the revision the manager looked at
	approveErrs, editErrs []error
}

// newApprovalRace reads, on the manager's window, the revisions of the
// submitted jobs names as the manager sees them before deciding.
func newApprovalRace(t *testing.T, mgrWin *Service, mgr User, names []string) *approvalRace {
	t.Helper()
	r := &approvalRace{names: names, seen: make([]string, len(names)),
		approveErrs: make([]error, len(names)), editErrs: make([]error, len(names))}
	for i, name := range names {
		j, err := mgrWin.Job(context.Background(), mgr, name)
		if err != nil {
			t.Fatal(err)
		}
		r.seen[i] = j.RevisionHash
	}
	return r
}

// run approves every job, in order, on the manager's window while the
// staff edit them, in the opposite order, on theirs.
func (r *approvalRace) run(ctx context.Context, mgrWin, staffWin *Service, mgr, staff User) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // the manager's window
		defer wg.Done()
		for i, name := range r.names {
			_, r.approveErrs[i] = mgrWin.ApproveJob(ctx, mgr, name, r.seen[i])
		}
	}()
	go func() { // the staff's window, at the same time
		defer wg.Done()
		for i := len(r.names) - 1; i >= 0; i-- {
			j, err := staffWin.Job(ctx, staff, r.names[i])
			if err != nil {
				r.editErrs[i] = err
				continue
			}
			spec := j.JobSpec
			spec.Excludes = append(spec.Excludes, "*.tmp")
			_, r.editErrs[i] = staffWin.EditJob(ctx, staff, r.names[i], spec)
		}
	}()
	wg.Wait()
}

// check: whatever the interleaving, no job is approved with a definition
// the manager did not see. An edit after the approval sends the job back;
// an approval of a definition changed meanwhile is refused.
func (r *approvalRace) check(t *testing.T, win *Service, staff User) {
	t.Helper()
	approvedAsSeen, sentBack := 0, 0
	for i, name := range r.names {
		if r.editErrs[i] != nil {
			t.Errorf("edit %s: %v", name, r.editErrs[i])
		}
		if r.approveErrs[i] != nil && !errors.Is(r.approveErrs[i], ErrRefused) {
			t.Errorf("approve %s: %v, want success or a refusal", name, r.approveErrs[i])
		}
		j, err := win.Job(context.Background(), staff, name)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case j.State == JobApproved && j.ApprovedRevision == j.RevisionHash && j.RevisionHash == r.seen[i]:
			t.Errorf("%s: approved as the manager saw it although the staff's edit succeeded after", name)
		case j.Runnable():
			t.Errorf("%s: runnable with revision %s, approved %s, seen by the manager %s", name, j.RevisionHash, j.ApprovedRevision, r.seen[i])
		case r.approveErrs[i] == nil:
			sentBack++ // approved, then the edit sent it back for approval
		default:
			approvedAsSeen++ // the edit came first: the approval of the old definition was refused
		}
	}
	t.Logf("%d approved then sent back by the edit, %d approvals refused (edited first)", sentBack, approvedAsSeen)
	if sentBack+approvedAsSeen != len(r.names) {
		t.Errorf("outcomes: %d approved then sent back, %d refused; want %d in all", sentBack, approvedAsSeen, len(r.names))
	}
}

// TestTwoWindowsApproveWhileStaffEdit: the approval race on the suite's
// catalog (SQLite, or PostgreSQL with CADANG_TEST_CATALOG=postgres). The
// manager's window hears the staff's edits, and the audit chain verifies.
// TestTeamDaemonsRunEachSlotOnce runs the same race while daemon processes
// run the schedule.
func TestTwoWindowsApproveWhileStaffEdit(t *testing.T) {
	const n = 12
	f := newFixture(t)
	staffWin := f.svc
	mgrWin := f.openOther(t)
	heard, stop := mgrWin.Subscribe()
	defer stop()
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("job%02d", i)
		f.job(t, names[i], Schedule{})
		if _, err := staffWin.SubmitJob(f.ctx, f.staff, names[i]); err != nil {
			t.Fatal(err)
		}
	}
	race := newApprovalRace(t, mgrWin, f.mgr, names)
	race.run(f.ctx, mgrWin, staffWin, f.mgr, f.staff)
	race.check(t, staffWin, f.staff)
	edits := 0
	for edits < n {
		ev := nextRemote(t, heard, EventJobChanged)
		if ev.JobID != 0 {
			edits++
		}
	}
	if _, problems, err := staffWin.catalog.VerifyAudit(f.ctx); err != nil || len(problems) > 0 {
		t.Errorf("audit verify: %v, %v", problems, err)
	}
}
