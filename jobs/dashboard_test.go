package jobs

import (
	"path/filepath"
	"testing"
	"time"
)

func TestDashboardSummarises(t *testing.T) {
	f := newFixture(t)
	j := f.job(t, "erp", Schedule{})
	spec := j.JobSpec
	spec.Replicas = []string{"gedung-b"}
	if _, err := f.svc.EditJob(f.ctx, f.staff, "erp", spec); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitJob(f.ctx, f.staff, "erp"); err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.CreateRequest(f.ctx, f.dept, NewRequest{Kind: KindBackup, Job: "erp", Reason: "audit"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitRequest(f.ctx, f.dept, r.ID); err != nil {
		t.Fatal(err)
	}
	d, err := f.svc.Dashboard(f.ctx, f.mgr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.PendingApprovals != 2 {
		t.Errorf("manager's pending approvals = %d, want 2 (the job and the request)", d.PendingApprovals)
	}
	if d, _ := f.svc.Dashboard(f.ctx, f.staff, nil); d.PendingApprovals != 0 {
		t.Errorf("staff's pending approvals = %d, want 0: only managers decide", d.PendingApprovals)
	}
	if _, err := f.svc.ApproveJob(f.ctx, f.mgr, "erp", f.svc.jobRev("erp")); err != nil {
		t.Fatal(err)
	}
	// The replica is not configured: the backup is stored, the replica is a warning.
	run, err := f.svc.RunJob(f.ctx, f.staff, "erp", RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != RunWarnings {
		t.Errorf("run with an unconfigured replica: status %s, want warnings", run.Status)
	}
	d, err = f.svc.Dashboard(f.ctx, f.mgr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Jobs) != 1 || d.Jobs[0].LastRun == nil || d.Jobs[0].LastRun.ID != run.ID {
		t.Fatalf("dashboard jobs = %+v, want erp with its last run", d.Jobs)
	}
	if st := d.Jobs[0].ReplicaStates; len(st) != 1 || st[0].Name != "gedung-b" || st[0].Status != "not configured" {
		t.Errorf("replica states = %+v", st)
	}
}

// "Last run" on the dashboard is the job's last backup: a restore carried
// out later from its repository is not the job's run.
func TestDashboardLastRunIsTheLastBackup(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "erp", Schedule{})
	backup, err := f.svc.RunJob(f.ctx, f.staff, "erp", RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.CreateRequest(f.ctx, f.dept, NewRequest{Kind: KindRestore, Job: "erp", RequestedAt: f.clock.Now(), Target: t.TempDir(), Reason: "overwritten"})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() error{
		func() error { _, err := f.svc.SubmitRequest(f.ctx, f.dept, r.ID); return err },
		func() error { _, err := f.svc.ApproveRequest(f.ctx, f.mgr, r.ID, f.svc.requestRev(r.ID)); return err },
		func() error { _, err := f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{}); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	d, err := f.svc.Dashboard(f.ctx, f.staff, nil)
	if err != nil {
		t.Fatal(err)
	}
	if last := d.Jobs[0].LastRun; last == nil || last.ID != backup.ID || last.Kind != KindBackup {
		t.Errorf("last run = %+v, want the backup #%d", last, backup.ID)
	}
}

// The dashboard says when each approved job runs next, also when this
// window's scheduler does not run it (a department user's window runs no
// schedules; on a shared catalog another host's daemon runs it, and the
// dashboard names that host).
func TestDashboardNextRunOfAnotherHostsJob(t *testing.T) {
	f := newFixture(t)
	for _, host := range []string{"fs1", ""} {
		name := "erp-" + host
		if _, err := f.svc.CreateJob(f.ctx, f.staff, JobSpec{Name: name, Sources: []string{f.src}, Host: host,
			Repository: filepath.Join(t.TempDir(), "repo")}); err != nil {
			t.Fatal(err)
		}
		f.approve(t, name)
	}
	if _, err := f.svc.CreateJob(f.ctx, f.staff, JobSpec{Name: "draft", Sources: []string{f.src}, Repository: filepath.Join(t.TempDir(), "repo")}); err != nil {
		t.Fatal(err)
	}
	d, err := f.svc.Dashboard(f.ctx, f.dept, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Jobs) != 3 {
		t.Fatalf("the department user's dashboard has %d jobs, want 3", len(d.Jobs))
	}
	// start is 20:00; the default window opens at 21:00 the same day.
	window := time.Date(start.Year(), start.Month(), start.Day(), 21, 0, 0, 0, time.Local)
	for _, js := range d.Jobs {
		want, wantOn := window, ""
		if js.Job.Name == "draft" {
			want = time.Time{} // not approved: it does not run
		}
		if js.Job.Host == "fs1" && f.svc.catalog.Shared() {
			wantOn = "fs1"
		}
		if !js.NextRun.Equal(want) || js.RunsOn != wantOn {
			t.Errorf("job %s (host %q, shared catalog %v): next run %v on %q, want %v on %q",
				js.Job.Name, js.Job.Host, f.svc.catalog.Shared(), js.NextRun, js.RunsOn, want, wantOn)
		}
	}
}
