package jobs_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"cadang/engine"
	"cadang/engine/location"
	"cadang/jobs"
)

// records is a workspace set up with its records backup, on the real
// engine; only time is fake.
type records struct {
	t          *testing.T
	ctx        context.Context
	clock      *clockwork.FakeClock
	dir, repo  string
	svc        *jobs.Service
	admin      jobs.User
	staff, mgr jobs.User
}

const recordsPassword = "records-repo-pass"

func newRecords(t *testing.T) *records {
	t.Helper()
	r := &records{t: t, ctx: context.Background(), clock: clockwork.NewFakeClockAt(time.Date(2026, 11, 20, 9, 0, 0, 0, time.Local)),
		dir: filepath.Join(t.TempDir(), "ws"), repo: filepath.Join(t.TempDir(), "records-repo")}
	r.svc = r.open(r.dir)
	var err error
	r.admin, err = r.svc.Setup(r.ctx, jobs.SetupOptions{Admin: "admin", Password: "admin-pass-1",
		Records: jobs.RecordsOptions{Repository: r.repo, Password: recordsPassword}})
	if err != nil {
		t.Fatal(err)
	}
	r.staff = r.addUser("yoga", jobs.RoleStaff)
	r.mgr = r.addUser("gideon", jobs.RoleManager)
	return r
}

func (r *records) open(dir string) *jobs.Service {
	r.t.Helper()
	svc, err := jobs.OpenWorkspace(r.ctx, dir, jobs.Options{Clock: r.clock})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { svc.Close() })
	return svc
}

func (r *records) addUser(name, role string) jobs.User {
	r.t.Helper()
	u, err := r.svc.AddUser(r.ctx, r.admin, jobs.NewUser{Name: name, Role: role, Password: name + "-pass-1"})
	if err != nil {
		r.t.Fatal(err)
	}
	return u
}

func (r *records) must(err error) {
	r.t.Helper()
	if err != nil {
		r.t.Fatal(err)
	}
}

// snapshotPaths lists every entry of the newest records snapshot.
func (r *records) snapshotPaths(repo string) (engine.Snapshot, []string) {
	r.t.Helper()
	be, err := location.Open(r.ctx, repo)
	r.must(err)
	er, err := engine.Open(r.ctx, be, recordsPassword)
	r.must(err)
	defer er.Close()
	snaps, err := er.Snapshots(r.ctx)
	r.must(err)
	if len(snaps) == 0 {
		r.t.Fatal("no snapshot in the records repository")
	}
	snap := snaps[len(snaps)-1]
	var paths []string
	r.must(er.Walk(r.ctx, snap, func(n engine.Node) error {
		paths = append(paths, n.Path)
		return nil
	}))
	return snap, paths
}

