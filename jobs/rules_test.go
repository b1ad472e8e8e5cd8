package jobs

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func wantRefused(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("%s: err = %v, want a refusal (ErrRefused)", what, err)
	}
}

func TestUnapprovedJobNeverRuns(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, f *fixture) string // returns the job name
	}{
		{"draft", func(t *testing.T, f *fixture) string { return f.job(t, "draft", Schedule{}).Name }},
		{"submitted", func(t *testing.T, f *fixture) string {
			j := f.job(t, "sub", Schedule{})
			if _, err := f.svc.SubmitJob(f.ctx, f.staff, j.Name); err != nil {
				t.Fatal(err)
			}
			return j.Name
		}},
		{"rejected", func(t *testing.T, f *fixture) string {
			j := f.job(t, "rej", Schedule{})
			if _, err := f.svc.SubmitJob(f.ctx, f.staff, j.Name); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.RejectJob(f.ctx, f.mgr, j.Name, "wrong window"); err != nil {
				t.Fatal(err)
			}
			return j.Name
		}},
		{"paused", func(t *testing.T, f *fixture) string {
			j := f.approvedJob(t, "paused", Schedule{})
			if _, err := f.svc.PauseJob(f.ctx, f.staff, j.Name); err != nil {
				t.Fatal(err)
			}
			return j.Name
		}},
		{"deleted (retired)", func(t *testing.T, f *fixture) string {
			j := f.approvedJob(t, "retired", Schedule{})
			if _, err := f.svc.RetireJob(f.ctx, f.staff, j.Name); err != nil {
				t.Fatal(err)
			}
			return j.Name
		}},
		{"edited after approval", func(t *testing.T, f *fixture) string {
			j := f.approvedJob(t, "edited", Schedule{})
			spec := j.JobSpec
			spec.Excludes = []string{"*.tmp"}
			e, err := f.svc.EditJob(f.ctx, f.staff, j.Name, spec)
			if err != nil {
				t.Fatal(err)
			}
			if e.State != JobSubmitted {
				t.Fatalf("edited approved job is %s, want submitted", e.State)
			}
			return j.Name
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			name := tt.setup(t, f)
			// The window's and the CLI's entry point.
			_, err := f.svc.RunJob(f.ctx, f.staff, name, RunOptions{})
			wantRefused(t, "RunJob", err)
			if !strings.Contains(err.Error(), "not approved") {
				t.Errorf("message %q does not say it is not approved", err)
			}
			// The scheduler's entry point, as its task calls it.
			j, err := f.svc.catalog.JobByName(f.ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.runBackup(f.ctx, j.ID, runSpec{trigger: TriggerSchedule, actor: SchedulerActor})
			wantRefused(t, "scheduled run", err)
			// The scheduler never even schedules it.
			sc, err := f.svc.NewScheduler(f.ctx, f.staff)
			if err != nil {
				t.Fatal(err)
			}
			if err := sc.Start(f.ctx); err != nil {
				t.Fatal(err)
			}
			if _, ok := sc.NextRuns()[j.ID]; ok {
				t.Errorf("scheduler has a next run for a %s job", tt.name)
			}
			if err := sc.Stop(); err != nil {
				t.Fatal(err)
			}
			if f.eng.backups != 0 {
				t.Errorf("engine ran %d backups of an unapproved job", f.eng.backups)
			}
		})
	}
}

