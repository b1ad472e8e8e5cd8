package jobs

import (
	"os"
	"strings"
	"testing"
	"time"

	"cadang/pdfdoc/pdftest"
	"cadang/store"
)

// docText is the text of a filed document, whitespace collapsed.
func docText(t *testing.T, d Document) string {
	t.Helper()
	b, err := os.ReadFile(d.Path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(pdftest.Text(t, b)), " ")
}

// restoreVerified takes a request of the department user through to a
// verified restore.
func (f *fixture) restoreVerified(t *testing.T, requester User) Request {
	t.Helper()
	f.approvedJob(t, "keuangan", Schedule{Kind: ScheduleWindow})
	if _, err := f.svc.RunJob(f.ctx, f.staff, "keuangan", RunOptions{}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	r, err := f.svc.CreateRequest(f.ctx, requester, NewRequest{Kind: KindRestore, Job: "keuangan", RequestedAt: f.clock.Now(),
		Target: t.TempDir(), Reason: "laporan tertimpa", Department: "Keuangan"})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() (Request, error){
		func() (Request, error) { return f.svc.SubmitRequest(f.ctx, requester, r.ID) },
		func() (Request, error) { return f.svc.ApproveRequest(f.ctx, f.mgr2, r.ID, f.svc.requestRev(r.ID)) },
		func() (Request, error) { return f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{}) },
	} {
		if r, err = step(); err != nil {
			t.Fatal(err)
		}
	}
	if r.State != RequestVerified {
		t.Fatalf("restore ended %s", r.State)
	}
	return r
}

// Hole: the execution, verification and history reports printed the
// configured default signatory ("Disetujui oleh Gideon B. Sirapanji")
// instead of the IT manager who actually approved.
func TestReportsNameTheManagerWhoApprovedNotTheConfiguredDefault(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.SetSetting(f.ctx, f.admin, KeyApprovedName, "Configured Default"); err != nil {
		t.Fatal(err)
	}
	r := f.restoreVerified(t, f.dept)
	exec, err := f.svc.Documents(f.ctx, f.staff, DocumentFilter{Type: DocExecutionReport})
	if err != nil || len(exec) != 1 {
		t.Fatalf("execution reports: %v, %v", exec, err)
	}
	ver, err := f.svc.Documents(f.ctx, f.staff, DocumentFilter{Type: DocVerificationReport, RequestID: r.ID})
	if err != nil || len(ver) != 1 {
		t.Fatalf("verification reports: %v, %v", ver, err)
	}
	hist := f.fileHistory(t)
	tests := []struct {
		name      string
		doc       Document
		want, not []string
	}{
		// The job was approved by gideon (mgr), the request by kezia (mgr2).
		{"execution report", exec[0], []string{"( Full yoga )", "( Full gideon )", "Jabatan : IT Manager"}, []string{"Configured Default"}},
		{"verification report", ver[0], []string{"( Full yoga )", "( Full kezia )"}, []string{"Configured Default", "Full gideon"}},
		// Nobody approves a history report: the configured name fills that empty block only.
		{"history report", hist, []string{"( Full yoga )", "( Configured Default )"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := docText(t, tt.doc)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q:\n%s", w, text)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(text, n) {
					t.Errorf("names %q:\n%s", n, text)
				}
			}
		})
	}
}

// Hole: the handover form gave the department's recipient the title "IT
// Staff" (the requester's role, when IT staff asked on its behalf).
func TestHandoverReceiverIsTitledByDepartmentNotITStaff(t *testing.T) {
	f := newFixture(t)
	r := f.restoreVerified(t, f.staff) // IT staff asked on behalf of Keuangan
	doc, err := f.svc.Handover(f.ctx, f.staff, r.ID, HandoverOptions{Receiver: "Siti Rahmawati"})
	if err != nil {
		t.Fatal(err)
	}
	text := docText(t, doc)
	// Giver: the account that printed it; receiver: the department, dated by hand.
	for _, w := range []string{"( Full yoga ) ( Siti Rahmawati )", "Jabatan : IT Staff Jabatan : Departemen Keuangan",
		"Tanggal : " + f.clock.Now().Format("02/01/2006") + " Tanggal : Kode"} {
		if !strings.Contains(text, w) {
			t.Errorf("handover form lacks %q:\n%s", w, text)
		}
	}
}

// "Disiapkan / Diperiksa / Disetujui" name three different people: a
// configured checker who is also the preparer leaves the block blank.
func TestApprovalRowNamesThreeDifferentPeople(t *testing.T) {
	f := newFixture(t)
	for k, v := range map[string]string{KeyCheckedName: "Full yoga", KeyApprovedName: "Full yoga"} {
		if err := f.svc.SetSetting(f.ctx, f.admin, k, v); err != nil {
			t.Fatal(err)
		}
	}
	text := docText(t, f.fileHistory(t))
	if n := strings.Count(text, "( Full yoga )"); n != 1 {
		t.Errorf("the preparer is named %d times, want once:\n%s", n, text)
	}
}

