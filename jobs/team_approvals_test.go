package jobs

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

// TestTwoWindowsApproveWhileStaffEdit: two windows on one catalog (two
// Services, each with its own connections, as two workstations have), an
// IT manager approving jobs on one while IT staff edit the same jobs on
// the other. Whatever the interleaving, no job is approved with a
// definition the manager did not see: an approved job's stored definition
// is the one approved, an edit after the approval sends it back, and an
// approval of a definition changed meanwhile is refused. The manager's
// window hears the staff's edits, and the audit chain verifies.
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
	seen := make([]string, n) // the revision the manager looked at
	for i, name := range names {
		j, err := mgrWin.Job(f.ctx, f.mgr, name)
		if err != nil {
			t.Fatal(err)
		}
		seen[i] = j.RevisionHash
	}
	var wg sync.WaitGroup
	approveErrs, editErrs := make([]error, n), make([]error, n)
	wg.Add(2)
	go func() { // the manager's window
		defer wg.Done()
		for i, name := range names {
			_, approveErrs[i] = mgrWin.ApproveJob(f.ctx, f.mgr, name, seen[i])
		}
	}()
	go func() { // the staff's window, at the same time
		defer wg.Done()
		for i := n - 1; i >= 0; i-- {
			j, err := staffWin.Job(f.ctx, f.staff, names[i])
			if err != nil {
				editErrs[i] = err
				continue
			}
			spec := j.JobSpec
			spec.Excludes = append(spec.Excludes, "*.tmp")
			_, editErrs[i] = staffWin.EditJob(f.ctx, f.staff, names[i], spec)
		}
	}()
	wg.Wait()
	approvedAsSeen, sentBack := 0, 0
	for i, name := range names {
		if editErrs[i] != nil {
			t.Errorf("edit %s: %v", name, editErrs[i])
		}
		if approveErrs[i] != nil && !errors.Is(approveErrs[i], ErrRefused) {
			t.Errorf("approve %s: %v, want success or a refusal", name, approveErrs[i])
		}
		j, err := staffWin.Job(f.ctx, f.staff, name)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case j.State == JobApproved && j.ApprovedRevision == j.RevisionHash && j.RevisionHash == seen[i]:
			t.Errorf("%s: approved as the manager saw it although the staff's edit succeeded after", name)
		case j.Runnable():
			t.Errorf("%s: runnable with revision %s, approved %s, seen by the manager %s", name, j.RevisionHash, j.ApprovedRevision, seen[i])
		case approveErrs[i] == nil:
			sentBack++ // approved, then the edit sent it back for approval
		default:
			approvedAsSeen++ // the edit came first: the approval of the old definition was refused
		}
	}
	t.Logf("%d approved then sent back by the edit, %d approvals refused (edited first)", sentBack, approvedAsSeen)
	if sentBack+approvedAsSeen != n {
		t.Errorf("outcomes: %d approved then sent back, %d refused; want %d in all", sentBack, approvedAsSeen, n)
	}
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
