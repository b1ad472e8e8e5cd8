package jobs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cadang/internal/statetest"
)

// SOP 5.4e: a request whose handover form was printed is handed over when
// the signed scan is attached, or when the IT manager records, with a
// reason, that it was handed over on paper. Nobody else, no blank reason,
// and no request whose form was not printed for signing.
func TestPaperHandoverIsTheManagersWithAReason(t *testing.T) {
	tests := []struct {
		name    string
		print   bool // the handover form was printed
		as      func(f *fixture) User
		reason  string
		refused bool
	}{
		{"manager with a reason", true, func(f *fixture) User { return f.mgr }, "Pemindai rusak; formulir bertanda tangan disimpan di map FRM-IT-002-04", false},
		{"staff", true, func(f *fixture) User { return f.staff }, "pemindai rusak", true},
		{"department user", true, func(f *fixture) User { return f.dept }, "pemindai rusak", true},
		{"manager without a reason", true, func(f *fixture) User { return f.mgr }, "  ", true},
		{"form never printed", false, func(f *fixture) User { return f.mgr }, "pemindai rusak", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := f.restoreVerified(t, f.dept)
			if tt.print {
				if _, err := f.svc.Handover(f.ctx, f.staff, r.ID, HandoverOptions{Receiver: "Siti Rahmawati"}); err != nil {
					t.Fatal(err)
				}
			}
			before := f.request(t, r.ID).State
			got, err := f.svc.RecordPaperHandover(f.ctx, tt.as(f), r.ID, tt.reason)
			if tt.refused {
				if !errors.Is(err, ErrRefused) {
					t.Fatalf("RecordPaperHandover: %v, want a refusal", err)
				}
				if now := f.request(t, r.ID).State; now != before {
					t.Errorf("a refused paper handover moved the request from %s to %s", before, now)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.State != RequestHandedOver {
				t.Errorf("after the paper handover: %s, want %s", got.State, RequestHandedOver)
			}
			entries, err := f.svc.Audit(f.ctx, f.mgr, AuditFilter{Object: requestObject(r.ID)})
			if err != nil {
				t.Fatal(err)
			}
			last := entries[len(entries)-1]
			if last.Action != "request.handover.paper" || last.Actor != f.mgr.Name || last.Detail != tt.reason ||
				last.FromState != RequestAwaitingSignatures || last.ToState != RequestHandedOver {
				t.Errorf("the paper handover's audit entry is %+v", last)
			}
		})
	}
}

// SOP 5.4e: the handover form dates what IT did (the giver's block) and
// leaves the receiver's date blank for the pen: the department dates its
// signature when it signs, which may be days later.
func TestHandoverFormLeavesTheReceiversDateForThePen(t *testing.T) {
	f := newFixture(t)
	r := f.restoreVerified(t, f.dept)
	form, err := f.svc.Handover(f.ctx, f.staff, r.ID, HandoverOptions{Receiver: "Siti Rahmawati"})
	if err != nil {
		t.Fatal(err)
	}
	today := f.clock.Now().Format("02/01/2006")
	text := docText(t, form)
	signatures := text[strings.LastIndex(text, "TANDA TANGAN"):]
	dated := regexp.MustCompile(`Tanggal : (\d\d/\d\d/\d{4})?`).FindAllStringSubmatch(signatures, -1)
	if len(dated) != 2 || dated[0][1] != today || dated[1][1] != "" {
		t.Errorf("the signature blocks' dates are %q, want the giver's %s and the receiver's blank:\n%s", dated, today, signatures)
	}
}

// Gap: the handover form's witness ("Mengetahui") printed the name typed
// when printing and never a title, even for someone with an account. Names
// and titles come from the account, by login or full name; anyone else
// prints as typed with the title left for the pen.
func TestHandoverWitnessIsTheAccountsNameAndTitle(t *testing.T) {
	tests := []struct {
		witness string
		want    string // the three blocks' names, then their titles
	}{
		{"gideon", "( Full yoga ) ( Siti Rahmawati ) ( Full gideon ) Jabatan : IT Staff Jabatan : Departemen Keuangan Jabatan : IT Manager"},
		{"full GIDEON", "( Full gideon ) Jabatan : IT Staff Jabatan : Departemen Keuangan Jabatan : IT Manager"},
		{"Bambang Hartono", "( Bambang Hartono ) Jabatan : IT Staff Jabatan : Departemen Keuangan Jabatan : Tanggal"},
	}
	for _, tt := range tests {
		t.Run(tt.witness, func(t *testing.T) {
			f := newFixture(t)
			r := f.restoreVerified(t, f.dept)
			form, err := f.svc.Handover(f.ctx, f.staff, r.ID, HandoverOptions{Receiver: "Siti Rahmawati", Witness: tt.witness})
			if err != nil {
				t.Fatal(err)
			}
			if text := docText(t, form); !strings.Contains(text, tt.want) {
				t.Errorf("the signature blocks lack %q:\n%s", tt.want, text[strings.LastIndex(text, "TANDA TANGAN"):])
			}
		})
	}
}

// Hole (the audit class of issue 10, found by this round's red team): a
// signed scan was registered in one transaction and its "signed" entry and
// the handover it completes were written in others. A failure between them
// left the scan filed while the request still waited for it, and the same
// scan could not be attached again. Now all three commit together or not at
// all, and a failed attempt leaves no file in documents/.
func TestHoleSignedScanFiledWithoutItsHandover(t *testing.T) {
	f := newFixture(t)
	r := f.restoreVerified(t, f.dept)
	form, err := f.svc.Handover(f.ctx, f.staff, r.ID, HandoverOptions{Receiver: "Siti Rahmawati"})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.request(t, r.ID).State; got != RequestAwaitingSignatures {
		t.Fatalf("after printing the handover form: %s, want %s", got, RequestAwaitingSignatures)
	}
	// The request's update fails, as a full disk or a lost connection would.
	failUpdates := map[bool][]string{
		false: {`CREATE TRIGGER fail_request_update BEFORE UPDATE ON requests BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`},
		true: {`CREATE FUNCTION fail_request_update() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk trouble'; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER fail_request_update BEFORE UPDATE ON requests FOR EACH ROW EXECUTE FUNCTION fail_request_update()`},
	}
	shared := f.svc.catalog.Shared()
	for _, q := range failUpdates[shared] {
		if _, err := f.svc.catalog.Exec(f.ctx, q); err != nil {
			t.Fatalf("install the failing trigger: %v", err)
		}
	}
	seq := f.auditHead(t)
	filesBefore := documentFiles(t, f.svc.dir)
	scan := scanPDF(t, "signed by three people")
	if _, err := f.svc.AttachSigned(f.ctx, f.staff, form.Number, scan); err == nil || !strings.Contains(err.Error(), "disk trouble") {
		t.Fatalf("AttachSigned while the request cannot change: %v, want the failure", err)
	}
	if _, err := f.svc.catalog.DocumentByNumber(f.ctx, form.Number+"-TTD1"); err == nil {
		t.Error("the scan is registered although its handover failed")
	}
	if got := statetest.AuditAfter(t, f.catalogPath(), seq); len(got) != 0 {
		t.Errorf("audit entries of a failed attach: %+v, want none", got)
	}
	if got := documentFiles(t, f.svc.dir); strings.Join(got, "\n") != strings.Join(filesBefore, "\n") {
		t.Errorf("documents/ after a failed attach: %v, want it as before: %v", got, filesBefore)
	}
	if _, err := f.svc.catalog.Exec(f.ctx, `DROP TRIGGER fail_request_update`+map[bool]string{true: " ON requests"}[shared]); err != nil {
		t.Fatal(err)
	}
	doc, err := f.svc.AttachSigned(f.ctx, f.staff, form.Number, scan)
	if err != nil {
		t.Fatalf("the same scan once the catalog works again: %v", err)
	}
	if got := f.request(t, r.ID).State; got != RequestHandedOver {
		t.Errorf("after the scan %s: request %s, want %s", doc.Number, got, RequestHandedOver)
	}
	f.wantAudit(t, seq, "document.file", ActionDocumentSigned, "request.handover")
}

// documentFiles lists the files under a workspace's documents/.
func documentFiles(t *testing.T, workspace string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(workspace, "documents"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// An attachment's file is never written over an existing one: a number two
// attachments raced for keeps the winner's file, and the loser fails
// without touching it.
func TestAttachmentNeverReplacesAFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "2026", "FRM-IT-002-04_2026_0001-TTD1.pdf")
	if err := writeFileNew(path, []byte("%PDF-1.4 winner")); err != nil {
		t.Fatal(err)
	}
	if err := writeFileNew(path, []byte("%PDF-1.4 loser")); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("a second write to %s: %v, want fs.ErrExist", path, err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "%PDF-1.4 winner" {
		t.Errorf("the file after the losing write: %q, %v; want the winner's", got, err)
	}
	left, err := os.ReadDir(filepath.Dir(path))
	if err != nil || len(left) != 1 {
		t.Errorf("files beside it: %v, %v; want only the document (no temporary file left)", left, err)
	}
}
