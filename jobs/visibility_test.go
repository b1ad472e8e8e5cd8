package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jonboulle/clockwork"

	"cadang/engine"
)

func TestRequestListsRespectRoles(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "erp", Schedule{})
	f.approvedJob(t, "hr", Schedule{})
	mine, err := f.svc.CreateRequest(f.ctx, f.dept, NewRequest{Kind: KindBackup, Job: "erp", Reason: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateRequest(f.ctx, f.staff, NewRequest{Kind: KindBackup, Job: "hr", Reason: "staff's"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		as   User
		f    RequestFilter
		want int
	}{
		{"department user sees only its own", f.dept, RequestFilter{}, 1},
		{"staff sees all", f.staff, RequestFilter{}, 2},
		{"staff, only mine", f.staff, RequestFilter{Mine: true}, 1},
		{"by job", f.mgr, RequestFilter{Job: "hr"}, 1},
		{"by state", f.mgr, RequestFilter{States: []string{RequestSubmitted}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.svc.Requests(f.ctx, tt.as, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("%d requests, want %d: %+v", len(got), tt.want, got)
			}
		})
	}
	got, err := f.svc.Request(f.ctx, f.dept, mine.ID)
	if err != nil || got.RequesterName != "Full siti" || got.JobName != "erp" {
		t.Errorf("request = %+v, %v", got, err)
	}
}

// TestEncryptedRepositoryJob runs a job on a real, encrypted repository:
// the password comes from the job's password file, and a wrong one fails
// the run with a hint instead of creating a second repository.
func TestEncryptedRepositoryJob(t *testing.T) {
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(start)
	svc, err := OpenWorkspace(ctx, t.TempDir(), Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	staff, mgr := mkUser(t, svc, "yoga", RoleStaff), mkUser(t, svc, "gideon", RoleManager)
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "gaji.csv"), []byte("nama,gaji\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(t.TempDir(), "repo.pw")
	if err := os.WriteFile(pw, []byte("kata-sandi-rahasia\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(t.TempDir(), "repo")
	if _, err := svc.CreateJob(ctx, staff, JobSpec{Name: "hr", Sources: []string{src}, Repository: repo, PasswordFile: pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubmitJob(ctx, staff, "hr"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveJob(ctx, mgr, "hr", svc.jobRev("hr")); err != nil {
		t.Fatal(err)
	}
	run, err := svc.RunJob(ctx, staff, "hr", RunOptions{})
	if err != nil || run.Status != RunSuccess {
		t.Fatalf("first run on an encrypted repository: %+v, %v", run, err)
	}
	if r, err := (LocalEngine{}).Open(ctx, repo, "", false); !errors.Is(err, engine.ErrPasswordRequired) {
		if r != nil {
			r.Close()
		}
		t.Errorf("opening the job's repository without a password: %v, want ErrPasswordRequired (it must be encrypted)", err)
	}
	if err := os.WriteFile(pw, []byte("salah\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run, err = svc.RunJob(ctx, staff, "hr", RunOptions{})
	if err == nil || run.Status != RunFailed || !strings.Contains(err.Error(), "password") {
		t.Errorf("run with a wrong password: %+v, %v; want failed mentioning the password", run, err)
	}
}

func mkUser(t *testing.T, svc *Service, name, role string) User {
	t.Helper()
	id, err := svc.catalog.CreateUser(context.Background(), storeUser(name, role))
	if err != nil {
		t.Fatal(err)
	}
	return User{ID: id, Name: name, Role: role}
}
