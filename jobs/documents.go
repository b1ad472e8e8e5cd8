package jobs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"cadang/pdfdoc"
	"cadang/store"
)

// Document types in the register: a fixed set, the `type` of `cadang docs
// list --json`.
const (
	DocRequestForm        = "request-form"
	DocExecutionReport    = "execution-report"
	DocVerificationReport = "verification-report"
	DocHandoverForm       = "handover-form"
	DocHistoryReport      = "history-report"
	DocScheduleRecord     = "schedule-record"
	DocVerificationList   = "verification-list" // the file-by-file CSV of a verification report
	DocSignedScan         = "signed-scan"       // the scanned, signed paper copy of a document
)

// DocumentTypes lists the register's document types.
func DocumentTypes() []string {
	return []string{DocRequestForm, DocExecutionReport, DocVerificationReport, DocHandoverForm, DocHistoryReport,
		DocScheduleRecord, DocVerificationList, DocSignedScan}
}

// formKeyOf maps a generated document's type to the setting holding its
// form code. Attachments (lists, signed scans) take their parent's number.
var formKeyOf = map[string]string{
	DocRequestForm:        KeyFormRequest,
	DocExecutionReport:    KeyFormExecution,
	DocVerificationReport: KeyFormVerify,
	DocHandoverForm:       KeyFormHandover,
	DocHistoryReport:      KeyFormHistory,
	DocScheduleRecord:     KeyFormSchedule,
}

// Document is an entry of the document register. Path is absolute.
type Document struct {
	ID         int64     `json:"id"`
	Number     string    `json:"number"`
	Type       string    `json:"type"`
	Kind       string    `json:"kind,omitempty"` // "signed scan of FRM-…": what an attachment is
	Revision   int       `json:"revision"`
	RequestID  int64     `json:"request_id,omitempty"`
	RunID      int64     `json:"run_id,omitempty"`
	JobID      int64     `json:"job_id,omitempty"`
	Of         string    `json:"of,omitempty"` // the number of the document an attachment belongs to
	FiledBy    string    `json:"filed_by,omitempty"`
	Date       time.Time `json:"date"`
	SHA256     string    `json:"sha256"`
	Path       string    `json:"path"`
	VerifyCode string    `json:"verify_code"`
	Lang       string    `json:"lang"`
	// ContentSHA256 is the SHA-256 of what the verification code is derived
	// from: the content record beside a generated PDF, or an attachment's
	// own bytes. Empty for documents filed before codes were derived.
	ContentSHA256 string `json:"content_sha256,omitempty"`
	// SnapshotID is the snapshot the document cites: an execution report's
	// backup, a verification report's or handover form's restore.
	SnapshotID string `json:"snapshot_id,omitempty"`
	// SnapshotRemoved, when set, says that retention has since removed
	// that snapshot: the document stays as filed, but what it cites can no
	// longer be restored from the repository.
	SnapshotRemoved *SnapshotRemoval `json:"snapshot_removed,omitempty"`
}

// SnapshotRemoval is when, by whom and by which run retention removed a
// snapshot a document cites.
type SnapshotRemoval struct {
	At    time.Time `json:"at"`
	By    string    `json:"by"`
	RunID int64     `json:"run_id,omitempty"`
}

// citedSnapshots finds the snapshot each document cites and whether
// retention removed it since.
type citedSnapshots struct {
	s       *Service
	removed map[string]store.Forgotten // job ID + "/" + snapshot ID
}

func (s *Service) newCitedSnapshots(ctx context.Context) citedSnapshots {
	c := citedSnapshots{s: s, removed: map[string]store.Forgotten{}}
	if gone, err := s.catalog.ForgottenSnapshots(ctx, 0); err == nil {
		for _, g := range gone {
			c.removed[fmt.Sprintf("%d/%s", g.JobID, g.SnapshotID)] = g
		}
	}
	return c
}