func TestJobApprovalRules(t *testing.T) {
	f := newFixture(t)
	f.job(t, "erp", Schedule{})
	_, err := f.svc.ApproveJob(f.ctx, f.mgr, "erp", f.svc.jobRev("erp"))
	wantRefused(t, "approve a draft", err)
	if _, err := f.svc.SubmitJob(f.ctx, f.staff, "erp"); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ApproveJob(f.ctx, f.staff, "erp", f.svc.jobRev("erp"))
	wantRefused(t, "staff approves", err)
	_, err = f.svc.ApproveJob(f.ctx, f.admin, "erp", f.svc.jobRev("erp"))
	wantRefused(t, "admin approves", err)
	_, err = f.svc.RejectJob(f.ctx, f.mgr, "erp", "  ")
	wantRefused(t, "reject without a reason", err)
	// A manager who submitted a job does not approve it.
	f.job(t, "mine", Schedule{})
	if _, err := f.svc.SubmitJob(f.ctx, f.mgr, "mine"); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ApproveJob(f.ctx, f.mgr, "mine", f.svc.jobRev("mine"))
	wantRefused(t, "self-approval of a job", err)
	if j, err := f.svc.ApproveJob(f.ctx, f.mgr2, "mine", f.svc.jobRev("mine")); err != nil || j.State != JobApproved {
		t.Fatalf("another manager approves: %v, %v", j.State, err)
	}
	// A manager who changed a job's definition does not approve it either.
	f.job(t, "edited-by-mgr", Schedule{})
	if _, err := f.svc.SubmitJob(f.ctx, f.staff, "edited-by-mgr"); err != nil {
		t.Fatal(err)
	}
	ej, err := f.svc.Job(f.ctx, f.mgr2, "edited-by-mgr")
	if err != nil {
		t.Fatal(err)
	}
	ej.JobSpec.Excludes = []string{"*.iso"}
	if _, err := f.svc.EditJob(f.ctx, f.mgr2, "edited-by-mgr", ej.JobSpec); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ApproveJob(f.ctx, f.mgr2, "edited-by-mgr", f.svc.jobRev("edited-by-mgr"))
	wantRefused(t, "approval by the manager who changed the job", err)
	if _, err := f.svc.ApproveJob(f.ctx, f.mgr, "edited-by-mgr", f.svc.jobRev("edited-by-mgr")); err != nil {
		t.Errorf("approval by another manager: %v", err)
	}
	// Rejected → edited (back to draft) → submitted → approved.
	if _, err := f.svc.RejectJob(f.ctx, f.mgr, "erp", "window clashes with ERP closing"); err != nil {
		t.Fatal(err)
	}
	j, err := f.svc.Job(f.ctx, f.staff, "erp")
	if err != nil {
		t.Fatal(err)
	}
	spec := j.JobSpec
	spec.Schedule = Schedule{Kind: ScheduleWindow, WindowStart: "22:00", WindowEnd: "23:30"}
	if j, err = f.svc.EditJob(f.ctx, f.staff, "erp", spec); err != nil || j.State != JobDraft {
		t.Fatalf("edit rejected job: state %s, %v; want draft", j.State, err)
	}
	if _, err := f.svc.SubmitJob(f.ctx, f.staff, "erp"); err != nil {
		t.Fatal(err)
	}
	if j, err = f.svc.ApproveJob(f.ctx, f.mgr, "erp", f.svc.jobRev("erp")); err != nil || j.State != JobApproved || j.Revision != 2 {
		t.Fatalf("approve rescheduled job: %+v, %v", j, err)
	}
}

