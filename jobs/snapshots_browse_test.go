package jobs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The window's browsing, filing and cleaning calls refuse what the
// procedure does not allow; their happy paths run against the real engine
// in the ui package's tests.
func TestWindowCallRefusals(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "keuangan", Schedule{})
	run, err := f.svc.RunJob(f.ctx, f.staff, "keuangan", RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	notPDF := filepath.Join(t.TempDir(), "scan.jpg")
	if err := os.WriteFile(notPDF, []byte("\xff\xd8\xff\xe0 jpeg"), 0o600); err != nil {
		t.Fatal(err)
	}
	req, err := f.svc.CreateRequest(f.ctx, f.dept, NewRequest{Kind: KindRestore, Job: "keuangan", RequestedAt: start, Target: t.TempDir(), Reason: "x"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		call    func() error
		refused bool   // a rule of the procedure (ErrRefused)
		want    string // in the message
	}{
		{"department users do not browse snapshots", func() error { _, err := f.svc.Snapshots(f.ctx, f.dept, "keuangan", ""); return err }, true, "may do this"},
		{"the signed copy must be a PDF", func() error { _, err := f.svc.AttachSigned(f.ctx, f.staff, run.Report, notPDF); return err }, true, "not a PDF"},
		{"no retention policy, nothing to clean", func() error { _, _, err := f.svc.ApplyRetention(f.ctx, f.staff, "keuangan", true); return err }, true, "keeps every snapshot"},
		{"a restore not yet run has nothing to check", func() error { _, err := f.svc.RestoreChecks(f.ctx, f.staff, req.ID, nil); return err }, true, "not restored anything"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil {
				t.Fatal("got no error")
			}
			if errors.Is(err, ErrRefused) != tt.refused || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v (refused %v), want refused=%v containing %q", err, errors.Is(err, ErrRefused), tt.refused, tt.want)
			}
		})
	}
	signed, err := f.svc.SignedDocuments(f.ctx, f.staff)
	if err != nil || len(signed) != 0 {
		t.Fatalf("signed %v, %v; want none after a refused attach", signed, err)
	}
}

// Snapshots and SnapshotFiles go through the job's repository as jobs
// opens it: what the backup wrote is what the wizard lists.
func TestSnapshotsBrowse(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "keuangan", Schedule{})
	run, err := f.svc.RunJob(f.ctx, f.staff, "keuangan", RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := f.svc.Snapshots(f.ctx, f.staff, "keuangan", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 1 || snaps[0].ID != run.SnapshotID {
		t.Fatalf("got snapshots %v, want the run's %s", snaps, run.SnapshotID)
	}
	nodes, err := f.svc.SnapshotFiles(f.ctx, f.mgr, "keuangan", "", snaps[0], "/data")
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 1 || nodes[0].Name != "laporan.txt" {
		t.Fatalf("got %v, want laporan.txt", nodes)
	}
}

// VerifyRepository checks the job's repository for IT staff and audits
// the check; a department user may not.
func TestVerifyRepository(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "keuangan", Schedule{})
	if _, err := f.svc.RunJob(f.ctx, f.staff, "keuangan", RunOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.VerifyRepository(f.ctx, f.staff, "keuangan", "", true, nil)
	if err != nil || !res.OK() || !res.ReadData || res.Snapshots != 1 {
		t.Fatalf("verify = %+v, %v; want one snapshot read through, no damage", res, err)
	}
	if _, err := f.svc.VerifyRepository(f.ctx, f.dept, "keuangan", "", false, nil); !errors.Is(err, ErrRefused) {
		t.Errorf("a department user verifying: %v, want a refusal", err)
	}
	entries, err := f.svc.Audit(f.ctx, f.mgr, AuditFilter{Object: "job#1"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || e.Action == "repository.verify" && e.Actor == "yoga"
	}
	if !found {
		t.Errorf("no repository.verify entry by yoga in %+v", entries)
	}
}