func (c citedSnapshots) fill(ctx context.Context, d *Document) {
	var job int64
	switch {
	case d.Type == DocExecutionReport && d.RunID != 0:
		if r, err := c.s.catalog.RunByID(ctx, d.RunID); err == nil {
			d.SnapshotID, job = r.SnapshotID, r.JobID
		}
	case (d.Type == DocVerificationReport || d.Type == DocHandoverForm || d.Type == DocVerificationList) && d.RequestID != 0:
		if r, err := c.s.catalog.RequestByID(ctx, d.RequestID); err == nil {
			d.SnapshotID, job = r.SnapshotID, r.JobID
		}
	}
	if d.SnapshotID == "" {
		return
	}
	if g, ok := c.removed[fmt.Sprintf("%d/%s", job, d.SnapshotID)]; ok {
		d.SnapshotRemoved = &SnapshotRemoval{At: g.At, By: g.Actor, RunID: g.RunID}
	}
}

func (s *Service) documentFromStore(ctx context.Context, d store.Document) Document {
	if err := s.cacheDocument(ctx, d); err != nil { // its Path exists when the catalog keeps it
		s.log.Warn("fetch a document from the catalog", "number", d.Number, "err", err)
	}
	out := Document{ID: d.ID, Number: d.Number, Type: d.Type, Kind: d.Kind, Revision: d.Revision, RequestID: d.RequestID,
		RunID: d.RunID, JobID: d.JobID, FiledBy: d.Actor, Date: d.CreatedAt, SHA256: d.SHA256,
		Path: filepath.Join(s.dir, filepath.FromSlash(d.Path)), VerifyCode: d.VerifyCode, Lang: d.Lang, ContentSHA256: d.ContentSHA256}
	if d.ParentID != 0 {
		if p, err := s.catalog.DocumentByID(ctx, d.ParentID); err == nil {
			out.Of = p.Number
		}
	}
	return out
}

// DocumentFilter selects register entries; zero fields match everything.
type DocumentFilter = store.DocumentFilter

// Documents lists the register, oldest first. A department user sees the
// documents of their own requests, and those of no request: another's
// request forms and reports say what requestVisible keeps to its own.
func (s *Service) Documents(ctx context.Context, as User, f DocumentFilter) ([]Document, error) {
	actor, err := s.act(ctx, as, "list documents")
	if err != nil {
		return nil, err
	}
	seeRequest := s.requestSeer(ctx, actor)
	if err := seeRequest(f.RequestID); err != nil {
		return nil, err
	}
	all, err := s.catalog.Documents(ctx, f)
	if err != nil {
		return nil, err
	}
	cited := s.newCitedSnapshots(ctx)
	out := make([]Document, 0, len(all))
	for _, d := range all {
		if err := seeRequest(d.RequestID); errors.Is(err, ErrRefused) {
			continue
		} else if err != nil {
			return nil, err
		}
		doc := s.documentFromStore(ctx, d)
		cited.fill(ctx, &doc)
		out = append(out, doc)
	}
	return out, nil
}

// ErrDocumentMismatch says a PDF (or a code) is not a registered,
// unchanged document.
var ErrDocumentMismatch = errors.New("document does not match the register")

// VerifyDocument says whether the file at path is a registered document,
// unchanged: its SHA-256 is registered, the entry's seal and code check
// out under the document key, and its content record is intact. It
// returns the register entry, or an error wrapping ErrDocumentMismatch
// with the reason.
func (s *Service) VerifyDocument(ctx context.Context, as User, path string) (Document, error) {
	if _, err := s.act(ctx, as, "verify document"); err != nil {
		return Document{}, err
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return Document{}, fmt.Errorf("verify document: %w", err)
	}
	found, err := s.catalog.DocumentsBySHA256(ctx, sum)
	if err != nil {
		return Document{}, err
	}
	if len(found) == 0 {
		if d, ok := s.documentNamedLike(ctx, path); ok {
			return Document{}, fmt.Errorf("%s: %w: it is named like document %s revision %d, registered with SHA-256 %s, but its SHA-256 is %s: the file was changed after filing",
				path, ErrDocumentMismatch, d.Number, d.Revision, d.SHA256, sum)
		}
		return Document{}, fmt.Errorf("%s: %w: no registered document has SHA-256 %s (changed after filing, or never filed)", path, ErrDocumentMismatch, sum)
	}
	d := found[0]
	if err := s.cacheDocument(ctx, d); err != nil { // its content record
		return Document{}, err
	}
	if problems := s.checkSealed(ctx, d, sum); len(problems) > 0 {
		return Document{}, fmt.Errorf("%s: %w: document %s revision %d: %s", path, ErrDocumentMismatch, d.Number, d.Revision, strings.Join(problems, "; "))
	}
	doc := s.documentFromStore(ctx, d)
	s.newCitedSnapshots(ctx).fill(ctx, &doc)
	return doc, nil
}

