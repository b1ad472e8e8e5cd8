package jobs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cadang/engine"
	"cadang/internal/statetest"
)

// The TestHole… tests (holes_*_test.go) each close one hole of issue 10;
// docs/PROCEDURE.md ("Each hole and its test") maps every hole to its test.
// These helpers keep them short.

// writeTree writes files (slash-separated names relative to dir).
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// define creates a job as IT staff.
func (f *fixture) define(t *testing.T, spec JobSpec) Job {
	t.Helper()
	j, err := f.svc.CreateJob(f.ctx, f.staff, spec)
	if err != nil {
		t.Fatalf("create job %s: %v", spec.Name, err)
	}
	return j
}

// approve submits (IT staff) and approves (the IT manager, naming the
// revision as it stands) a job.
func (f *fixture) approve(t *testing.T, name string) Job {
	t.Helper()
	if _, err := f.svc.SubmitJob(f.ctx, f.staff, name); err != nil {
		t.Fatalf("submit job %s: %v", name, err)
	}
	j, err := f.svc.ApproveJob(f.ctx, f.mgr, name, f.svc.jobRev(name))
	if err != nil {
		t.Fatalf("approve job %s: %v", name, err)
	}
	return j
}

// run runs an approved job now as IT staff and wants it to succeed.
func (f *fixture) run(t *testing.T, name string) Run {
	t.Helper()
	r, err := f.svc.RunJob(f.ctx, f.staff, name, RunOptions{})
	if err != nil || r.Status != RunSuccess {
		t.Fatalf("run job %s: %s, %v (%s)", name, r.Status, err, r.Error)
	}
	return r
}

// ask creates and submits a request as the department user.
func (f *fixture) ask(t *testing.T, nr NewRequest) Request {
	t.Helper()
	if nr.Reason == "" {
		nr.Reason = "test"
	}
	r, err := f.svc.CreateRequest(f.ctx, f.dept, nr)
	if err != nil {
		t.Fatalf("create request: %v", err)
	}
	if r, err = f.svc.SubmitRequest(f.ctx, f.dept, r.ID); err != nil {
		t.Fatalf("submit request #%d: %v", r.ID, err)
	}
	return r
}

// approveRequest approves a submitted request as the IT manager.
func (f *fixture) approveRequest(t *testing.T, id int64) Request {
	t.Helper()
	r, err := f.svc.ApproveRequest(f.ctx, f.mgr, id, f.svc.requestRev(id))
	if err != nil {
		t.Fatalf("approve request #%d: %v", id, err)
	}
	return r
}

// request re-reads a request.
func (f *fixture) request(t *testing.T, id int64) Request {
	t.Helper()
	r, err := f.svc.Request(f.ctx, f.staff, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// repoSnapshots lists every snapshot in a repository, whoever made it.
func (f *fixture) repoSnapshots(t *testing.T, repo string) []engine.Snapshot {
	t.Helper()
	r, err := LocalEngine{}.Open(f.ctx, repo, "", false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	all, err := r.Snapshots(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// tagged counts the snapshots carrying job's tag.
func tagged(all []engine.Snapshot, job string) int { return len(ownSnapshots(all, job)) }

// catalogPath is where the workspace's catalog is (a file or a URL).
func (f *fixture) catalogPath() string { return f.svc.Catalog().Path() }

// auditHead is the newest audit entry's sequence number.
func (f *fixture) auditHead(t *testing.T) int64 {
	t.Helper()
	return statetest.AuditHead(t, f.catalogPath())
}

// wantAudit checks the audit entries after seq are exactly actions, in order.
func (f *fixture) wantAudit(t *testing.T, seq int64, actions ...string) []statetest.AuditEntry {
	t.Helper()
	got := statetest.AuditAfter(t, f.catalogPath(), seq)
	var names []string
	for _, e := range got {
		names = append(names, e.Action)
	}
	if strings.Join(names, ",") != strings.Join(actions, ",") {
		t.Errorf("audit entries since #%d = %v, want %v", seq, got, actions)
	}
	return got
}

// wantOneLineRefusal checks err is a refusal (ErrRefused) told in one line
// that mentions want.
func wantOneLineRefusal(t *testing.T, what string, err error, want string) {
	t.Helper()
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("%s: err = %v, want a refusal (ErrRefused)", what, err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, want) {
		t.Errorf("%s: refusal %q, want one line mentioning %q", what, msg, want)
	}
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
