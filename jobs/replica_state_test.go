package jobs_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"cadang/engine"
	"cadang/engine/backend/local"
	"cadang/engine/replica"
	"cadang/jobs"
)

// After every run the catalog keeps each replica's last sync, result and
// lag; the dashboard and the execution report show them. Real repository,
// real folder replicas, the real EngineReplicator.
func TestReplicaStateRecordedAndShown(t *testing.T) {
	s := newSOP(t)
	ctx := context.Background()
	initRepo(t, s.repo)
	gedungB := filepath.Join(t.TempDir(), "gedung-b")
	reg, err := replica.LoadRegistry(s.repo)
	s.must(err)
	s.must(reg.Add(replica.Replica{Name: "gedung-b", URL: gedungB}))
	s.must(reg.Add(replica.Replica{Name: "sftp-x", URL: "sftp://nobody@127.0.0.1:1/none"})) // nothing listens on port 1
	s.must(reg.Save())
	spec := jobs.JobSpec{Name: "keuangan", Sources: []string{s.src}, Repository: s.repo, Replicas: []string{"gedung-b", "sftp-x", "belum-ada"}}
	_, err = s.svc.CreateJob(ctx, s.staff, spec)
	s.must(err)
	_, err = s.svc.SubmitJob(ctx, s.staff, "keuangan")
	s.must(err)
	_, err = s.svc.ApproveJob(ctx, s.mgr, "keuangan", jobs.JobRev(s.svc, "keuangan"))
	s.must(err)

	run1, err := s.svc.RunJob(ctx, s.staff, "keuangan", jobs.RunOptions{})
	s.must(err)
	want := map[string]string{"gedung-b": "up to date", "sftp-x": jobs.ReplicaFailed, "belum-ada": jobs.ReplicaNotConfigured}
	states := s.replicaStates()
	for name, st := range states {
		switch want[name] {
		case "up to date":
			if !st.UpToDate() || st.LastSync.IsZero() {
				t.Errorf("run 1: %s = %+v, want up to date with a sync time", name, st)
			}
		default:
			if st.Status != want[name] || st.Error == "" {
				t.Errorf("run 1: %s = %+v, want %s with the reason", name, st, want[name])
			}
		}
	}
	firstSync := states["gedung-b"].LastSync
	s.wantReport(run1, "mutakhir", "gagal", "dikonfigurasi")

	// Someone points the share at another repository: the next sync is
	// refused, and the replica is measured two snapshots behind.
	s.must(os.RemoveAll(gedungB))
	initRepo(t, gedungB)
	write(t, filepath.Join(s.src, "baru.txt"), []byte("baru"))
	run2, err := s.svc.RunJob(ctx, s.staff, "keuangan", jobs.RunOptions{})
	s.must(err)
	st := s.replicaStates()["gedung-b"]
	if st.Status != jobs.ReplicaFailed || st.Lag == nil || st.Lag.Snapshots != 2 || !st.LastSync.Equal(firstSync) {
		t.Errorf("run 2: gedung-b = %+v (lag %+v), want failed, 2 snapshots behind, last sync still %v", st, st.Lag, firstSync)
	}
	s.wantReport(run2, "gagal, tertinggal", "2 snapshot") // the cell wraps
}

func initRepo(t *testing.T, dir string) {
	t.Helper()
	be, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := engine.Init(context.Background(), be, engine.InitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}

// replicaStates is the dashboard's view of the job's replicas, by name.
func (s *sop) replicaStates() map[string]jobs.ReplicaResult {
	s.t.Helper()
	d, err := s.svc.Dashboard(s.ctx, s.staff, nil)
	s.must(err)
	if len(d.Jobs) != 1 {
		s.t.Fatalf("dashboard jobs = %d, want 1", len(d.Jobs))
	}
	out := map[string]jobs.ReplicaResult{}
	for _, st := range d.Jobs[0].ReplicaStates {
		out[st.Name] = st
	}
	if len(out) != 3 {
		s.t.Fatalf("replica states = %+v, want 3", d.Jobs[0].ReplicaStates)
	}
	return out
}

func (s *sop) wantReport(run jobs.Run, want ...string) {
	s.t.Helper()
	docs := s.docs(jobs.DocumentFilter{RunID: run.ID, Type: jobs.DocExecutionReport})
	if len(docs) != 1 {
		s.t.Fatalf("execution reports of run #%d = %d", run.ID, len(docs))
	}
	text := s.pdfText(docs[0])
	s.wantText(docs[0], text, append(want, "gedung-b", "sftp-x")...)
}
