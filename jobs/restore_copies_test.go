package jobs_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cadang/jobs"
)

// APCA 3.4: the primary repository is gone (the share is unmounted); the
// wizard offers the offsite copy, a department asks to restore from it, the
// manager approves, staff carry it out to a verified result and hand it
// over, and the audit log says where the data came from. Real engine,
// real folder replica.
func TestRestoreFromReplicaThroughTheProcedure(t *testing.T) {
	s := newSOP(t)
	s.defineJob()
	_, err := s.svc.RunJob(s.ctx, s.staff, "keuangan", jobs.RunOptions{}) // creates the repository
	s.must(err)
	gedungB := filepath.Join(t.TempDir(), "gedung-b")
	_, err = s.svc.AddReplica(s.ctx, s.staff, s.repo, jobs.ReplicaSpec{Name: "gedung-b", URL: gedungB})
	s.must(err)
	j, err := s.svc.Job(s.ctx, s.staff, "keuangan")
	s.must(err)
	spec := j.JobSpec
	spec.Replicas = []string{"gedung-b"}
	_, err = s.svc.EditJob(s.ctx, s.staff, "keuangan", spec) // back to the manager
	s.must(err)
	_, err = s.svc.ApproveJob(s.ctx, s.mgr, "keuangan", jobs.JobRev(s.svc, "keuangan"))
	s.must(err)
	run, err := s.svc.RunJob(s.ctx, s.staff, "keuangan", jobs.RunOptions{}) // syncs the replica
	s.must(err)

	// Only a replica the job copies to may be named.
	if _, err := s.svc.CreateRequest(s.ctx, s.siti, jobs.NewRequest{Kind: jobs.KindRestore, Job: "keuangan", RequestedAt: s.clock.Now(),
		Target: t.TempDir(), Reason: "x", Replica: "elsewhere"}); !errors.Is(err, jobs.ErrRefused) {
		t.Errorf("a replica the job does not copy to: %v, want a refusal", err)
	}

	s.must(os.Rename(s.repo, s.repo+".unmounted"))
	if _, err := s.svc.Snapshots(s.ctx, s.staff, "keuangan", ""); err == nil {
		t.Fatal("the primary is gone, yet its snapshots list")
	}
	copies, err := s.svc.RestoreCopies(s.ctx, s.staff, "keuangan")
	s.must(err)
	if len(copies) != 2 || copies[1].Replica != "gedung-b" || copies[1].Location != gedungB {
		t.Fatalf("copies = %+v, want the repository and gedung-b at %s (from the catalog)", copies, gedungB)
	}
	snaps, err := s.svc.Snapshots(s.ctx, s.staff, "keuangan", "gedung-b")
	s.must(err)
	if len(snaps) == 0 || snaps[len(snaps)-1].ID != run.SnapshotID {
		t.Fatalf("the replica's snapshots = %v, want the last run's %s", snaps, run.SnapshotID)
	}

	target := filepath.Join(t.TempDir(), "restored")
	r, err := s.svc.CreateRequest(s.ctx, s.siti, jobs.NewRequest{Kind: jobs.KindRestore, Job: "keuangan", RequestedAt: snaps[len(snaps)-1].Time,
		Target: target, Reason: "Server keuangan rusak", Replica: "gedung-b"})
	s.must(err)
	_, err = s.svc.SubmitRequest(s.ctx, s.siti, r.ID)
	s.must(err)
	_, err = s.svc.ApproveRequest(s.ctx, s.mgr, r.ID, jobs.RequestRev(s.svc, r.ID))
	s.must(err)
	done, err := s.svc.RunRequest(s.ctx, s.staff, r.ID, jobs.RunRequestOptions{})
	s.must(err)
	s.wantState("restore from the replica", done.State, jobs.RequestVerified)
	if got, err := os.ReadFile(filepath.Join(target, "Keuangan", "laporan", "november.txt")); err != nil || !strings.Contains(string(got), "versi 1") {
		t.Errorf("restored file: %q, %v", got, err)
	}
	if reports := s.docs(jobs.DocumentFilter{RequestID: r.ID, Type: jobs.DocVerificationReport}); len(reports) != 1 {
		t.Errorf("verification reports = %d, want 1", len(reports))
	}
	if _, err := s.svc.Handover(s.ctx, s.staff, r.ID, jobs.HandoverOptions{}); err != nil {
		t.Fatalf("handover: %v", err)
	}
	audit, err := s.svc.Audit(s.ctx, s.mgr, jobs.AuditFilter{Object: fmt.Sprintf("request#%d", r.ID)})
	s.must(err)
	var prepared string
	for _, e := range audit {
		if e.Action == "request.prepare" {
			prepared = e.Detail
		}
	}
	if !strings.Contains(prepared, "from replica gedung-b") {
		t.Errorf("audit of the restore says %q; want it to name the replica", prepared)
	}
}
