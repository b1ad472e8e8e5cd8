package jobs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cadang/internal/statetest"
)

// realJob defines and approves job name on the real engine, backing up
// f.src into repo, and runs it once.
func (f *fixture) realJob(t *testing.T, name, repo string, keep Retention) Run {
	t.Helper()
	f.define(t, JobSpec{Name: name, Sources: []string{f.src}, Repository: repo, Retention: keep})
	f.approve(t, name)
	return f.run(t, name)
}

// Hole: `request run ID --target X` replaced the approved destination.
// A run goes only to the approved target; another one is refused, audited
// as run.refused, and nothing is written there.
func TestHoleRunTargetReplacesApprovedDestination(t *testing.T) {
	f := newRealFixture(t)
	f.realJob(t, "keu", filepath.Join(t.TempDir(), "repo"), Retention{})
	approvedTo, elsewhere := filepath.Join(t.TempDir(), "approved"), filepath.Join(t.TempDir(), "elsewhere")
	r := f.ask(t, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: time.Now(), Target: approvedTo})
	f.approveRequest(t, r.ID)

	seq := f.auditHead(t)
	_, err := f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{Target: elsewhere})
	wantOneLineRefusal(t, "run to another destination", err, "needs a new request")
	if exists(elsewhere) {
		t.Errorf("a refused run wrote into %s", elsewhere)
	}
	if got := f.request(t, r.ID); got.State != RequestApproved {
		t.Errorf("after the refused run the request is %s, want still approved", got.State)
	}
	f.wantAudit(t, seq, "run.refused")

	// The approved destination, given again as a check, runs.
	got, err := f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{Target: approvedTo})
	if err != nil || got.State != RequestVerified {
		t.Fatalf("run to the approved destination: %s, %v", got.State, err)
	}
	if b := readFile(t, filepath.Join(approvedTo, "data", "laporan.txt")); b != "laporan keuangan" {
		t.Errorf("restored file = %q", b)
	}
}

// Hole: a file restore always ran with overwrite. Existing files are
// replaced only with the consent the IT manager approved; without it the
// run changes nothing and the request waits to be corrected.
func TestHoleFileRestoreAlwaysOverwrites(t *testing.T) {
	f := newRealFixture(t)
	f.realJob(t, "keu", filepath.Join(t.TempDir(), "repo"), Retention{})
	target := t.TempDir()
	mine := filepath.Join(target, "data", "laporan.txt")
	writeTree(t, target, map[string]string{"data/laporan.txt": "the department's newer version"})
	r := f.ask(t, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: time.Now(), Target: target})
	f.approveRequest(t, r.ID)

	got, err := f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{})
	if err == nil || got.State != RequestApproved {
		t.Fatalf("restore over an existing file without consent: %s, %v; want an error and the request still approved", got.State, err)
	}
	if b := readFile(t, mine); b != "the department's newer version" {
		t.Errorf("an existing file was replaced without consent: %q", b)
	}
	docs, err := f.svc.Documents(f.ctx, f.staff, DocumentFilter{RequestID: r.ID, Type: DocVerificationReport})
	if err != nil || len(docs) != 0 {
		t.Errorf("verification reports filed for a restore that wrote nothing: %d, %v", len(docs), err)
	}

	// With the consent, approved again, the file is replaced.
	yes := true
	if _, err := f.svc.EditRequest(f.ctx, f.dept, r.ID, RequestEdit{Overwrite: &yes}); err != nil {
		t.Fatal(err)
	}
	f.approveRequest(t, r.ID)
	if got, err = f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{}); err != nil || got.State != RequestVerified {
		t.Fatalf("restore with approved consent: %s, %v", got.State, err)
	}
	if b := readFile(t, mine); b != "laporan keuangan" {
		t.Errorf("with consent the file = %q, want the backup's", b)
	}
}

