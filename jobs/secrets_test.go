package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jonboulle/clockwork"

	"cadang/engine/secrets"
	"cadang/pdfdoc/pdftest"
)

const secretMarker = "Qv4markerpw"

// TestSecretInJobOrRequestLocationRefused is the hole "no secret in any URL
// form": a job's source, repository or replica and a restore request's
// target that carry one are refused, in one line without the secret, and
// nothing is stored.
func TestSecretInJobOrRequestLocationRefused(t *testing.T) {
	ctx := context.Background()
	svc, err := OpenWorkspace(ctx, t.TempDir(), Options{Clock: clockwork.NewFakeClockAt(start), Engine: &fakeEngine{}})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	staff, dept, admin := mkUser(t, svc, "yoga", RoleStaff), mkUser(t, svc, "siti", RoleUser), mkUser(t, svc, "admin", RoleAdmin)
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	good := JobSpec{Name: "erp", Sources: []string{dir}, Repository: repo}
	if _, err := svc.CreateJob(ctx, staff, good); err != nil {
		t.Fatal(err)
	}
	auditBefore, err := svc.Audit(ctx, admin, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	withSpec := func(f func(*JobSpec)) JobSpec {
		s := JobSpec{Name: "bad", Sources: []string{dir}, Repository: repo}
		f(&s)
		return s
	}
	for _, tc := range []struct {
		name string
		spec JobSpec
	}{
		{"password parameter", withSpec(func(s *JobSpec) { s.Sources = []string{"postgres://u@h/db?password=" + secretMarker} })},
		{"sslpassword parameter", withSpec(func(s *JobSpec) { s.Sources = []string{"postgres://u@h/db?sslpassword=" + secretMarker} })},
		{"libpq keywords", withSpec(func(s *JobSpec) { s.Sources = []string{"host=h password=" + secretMarker} })},
		{"mysql user part", withSpec(func(s *JobSpec) { s.Sources = []string{"mysql://u:" + secretMarker + "@h/db"} })},
		{"sftp repository", withSpec(func(s *JobSpec) { s.Repository = "sftp://u:" + secretMarker + "@h/srv/r" })},
		{"s3 repository", withSpec(func(s *JobSpec) { s.Repository = "s3://AKIA:" + secretMarker + "@h/bucket" })},
		{"rclone inline", withSpec(func(s *JobSpec) { s.Repository = "rclone::s3,secret_access_key=" + secretMarker + ":b" })},
		{"replica", withSpec(func(s *JobSpec) { s.Replicas = []string{"sftp://u:" + secretMarker + "@h/x"} })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.CreateJob(ctx, staff, tc.spec)
			assertSecretRefusal(t, err)
			edit := tc.spec
			edit.Name = "erp"
			_, err = svc.EditJob(ctx, staff, "erp", edit)
			assertSecretRefusal(t, err)
		})
	}
	for _, target := range []string{"postgres://u:" + secretMarker + "@h/db", "postgres://u@h/db?password=" + secretMarker, "/srv/restore password=" + secretMarker} {
		_, err := svc.CreateRequest(ctx, dept, NewRequest{Kind: KindRestore, Job: "erp", RequestedAt: start, Target: target, Reason: "r"})
		assertSecretRefusal(t, err)
	}
	jobs, err := svc.Jobs(ctx, staff, JobAny)
	if err != nil || len(jobs) != 1 || jobs[0].Repository != repo || len(jobs[0].Replicas) != 0 {
		t.Fatalf("jobs after the refusals = %+v, %v; want erp unchanged only", jobs, err)
	}
	auditAfter, err := svc.Audit(ctx, admin, AuditFilter{})
	if err != nil || len(auditAfter) != len(auditBefore) {
		t.Fatalf("audit entries %d → %d, %v: refusals wrote something", len(auditBefore), len(auditAfter), err)
	}
	assertNoMarker(t, svc.Dir())
}

func assertSecretRefusal(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, secrets.ErrInLocation) {
		t.Fatalf("got %v, want a refusal of the secret", err)
	}
	if msg := err.Error(); strings.Contains(msg, secretMarker) || strings.Contains(msg, "\n") || !strings.Contains(msg, "not accepted in a location") {
		t.Fatalf("refusal %q: want one line without the secret", msg)
	}
}

// failingEngine fails every Open with err, as a backend whose message
// quotes its location would.
type failingEngine struct{ err error }

func (e failingEngine) Open(context.Context, string, string, bool) (Repository, error) {
	return nil, e.err
}

// TestSecretInRunMessagesMasked: when a message that carries a secret gets
// past the edge (a tool echoing its connection string, a location stored
// before the check existed), the run record, the audit log, the run log,
// the execution report and the service's log show it masked.
func TestSecretInRunMessagesMasked(t *testing.T) {
	ctx := context.Background()
	var logged bytes.Buffer
	eng := failingEngine{err: fmt.Errorf("open repository sftp://u:%s@offsite/r: host=h password=%s refused", secretMarker, secretMarker)}
	svc, err := OpenWorkspace(ctx, t.TempDir(), Options{Clock: clockwork.NewFakeClockAt(start), Engine: eng,
		Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	staff, mgr := mkUser(t, svc, "yoga", RoleStaff), mkUser(t, svc, "gideon", RoleManager)
	if _, err := svc.CreateJob(ctx, staff, JobSpec{Name: "erp", Sources: []string{t.TempDir()}, Repository: filepath.Join(t.TempDir(), "r")}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubmitJob(ctx, staff, "erp"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveJob(ctx, mgr, "erp", svc.jobRev("erp")); err != nil {
		t.Fatal(err)
	}
	events, stop := svc.Subscribe()
	run, _ := svc.RunJob(ctx, staff, "erp", RunOptions{})
	stop()
	var finished bool
	for ev := range events { // buffered: the run's events, then closed
		if strings.Contains(ev.Message, secretMarker) {
			t.Errorf("event %q shows the secret", ev.Message)
		}
		finished = finished || ev.Kind == EventRunFinished
	}
	if !finished {
		t.Error("no run-finished event to check")
	}
	if run.Status != RunFailed || !strings.Contains(run.Error, secrets.Mask) || strings.Contains(run.Error, secretMarker) {
		t.Fatalf("run = %s %q: want failed, its error masked", run.Status, run.Error)
	}
	svc.log.Error("open", "err", eng.err) // what a handler of the error logs
	if strings.Contains(logged.String(), secretMarker) || !strings.Contains(logged.String(), secrets.Mask) {
		t.Errorf("log: %s", logged.String())
	}
	docs, err := svc.Documents(ctx, staff, DocumentFilter{Type: DocExecutionReport})
	if err != nil || len(docs) != 1 {
		t.Fatalf("execution reports = %v, %v", docs, err)
	}
	pdf, err := os.ReadFile(docs[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftest.Text(t, pdf); strings.Contains(text, secretMarker) || !strings.Contains(strings.Join(strings.Fields(text), ""), secrets.Mask) {
		t.Errorf("execution report text shows the secret or lacks the masked error:\n%s", text)
	}
	assertNoMarker(t, svc.Dir())
}

// assertNoMarker fails when any file under dir (the catalog and its WAL,
// logs/, documents/) holds the marker in its bytes.
func assertNoMarker(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(secretMarker)) {
			t.Errorf("%s holds the secret", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