// VerifyDocumentCode checks a verification code typed or scanned from
// paper: the register has a document with that code, derived under the
// document key from the document's content and number, and its filed
// file is unchanged. It returns the register entry, or an error wrapping
// ErrDocumentMismatch with the reason.
func (s *Service) VerifyDocumentCode(ctx context.Context, as User, code string) (Document, error) {
	if _, err := s.act(ctx, as, "verify document"); err != nil {
		return Document{}, err
	}
	scanned := parseQRPayload(code) // the whole QR code, as a scanner types it
	if scanned.code != "" {
		code = scanned.code
	}
	norm := NormalizeCode(code)
	found, err := s.catalog.DocumentsByCode(ctx, norm)
	if err != nil {
		return Document{}, err
	}
	if len(found) == 0 {
		if legacy := legacyCode(code); legacy != "" {
			if found, err = s.catalog.DocumentsByCode(ctx, legacy); err != nil {
				return Document{}, err
			}
		}
	}
	if len(found) == 0 {
		return Document{}, fmt.Errorf("code %s: %w: no registered document has this verification code (mistyped, or not a Cadang document of this workspace)", code, ErrDocumentMismatch)
	}
	d := found[0]
	if scanned.code != "" && (!strings.EqualFold(scanned.number, d.Number) || scanned.revision != d.Revision) {
		return Document{}, fmt.Errorf("code %s: %w: the QR code names document %s revision %d, but this code is registered for %s revision %d",
			code, ErrDocumentMismatch, scanned.number, scanned.revision, d.Number, d.Revision)
	}
	if err := s.cacheDocument(ctx, d); err != nil {
		return Document{}, fmt.Errorf("code %s: %w", code, err)
	}
	sum, err := fileSHA256(filepath.Join(s.dir, filepath.FromSlash(d.Path)))
	if err != nil {
		return Document{}, fmt.Errorf("code %s: %w: document %s revision %d: its filed copy: %v", code, ErrDocumentMismatch, d.Number, d.Revision, err)
	}
	if problems := s.checkSealed(ctx, d, sum); len(problems) > 0 {
		if sum != d.SHA256 && s.catalogCopyIntact(ctx, filepath.ToSlash(d.Path), d.SHA256) {
			problems = append(problems, "the copy in the shared catalog is intact: this workstation's cached file was changed (remove it to fetch the catalog's again)")
		}
		return Document{}, fmt.Errorf("code %s: %w: document %s revision %d: %s", code, ErrDocumentMismatch, d.Number, d.Revision, strings.Join(problems, "; "))
	}
	doc := s.documentFromStore(ctx, d)
	s.newCitedSnapshots(ctx).fill(ctx, &doc)
	return doc, nil
}

// qrScan is what a document's QR code says (pdfdoc.QRPayload).
type qrScan struct {
	number   string
	revision int
	code     string
}

// parseQRPayload reads "CADANG NUMBER REV N CODE"; anything else gives a
// zero qrScan (a code typed by hand).
func parseQRPayload(s string) qrScan {
	f := strings.Fields(s)
	if len(f) != 5 || !strings.EqualFold(f[0], "CADANG") || !strings.EqualFold(f[2], "REV") {
		return qrScan{}
	}
	rev, err := strconv.Atoi(f[3])
	if err != nil {
		return qrScan{}
	}
	return qrScan{number: f[1], revision: rev, code: f[4]}
}

