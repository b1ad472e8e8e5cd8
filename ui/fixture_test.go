package ui

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cadang/jobs"
)

// office is a workspace with one account per role and an approved job
// backing up a small folder into a real local repository.
type office struct {
	svc                           *jobs.Service
	admin, manager, staff, member jobs.User
	job                           jobs.Job
	src, repo                     string
}

func newOffice(t *testing.T) *office {
	t.Helper()
	ctx := context.Background()
	svc, admin := withAdmin(t)
	o := &office{svc: svc, admin: admin}
	add := func(name, role, dept string) jobs.User {
		u, err := svc.AddUser(ctx, admin, jobs.NewUser{Name: name, FullName: name + " full", Role: role, Department: dept, Password: "password " + name})
		if err != nil {
			t.Fatalf("add %s: %v", name, err)
		}
		return u
	}
	o.manager = add("gideon", jobs.RoleManager, "IT")
	o.staff = add("budi", jobs.RoleStaff, "IT")
	o.member = add("sari", jobs.RoleUser, "Finance")

	dir := t.TempDir()
	o.src, o.repo = filepath.Join(dir, "finance"), filepath.Join(dir, "repo")
	if err := os.MkdirAll(filepath.Join(o.src, "2026"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"ledger.csv": "date,amount\n2026-01-02,100\n", "2026/invoice-001.txt": "invoice one", "notes.md": "# notes"} {
		if err := os.WriteFile(filepath.Join(o.src, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	j, err := svc.CreateJob(ctx, o.staff, jobs.JobSpec{Name: "finance", Sources: []string{o.src}, Repository: o.repo})
	if err != nil {
		t.Fatalf("create job: %v", err)
	}
	if _, err := svc.SubmitJob(ctx, o.staff, j.Name); err != nil {
		t.Fatalf("submit job: %v", err)
	}
	if o.job, err = svc.ApproveJob(ctx, o.manager, j.Name); err != nil {
		t.Fatalf("approve job: %v", err)
	}
	return o
}

// request creates and submits a request as the department user.
func (o *office) request(t *testing.T, kind string, at time.Time, target string) jobs.Request {
	t.Helper()
	ctx := context.Background()
	r, err := o.svc.CreateRequest(ctx, o.member, jobs.NewRequest{Kind: kind, Job: o.job.Name, RequestedAt: at, Target: target, Reason: "audit needs last month's ledger"})
	if err != nil {
		t.Fatalf("create request: %v", err)
	}
	if r, err = o.svc.SubmitRequest(ctx, o.member, r.ID); err != nil {
		t.Fatalf("submit request: %v", err)
	}
	return r
}

// sessionFor is a signed-in session on the test window with inline work.
func (o *office) sessionFor(w fyneWindow, u jobs.User) *session {
	return &session{ctx: context.Background(), win: w, svc: o.svc, user: u, bg: inline, log: quietLog(), hub: &eventHub{}}
}
