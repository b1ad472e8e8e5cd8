package jobs

import (
	"os"
	"strings"
	"testing"
	"time"

	"cadang/pdfdoc/pdftest"
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