// documentNamedLike finds the register entry a filed name such as
// "FRM-IT-002-01_2026_0007_rev1.pdf" stands for, to explain a mismatch.
func (s *Service) documentNamedLike(ctx context.Context, path string) (store.Document, bool) {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	revision := 0
	if i := strings.LastIndex(base, "_rev"); i > 0 {
		if _, err := fmt.Sscanf(base[i:], "_rev%d", &revision); err == nil {
			base = base[:i]
		}
	}
	parts := strings.Split(base, "_")
	if len(parts) != 3 {
		return store.Document{}, false
	}
	docs, err := s.catalog.Documents(ctx, store.DocumentFilter{})
	if err != nil {
		return store.Document{}, false
	}
	number := strings.Join(parts, "/")
	for _, d := range docs {
		if d.Number == number && d.Revision == revision {
			return d, true
		}
	}
	return store.Document{}, false
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// filing is what fileDocument needs to number, render and register one PDF.
type filing struct {
	docType   string
	requestID int64
	runID     int64
	jobID     int64
	actor     string
	number    string // a new revision of this document; "" for a new number
	revision  int
	// build returns, for meta, the renderer's input (the facts) and the
	// function that renders it. It is called twice: with meta's
	// verification code blank, for the content the code is derived from,
	// then with the code, to render. It must depend on nothing but meta and
	// what it captured, so that both calls hand the renderer the same facts.
	build func(meta pdfdoc.Meta) (facts any, render func(io.Writer) error)
}

// documentContent is what a generated document's verification code is
// derived from, kept beside the PDF as NAME.content.json: the facts jobs
// handed to forms/reports (with the code blank) and what identifies the
// document. Its exact bytes are hashed.
type documentContent struct {
	Format     string `json:"format"`
	Type       string `json:"type"`
	Number     string `json:"number"`
	Revision   int    `json:"revision"`
	LogoSHA256 string `json:"logo_sha256,omitempty"`
	Facts      any    `json:"facts"`
}

const contentFormat = "cadang document content v1"

// contentSuffix names a generated PDF's content record.
const contentSuffix = ".content.json"

// contentPath is the file a register entry's code is derived from: the
// content record beside a generated PDF, or an attachment itself.
func (s *Service) contentPath(d store.Document) string {
	p := filepath.Join(s.dir, filepath.FromSlash(d.Path))
	if d.Type == DocSignedScan || d.Type == DocVerificationList {
		return p
	}
	return strings.TrimSuffix(p, ".pdf") + contentSuffix
}

// documentFiles are a register entry's files, relative to the workspace
// with slashes: the document and, for a generated one, its content record.
func (s *Service) documentFiles(d store.Document) []string {
	files := []string{filepath.ToSlash(d.Path)}
	if c := s.contentPath(d); c != filepath.Join(s.dir, filepath.FromSlash(d.Path)) {
		if rel, err := filepath.Rel(s.dir, c); err == nil {
			files = append(files, filepath.ToSlash(rel))
		}
	}
	return files
}

// fileDocument numbers a document (form code / year / sequence), derives
// its verification code from its content, renders it, writes it and its
// content record atomically under documents/YEAR/, and registers it with
// its SHA-256 and seal. A rendering failure leaves a gap in the numbers,
// never a duplicate.
func (s *Service) fileDocument(ctx context.Context, f filing) (Document, error) {
	set, err := s.settings(ctx)
	if err != nil {
		return Document{}, err
	}
	key, err := s.documentKey(ctx)
	if err != nil {
		return Document{}, err
	}
	now := s.now()
	number := f.number
	if number == "" {
		code := set[formKeyOf[f.docType]]
		seq, err := s.catalog.NextDocumentNumber(ctx, code, now.Year())
		if err != nil {
			return Document{}, err
		}
		number = fmt.Sprintf("%s/%d/%04d", code, now.Year(), seq)
	}
	meta := pdfdoc.Meta{Number: number, Revision: f.revision, Date: now,
		Lang: pdfdoc.Lang(set[KeyLang]), Header: s.header(set), Generated: now}
	facts, _ := f.build(meta)
	content := documentContent{Format: contentFormat, Type: f.docType, Number: number, Revision: f.revision, Facts: facts}
	if len(meta.Header.Logo) > 0 {
		sum := sha256.Sum256(meta.Header.Logo)
		content.LogoSHA256 = hex.EncodeToString(sum[:])
	}
	record, err := json.MarshalIndent(content, "", "  ")
	if err != nil {
		return Document{}, fmt.Errorf("record the content of %s: %w", number, err)
	}
	record = append(record, '\n')
	contentSum := sha256.Sum256(record)
	meta.VerifyCode = documentCode(key, f.docType, number, f.revision, hex.EncodeToString(contentSum[:]))
	// The chain's head as filed: every copy of the PDF anchors the audit log.
	headSeq, head, err := s.catalog.AuditHead(ctx)
	if err != nil {
		return Document{}, err
	}
	meta.AuditHead = fmt.Sprintf("%d:%s", headSeq, head)
	_, render := f.build(meta)
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return Document{}, fmt.Errorf("render %s %s: %w", f.docType, meta.Number, err)
	}
	rel := documentPath(now, number, f.revision, ".pdf")
	abs := filepath.Join(s.dir, filepath.FromSlash(rel))
	contentPath := strings.TrimSuffix(abs, ".pdf") + contentSuffix
	if err := writeFileAtomic(contentPath, record); err != nil {
		return Document{}, fmt.Errorf("file %s: %w", meta.Number, err)
	}
	if err := writeFileAtomic(abs, buf.Bytes()); err != nil {
		return Document{}, errors.Join(fmt.Errorf("file %s: %w", meta.Number, err), removeUnfiled(contentPath))
	}
	sum := sha256.Sum256(buf.Bytes())
	d := store.Document{Number: meta.Number, Revision: f.revision, Type: f.docType, RequestID: f.requestID, RunID: f.runID,
		JobID: f.jobID, Actor: f.actor, CreatedAt: now, SHA256: hex.EncodeToString(sum[:]), Path: rel,
		VerifyCode: meta.VerifyCode, Lang: string(meta.Lang), ContentSHA256: hex.EncodeToString(contentSum[:])}
	d.Seal = documentSeal(key, d.Number, d.Revision, d.SHA256)
	doc, err := s.register(ctx, d)
	if err != nil {
		// Not in the register (nor audited), the files are nobody's record:
		// they go. The number stays used, a gap like a failed rendering's.
		return Document{}, errors.Join(err, removeUnfiled(abs), removeUnfiled(contentPath))
	}
	return doc, nil
}