// Hole: a job edited by IT staff while the manager was approving it was
// approved unseen. The approval names the revision the manager saw and is
// refused when the job changed since; a definition changed in the catalog
// by hand after the approval never runs.
func TestHoleJobEditedWhileApprovingIsApprovedUnseen(t *testing.T) {
	f := newRealFixture(t)
	repo := filepath.Join(t.TempDir(), "repo")
	f.define(t, JobSpec{Name: "keu", Sources: []string{f.src}, Repository: repo})
	if _, err := f.svc.SubmitJob(f.ctx, f.staff, "keu"); err != nil {
		t.Fatal(err)
	}
	seen, err := f.svc.Job(f.ctx, f.mgr, "keu") // the manager opens the job…
	if err != nil {
		t.Fatal(err)
	}
	secret := t.TempDir() // …while IT staff add a source nobody reviewed
	spec := seen.JobSpec
	spec.Sources = append(spec.Sources, secret)
	if _, err := f.svc.EditJob(f.ctx, f.staff, "keu", spec); err != nil {
		t.Fatal(err)
	}
	for _, rev := range []string{seen.RevisionHash, seen.RevisionHash[:8], ""} {
		_, err := f.svc.ApproveJob(f.ctx, f.mgr, "keu", rev)
		wantOneLineRefusal(t, "approve revision "+rev, err, "revision")
	}
	if j, _ := f.svc.Job(f.ctx, f.mgr, "keu"); j.State != JobSubmitted || j.ApprovedRevision != "" {
		t.Fatalf("after refused approvals the job is %s (approved revision %q), want submitted, none", j.State, j.ApprovedRevision)
	}
	now, _ := f.svc.Job(f.ctx, f.mgr, "keu")
	if _, err := f.svc.ApproveJob(f.ctx, f.mgr, "keu", now.RevisionHash); err != nil {
		t.Fatalf("approve the revision as it is now: %v", err)
	}

	// Approved; then someone who can write catalog.db widens it by hand.
	statetest.Exec(t, f.catalogPath(), `UPDATE jobs SET sources=? WHERE name='keu'`, `["/"]`)
	seq := f.auditHead(t)
	_, err = f.svc.RunJob(f.ctx, f.staff, "keu", RunOptions{})
	wantOneLineRefusal(t, "run a job changed by hand", err, "differs from the definition the IT manager approved")
	j, _ := f.svc.catalog.JobByName(f.ctx, "keu")
	_, err = f.svc.runBackup(f.ctx, j.ID, runSpec{trigger: TriggerSchedule, actor: SchedulerActor, account: &f.staff})
	wantOneLineRefusal(t, "scheduled run of a job changed by hand", err, "differs")
	f.wantAudit(t, seq, "run.refused", "run.refused")
	if runs, _ := f.svc.Runs(f.ctx, f.staff, RunFilter{Job: "keu"}); len(runs) != 0 {
		t.Errorf("a job changed after its approval ran: %+v", runs)
	}
	if exists(repo) {
		t.Errorf("the refused runs created the repository %s", repo)
	}
}

// Hole: ApplyRetention in the window used a job's retention even when it
// was never approved. Retention and prune run only from the approved policy.
func TestHoleApplyRetentionUnapprovedPolicy(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, f *fixture, j JobSpec)
		want   string
	}{
		{"edited in the window, waiting for approval", func(t *testing.T, f *fixture, j JobSpec) {
			spec := j
			spec.Retention = Retention{KeepLast: 1}
			if _, err := f.svc.EditJob(f.ctx, f.staff, j.Name, spec); err != nil {
				t.Fatal(err)
			}
		}, "not approved"},
		{"changed in the catalog by hand", func(t *testing.T, f *fixture, j JobSpec) {
			statetest.Exec(t, f.catalogPath(), `UPDATE jobs SET retention='{"keep_last":1}' WHERE name=?`, j.Name)
		}, "not the approved one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRealFixture(t)
			repo := filepath.Join(t.TempDir(), "repo")
			f.realJob(t, "keu", repo, Retention{KeepLast: 5})
			f.run(t, "keu")
			f.run(t, "keu")
			tt.change(t, f, f.jobSpec(t, "keu"))
			for _, dry := range []bool{true, false} {
				_, _, err := f.svc.ApplyRetention(f.ctx, f.staff, "keu", dry)
				wantOneLineRefusal(t, "apply an unapproved retention", err, tt.want)
			}
			if n := len(f.repoSnapshots(t, repo)); n != 3 {
				t.Errorf("%d snapshots left, want all 3: an unapproved policy removed some", n)
			}
		})
	}
}

