package jobs

import (
	"os"
	"strings"
	"testing"
	"time"

	"cadang/store"
)

func TestRetireJob(t *testing.T) {
	f := newFixture(t)
	j := f.approvedJob(t, "erp", Schedule{})
	if _, err := f.svc.RunJob(f.ctx, f.staff, j.Name, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	repoMarker := j.Repository + "/keep-me"
	if err := os.MkdirAll(j.Repository, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(repoMarker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}

	// Department users may not delete jobs.
	_, err := f.svc.RetireJob(f.ctx, f.dept, j.Name)
	wantRefused(t, "department user deletes a job", err)

	// A job that is running now is not deleted under it.
	if !f.svc.running.acquire(j.ID) {
		t.Fatal("guard busy")
	}
	_, err = f.svc.RetireJob(f.ctx, f.staff, j.Name)
	f.svc.running.release(j.ID)
	wantRefused(t, "delete a running job", err)

	got, err := f.svc.RetireJob(f.ctx, f.staff, j.Name)
	if err != nil || got.State != JobRetired {
		t.Fatalf("RetireJob = %s, %v; want retired", got.State, err)
	}
	_, err = f.svc.RetireJob(f.ctx, f.mgr, j.Name)
	wantRefused(t, "delete twice", err)

	t.Run("hidden from lists, shown on request", func(t *testing.T) {
		for _, tc := range []struct {
			state string
			want  bool
		}{{"", false}, {JobApproved, false}, {JobRetired, true}, {JobAny, true}} {
			all, err := f.svc.Jobs(f.ctx, f.staff, tc.state)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, x := range all {
				found = found || x.Name == j.Name
			}
			if found != tc.want {
				t.Errorf("Jobs(%q) lists the deleted job = %v, want %v", tc.state, found, tc.want)
			}
		}
		if d, err := f.svc.Dashboard(f.ctx, f.staff, nil); err != nil || len(d.Jobs) != 0 {
			t.Errorf("dashboard jobs = %d, %v; want none", len(d.Jobs), err)
		}
	})
	t.Run("history kept, repository untouched", func(t *testing.T) {
		runs, err := f.svc.Runs(f.ctx, f.staff, RunFilter{Job: j.Name})
		if err != nil || len(runs) != 1 {
			t.Errorf("runs of the deleted job = %d, %v; want its one run kept", len(runs), err)
		}
		if _, err := os.Stat(repoMarker); err != nil {
			t.Errorf("repository touched: %v", err)
		}
		entries, err := f.svc.Audit(f.ctx, f.mgr, AuditFilter{Object: jobObject(j.ID)})
		if err != nil {
			t.Fatal(err)
		}
		last := entries[len(entries)-1]
		if last.Action != "job.delete" || last.Actor != "yoga" || last.FromState != JobApproved || last.ToState != JobRetired ||
			!strings.Contains(last.Detail, "repository kept") {
			t.Errorf("last audit entry = %+v, want job.delete by yoga approved→retired", last)
		}
	})
	t.Run("nothing else moves it", func(t *testing.T) {
		_, err := f.svc.EditJob(f.ctx, f.staff, j.Name, j.JobSpec)
		wantRefused(t, "edit", err)
		_, err = f.svc.ResumeJob(f.ctx, f.staff, j.Name)
		wantRefused(t, "resume", err)
		_, err = f.svc.SubmitJob(f.ctx, f.staff, j.Name)
		wantRefused(t, "submit", err)
		_, err = f.svc.CreateRequest(f.ctx, f.dept, NewRequest{Kind: KindBackup, Job: j.Name, Reason: "x"})
		wantRefused(t, "backup request", err)
		if _, err := f.svc.CreateJob(f.ctx, f.staff, j.JobSpec); err == nil || !strings.Contains(err.Error(), "deleted job keeps that name") {
			t.Errorf("new job with the deleted job's name: %v, want a clear refusal", err)
		}
		if _, err := f.svc.CreateRequest(f.ctx, f.dept, NewRequest{Kind: KindRestore, Job: j.Name, Reason: "old data", RequestedAt: time.Now()}); err != nil {
			t.Errorf("restore request of a deleted job's kept data: %v", err)
		}
	})
	t.Run("missed runs not offered for catch-up", func(t *testing.T) {
		if _, err := f.svc.catalog.InsertRun(f.ctx, store.Run{JobID: j.ID, Kind: KindBackup, Trigger: TriggerSchedule, Status: RunMissed}); err != nil {
			t.Fatal(err)
		}
		missed, err := f.svc.MissedRuns(f.ctx, f.staff)
		if err != nil || len(missed) != 0 {
			t.Errorf("missed runs = %d, %v; want none for a deleted job", len(missed), err)
		}
	})
}