func TestRecordsJobIsApprovedAtSetupAndBacksUpTheWorkspace(t *testing.T) {
	r := newRecords(t)
	list, err := r.svc.Jobs(r.ctx, r.staff, "")
	r.must(err)
	if len(list) != 1 || list[0].Name != jobs.RecordsJobName || list[0].State != jobs.JobApproved {
		t.Fatalf("jobs after setup: %+v, want only %s, approved", list, jobs.RecordsJobName)
	}
	if got := list[0].Sources; !slices.Equal(got, []string{jobs.WorkspaceSource}) {
		t.Errorf("records job sources %v, want [%s]", got, jobs.WorkspaceSource)
	}
	audit, err := r.svc.Audit(r.ctx, r.mgr, jobs.AuditFilter{Object: "job#" + strconv.FormatInt(list[0].ID, 10)})
	r.must(err)
	if len(audit) != 2 || audit[0].Action != "job.create" || audit[0].Actor != "admin" ||
		audit[1].Action != "job.approve" || audit[1].Actor != "setup" || !strings.Contains(audit[1].Detail, "first-time setup") {
		t.Fatalf("records job audit %+v, want job.create by admin then job.approve by setup", audit)
	}
	pw, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(jobs.RecordsPasswordFile)))
	if err != nil || strings.TrimSpace(string(pw)) != recordsPassword {
		t.Fatalf("records password file: %q, %v", pw, err)
	}
	if st, _ := os.Stat(filepath.Join(r.dir, filepath.FromSlash(jobs.RecordsPasswordFile))); st.Mode().Perm() != 0o600 {
		t.Errorf("records password file mode %v, want 0600", st.Mode().Perm())
	}

	run, err := r.svc.RunRecords(r.ctx, r.staff, jobs.RunOptions{})
	r.must(err)
	if run.Status != jobs.RunSuccess || run.JobName != jobs.RecordsJobName {
		t.Fatalf("records run: %+v", run)
	}
	snap, paths := r.snapshotPaths(r.repo)
	if snap.ID != run.SnapshotID || !slices.Contains(snap.Tags, "job:"+jobs.RecordsJobName) {
		t.Errorf("snapshot %s tags %v, want the run's %s tagged job:%s", snap.ID, snap.Tags, run.SnapshotID, jobs.RecordsJobName)
	}
	for _, want := range []string{"/db/sqlite/catalog.db", "/documents", "/logs", "/keys/records-repository.pass"} {
		if !slices.Contains(paths, want) {
			t.Errorf("records snapshot lacks %s: %v", want, paths)
		}
	}
	for _, p := range paths {
		if strings.HasPrefix(path0(p), "catalog.db") {
			t.Errorf("records snapshot holds the live catalog file %s; only the online-backup copy belongs there", p)
		}
	}
	docs, err := r.svc.Documents(r.ctx, r.staff, jobs.DocumentFilter{RunID: run.ID})
	r.must(err)
	if len(docs) != 1 || docs[0].Type != jobs.DocExecutionReport {
		t.Errorf("records run filed %+v, want its execution report", docs)
	}
}

func path0(p string) string { return strings.SplitN(strings.TrimPrefix(p, "/"), "/", 2)[0] }

func TestRecordsJobKeepsWhatItIs(t *testing.T) {
	r := newRecords(t)
	j, ok, err := r.svc.RecordsJob(r.ctx, r.staff)
	r.must(err)
	if !ok {
		t.Fatal("no records job after setup")
	}
	other := t.TempDir()
	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{"delete", func() error { _, err := r.svc.RetireJob(r.ctx, r.staff, jobs.RecordsJobName); return err }},
		{"edit its sources", func() error {
			spec := j.JobSpec
			spec.Sources = []string{other}
			_, err := r.svc.EditJob(r.ctx, r.staff, jobs.RecordsJobName, spec)
			return err
		}},
		{"rename it", func() error {
			spec := j.JobSpec
			spec.Name = "not-records"
			_, err := r.svc.EditJob(r.ctx, r.staff, jobs.RecordsJobName, spec)
			return err
		}},
		{"another job takes its name", func() error {
			_, err := r.svc.CreateJob(r.ctx, r.staff, jobs.JobSpec{Name: jobs.RecordsJobName, Sources: []string{other}, Repository: other + "/repo"})
			return err
		}},
		{"another job takes its source", func() error {
			_, err := r.svc.CreateJob(r.ctx, r.staff, jobs.JobSpec{Name: "sneaky", Sources: []string{jobs.WorkspaceSource}, Repository: other + "/repo"})
			return err
		}},
		{"move its repository into the workspace", func() error {
			spec := j.JobSpec
			spec.Repository = filepath.Join(r.dir, "repo")
			_, err := r.svc.EditJob(r.ctx, r.staff, jobs.RecordsJobName, spec)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if err == nil {
				t.Fatal("allowed")
			}
			if tc.name != "move its repository into the workspace" && !errors.Is(err, jobs.ErrRefused) {
				t.Fatalf("got %v, want a refusal", err)
			}
			if got, _, _ := r.svc.RecordsJob(r.ctx, r.staff); got.State != jobs.JobApproved || got.Revision != 1 {
				t.Fatalf("records job changed to %s revision %d", got.State, got.Revision)
			}
		})
	}

	// The window offers what jobs allows: never Delete on the records job.
	for _, u := range []jobs.User{r.staff, r.mgr, r.admin} {
		perm, err := r.svc.JobPermissions(r.ctx, u, jobs.RecordsJobName)
		r.must(err)
		if perm.Can(jobs.ActDelete) || !strings.Contains(perm.Why(jobs.ActDelete), "cannot be deleted") {
			t.Errorf("%s may delete the records job (%q)", u.Name, perm.Why(jobs.ActDelete))
		}
	}

	// A change of repository is an ordinary edit: it waits for an IT manager.
	spec := j.JobSpec
	spec.Repository = filepath.Join(t.TempDir(), "new-records-repo")
	edited, err := r.svc.EditJob(r.ctx, r.staff, jobs.RecordsJobName, spec)
	r.must(err)
	if edited.State != jobs.JobSubmitted {
		t.Fatalf("edited records job is %s, want submitted", edited.State)
	}
	if _, err := r.svc.RunRecords(r.ctx, r.staff, jobs.RunOptions{}); !errors.Is(err, jobs.ErrRefused) {
		t.Fatalf("records backup of an unapproved change: %v, want a refusal", err)
	}
	_, err = approveJob(r.ctx, r.svc, r.mgr, jobs.RecordsJobName)
	r.must(err)
	run, err := r.svc.RunRecords(r.ctx, r.staff, jobs.RunOptions{})
	r.must(err)
	if run.Status != jobs.RunSuccess {
		t.Fatalf("records run after approval: %+v", run)
	}
	if _, paths := r.snapshotPaths(spec.Repository); !slices.Contains(paths, "/db/sqlite/catalog.db") {
		t.Fatalf("the new repository lacks the catalog: %v", paths)
	}
}

