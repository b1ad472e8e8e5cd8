package jobs

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"cadang/engine"
	"cadang/pdfdoc"
	"cadang/pdfdoc/pdftest"
	"cadang/store"
)

// englishLeftovers are words and phrases that, in an Indonesian document,
// can only be English left untranslated: the catalog's status words, the
// overrun and missed-run notes, replica states, the system's error
// messages, and an unexplained system message ("pesan asli"). The English
// subtitles printed under Indonesian labels by design use none of them.
var englishLeftovers = regexp.MustCompile(`\b(ok|missed|success|warnings:|finished after|window closed|was not running|catch up with|` +
	`permission denied|no such file|input/output error|content differs|not approved|snapshots behind|up to date|never synced|` +
	`handed-over|awaiting-signatures|pesan asli|kept in the Cadang catalog)\b`)

// Must show 2 (issue 11): every PDF the procedure files, read back with
// pdftotext: the request form at submission and at each decision, the
// schedule records, the handover form and its states, a 50,000-file
// verification report of at most ten pages with its CSV registered, every
// page's QR code decoded back to its number and code, and no English left
// in an Indonesian document.
func TestPaperTrailReadBack(t *testing.T) {
	f := newFixture(t)
	p := &paperTrail{t: t, f: f}
	p.scheduleDecided()
	p.nightWithOverrunAndWarnings()
	p.missedNight()
	p.backupRequestRejected()
	restore := p.restoreOf50000Files()
	p.handedOverWhenSigned(restore)
	if _, err := f.svc.FileHistoryReport(f.ctx, f.staff, start.AddDate(0, 0, -1), f.clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	p.everyDocumentReadsBack()
}

type paperTrail struct {
	t *testing.T
	f *fixture
}

func (p *paperTrail) docs(filter DocumentFilter) []Document {
	p.t.Helper()
	d, err := p.f.svc.Documents(p.f.ctx, p.f.staff, filter)
	if err != nil {
		p.t.Fatal(err)
	}
	return d
}

func (p *paperTrail) wantText(d Document, want ...string) string {
	p.t.Helper()
	text := docText(p.t, d)
	for _, w := range want {
		if !strings.Contains(text, w) {
			p.t.Errorf("%s %s (rev %d) lacks %q:\n%s", d.Type, d.Number, d.Revision, w, text)
		}
	}
	return text
}

// SOP 5.3a–c: a schedule rejected, then approved; each decision a record.
func (p *paperTrail) scheduleDecided() {
	f, t := p.f, p.t
	spec := JobSpec{Name: "keuangan", Sources: []string{f.src}, Repository: t.TempDir(), Retention: Retention{KeepLast: 10, KeepDaily: 30},
		Schedule: Schedule{Kind: ScheduleWindow, WindowStart: "21:00", WindowEnd: "23:00"}}
	f.define(t, spec)
	if _, err := f.svc.SubmitJob(f.ctx, f.staff, "keuangan"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RejectJob(f.ctx, f.mgr, "keuangan", "Retensi harian terlalu pendek"); err != nil {
		t.Fatal(err)
	}
	f.approve(t, "keuangan")
	recs := p.docs(DocumentFilter{Type: DocScheduleRecord})
	if len(recs) != 2 {
		t.Fatalf("%d schedule records, want 2", len(recs))
	}
	p.wantText(recs[0], "Jadwal Back up", "Ditolak oleh", "Retensi harian terlalu pendek", "( Full yoga )", "( Full gideon )")
	p.wantText(recs[1], "Jadwal Back up", "Disetujui oleh", "Setiap hari, dalam jendela 21:00–23:00", "Simpan 10 terakhir, 30 harian")
}

// A scheduled night that overran its window and could not read a file.
func (p *paperTrail) nightWithOverrunAndWarnings() {
	f, t := p.f, p.t
	j, err := f.svc.catalog.JobByName(f.ctx, "keuangan")
	if err != nil {
		t.Fatal(err)
	}
	slot := time.Date(2026, 3, 2, 21, 0, 0, 0, time.Local)
	f.clock.Advance(slot.Sub(f.clock.Now()))
	f.eng.warnings = []engine.Warning{{Path: f.src + "/Gaji Karyawan.xlsx", Err: "open " + f.src + "/Gaji Karyawan.xlsx: permission denied"}}
	f.eng.onBackup = func() { f.clock.Advance(2*time.Hour + 30*time.Minute) }
	run, err := f.svc.runBackup(f.ctx, j.ID, runSpec{trigger: TriggerSchedule, actor: f.staff.Name, scheduled: store.Run{ScheduledAt: slot}})
	f.eng.warnings, f.eng.onBackup = nil, nil
	if err != nil || !run.Overrun || run.Status != RunWarnings {
		t.Fatalf("overrun night: %+v, %v", run, err)
	}
	rep := p.docs(DocumentFilter{RunID: run.ID})
	if len(rep) != 1 {
		t.Fatalf("reports of the night: %+v", rep)
	}
	p.wantText(rep[0], "SELESAI DENGAN PERINGATAN", "Pelaksanaan selesai setelah jendela waktunya ditutup (pukul 23:00)",
		"akses ditolak", "2 j 30 m 00 d")
}

// A night the workstation was off.
func (p *paperTrail) missedNight() {
	f, t := p.f, p.t
	j, err := f.svc.catalog.JobByName(f.ctx, "keuangan")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(24 * time.Hour)
	if err := f.svc.markMissed(f.ctx, j, time.Date(2026, 3, 3, 21, 0, 0, 0, time.Local)); err != nil {
		t.Fatal(err)
	}
	reps := p.docs(DocumentFilter{Type: DocExecutionReport})
	p.wantText(reps[len(reps)-1], "TERLEWAT (TIDAK BERJALAN)", "Cadang tidak berjalan selama jendela waktu pekerjaan ini")
}

// SOP 5.2: a backup request printed at submission, then rejected.
func (p *paperTrail) backupRequestRejected() {
	f, t := p.f, p.t
	r := f.ask(t, NewRequest{Kind: KindBackup, Job: "keuangan", RequestedAt: f.clock.Now().Add(2 * time.Hour), Reason: "Sebelum tutup buku"})
	forms := p.docs(DocumentFilter{RequestID: r.ID, Type: DocRequestForm})
	if len(forms) != 1 || forms[0].Revision != 0 {
		t.Fatalf("request forms at submission: %+v", forms)
	}
	p.wantText(forms[0], "Form Permintaan Back up / Restore", "Status Diajukan / Submitted", "( Full siti )", "Departemen Keuangan",
		"Diajukan oleh Diperiksa oleh Disetujui oleh")
	if _, err := f.svc.RejectRequest(f.ctx, f.mgr, r.ID, "Bentrok dengan jendela malam"); err != nil {
		t.Fatal(err)
	}
	forms = p.docs(DocumentFilter{RequestID: r.ID, Type: DocRequestForm})
	if len(forms) != 2 || forms[1].Number != forms[0].Number || forms[1].Revision != 1 {
		t.Fatalf("request forms after the decision: %+v", forms)
	}
	p.wantText(forms[1], "Status Ditolak / Rejected", "Ditolak oleh", "Bentrok dengan jendela malam", "( Full gideon )")
}

// SOP 5.4a–d: a restore of 50,000 files, verified; its report stays short
// and its complete list is a registered CSV.
func (p *paperTrail) restoreOf50000Files() Request {
	f, t := p.f, p.t
	const extra = 49_999 // and data/laporan.txt
	f.eng.moreChecks = func() []engine.FileCheck {
		out := make([]engine.FileCheck, extra)
		for i := range out {
			h := sha256.Sum256([]byte(fmt.Sprint(i)))
			sum := hex.EncodeToString(h[:])
			out[i] = engine.FileCheck{Path: fmt.Sprintf("data/Arsip/%d/Bulan %02d/Dokumen %05d.pdf", 2020+i%6, 1+i%12, i),
				Size: int64(10_000 + i), Want: sum, Got: sum, OK: true}
		}
		return out
	}
	defer func() { f.eng.moreChecks = nil }()
	f.run(t, "keuangan")
	f.clock.Advance(time.Minute)
	r := f.ask(t, NewRequest{Kind: KindRestore, Job: "keuangan", RequestedAt: f.clock.Now(), Target: t.TempDir(), Reason: "Arsip tertimpa"})
	forms := p.docs(DocumentFilter{RequestID: r.ID, Type: DocRequestForm})
	p.wantText(forms[0], "Form Permintaan Back up / Restore", "Status Diajukan / Submitted")
	f.approveRequest(t, r.ID)
	forms = p.docs(DocumentFilter{RequestID: r.ID, Type: DocRequestForm})
	if len(forms) != 2 {
		t.Fatalf("request forms after approval: %d", len(forms))
	}
	p.wantText(forms[1], "Status Disetujui / Approved", "Disetujui oleh")
	r, err := f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{})
	if err != nil || r.State != RequestVerified {
		t.Fatalf("restore: %s, %v", r.State, err)
	}
	ver := p.docs(DocumentFilter{RequestID: r.ID, Type: DocVerificationReport})
	lists := p.docs(DocumentFilter{RequestID: r.ID, Type: DocVerificationList})
	if len(ver) != 1 || len(lists) != 1 || lists[0].Of != ver[0].Number || lists[0].Number != ver[0].Number+"-LAMP" {
		t.Fatalf("verification report %+v, list %+v", ver, lists)
	}
	b := mustRead(t, ver[0].Path)
	if info := pdftest.ReadInfo(t, b); info.Pages > 10 {
		t.Errorf("a 50,000-file verification report of %d pages, want at most 10", info.Pages)
	}
	p.wantText(ver[0], "Jumlah file 50.000", "HASIL VERIFIKASI: SESUAI", lists[0].Number, lists[0].SHA256, "HASIL VERIFIKASI PER FOLDER")
	csvBytes := mustRead(t, lists[0].Path)
	if sum := sha256.Sum256(csvBytes); hex.EncodeToString(sum[:]) != lists[0].SHA256 {
		t.Error("the list's registered SHA-256 is not its file's")
	}
	rd := csv.NewReader(strings.NewReader(string(csvBytes)))
	rd.Comma = ';'
	rows, err := rd.ReadAll()
	if err != nil || len(rows) != 50_001 {
		t.Errorf("the list has %d rows (%v), want a header and 50,000 files", len(rows), err)
	}
	if _, err := f.svc.VerifyDocument(f.ctx, f.staff, lists[0].Path); err != nil {
		t.Errorf("the list does not verify: %v", err)
	}
	return r
}

// SOP 5.4e: printing the form waits for signatures; the signed scan hands over.
func (p *paperTrail) handedOverWhenSigned(r Request) {
	f, t := p.f, p.t
	form, err := f.svc.Handover(f.ctx, f.staff, r.ID, HandoverOptions{Receiver: "Siti Rahmawati"})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.request(t, r.ID); got.State != RequestAwaitingSignatures {
		t.Errorf("after printing the handover form: %s, want %s", got.State, RequestAwaitingSignatures)
	}
	p.wantText(form, "Form Serah Terima Data", "( Full yoga ) ( Siti Rahmawati )", "Jabatan : IT Staff Jabatan : Departemen Keuangan")
	if _, err := f.svc.AttachSigned(f.ctx, f.staff, form.Number, scanPDF(t, "ttd")); err != nil {
		t.Fatal(err)
	}
	if got := f.request(t, r.ID); got.State != RequestHandedOver {
		t.Errorf("after the signed scan: %s, want %s", got.State, RequestHandedOver)
	}
}

// Every PDF: its text has no English leftover, and each page's QR code
// decodes to its number, revision and code, which verify.
func (p *paperTrail) everyDocumentReadsBack() {
	f, t := p.f, p.t
	seen := map[string]bool{}
	for _, d := range p.docs(DocumentFilter{}) {
		seen[d.Type] = true
		if d.Type == DocSignedScan || d.Type == DocVerificationList {
			continue
		}
		b := mustRead(t, d.Path)
		if d.Lang == string(pdfdoc.Indonesian) {
			if m := englishLeftovers.FindAllString(pdftest.Text(t, b), -1); len(m) > 0 {
				t.Errorf("%s %s (Indonesian) has English left: %q", d.Type, d.Number, m)
			}
		}
		want := pdfdoc.QRPayload(pdfdoc.Meta{Number: d.Number, Revision: d.Revision, VerifyCode: d.VerifyCode})
		for i, codes := range pdftest.QRCodes(t, b) {
			if len(codes) != 1 || codes[0] != want {
				t.Errorf("%s %s page %d: QR %q, want %q", d.Type, d.Number, i+1, codes, want)
				continue
			}
			if got, err := f.svc.VerifyDocumentCode(f.ctx, f.dept, codes[0]); err != nil || got.ID != d.ID {
				t.Errorf("%s %s page %d: the scanned QR code does not verify: %v", d.Type, d.Number, i+1, err)
			}
		}
	}
	for _, typ := range DocumentTypes() {
		if !seen[typ] {
			t.Errorf("no %s filed in the paper trail", typ)
		}
	}
}
