package jobs_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"cadang/jobs"
	"cadang/pdfdoc/pdftest"
)

// sop runs SOP-IT-002 end to end on real folders, a real repository and
// real PDFs; only time is fake. Each step asserts the state it leaves.
type sop struct {
	t                *testing.T
	ctx              context.Context
	svc              *jobs.Service
	clock            *clockwork.FakeClock
	staff, mgr, siti jobs.User
	src, repo        string
}

func TestSOPIT002EndToEnd(t *testing.T) {
	s := newSOP(t)
	s.defineJob()
	reqID := s.backupRequestRejectedThenApproved()
	s.scheduledBackupRuns(reqID)
	mid := s.secondBackupAfterChange()
	s.restoreVerifiedAndHandedOver(mid)
	s.damagedRestoreRetriesThenFails()
	s.auditChainIntact()
	s.documentsVerify()
	s.runLogKept()
}

// APCA 3.1g: every backup activity is kept in a log history.
func (s *sop) runLogKept() {
	logs, err := filepath.Glob(filepath.Join(s.svc.Dir(), "logs", "*.log"))
	s.must(err)
	var all strings.Builder
	for _, l := range logs {
		b, err := os.ReadFile(l)
		s.must(err)
		all.Write(b)
	}
	text := all.String()
	for _, want := range []string{"kind=backup trigger=schedule", "status=success", "kind=restore", "status=verified", "status=failed"} {
		if !strings.Contains(text, want) {
			s.t.Errorf("run log lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "\n"); n != 4 {
		s.t.Errorf("run log has %d lines, want 4 (two backups, two restores)", n)
	}
}

func newSOP(t *testing.T) *sop { return newSOPAt(t, t.TempDir()) }

// newSOPAt sets the SOP's workspace up in dir.
func newSOPAt(t *testing.T, dir string) *sop {
	ctx := context.Background()
	start := time.Now().Truncate(time.Minute)
	clock := clockwork.NewFakeClockAt(start)
	svc, err := jobs.OpenWorkspace(ctx, dir, jobs.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	admin, err := svc.Setup(ctx, jobs.SetupOptions{Admin: "admin", Password: "admin-pass-1", Company: "PT Sefas Keliantama"})
	if err != nil {
		t.Fatal(err)
	}
	s := &sop{t: t, ctx: ctx, svc: svc, clock: clock}
	add := func(name, full, role, dept string) jobs.User {
		u, err := svc.AddUser(ctx, admin, jobs.NewUser{Name: name, FullName: full, Role: role, Department: dept, Password: name + "-pass-1"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	s.staff = add("yoga", "Yoga Samudra", jobs.RoleStaff, "IT")
	s.mgr = add("gideon", "Gideon B. Sirapanji", jobs.RoleManager, "IT")
	s.siti = add("siti", "Siti Rahmawati", jobs.RoleUser, "Keuangan")
	s.src = filepath.Join(t.TempDir(), "Keuangan")
	s.repo = filepath.Join(t.TempDir(), "repo")
	write(t, filepath.Join(s.src, "laporan", "november.txt"), []byte("Laporan November: versi 1\n"))
	big := make([]byte, 3<<20) // incompressible, so the largest pack is mostly this file
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(s.src, "arsip.bin"), big)
	return s
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func (s *sop) must(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

func (s *sop) wantState(what, got, want string) {
	s.t.Helper()
	if got != want {
		s.t.Fatalf("%s: state %s, want %s", what, got, want)
	}
}

// pdfText is the text of a filed document, via pdftotext.
func (s *sop) pdfText(d jobs.Document) string {
	s.t.Helper()
	b, err := os.ReadFile(d.Path)
	if err != nil {
		s.t.Fatal(err)
	}
	return pdftest.Text(s.t, b)
}

func (s *sop) wantText(doc jobs.Document, text string, want ...string) {
	s.t.Helper()
	flat := strings.Join(strings.Fields(text), " ")
	for _, w := range want {
		if !strings.Contains(flat, w) {
			s.t.Errorf("%s %s: text lacks %q\n%s", doc.Type, doc.Number, w, text)
		}
	}
}

func (s *sop) docs(f jobs.DocumentFilter) []jobs.Document {
	s.t.Helper()
	d, err := s.svc.Documents(s.ctx, s.staff, f)
	s.must(err)
	return d
}

// 5.1, 5.3a–b: staff defines the job from the manager's analysis; the manager approves.
func (s *sop) defineJob() {
	window := s.clock.Now().Add(6 * time.Hour)
	spec := jobs.JobSpec{Name: "keuangan", Sources: []string{s.src}, Repository: s.repo,
		Schedule: jobs.Schedule{Kind: jobs.ScheduleWindow, WindowStart: window.Format("15:04"), WindowEnd: window.Add(2 * time.Hour).Format("15:04")}}
	j, err := s.svc.CreateJob(s.ctx, s.staff, spec)
	s.must(err)
	s.wantState("new job", j.State, jobs.JobDraft)
	j, err = s.svc.SubmitJob(s.ctx, s.staff, "keuangan")
	s.must(err)
	s.wantState("submitted job", j.State, jobs.JobSubmitted)
	j, err = s.svc.ApproveJob(s.ctx, s.mgr, "keuangan", jobs.JobRev(s.svc, "keuangan"))
	s.must(err)
	s.wantState("approved job", j.State, jobs.JobApproved)
}

// 5.2, 5.3b–d: the department asks; the manager rejects; staff reschedules; the manager approves.
func (s *sop) backupRequestRejectedThenApproved() int64 {
	at := s.clock.Now().Add(30 * time.Minute)
	r, err := s.svc.CreateRequest(s.ctx, s.siti, jobs.NewRequest{Kind: jobs.KindBackup, Job: "keuangan", RequestedAt: at, Reason: "Tutup buku November"})
	s.must(err)
	s.wantState("new request", r.State, jobs.RequestDraft)
	r, err = s.svc.SubmitRequest(s.ctx, s.siti, r.ID)
	s.must(err)
	s.wantState("submitted request", r.State, jobs.RequestSubmitted)
	forms := s.docs(jobs.DocumentFilter{RequestID: r.ID, Type: jobs.DocRequestForm})
	if len(forms) != 1 || forms[0].Revision != 0 {
		s.t.Fatalf("request forms at submission = %+v, want revision 0", forms)
	}
	s.wantText(forms[0], s.pdfText(forms[0]), "Form Permintaan Back up / Restore", forms[0].Number, "Siti Rahmawati",
		"Departemen Keuangan", "Tutup buku November", "Diajukan / Submitted", "Disetujui oleh")
	r, err = s.svc.RejectRequest(s.ctx, s.mgr, r.ID, "Jam kerja: jadwalkan satu jam lagi")
	s.must(err)
	s.wantState("rejected request", r.State, jobs.RequestRejected)
	forms = s.docs(jobs.DocumentFilter{RequestID: r.ID, Type: jobs.DocRequestForm})
	if len(forms) != 2 || forms[1].Revision != 1 {
		s.t.Fatalf("request forms after rejection = %d, want 2 (revision 1)", len(forms))
	}
	s.wantText(forms[1], s.pdfText(forms[1]), "Form Permintaan Back up / Restore", forms[1].Number, "Siti Rahmawati", "Keuangan",
		"Tutup buku November", "Ditolak", "Ditolak oleh", "Jam kerja: jadwalkan satu jam lagi", "Gideon B. Sirapanji", "SOP-IT-002", "PT Sefas Keliantama", forms[1].VerifyCode)

	_, err = s.svc.ApproveRequest(s.ctx, s.mgr, r.ID, jobs.RequestRev(s.svc, r.ID))
	if !errors.Is(err, jobs.ErrRefused) {
		s.t.Fatalf("approving a rejected request: %v, want refused", err)
	}
	r, err = s.svc.RescheduleRequest(s.ctx, s.staff, r.ID, s.clock.Now().Add(time.Hour))
	s.must(err)
	s.wantState("rescheduled request", r.State, jobs.RequestSubmitted)
	r, err = s.svc.ApproveRequest(s.ctx, s.mgr, r.ID, jobs.RequestRev(s.svc, r.ID))
	s.must(err)
	s.wantState("approved request", r.State, jobs.RequestApproved)
	forms = s.docs(jobs.DocumentFilter{RequestID: r.ID, Type: jobs.DocRequestForm})
	if len(forms) != 4 || forms[3].Number != forms[0].Number || forms[3].Revision != 3 {
		s.t.Fatalf("request forms after approval = %+v, want revision 3 of %s (submitted, rejected, rescheduled, approved)", forms, forms[0].Number)
	}
	s.wantText(forms[3], s.pdfText(forms[3]), forms[0].Number, "Disetujui", "Gideon B. Sirapanji", "Yoga Samudra")
	return r.ID
}

// 5.3d–e: the request runs at its time from the scheduler and files its execution report.
func (s *sop) scheduledBackupRuns(reqID int64) {
	events, stop := s.svc.Subscribe()
	defer stop()
	sc, err := s.svc.NewScheduler(s.ctx, s.staff)
	s.must(err)
	s.must(sc.Start(s.ctx))
	s.t.Cleanup(func() { sc.Stop() })
	s.must(s.clock.BlockUntilContext(s.ctx, 3)) // the job's window, the request's one-off, the minute refresh
	s.clock.Advance(59 * time.Minute)
	r, err := s.svc.Request(s.ctx, s.staff, reqID)
	s.must(err)
	s.wantState("request a minute before its time", r.State, jobs.RequestApproved)
	s.clock.Advance(time.Minute)
	// The run finishes first, then the request records its outcome.
	var run jobs.Run
	for ev := range events {
		if ev.Kind == jobs.EventRunFinished {
			run = *ev.Run
		}
		if ev.Kind == jobs.EventRequestChanged && ev.RequestID == reqID && (ev.State == jobs.RequestCompleted || ev.State == jobs.RequestFailed) {
			break
		}
	}
	if run.Status != jobs.RunSuccess || run.RequestID != reqID || run.Trigger != jobs.TriggerSchedule || run.FilesNew != 2 {
		s.t.Fatalf("scheduled run = %+v", run)
	}
	r, err = s.svc.Request(s.ctx, s.staff, reqID)
	s.must(err)
	s.wantState("request after its run", r.State, jobs.RequestCompleted)
	s.wantPath(reqID, "draft submitted rejected submitted approved running completed")
	rep := s.docs(jobs.DocumentFilter{RunID: run.ID})
	if len(rep) != 1 || rep[0].Type != jobs.DocExecutionReport {
		s.t.Fatalf("execution reports = %+v", rep)
	}
	s.wantText(rep[0], s.pdfText(rep[0]), "keuangan", "STATUS PELAKSANAAN: BERHASIL", run.SnapshotID[:8], r.Number, s.repo)
	s.must(sc.Stop())
}

// A second, manual backup after the data changed; returns a time between the two.
func (s *sop) secondBackupAfterChange() time.Time {
	mid := time.Now() // the engine stamps snapshots with the real clock
	write(s.t, filepath.Join(s.src, "laporan", "november.txt"), []byte("Laporan November: versi 2 (salah edit)\n"))
	run, err := s.svc.RunJob(s.ctx, s.staff, "keuangan", jobs.RunOptions{})
	s.must(err)
	if run.Status != jobs.RunSuccess || run.FilesChanged != 1 {
		s.t.Fatalf("second backup = %+v, want one changed file", run)
	}
	return mid
}

// 5.4a–e: restore of a past date, verified, handed over.
func (s *sop) restoreVerifiedAndHandedOver(asOf time.Time) {
	target := filepath.Join(s.t.TempDir(), "pulih")
	r := s.approvedRestore(asOf, target)
	r, err := s.svc.RunRequest(s.ctx, s.staff, r.ID, jobs.RunRequestOptions{})
	s.must(err)
	s.wantState("clean restore", r.State, jobs.RequestVerified)
	if r.Attempts != 1 {
		s.t.Errorf("clean restore took %d attempts, want 1", r.Attempts)
	}
	got, err := os.ReadFile(filepath.Join(target, "Keuangan", "laporan", "november.txt"))
	s.must(err)
	if string(got) != "Laporan November: versi 1\n" {
		s.t.Fatalf("restored %q, want the version as of the requested time", got)
	}
	ver := s.docs(jobs.DocumentFilter{RequestID: r.ID, Type: jobs.DocVerificationReport})
	if len(ver) != 1 {
		s.t.Fatalf("verification reports = %d", len(ver))
	}
	s.wantText(ver[0], s.pdfText(ver[0]), "november.txt", "arsip.bin", r.SnapshotID[:8])
	_, err = s.svc.Handover(s.ctx, s.siti, r.ID, jobs.HandoverOptions{})
	if !errors.Is(err, jobs.ErrRefused) {
		s.t.Fatalf("department user hands over: %v, want refused", err)
	}
	doc, err := s.svc.Handover(s.ctx, s.staff, r.ID, jobs.HandoverOptions{Notes: "Diserahkan di ruang server"})
	s.must(err)
	r, err = s.svc.Request(s.ctx, s.staff, r.ID)
	s.must(err)
	s.wantState("after printing the handover form", r.State, jobs.RequestAwaitingSignatures)
	s.wantText(doc, s.pdfText(doc), "Serah Terima", doc.Number, r.Number, "Siti Rahmawati", "Yoga Samudra", target, "Diserahkan di ruang server")
	scan := filepath.Join(s.t.TempDir(), "scan.pdf")
	write(s.t, scan, []byte("%PDF-1.4\n% a scanner's image of the signed form\n%%EOF\n"))
	signed, err := s.svc.AttachSigned(s.ctx, s.staff, doc.Number, scan)
	s.must(err)
	if signed.Type != jobs.DocSignedScan || signed.Of != doc.Number {
		s.t.Errorf("signed scan registered as %s of %q, want %s of %s", signed.Type, signed.Of, jobs.DocSignedScan, doc.Number)
	}
	r, err = s.svc.Request(s.ctx, s.staff, r.ID)
	s.must(err)
	s.wantState("after the signed form is attached", r.State, jobs.RequestHandedOver)
	s.wantPath(r.ID, "draft submitted approved preparing restoring verifying verified awaiting-signatures handed-over")
}

func (s *sop) approvedRestore(asOf time.Time, target string) jobs.Request {
	s.t.Helper()
	r, err := s.svc.CreateRequest(s.ctx, s.siti, jobs.NewRequest{Kind: jobs.KindRestore, Job: "keuangan", RequestedAt: asOf, Target: target, Reason: "Laporan tertimpa"})
	s.must(err)
	_, err = s.svc.RunRequest(s.ctx, s.staff, r.ID, jobs.RunRequestOptions{})
	if !errors.Is(err, jobs.ErrRefused) {
		s.t.Fatalf("running an unapproved restore: %v, want refused", err)
	}
	_, err = s.svc.SubmitRequest(s.ctx, s.siti, r.ID)
	s.must(err)
	r, err = s.svc.ApproveRequest(s.ctx, s.mgr, r.ID, jobs.RequestRev(s.svc, r.ID))
	s.must(err)
	s.wantState("approved restore", r.State, jobs.RequestApproved)
	return r
}

// statePath is the request's states in audit order (refused attempts change nothing).
func (s *sop) statePath(id int64) string {
	s.t.Helper()
	entries, err := s.svc.Audit(s.ctx, s.mgr, jobs.AuditFilter{Object: fmt.Sprintf("request#%d", id)})
	s.must(err)
	var path []string
	for _, e := range entries {
		if e.Action != "run.refused" {
			path = append(path, e.ToState)
		}
	}
	return strings.Join(path, " ")
}

func (s *sop) wantPath(id int64, want string) {
	s.t.Helper()
	if got := s.statePath(id); got != want {
		s.t.Errorf("request #%d states:\n got %s\nwant %s", id, got, want)
	}
}

// 5.4c–d: a damaged chunk makes the check fail; Cadang restores again, then gives up.
func (s *sop) damagedRestoreRetriesThenFails() {
	damageLargestPack(s.t, s.repo)
	target := filepath.Join(s.t.TempDir(), "pulih-2")
	r := s.approvedRestore(time.Now(), target)
	r, err := s.svc.RunRequest(s.ctx, s.staff, r.ID, jobs.RunRequestOptions{})
	if err == nil {
		s.t.Fatal("restore from a damaged repository reported success")
	}
	s.wantState("damaged restore", r.State, jobs.RequestFailed)
	if r.Attempts != 3 {
		s.t.Errorf("attempts = %d, want 3", r.Attempts)
	}
	s.wantPath(r.ID, "draft submitted approved preparing restoring verifying restoring verifying restoring verifying failed")
	ver := s.docs(jobs.DocumentFilter{RequestID: r.ID, Type: jobs.DocVerificationReport})
	if len(ver) != 1 {
		s.t.Fatalf("verification reports = %d", len(ver))
	}
	s.wantText(ver[0], s.pdfText(ver[0]), "arsip.bin", "Gagal")
	if _, err := s.svc.Handover(s.ctx, s.staff, r.ID, jobs.HandoverOptions{}); !errors.Is(err, jobs.ErrRefused) {
		s.t.Errorf("handover of a failed restore: %v, want refused", err)
	}
}

// damageLargestPack flips one byte in the middle of the largest pack file:
// one data chunk of the big file no longer matches its hash.
func damageLargestPack(t *testing.T, repo string) {
	t.Helper()
	var largest string
	var size int64
	err := filepath.Walk(filepath.Join(repo, "packs"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && info.Size() > size {
			largest, size = p, info.Size()
		}
		return err
	})
	if err != nil || largest == "" {
		t.Fatalf("no pack to damage in %s: %v", repo, err)
	}
	b, err := os.ReadFile(largest)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x5a
	if err := os.WriteFile(largest, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func (s *sop) auditChainIntact() {
	rep, err := s.svc.VerifyAudit(s.ctx, s.mgr)
	s.must(err)
	if !rep.OK() || rep.Entries < 40 {
		s.t.Errorf("audit chain: %d entries, problems %+v", rep.Entries, rep.Problems)
	}
}

func (s *sop) documentsVerify() {
	all := s.docs(jobs.DocumentFilter{})
	types := map[string]int{}
	for _, d := range all {
		types[d.Type]++
		if d.Type != jobs.DocSignedScan && d.Type != jobs.DocVerificationList {
			s.wantText(d, s.pdfText(d), d.Number, d.VerifyCode, "SOP-IT-002", "Supporting Directorate", "Prosedur Back up dan Restore Database")
		}
		if _, err := s.svc.VerifyDocument(s.ctx, s.staff, d.Path); err != nil {
			s.t.Errorf("registered %s does not verify: %v", d.Number, err)
		}
		if _, err := s.svc.VerifyDocumentCode(s.ctx, s.staff, d.VerifyCode); err != nil {
			s.t.Errorf("the code of registered %s does not verify: %v", d.Number, err)
		}
	}
	for _, typ := range []string{jobs.DocRequestForm, jobs.DocExecutionReport, jobs.DocVerificationReport, jobs.DocHandoverForm} {
		if types[typ] == 0 {
			s.t.Errorf("no %s filed", typ)
		}
	}
	b, err := os.ReadFile(all[0].Path)
	s.must(err)
	changed := filepath.Join(s.t.TempDir(), "changed.pdf")
	write(s.t, changed, append(b, '\n'))
	if _, err := s.svc.VerifyDocument(s.ctx, s.staff, changed); !errors.Is(err, jobs.ErrDocumentMismatch) {
		s.t.Errorf("changed PDF: %v, want ErrDocumentMismatch", err)
	}
	write(s.t, all[0].Path, append(b, '\n')) // the filed copy itself altered
	_, err = s.svc.VerifyDocument(s.ctx, s.staff, all[0].Path)
	if !errors.Is(err, jobs.ErrDocumentMismatch) || !strings.Contains(err.Error(), "changed after filing") || !strings.Contains(err.Error(), all[0].Number) {
		s.t.Errorf("altered filed PDF: %v, want a mismatch naming %s", err, all[0].Number)
	}
}