func TestSetupWithABadRecordsRepositoryCreatesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	svc, err := jobs.OpenWorkspace(ctx, dir, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, repo string }{
		{"inside the workspace", filepath.Join(dir, "records")},
		{"the workspace itself", dir},
		{"a file", notDir},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Setup(ctx, jobs.SetupOptions{Admin: "admin", Password: "admin-pass-1", Records: jobs.RecordsOptions{Repository: tc.repo}})
			if err == nil {
				t.Fatal("setup accepted it")
			}
			if need, _ := svc.NeedsSetup(ctx); !need {
				t.Fatal("the administrator was created although the setup failed")
			}
		})
	}
}

func TestRecordsSetupLaterNeedsAManager(t *testing.T) {
	ctx := context.Background()
	svc, err := jobs.OpenWorkspace(ctx, t.TempDir(), jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	admin, err := svc.Setup(ctx, jobs.SetupOptions{Admin: "admin", Password: "admin-pass-1"})
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := svc.AddUser(ctx, admin, jobs.NewUser{Name: "gideon", Role: jobs.RoleManager, Password: "gideon-pass-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConfigureRecords(ctx, mgr, jobs.RecordsOptions{Repository: t.TempDir()}); !errors.Is(err, jobs.ErrRefused) {
		t.Fatalf("a manager set up the records backup: %v", err)
	}
	j, err := svc.ConfigureRecords(ctx, admin, jobs.RecordsOptions{Repository: filepath.Join(t.TempDir(), "r")})
	if err != nil {
		t.Fatal(err)
	}
	if j.State != jobs.JobSubmitted {
		t.Fatalf("records job configured after setup is %s, want submitted", j.State)
	}
	if _, err := svc.RunRecords(ctx, admin, jobs.RunOptions{}); !errors.Is(err, jobs.ErrRefused) {
		t.Fatalf("unapproved records job ran: %v", err)
	}
	if _, err := svc.ConfigureRecords(ctx, admin, jobs.RecordsOptions{Repository: t.TempDir()}); !errors.Is(err, jobs.ErrRefused) {
		t.Fatalf("a second records job: %v", err)
	}
	if _, err := approveJob(ctx, svc, mgr, jobs.RecordsJobName); err != nil {
		t.Fatal(err)
	}
	if run, err := svc.RunRecords(ctx, admin, jobs.RunOptions{}); err != nil || run.Status != jobs.RunSuccess {
		t.Fatalf("approved records job: %+v, %v", run, err)
	}
}

// approveJob is the IT manager's approval of a job as it stands now.
func approveJob(ctx context.Context, svc *jobs.Service, mgr jobs.User, name string) (jobs.Job, error) {
	return svc.ApproveJob(ctx, mgr, name, jobs.JobRev(svc, name))
}