func TestRequestRules(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "erp", Schedule{})
	r, err := f.svc.CreateRequest(f.ctx, f.mgr, NewRequest{Kind: KindBackup, Job: "erp", Reason: "before upgrade"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitRequest(f.ctx, f.mgr, r.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ApproveRequest(f.ctx, f.mgr, r.ID, f.svc.requestRev(r.ID))
	wantRefused(t, "self-approval of a request", err)
	_, err = f.svc.ApproveRequest(f.ctx, f.staff, r.ID, f.svc.requestRev(r.ID))
	wantRefused(t, "staff approves a request", err)
	_, err = f.svc.RejectRequest(f.ctx, f.mgr2, r.ID, "")
	wantRefused(t, "reject without a reason", err)
	_, err = f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{})
	wantRefused(t, "run a submitted request", err)
	if _, err := f.svc.ApproveRequest(f.ctx, f.mgr2, r.ID, f.svc.requestRev(r.ID)); err != nil {
		t.Fatalf("another manager approves: %v", err)
	}
	_, err = f.svc.RunRequest(f.ctx, f.dept, r.ID, RunRequestOptions{})
	wantRefused(t, "a department user runs a request", err)

	// The manager who rescheduled a rejected request does not approve it.
	r2, err := f.svc.CreateRequest(f.ctx, f.dept, NewRequest{Kind: KindBackup, Job: "erp", Reason: "year end"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitRequest(f.ctx, f.dept, r2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RejectRequest(f.ctx, f.mgr, r2.ID, "during office hours"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RescheduleRequest(f.ctx, f.mgr2, r2.ID, start.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ApproveRequest(f.ctx, f.mgr2, r2.ID, f.svc.requestRev(r2.ID))
	wantRefused(t, "approval by the manager who rescheduled", err)
	if _, err := f.svc.ApproveRequest(f.ctx, f.mgr, r2.ID, f.svc.requestRev(r2.ID)); err != nil {
		t.Errorf("approval by another manager: %v", err)
	}

	// A restore needs the data's date.
	if _, err := f.svc.CreateRequest(f.ctx, f.dept, NewRequest{Kind: KindRestore, Job: "erp", Reason: "lost"}); err == nil {
		t.Error("restore request without --at accepted")
	}
}

func TestDisabledOrLockedAccountCannotAct(t *testing.T) {
	f := newFixture(t)
	f.job(t, "erp", Schedule{})
	if err := f.svc.SetUserDisabled(f.ctx, f.admin, f.staff.Name, true); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.SubmitJob(f.ctx, f.staff, "erp")
	wantRefused(t, "disabled staff submits", err)
	u, err := f.svc.catalog.UserByName(f.ctx, f.mgr.Name)
	if err != nil {
		t.Fatal(err)
	}
	u.FailedLogins = maxFailedLogins
	if err := f.svc.catalog.UpdateUser(f.ctx, u); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Jobs(f.ctx, f.mgr, "")
	wantRefused(t, "locked manager lists jobs", err)
	if err := f.svc.UnlockUser(f.ctx, f.admin, f.mgr.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Jobs(f.ctx, f.mgr, ""); err != nil {
		t.Errorf("unlocked manager: %v", err)
	}
	err = f.svc.SetUserDisabled(f.ctx, f.staff, f.mgr.Name, true)
	wantRefused(t, "non-admin disables", err)
}

func TestLoginLocksAfterWrongPasswords(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.AddUser(f.ctx, f.admin, NewUser{Name: "budi", Role: RoleStaff, Password: "rahasia-123"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Login(f.ctx, "budi", "rahasia-123"); err != nil {
		t.Fatalf("right password: %v", err)
	}
	for i := 0; i < maxFailedLogins; i++ {
		_, err := f.svc.Login(f.ctx, "budi", "wrong")
		wantRefused(t, "wrong password", err)
	}
	_, err := f.svc.Login(f.ctx, "budi", "rahasia-123")
	wantRefused(t, "locked account with the right password", err)
}

func TestSameJobNeverRunsTwiceAtOnce(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "erp", Schedule{})
	entered, release := make(chan struct{}), make(chan struct{})
	f.eng.onBackup = func() {
		f.eng.onBackup = nil
		close(entered)
		<-release
	}
	done := make(chan error)
	go func() {
		_, err := f.svc.RunJob(f.ctx, f.staff, "erp", RunOptions{})
		done <- err
	}()
	<-entered
	if _, err := f.svc.RunJob(f.ctx, f.mgr, "erp", RunOptions{}); !errors.Is(err, ErrAlreadyRunning) {
		t.Errorf("second run while the first runs: %v, want ErrAlreadyRunning", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("first run: %v", err)
	}
	if _, err := f.svc.RunJob(f.ctx, f.staff, "erp", RunOptions{}); err != nil {
		t.Errorf("run after the first finished: %v", err)
	}
}

func TestSettingsAreValidatedAndAudited(t *testing.T) {
	f := newFixture(t)
	set, err := f.svc.Settings(f.ctx, f.staff)
	if err != nil {
		t.Fatal(err)
	}
	if set[KeyDocNo] != "SOP-IT-002" || set[KeyFormRequest] == "" {
		t.Errorf("defaults not seeded: %v", set)
	}
	wantRefused(t, "staff changes settings", f.svc.SetSetting(f.ctx, f.staff, KeyCompany, "X"))
	for _, bad := range [][2]string{{KeyLang, "fr"}, {KeyEffective, "29/07/2022"}, {KeyFormRequest, "A/B"}, {"audit.head", "1:x"}} {
		if err := f.svc.SetSetting(f.ctx, f.admin, bad[0], bad[1]); err == nil {
			t.Errorf("SetSetting(%s, %q) accepted", bad[0], bad[1])
		}
	}
	if err := f.svc.SetSetting(f.ctx, f.admin, KeyCompany, "PT Contoh Jaya"); err != nil {
		t.Fatal(err)
	}
	es, err := f.svc.Audit(f.ctx, f.mgr, AuditFilter{Object: "setting:" + KeyCompany})
	if err != nil || len(es) != 1 || es[0].ToState != "PT Contoh Jaya" {
		t.Errorf("setting change audit = %+v, %v", es, err)
	}
}

func TestHistoryReportListsRunsOfTheRange(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "erp", Schedule{})
	for i := 0; i < 2; i++ {
		if _, err := f.svc.RunJob(f.ctx, f.staff, "erp", RunOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.svc.FileHistoryReport(f.ctx, f.dept, start, start.Add(time.Hour))
	wantRefused(t, "department user files a history report", err)
	d, err := f.svc.FileHistoryReport(f.ctx, f.mgr, start.Add(-time.Hour), start.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if d.Type != DocHistoryReport || !strings.HasPrefix(d.Number, "FRM-IT-002-05/2026/") {
		t.Errorf("history report %+v", d)
	}
	if _, err := f.svc.VerifyDocument(f.ctx, f.staff, d.Path); err != nil {
		t.Errorf("history report does not verify: %v", err)
	}
}

func TestBackupRequestWaitsWhileItsJobRuns(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "erp", Schedule{})
	r, err := f.svc.CreateRequest(f.ctx, f.dept, NewRequest{Kind: KindBackup, Job: "erp", Reason: "month end"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitRequest(f.ctx, f.dept, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ApproveRequest(f.ctx, f.mgr, r.ID, f.svc.requestRev(r.ID)); err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	f.eng.onBackup = func() {
		f.eng.onBackup = nil
		close(entered)
		<-release
	}
	done := make(chan error)
	go func() {
		_, err := f.svc.RunJob(f.ctx, f.staff, "erp", RunOptions{})
		done <- err
	}()
	<-entered
	got, err := f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{})
	if !errors.Is(err, ErrAlreadyRunning) || got.State != RequestApproved {
		t.Errorf("request while its job runs: state %s, err %v; want still approved, ErrAlreadyRunning", got.State, err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got, err = f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{})
	if err != nil || got.State != RequestCompleted {
		t.Errorf("request after the job finished: %s, %v; want completed", got.State, err)
	}
}