// removeUnfiled removes a document file that did not make it into the register.
func removeUnfiled(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove the unregistered %s: %w", filepath.Base(path), err)
	}
	return nil
}

// documentPath is where a document is filed, relative to the workspace:
// documents/YEAR/NUMBER[_revN].EXT with the number's slashes as "_".
func documentPath(now time.Time, number string, revision int, ext string) string {
	name := strings.ReplaceAll(number, "/", "_")
	if revision > 0 {
		name += fmt.Sprintf("_rev%d", revision)
	}
	return filepath.ToSlash(filepath.Join("documents", fmt.Sprint(now.Year()), name+ext))
}

// register adds a filed document to the register and audits it.
//
// also, when given, runs in the same transaction: what the filing causes
// (a signed scan's handover) commits with it or not at all.
func (s *Service) register(ctx context.Context, d store.Document, also ...func(*store.Tx) error) (Document, error) {
	detail := "sha256 " + d.SHA256
	if d.Kind != "" {
		detail = d.Kind + ", " + detail
	}
	err := s.catalog.Update(ctx, func(tx *store.Tx) error {
		var err error
		if d.ID, err = tx.AddDocument(ctx, d); err != nil {
			return err
		}
		if err := s.keepDocumentFiles(ctx, tx, d); err != nil {
			return err
		}
		if err := s.auditIn(ctx, tx, d.Actor, "document.file", "document:"+d.Number, "", d.Type, detail); err != nil {
			return err
		}
		for _, f := range also {
			if err := f(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Document{}, err
	}
	doc := s.documentFromStore(ctx, d)
	s.publish(Event{Kind: EventDocumentFiled, RequestID: d.RequestID, JobID: d.JobID, Message: fmt.Sprintf("%s %s filed", d.Type, d.Number)})
	return doc, nil
}

// attachment is a file registered with a generated document: its
// file-by-file list, or its signed scan.
type attachment struct {
	docType string
	parent  store.Document
	suffix  string // the number is the parent's with this suffix: "-LAMP", "-TTD1"
	kind    string
	actor   string
	ext     string
	data    []byte
	// also runs in the registration's transaction (see register).
	also func(tx *store.Tx, d store.Document) error
}

// fileAttachment writes an attachment atomically beside its parent's
// documents and registers it as its own entry, numbered after its parent.
// Its content is its own bytes: the code is derived from their SHA-256.
func (s *Service) fileAttachment(ctx context.Context, a attachment) (Document, error) {
	key, err := s.documentKey(ctx)
	if err != nil {
		return Document{}, err
	}
	now := s.now()
	number := a.parent.Number + a.suffix
	rel := documentPath(now, number, 0, a.ext)
	abs := filepath.Join(s.dir, filepath.FromSlash(rel))
	// A new file only: two attachments racing for one number must not
	// replace each other's file (the loser's register entry fails, and
	// its file goes).
	if err := writeFileNew(abs, a.data); err != nil {
		return Document{}, fmt.Errorf("file %s: %w", number, err)
	}
	sum := sha256.Sum256(a.data)
	hexSum := hex.EncodeToString(sum[:])
	d := store.Document{Number: number, Type: a.docType, Kind: a.kind, RequestID: a.parent.RequestID, RunID: a.parent.RunID,
		JobID: a.parent.JobID, ParentID: a.parent.ID, Actor: a.actor, CreatedAt: now, SHA256: hexSum, Path: rel,
		Lang: a.parent.Lang, ContentSHA256: hexSum}
	d.VerifyCode = documentCode(key, d.Type, d.Number, 0, hexSum)
	d.Seal = documentSeal(key, d.Number, 0, hexSum)
	var also []func(*store.Tx) error
	if a.also != nil {
		also = append(also, func(tx *store.Tx) error { return a.also(tx, d) })
	}
	doc, err := s.register(ctx, d, also...)
	if err != nil {
		// Nothing registered: leave no file the register does not know.
		return Document{}, errors.Join(err, removeUnfiled(abs))
	}
	return doc, nil
}

// writeFileAtomic writes data to a temporary file beside path, syncs it and
// renames it into place, then syncs the directory: a crash leaves either
// the old state or the whole file.
func writeFileAtomic(path string, data []byte) error { return writeFileVia(path, data, os.Rename) }

// writeFileNew is writeFileAtomic for a path that must not exist yet: the
// whole file appears under path, or nothing does, and an existing file is
// an error (fs.ErrExist), never replaced.
func writeFileNew(path string, data []byte) error { return writeFileVia(path, data, os.Link) }

// writeFileVia writes data to a synced temporary file beside path and puts
// it there with place (rename replaces, link refuses an existing file),
// then syncs the directory. The temporary name never stays behind.
func writeFileVia(path string, data []byte, place func(tmp, path string) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) //nolint:errcheck // gone after a rename; removed after a link or a failure
	if _, err := f.Write(data); err != nil {
		f.Close() //nolint:errcheck // cleanup after a failure
		return err
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return err
	}
	if err := place(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename durable. Windows cannot open a directory for
// syncing; NTFS journals the rename itself.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
