package jobs

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cadang/internal/statetest"
	"cadang/pdfdoc"
	"cadang/pdfdoc/pdftest"
	"cadang/reports"
	"cadang/store"
)

// fileHistory files a history report: a document that needs no job.
func (f *fixture) fileHistory(t *testing.T) Document {
	t.Helper()
	d, err := f.svc.FileHistoryReport(f.ctx, f.staff, start.AddDate(0, 0, -7), start)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// scanPDF is what a scanner makes of the signed paper: a PDF that is not
// Cadang's own output.
func scanPDF(t *testing.T, note string) string {
	return writeTemp(t, "scan.pdf", []byte("%PDF-1.4\n%scanner "+note+"\n1 0 obj <</Producer (ScanSnap)>> endobj\n%%EOF\n"))
}

// Hole: AttachSigned registered any file starting with %PDF- as the next
// revision of any document number.
func TestAttachSignedRefusesWhatIsNotAScanOfTheDocument(t *testing.T) {
	f := newFixture(t)
	orig, other := f.fileHistory(t), f.fileHistory(t)
	origBytes, err := os.ReadFile(orig.Path)
	if err != nil {
		t.Fatal(err)
	}
	otherBytes, err := os.ReadFile(other.Path)
	if err != nil {
		t.Fatal(err)
	}
	var foreign bytes.Buffer // Cadang's PDF for a number this register never filed
	err = reports.WriteHistoryReport(&foreign, reports.HistoryReport{Meta: pdfdoc.Meta{Number: "FRM-IT-002-05/2026/0999",
		VerifyCode: "X", Generated: start}, From: start.AddDate(0, 0, -1), To: start})
	if err != nil {
		t.Fatal(err)
	}
	first, err := f.svc.AttachSigned(f.ctx, f.staff, orig.Number, scanPDF(t, "one"))
	if err != nil {
		t.Fatal(err)
	}
	firstBytes, err := os.ReadFile(first.Path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, number, file, want string
	}{
		{"not a PDF", orig.Number, writeTemp(t, "scan.jpg", []byte("\xff\xd8\xff\xe0 JFIF")), "not a PDF"},
		{"a PDF cut short", orig.Number, writeTemp(t, "cut.pdf", []byte("%PDF-1.4\n1 0 obj")), "not a complete PDF"},
		{"the unsigned original", orig.Number, writeTemp(t, "orig.pdf", origBytes), "unsigned original"},
		{"another registered document", orig.Number, writeTemp(t, "other.pdf", otherBytes), "registered document " + other.Number},
		{"Cadang's PDF of another number", orig.Number, writeTemp(t, "foreign.pdf", foreign.Bytes()), "Cadang's document FRM-IT-002-05/2026/0999"},
		{"a scan already attached", orig.Number, writeTemp(t, "again.pdf", firstBytes), "already registered as " + first.Number},
		{"an unregistered number", "FRM-IT-002-01/2026/0404", scanPDF(t, "two"), "no document FRM-IT-002-01/2026/0404"},
		{"a scan of a scan", first.Number, scanPDF(t, "three"), "attach the scan to the document it belongs to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := f.svc.catalog.Documents(f.ctx, store.DocumentFilter{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.AttachSigned(f.ctx, f.staff, tt.number, tt.file)
			if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a refusal saying %q", err, tt.want)
			}
			after, err := f.svc.catalog.Documents(f.ctx, store.DocumentFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before) {
				t.Errorf("register grew from %d to %d entries on a refusal", len(before), len(after))
			}
		})
	}
	if _, err := f.svc.AttachSigned(f.ctx, f.dept, orig.Number, scanPDF(t, "four")); !errors.Is(err, ErrRefused) {
		t.Errorf("a department user attaches a scan: %v, want refused", err)
	}
}