// Gap: a report citing a snapshot that retention later removed still read
// as if the data could be restored. Listed or verified, it now says so.
func TestReportCitingARemovedSnapshotSaysSo(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "keuangan", Schedule{Kind: ScheduleWindow})
	run, err := f.svc.RunJob(f.ctx, f.staff, "keuangan", RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := f.svc.Documents(f.ctx, f.staff, DocumentFilter{RunID: run.ID})
	if err != nil || len(docs) != 1 || docs[0].SnapshotID != run.SnapshotID || docs[0].SnapshotRemoved != nil {
		t.Fatalf("before retention: %+v, %v", docs, err)
	}
	removedAt := f.clock.Now().Add(30 * 24 * time.Hour)
	err = f.svc.catalog.Update(f.ctx, func(tx *store.Tx) error {
		return tx.AddForgotten(f.ctx, store.Forgotten{JobID: run.JobID, SnapshotID: run.SnapshotID, RunID: run.ID, Actor: "yoga", At: removedAt})
	})
	if err != nil {
		t.Fatal(err)
	}
	docs, err = f.svc.Documents(f.ctx, f.staff, DocumentFilter{RunID: run.ID})
	if err != nil || len(docs) != 1 || docs[0].SnapshotRemoved == nil || !docs[0].SnapshotRemoved.At.Equal(removedAt) || docs[0].SnapshotRemoved.RunID != run.ID {
		t.Fatalf("after retention: %+v, %v; want the removal named", docs, err)
	}
	v, err := f.svc.VerifyDocument(f.ctx, f.staff, docs[0].Path)
	if err != nil || v.SnapshotRemoved == nil {
		t.Errorf("verified: %+v, %v; want the removal named", v.SnapshotRemoved, err)
	}
}

// The SOP's document history (§9) and approval block (§10) are settings,
// printed at the end of the history report as the SOP prints them; form
// codes are each document type's own.
func TestSOPHistoryAndApprovalAreSettingsPrintedOnTheHistoryReport(t *testing.T) {
	f := newFixture(t)
	hist := "01|Perubahan alur proses back up dan restore database|2022-07-29\n02|Cadang menggantikan Backup4all|2026-11-01"
	for k, v := range map[string]string{KeySOPHistory: hist, KeySOPApprovedName: "Kezia Roesli", KeySOPApprovedDate: "2026-10-30"} {
		if err := f.svc.SetSetting(f.ctx, f.admin, k, v); err != nil {
			t.Fatal(err)
		}
	}
	text := docText(t, f.fileHistory(t))
	for _, w := range []string{"PROSEDUR YANG BERLAKU: SOP-IT-002", "01 Perubahan alur proses back up dan restore database 29/07/2022",
		"02 Cadang menggantikan Backup4all 01/11/2026", "Disiapkan Oleh / Prepared by Gideon B. Sirapanji IT Manager 29/07/2022",
		"Diperiksa Oleh / Checked by Yoga Samudra Dewa MR & HRGA GM", "Disetujui Oleh / Approved by Kezia Roesli Direktur 30/10/2026"} {
		if !strings.Contains(text, w) {
			t.Errorf("history report lacks %q:\n%s", w, text)
		}
	}
	tests := []struct{ key, value, want string }{
		{KeySOPHistory, "01|no date", "REV|DESCRIPTION|YYYY-MM-DD"},
		{KeySOPApprovedDate, "30/10/2026", "not a date"},
		{KeyFormHandover, "FRM-IT-002-02", "already form.execution's"},
	}
	for _, tt := range tests {
		if err := f.svc.SetSetting(f.ctx, f.admin, tt.key, tt.value); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("set %s=%q: %v, want an error saying %q", tt.key, tt.value, err, tt.want)
		}
	}
}

// A scheduled run's report is prepared by the account the scheduler acts
// as, not left blank as "the scheduler".
func TestScheduledRunReportNamesTheSchedulersAccount(t *testing.T) {
	f := newFixture(t)
	j := f.approvedJob(t, "keuangan", Schedule{Kind: ScheduleWindow})
	run, err := f.svc.runBackup(f.ctx, j.ID, runSpec{trigger: TriggerSchedule, actor: SchedulerActor, account: &f.staff,
		scheduled: store.Run{ScheduledAt: f.clock.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := f.svc.Documents(f.ctx, f.staff, DocumentFilter{RunID: run.ID})
	if err != nil || len(docs) != 1 {
		t.Fatalf("reports: %+v, %v", docs, err)
	}
	if text := docText(t, docs[0]); !strings.Contains(text, "( Full yoga )") {
		t.Errorf("the scheduled run's report does not name the scheduler's account:\n%s", text)
	}
}
