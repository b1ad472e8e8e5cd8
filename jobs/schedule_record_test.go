package jobs

import (
	"path/filepath"
	"strings"
	"testing"
)

// Gap: approving or rejecting a job's schedule left the audit log as its
// only trace. Each decision files a numbered "Jadwal Back up" record.
func TestScheduleDecisionFilesAJadwalBackupRecord(t *testing.T) {
	f := newFixture(t)
	j, err := f.svc.CreateJob(f.ctx, f.staff, JobSpec{Name: "keuangan", Sources: []string{f.src}, Repository: t.TempDir(),
		Retention: Retention{KeepLast: 5, KeepDaily: 14}, Schedule: Schedule{Kind: ScheduleWindow, WindowStart: "21:00", WindowEnd: "23:00"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitJob(f.ctx, f.staff, j.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RejectJob(f.ctx, f.mgr, j.Name, "Jendela bentrok dengan replikasi ERP"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitJob(f.ctx, f.staff, j.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ApproveJob(f.ctx, f.mgr, j.Name, f.svc.jobRev(j.Name)); err != nil {
		t.Fatal(err)
	}
	recs, err := f.svc.Documents(f.ctx, f.staff, DocumentFilter{Type: DocScheduleRecord, JobID: j.ID})
	if err != nil || len(recs) != 2 {
		t.Fatalf("schedule records: %d, %v; want one per decision", len(recs), err)
	}
	common := []string{"Jadwal Back up", "Backup Schedule", "keuangan", f.src, "Setiap hari, dalam jendela 21:00–23:00",
		"Simpan 5 terakhir, 14 harian", "( Full yoga )", "( Full gideon )", "FRM-IT-002-06/"}
	tests := []struct {
		doc  Document
		want []string
	}{
		{recs[0], append([]string{"Ditolak oleh", "Jendela bentrok dengan replikasi ERP", "DITOLAK"}, common...)},
		{recs[1], append([]string{"Disetujui oleh", "DISETUJUI"}, common...)},
	}
	for _, tt := range tests {
		text := docText(t, tt.doc)
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q:\n%s", tt.doc.Number, w, text)
			}
		}
	}
}

// Gap: the schedule record named a replica ("gedung-b") but not where it
// is, so the manager's approval said nothing of the separate building SOP
// 5.3f asks for. Each replica prints with its location.
func TestScheduleRecordSaysWhereEachReplicaIs(t *testing.T) {
	f := newRealFixture(t)
	repo := filepath.Join(t.TempDir(), "repo")
	f.realJob(t, "keu", repo, Retention{})
	gedungB := filepath.Join(t.TempDir(), "gedung-b", "backup", "keu")
	if _, err := f.svc.AddReplica(f.ctx, f.staff, repo, ReplicaSpec{Name: "gedung-b", URL: gedungB}); err != nil {
		t.Fatal(err)
	}
	j, err := f.svc.Job(f.ctx, f.staff, "keu")
	if err != nil {
		t.Fatal(err)
	}
	j.Replicas = []string{"gedung-b"}
	if _, err := f.svc.EditJob(f.ctx, f.staff, "keu", j.JobSpec); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ApproveJob(f.ctx, f.mgr, "keu", f.svc.jobRev("keu")); err != nil {
		t.Fatal(err)
	}
	recs, err := f.svc.Documents(f.ctx, f.staff, DocumentFilter{Type: DocScheduleRecord, JobID: j.ID})
	if err != nil || len(recs) == 0 {
		t.Fatalf("schedule records: %d, %v", len(recs), err)
	}
	// The location is long and wraps beside the label's English subtitle:
	// compared without the subtitle and without blanks.
	text := docText(t, recs[len(recs)-1])
	bare := strings.ReplaceAll(strings.ReplaceAll(text, "Offsite / cloud replicas", ""), " ", "")
	if want := "Replikaoffsite/cloudgedung-b:" + gedungB; !strings.Contains(bare, want) {
		t.Errorf("the schedule record lacks gedung-b: %s:\n%s", gedungB, text)
	}
}
