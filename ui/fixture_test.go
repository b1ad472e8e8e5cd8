package ui

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
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
	restored                      int64 // a verified restore request, when a test made one
}

// template is a workspace with the four accounts, made once per test
// binary: hashing four passwords with argon2id (64 MiB each) is most of an
// office's cost, so each test copies this workspace instead.
var template struct {
	once                          sync.Once
	dir                           string
	err                           error
	admin, manager, staff, member jobs.User
}

func TestMain(m *testing.M) {
	var code int
	if realWindowBench() {
		code = runWithRealWindow(m) // responsive_test.go
	} else {
		code = m.Run()
	}
	if template.dir != "" {
		os.RemoveAll(template.dir)
	}
	os.Exit(code)
}

func makeTemplate() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cadang-ui-office-*")
	if err != nil {
		template.err = err
		return
	}
	template.dir = dir
	svc, err := jobs.OpenWorkspace(ctx, dir, jobs.Options{})
	if err != nil {
		template.err = err
		return
	}
	defer svc.Close()
	if template.admin, err = svc.Setup(ctx, jobs.SetupOptions{Admin: "admin", FullName: "Ayu Lestari", Password: "correct horse", Company: "PT Contoh"}); err != nil {
		template.err = err
		return
	}
	add := func(name, role, dept string) jobs.User {
		u, err := svc.AddUser(ctx, template.admin, jobs.NewUser{Name: name, FullName: name + " full", Role: role, Department: dept, Password: "password " + name})
		if err != nil && template.err == nil {
			template.err = err
		}
		return u
	}
	template.manager = add("gideon", jobs.RoleManager, "IT")
	template.staff = add("budi", jobs.RoleStaff, "IT")
	template.member = add("sari", jobs.RoleUser, "Finance")
}

// copyDir copies a workspace (catalog, documents, logs) file by file.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o600)
	})
}

func newOffice(t testing.TB) *office {
	t.Helper()
	return newOfficeWith(t, jobs.Options{})
}

// newOfficeWith is an office whose service runs with opts (a fake clock).
func newOfficeWith(t testing.TB, opts jobs.Options) *office {
	t.Helper()
	ctx := context.Background()
	template.once.Do(makeTemplate)
	if template.err != nil {
		t.Fatalf("office template: %v", template.err)
	}
	dir := t.TempDir()
	ws := filepath.Join(dir, "workspace")
	if err := copyDir(template.dir, ws); err != nil {
		t.Fatalf("copy the office workspace: %v", err)
	}
	svc, err := jobs.OpenWorkspace(ctx, ws, opts)
	if err != nil {
		t.Fatalf("open workspace: %v", err)
	}
	t.Cleanup(func() { svc.Close() })
	o := &office{svc: svc, admin: template.admin, manager: template.manager, staff: template.staff, member: template.member}

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
	if o.job, err = svc.ApproveJob(ctx, o.manager, j.Name, j.RevisionHash); err != nil {
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

// sessionFor is a signed-in person on the test window with inline work.
func (o *office) sessionFor(w fyneWindow, u jobs.User) acting {
	return acting{caller: caller{ctx: context.Background(), win: w, bg: inline}, svc: o.svc, user: u}
}

// jobRevision is the job's current revision, as a manager who opened it
// now would approve it.
func jobRevision(t *testing.T, o *office) string {
	t.Helper()
	j, err := o.svc.Job(context.Background(), o.manager, o.job.Name)
	if err != nil {
		t.Fatal(err)
	}
	return j.RevisionHash
}
