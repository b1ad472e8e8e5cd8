package jobs_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cadang/engine"
	"cadang/jobs"
)

// A restore request that names snapshot paths brings back only those,
// checks only those, and says so on the request form and the
// verification report.
func TestPartialRestore(t *testing.T) {
	s := newSOP(t)
	s.defineJob()
	_, err := s.svc.RunJob(s.ctx, s.staff, "keuangan", jobs.RunOptions{})
	s.must(err)
	at := time.Now() // the engine stamps snapshots with the real time

	t.Run("one folder", func(t *testing.T) {
		target := filepath.Join(t.TempDir(), "pulih")
		r := s.approvedPartial(at, target, []string{"Keuangan/laporan/", "/Keuangan/laporan"})
		if want := []string{"/Keuangan/laporan"}; !slices.Equal(r.Include, want) {
			t.Fatalf("stored include = %q, want %q (cleaned, no duplicates)", r.Include, want)
		}
		r, err := s.svc.RunRequest(s.ctx, s.staff, r.ID, jobs.RunRequestOptions{})
		s.must(err)
		s.wantState("partial restore", r.State, jobs.RequestVerified)
		if _, err := os.Stat(filepath.Join(target, "Keuangan", "laporan", "november.txt")); err != nil {
			t.Errorf("included file not restored: %v", err)
		}
		if _, err := os.Stat(filepath.Join(target, "Keuangan", "arsip.bin")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("file outside the include restored (stat err %v)", err)
		}
		checks, err := s.svc.RestoreChecks(s.ctx, s.staff, r.ID, nil)
		s.must(err)
		if len(checks) != 1 || checks[0].Path != "/Keuangan/laporan/november.txt" || !checks[0].OK {
			t.Errorf("re-check = %+v, want only november.txt, matching", checks)
		}
		ver := s.docs(jobs.DocumentFilter{RequestID: r.ID, Type: jobs.DocVerificationReport})
		if len(ver) != 1 {
			t.Fatalf("verification reports = %d, want 1", len(ver))
		}
		text := s.pdfText(ver[0])
		s.wantText(ver[0], text, "/Keuangan/laporan", "november.txt")
		if strings.Contains(text, "arsip.bin") {
			t.Errorf("verification report lists a file that was not restored:\n%s", text)
		}
		form := s.docs(jobs.DocumentFilter{RequestID: r.ID, Type: jobs.DocRequestForm})
		if len(form) == 0 {
			t.Fatal("no request form filed")
		}
		s.wantText(form[len(form)-1], s.pdfText(form[len(form)-1]), "/Keuangan/laporan")
		doc, err := s.svc.Handover(s.ctx, s.staff, r.ID, jobs.HandoverOptions{})
		s.must(err)
		s.wantText(doc, s.pdfText(doc), "keuangan: /Keuangan/laporan")
	})

	t.Run("path not in the snapshot fails the request", func(t *testing.T) {
		r := s.approvedPartial(at, filepath.Join(t.TempDir(), "x"), []string{"/Keuangan/tidak-ada"})
		_, err := s.svc.RunRequest(s.ctx, s.staff, r.ID, jobs.RunRequestOptions{})
		if !errors.Is(err, engine.ErrNoSnapshot) {
			t.Fatalf("run = %v, want ErrNoSnapshot naming the missing path", err)
		}
	})

	for _, tc := range []struct {
		name string
		nr   jobs.NewRequest
	}{
		{"include on a backup request", jobs.NewRequest{Kind: jobs.KindBackup, Job: "keuangan", Reason: "x", Include: []string{"/a"}}},
		{"empty include", jobs.NewRequest{Kind: jobs.KindRestore, Job: "keuangan", RequestedAt: at, Reason: "x", Include: []string{" "}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.svc.CreateRequest(s.ctx, s.siti, tc.nr); err == nil {
				t.Fatal("CreateRequest accepted it, want an error")
			}
		})
	}
}

func (s *sop) approvedPartial(asOf time.Time, target string, include []string) jobs.Request {
	s.t.Helper()
	r, err := s.svc.CreateRequest(s.ctx, s.siti, jobs.NewRequest{Kind: jobs.KindRestore, Job: "keuangan", RequestedAt: asOf,
		Target: target, Include: include, Reason: "Satu folder terhapus"})
	s.must(err)
	_, err = s.svc.SubmitRequest(s.ctx, s.siti, r.ID)
	s.must(err)
	r, err = s.svc.ApproveRequest(s.ctx, s.mgr, r.ID, jobs.RequestRev(s.svc, r.ID))
	s.must(err)
	return r
}