// Hole: a manager who submitted a staff member's draft was offered Approve
// in the window, then refused. What a person may do is decided once
// (JobPermissions, RequestPermissions) and agrees with what the Service
// then allows.
func TestHoleManagerOfferedApproveOnOwnSubmission(t *testing.T) {
	f := newFixture(t)
	accounts := []User{f.admin, f.staff, f.mgr, f.mgr2, f.dept}
	for _, decide := range []Action{ActApprove, ActReject} {
		for _, u := range accounts {
			t.Run(string(decide)+" job as "+u.Name, func(t *testing.T) {
				name := "job-" + string(decide) + "-" + u.Name
				f.job(t, name, Schedule{})
				if _, err := f.svc.SubmitJob(f.ctx, f.mgr, name); err != nil { // a manager submits staff's draft
					t.Fatal(err)
				}
				p, err := f.svc.JobPermissions(f.ctx, u, name)
				if err != nil {
					t.Fatal(err)
				}
				if u.ID == f.mgr.ID && (p.Can(decide) || !strings.Contains(p.Why(decide), "another IT manager")) {
					t.Errorf("the submitting manager is offered %s (why not: %q)", decide, p.Why(decide))
				}
				if decide == ActApprove {
					_, err = f.svc.ApproveJob(f.ctx, u, name, f.svc.jobRev(name))
				} else {
					_, err = f.svc.RejectJob(f.ctx, u, name, "not now")
				}
				if p.Can(decide) != (err == nil) {
					t.Errorf("JobPermissions says %s=%v, the Service answers %v", decide, p.Can(decide), err)
				}
			})
		}
	}
	f.approvedJob(t, "erp", Schedule{})
	for _, u := range accounts {
		t.Run("approve own request as "+u.Name, func(t *testing.T) {
			r, err := f.svc.CreateRequest(f.ctx, u, NewRequest{Kind: KindBackup, Job: "erp", Reason: "mine"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.SubmitRequest(f.ctx, u, r.ID); err != nil {
				t.Fatal(err)
			}
			for _, v := range accounts {
				p, err := f.svc.RequestPermissions(f.ctx, v, r.ID)
				if v.Role == RoleUser && v.ID != u.ID { // another's request: not even shown
					wantOneLineRefusal(t, v.Name+" looks at "+u.Name+"'s request", err, "another's request")
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if want := v.Role == RoleManager && v.ID != u.ID; p.Can(ActApprove) != want {
					t.Errorf("%s may approve %s's request: %v, want %v (%s)", v.Name, u.Name, p.Can(ActApprove), want, p.Why(ActApprove))
				}
			}
			in, err := f.svc.Inbox(f.ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			for _, got := range in.Requests {
				if got.ID == r.ID {
					t.Errorf("%s's inbox offers their own request #%d", u.Name, r.ID)
				}
			}
		})
	}
}

// Hole: a job whose source does not exist, or whose repository path is a
// file, was accepted when saved and submitted. Paths are checked when the
// job is saved and again at approval.
func TestHoleJobPathsNotChecked(t *testing.T) {
	f := newFixture(t)
	file := filepath.Join(t.TempDir(), "not-a-folder")
	writeTree(t, filepath.Dir(file), map[string]string{filepath.Base(file): "x"})
	missing := filepath.Join(t.TempDir(), "never-there")
	tests := []struct {
		name string
		spec JobSpec
		want string
	}{
		{"missing source", JobSpec{Name: "a", Sources: []string{missing}, Repository: filepath.Join(t.TempDir(), "r")}, "does not exist"},
		{"repository is a file", JobSpec{Name: "b", Sources: []string{f.src}, Repository: file}, "is a file"},
	}
	for _, tt := range tests {
		t.Run("saved: "+tt.name, func(t *testing.T) {
			if _, err := f.svc.CreateJob(f.ctx, f.staff, tt.spec); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("create: %v, want %q", err, tt.want)
			}
			ok := f.job(t, "ok-"+tt.spec.Name, Schedule{})
			spec := ok.JobSpec
			spec.Sources, spec.Repository = tt.spec.Sources, tt.spec.Repository
			if _, err := f.svc.EditJob(f.ctx, f.staff, ok.Name, spec); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("edit: %v, want %q", err, tt.want)
			}
		})
	}
	// Saved while the share was there, gone by the approval.
	share := filepath.Join(t.TempDir(), "share")
	writeTree(t, share, map[string]string{"a.txt": "a"})
	f.define(t, JobSpec{Name: "share", Sources: []string{share}, Repository: filepath.Join(t.TempDir(), "r")})
	if _, err := f.svc.SubmitJob(f.ctx, f.staff, "share"); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(share); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.ApproveJob(f.ctx, f.mgr, "share", f.svc.jobRev("share"))
	wantOneLineRefusal(t, "approve a job whose source vanished", err, "does not exist")
}