// Hole: a signed scan replaced the generated original as its next
// revision. It is its own entry; the original stays as filed.
func TestSignedScanIsItsOwnEntryNeverARevision(t *testing.T) {
	f := newFixture(t)
	orig := f.fileHistory(t)
	origSum := orig.SHA256
	f.clock.Advance(26 * time.Hour)
	scan := scanPDF(t, "signed by three people")
	scanBytes, err := os.ReadFile(scan)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.AttachSigned(f.ctx, f.mgr, orig.Number, scan)
	if err != nil {
		t.Fatal(err)
	}
	wantSum := sha256.Sum256(scanBytes)
	checks := []struct{ what, got, want string }{
		{"type", got.Type, DocSignedScan},
		{"kind", got.Kind, "signed scan of " + orig.Number},
		{"of", got.Of, orig.Number},
		{"filed by", got.FiledBy, f.mgr.Name},
		{"date", got.Date.Format(time.RFC3339), f.clock.Now().Format(time.RFC3339)},
		{"sha256", got.SHA256, hex.EncodeToString(wantSum[:])},
		{"number", got.Number, orig.Number + "-TTD1"},
		{"revision", strconv.Itoa(got.Revision), "0"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	newest, err := f.svc.catalog.DocumentByNumber(f.ctx, orig.Number)
	if err != nil {
		t.Fatal(err)
	}
	if newest.Revision != 0 || newest.SHA256 != origSum || newest.Type != DocHistoryReport {
		t.Errorf("the original became revision %d (%s, %s); want revision 0 as filed", newest.Revision, newest.Type, newest.SHA256)
	}
	if _, err := f.svc.VerifyDocument(f.ctx, f.staff, orig.Path); err != nil {
		t.Errorf("the original no longer verifies: %v", err)
	}
	if _, err := f.svc.VerifyDocument(f.ctx, f.staff, scan); err != nil {
		t.Errorf("the scan does not verify against its own entry: %v", err)
	}
	signed, err := f.svc.SignedDocuments(f.ctx, f.staff)
	if err != nil || !signed[orig.Number] || len(signed) != 1 {
		t.Errorf("signed documents = %v, %v; want only %s", signed, err, orig.Number)
	}
	second, err := f.svc.AttachSigned(f.ctx, f.staff, orig.Number, scanPDF(t, "a better scan"))
	if err != nil || second.Number != orig.Number+"-TTD2" {
		t.Errorf("second scan: %s, %v; want %s-TTD2", second.Number, err, orig.Number)
	}
}

// Hole: the verification code was 32 random bits, bound to nothing. It is
// now derived, under the workspace's document key, from the content record
// beside the PDF, the type, the number and the revision.
func TestVerificationCodeIsDerivedFromContentAndNumber(t *testing.T) {
	f := newFixture(t)
	d := f.fileHistory(t)
	record, err := os.ReadFile(strings.TrimSuffix(d.Path, ".pdf") + contentSuffix)
	if err != nil {
		t.Fatalf("content record: %v", err)
	}
	keyHex, err := os.ReadFile(filepath.Join(f.svc.Dir(), filepath.FromSlash(DefaultDocumentKeyFile)))
	if err != nil {
		t.Fatal(err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(keyHex)))
	if err != nil {
		t.Fatal(err)
	}
	// Recompute the code as docs/PROCEDURE.md says, without Cadang's helpers.
	contentSum := sha256.Sum256(record)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("cadang document code v1\n" + d.Type + "\n" + d.Number + "\n0\n" + hex.EncodeToString(contentSum[:]) + "\n"))
	enc := codeAlphabet.EncodeToString(mac.Sum(nil)[:10])
	want := enc[:4] + "-" + enc[4:8] + "-" + enc[8:12] + "-" + enc[12:]
	if d.VerifyCode != want {
		t.Fatalf("code %s, want %s derived from the content record", d.VerifyCode, want)
	}
	if !bytes.Contains(record, []byte(`"number": "`+d.Number+`"`)) || !bytes.Contains(record, []byte(`"VerifyCode": ""`)) {
		t.Errorf("content record lacks the number or has a code in it:\n%s", record)
	}
	if other := documentCode(key, d.Type, "FRM-IT-002-05/2026/0002", 0, hex.EncodeToString(contentSum[:])); other == d.VerifyCode {
		t.Error("the same content under another number gives the same code")
	}
	if again := documentCode(key, d.Type, d.Number, 1, hex.EncodeToString(contentSum[:])); again == d.VerifyCode {
		t.Error("the same content as another revision gives the same code")
	}

	// The content record changed (say, to claim other facts) no longer verifies.
	path := strings.TrimSuffix(d.Path, ".pdf") + contentSuffix
	if err := os.WriteFile(path, bytes.Replace(record, []byte(`"Number"`), []byte(`"number "`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.VerifyDocumentCode(f.ctx, f.staff, d.VerifyCode); !errors.Is(err, ErrDocumentMismatch) || !strings.Contains(err.Error(), "content record") {
		t.Errorf("changed content record: %v, want a mismatch naming the content record", err)
	}
	if err := os.WriteFile(path, record, 0o600); err != nil {
		t.Fatal(err)
	}
	// A register row rewritten by someone without the key fails: a new code
	// that Cadang did not derive, or the file replaced with its SHA-256.
	db := f.svc.catalog
	if _, err := db.Exec(f.ctx, `UPDATE documents SET verify_code='AAAA-BBBB-CCCC-DDDD' WHERE id=?`, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.VerifyDocumentCode(f.ctx, f.staff, "aaaa bbbb cccc dddd"); !errors.Is(err, ErrDocumentMismatch) || !strings.Contains(err.Error(), "not the one derived") {
		t.Errorf("a code written into the catalog: %v, want a mismatch", err)
	}
	if _, err := db.Exec(f.ctx, `UPDATE documents SET verify_code=? WHERE id=?`, d.VerifyCode, d.ID); err != nil {
		t.Fatal(err)
	}
	forged := append(mustRead(t, d.Path), []byte("% forged\n")...)
	if err := os.WriteFile(d.Path, forged, 0o600); err != nil {
		t.Fatal(err)
	}
	fs := sha256.Sum256(forged)
	if _, err := db.Exec(f.ctx, `UPDATE documents SET sha256=? WHERE id=?`, hex.EncodeToString(fs[:]), d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.VerifyDocument(f.ctx, f.staff, d.Path); !errors.Is(err, ErrDocumentMismatch) || !strings.Contains(err.Error(), "seal") {
		t.Errorf("a replaced file with its SHA-256 in the register: %v, want a seal mismatch", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A code typed from paper is checked without the file: in any case, with
// or without dashes, with O for 0; an unknown code or an altered filed
// copy fails.
func TestCodeTypedFromPaperVerifiesWithoutTheFile(t *testing.T) {
	f := newFixture(t)
	d := f.fileHistory(t)
	typed := strings.ToLower(strings.ReplaceAll(d.VerifyCode, "-", " "))
	typed = strings.ReplaceAll(typed, "0", "o")
	got, err := f.svc.VerifyDocumentCode(f.ctx, f.dept, typed)
	if err != nil || got.Number != d.Number {
		t.Fatalf("typed %q: %s, %v; want %s", typed, got.Number, err, d.Number)
	}
	if _, err := f.svc.VerifyDocumentCode(f.ctx, f.dept, "ZZZZ-ZZZZ-ZZZZ-ZZZZ"); !errors.Is(err, ErrDocumentMismatch) {
		t.Errorf("unknown code: %v, want a mismatch", err)
	}
	// What a scanner reads from the QR code is accepted as it is...
	qr := pdftest.QRCodes(t, mustRead(t, d.Path))
	if len(qr) != 1 || len(qr[0]) != 1 {
		t.Fatalf("QR codes %q, want one on the one page", qr)
	}
	if got, err := f.svc.VerifyDocumentCode(f.ctx, f.dept, qr[0][0]); err != nil || got.Number != d.Number {
		t.Errorf("scanned %q: %s, %v; want %s", qr[0][0], got.Number, err, d.Number)
	}
	// ...and a QR code whose number does not go with its code is not.
	forgedQR := strings.Replace(qr[0][0], d.Number, "FRM-IT-002-05/2026/0099", 1)
	if _, err := f.svc.VerifyDocumentCode(f.ctx, f.dept, forgedQR); !errors.Is(err, ErrDocumentMismatch) || !strings.Contains(err.Error(), "QR code names") {
		t.Errorf("QR code with another number: %v, want a mismatch", err)
	}
	if err := os.WriteFile(d.Path, append(mustRead(t, d.Path), '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.VerifyDocumentCode(f.ctx, f.dept, d.VerifyCode); !errors.Is(err, ErrDocumentMismatch) || !strings.Contains(err.Error(), "changed after filing") {
		t.Errorf("code of an altered filed copy: %v, want a mismatch", err)
	}
}

// The key lives outside catalog.db, readable by its owner alone; once a
// document is sealed, a missing key is an error, never silently replaced.
func TestDocumentKeyLivesOutsideTheCatalog(t *testing.T) {
	f := newFixture(t)
	d := f.fileHistory(t)
	keyPath := filepath.Join(f.svc.Dir(), filepath.FromSlash(DefaultDocumentKeyFile))
	st, err := os.Stat(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	key := strings.TrimSpace(string(mustRead(t, keyPath)))
	if f.svc.Catalog().Shared() {
		for table, rows := range statetest.Take(t, f.svc.Catalog().Path(), nil).Tables {
			for _, r := range rows {
				if strings.Contains(r, key) {
					t.Errorf("the catalog's table %s holds the document key", table)
				}
			}
		}
	} else if cat := mustRead(t, filepath.Join(f.svc.Dir(), CatalogFile)); bytes.Contains(cat, []byte(key)) {
		t.Error("the catalog holds the document key")
	}
	other, err := OpenWorkspace(f.ctx, f.svc.Dir(), Options{Clock: f.clock, Engine: f.eng, DocumentKeyFile: filepath.Join(t.TempDir(), "elsewhere.key")})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.VerifyDocumentCode(f.ctx, f.staff, d.VerifyCode); !errors.Is(err, ErrDocumentMismatch) || !strings.Contains(err.Error(), "document key is missing") {
		t.Errorf("verify with the key gone: %v, want the missing key named", err)
	}
	if _, err := other.FileHistoryReport(f.ctx, f.staff, start.AddDate(0, 0, -1), start); !errors.Is(err, ErrDocumentKeyMissing) {
		t.Errorf("filing with the key gone: %v, want ErrDocumentKeyMissing", err)
	}
}
