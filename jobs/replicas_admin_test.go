package jobs_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cadang/engine"
	"cadang/jobs"
)

// The window's replica administration against a real repository and real
// folder replicas: add, test ("connect and list"), sync, edit, remove, each
// audited, with the procedure's refusals.
func TestReplicaAdministration(t *testing.T) {
	s := newSOP(t)
	ctx := context.Background()
	initRepo(t, s.repo)
	spec := jobs.JobSpec{Name: "keuangan", Sources: []string{s.src}, Repository: s.repo}
	_, err := s.svc.CreateJob(ctx, s.staff, spec)
	s.must(err)
	gedungB := filepath.Join(t.TempDir(), "gedung-b")

	// Refusals first: nothing may be written by them.
	refusals := []struct {
		name string
		call func() error
		want string
	}{
		{"a department user", func() error {
			_, err := s.svc.AddReplica(ctx, s.siti, s.repo, jobs.ReplicaSpec{Name: "x", URL: gedungB})
			return err
		}, "may do this"},
		{"a folder no job writes to", func() error {
			_, err := s.svc.AddReplica(ctx, s.staff, t.TempDir(), jobs.ReplicaSpec{Name: "x", URL: gedungB})
			return err
		}, "no job writes to"},
	}
	for _, tt := range refusals {
		if err := tt.call(); !errors.Is(err, jobs.ErrRefused) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want a refusal containing %q", tt.name, err, tt.want)
		}
	}
	bad := []jobs.ReplicaSpec{
		{Name: "pw", URL: "sftp://u:secret@host/x"},
		{Name: "ftp", URL: "ftp://host/x"},
		{Name: "bad name!", URL: gedungB},
	}
	for _, b := range bad {
		var specErr *jobs.ReplicaSpecError
		if _, err := s.svc.AddReplica(ctx, s.staff, s.repo, b); !errors.As(err, &specErr) {
			t.Errorf("add %+v: got %v, want a ReplicaSpecError", b, err)
		}
	}

	check, err := s.svc.TestReplica(ctx, s.staff, s.repo, gedungB)
	s.must(err)
	if !check.Empty || check.Copy || check.Other {
		t.Errorf("test of an empty folder = %+v, want empty", check)
	}
	_, err = s.svc.AddReplica(ctx, s.staff, s.repo, jobs.ReplicaSpec{Name: "gedung-b", URL: gedungB, BandwidthLimit: 2 << 20})
	s.must(err)
	if _, err := s.svc.AddReplica(ctx, s.mgr, s.repo, jobs.ReplicaSpec{Name: "gedung-b", URL: gedungB}); err == nil {
		t.Error("a second replica with the same name was accepted")
	}

	st, err := s.svc.SyncReplica(ctx, s.mgr, s.repo, "gedung-b", engine.NopProgress{})
	s.must(err)
	if !st.UpToDate() || st.LastSync.IsZero() {
		t.Errorf("after a sync: %+v, want up to date", st)
	}
	check, err = s.svc.TestReplica(ctx, s.staff, s.repo, gedungB)
	s.must(err)
	if !check.Copy || check.Empty {
		t.Errorf("test after a sync = %+v, want a copy of this repository", check)
	}
	other := filepath.Join(t.TempDir(), "other")
	initRepo(t, other)
	if check, err = s.svc.TestReplica(ctx, s.staff, s.repo, other); err != nil || !check.Other {
		t.Errorf("test of another repository = %+v, %v; want Other", check, err)
	}

	repos, err := s.svc.Repositories(ctx, s.staff)
	s.must(err)
	if len(repos) != 1 || len(repos[0].Replicas) != 1 || !repos[0].Writable {
		t.Fatalf("repositories = %+v, want one writable with one replica", repos)
	}
	if v := repos[0].Replicas[0]; v.Name != "gedung-b" || v.BandwidthLimit != 2<<20 || v.Behind() {
		t.Errorf("listed replica = %+v, want gedung-b up to date at 2 MiB/s", v)
	}

	moved := filepath.Join(t.TempDir(), "gedung-c")
	r, err := s.svc.EditReplica(ctx, s.staff, s.repo, "gedung-b", jobs.ReplicaSpec{URL: moved})
	s.must(err)
	if r.URL != moved || !r.LastSync.IsZero() || r.BandwidthLimit != 0 {
		t.Errorf("edited = %+v, want the new place with no sync recorded", r)
	}

	// A replica a job sends its backups to is not removed from under it.
	spec.Replicas = []string{"gedung-b"}
	_, err = s.svc.EditJob(ctx, s.staff, "keuangan", spec)
	s.must(err)
	if err := s.svc.RemoveReplica(ctx, s.staff, s.repo, "gedung-b"); !errors.Is(err, jobs.ErrRefused) || !strings.Contains(err.Error(), "keuangan") {
		t.Errorf("remove while the job names it: %v, want a refusal naming the job", err)
	}
	spec.Replicas = nil
	_, err = s.svc.EditJob(ctx, s.staff, "keuangan", spec)
	s.must(err)
	s.must(s.svc.RemoveReplica(ctx, s.staff, s.repo, "gedung-b"))

	audit, err := s.svc.Audit(ctx, s.mgr, jobs.AuditFilter{Object: "replica:gedung-b"})
	s.must(err)
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Action+" by "+e.Actor)
	}
	for _, want := range []string{"replica.add by yoga", "replica.sync by gideon", "replica.edit by yoga", "replica.remove by yoga"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit %v lacks %q", actions, want)
		}
	}
}

// cancelOnFirst cancels a context at the first progress report.
type cancelOnFirst struct{ cancel context.CancelFunc }

func (c cancelOnFirst) Report(engine.ProgressStats) { c.cancel() }
func (c cancelOnFirst) Warn(string, error)          {}

// A cancelled sync is not the replica's failure: nothing is recorded as an
// error, and the next sync completes.
func TestReplicaSyncCancel(t *testing.T) {
	s := newSOP(t)
	initRepo(t, s.repo)
	_, err := s.svc.CreateJob(s.ctx, s.staff, jobs.JobSpec{Name: "keuangan", Sources: []string{s.src}, Repository: s.repo})
	s.must(err)
	_, err = s.svc.AddReplica(s.ctx, s.staff, s.repo, jobs.ReplicaSpec{Name: "gedung-b", URL: filepath.Join(t.TempDir(), "b")})
	s.must(err)
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	if _, err := s.svc.SyncReplica(ctx, s.staff, s.repo, "gedung-b", cancelOnFirst{cancel}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled sync: %v, want context.Canceled", err)
	}
	repos, err := s.svc.Repositories(s.ctx, s.staff)
	s.must(err)
	if r := repos[0].Replicas[0]; r.LastError != "" || r.State.Status == jobs.ReplicaFailed {
		t.Errorf("after a cancel the replica reads %+v; a cancel is not a failure", r)
	}
	if st, err := s.svc.SyncReplica(s.ctx, s.staff, s.repo, "gedung-b", nil); err != nil || !st.UpToDate() {
		t.Errorf("sync after the cancel: %+v, %v", st, err)
	}
}
