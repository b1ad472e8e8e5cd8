package jobs

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"cadang/pdfdoc"
	"cadang/store"
)

// Document types in the register.
const (
	DocRequestForm        = "request-form"
	DocExecutionReport    = "execution-report"
	DocVerificationReport = "verification-report"
	DocHandoverForm       = "handover-form"
	DocHistoryReport      = "history-report"
)

// formKeyOf maps a document type to the setting holding its form code.
var formKeyOf = map[string]string{
	DocRequestForm:        KeyFormRequest,
	DocExecutionReport:    KeyFormExecution,
	DocVerificationReport: KeyFormVerify,
	DocHandoverForm:       KeyFormHandover,
	DocHistoryReport:      KeyFormHistory,
}

// Document is an entry of the document register. Path is absolute.
type Document struct {
	ID         int64     `json:"id"`
	Number     string    `json:"number"`
	Type       string    `json:"type"`
	Revision   int       `json:"revision"`
	RequestID  int64     `json:"request_id,omitempty"`
	RunID      int64     `json:"run_id,omitempty"`
	Date       time.Time `json:"date"`
	SHA256     string    `json:"sha256"`
	Path       string    `json:"path"`
	VerifyCode string    `json:"verify_code"`
	Lang       string    `json:"lang"`
}

func (s *Service) documentFromStore(d store.Document) Document {
	return Document{ID: d.ID, Number: d.Number, Type: d.Type, Revision: d.Revision, RequestID: d.RequestID, RunID: d.RunID,
		Date: d.CreatedAt, SHA256: d.SHA256, Path: filepath.Join(s.dir, filepath.FromSlash(d.Path)), VerifyCode: d.VerifyCode, Lang: d.Lang}
}

// DocumentFilter selects register entries; zero fields match everything.
type DocumentFilter = store.DocumentFilter

// Documents lists the register, oldest first.
func (s *Service) Documents(ctx context.Context, as User, f DocumentFilter) ([]Document, error) {
	if _, err := s.act(ctx, as, "list documents"); err != nil {
		return nil, err
	}
	all, err := s.catalog.Documents(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Document, 0, len(all))
	for _, d := range all {
		out = append(out, s.documentFromStore(d))
	}
	return out, nil
}

// ErrDocumentMismatch says a PDF is not a registered, unchanged document.
var ErrDocumentMismatch = errors.New("document does not match the register")

// VerifyDocument says whether the file at path is a registered document,
// unchanged. It returns the register entry, or an error wrapping
// ErrDocumentMismatch with the reason.
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
	return s.documentFromStore(found[0]), nil
}

// documentNamedLike finds the register entry a filed name such as
// "FRM-IT-002-01_2026_0007_rev1.pdf" stands for, to explain a mismatch.
func (s *Service) documentNamedLike(ctx context.Context, path string) (store.Document, bool) {
	base := strings.TrimSuffix(filepath.Base(path), ".pdf")
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
	actor     string
	number    string // a new revision of this document; "" for a new number
	revision  int
	render    func(w io.Writer, meta pdfdoc.Meta) error
}

// fileDocument numbers a document (form code / year / sequence), renders it,
// writes it atomically under documents/YEAR/, and registers it with its
// SHA-256. A rendering failure leaves a gap in the numbers, never a duplicate.
func (s *Service) fileDocument(ctx context.Context, f filing) (Document, error) {
	set, err := s.settings(ctx)
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
	verify, err := verifyCode()
	if err != nil {
		return Document{}, err
	}
	meta := pdfdoc.Meta{Number: number, Revision: f.revision, Date: now,
		Lang: pdfdoc.Lang(set[KeyLang]), VerifyCode: verify, Header: s.header(set), Generated: now}
	var buf bytes.Buffer
	if err := f.render(&buf, meta); err != nil {
		return Document{}, fmt.Errorf("render %s %s: %w", f.docType, meta.Number, err)
	}
	name := strings.ReplaceAll(meta.Number, "/", "_")
	if f.revision > 0 {
		name += fmt.Sprintf("_rev%d", f.revision)
	}
	rel := filepath.ToSlash(filepath.Join("documents", fmt.Sprint(now.Year()), name+".pdf"))
	if err := writeFileAtomic(filepath.Join(s.dir, filepath.FromSlash(rel)), buf.Bytes()); err != nil {
		return Document{}, fmt.Errorf("file %s: %w", meta.Number, err)
	}
	sum := sha256.Sum256(buf.Bytes())
	d := store.Document{Number: meta.Number, Revision: f.revision, Type: f.docType, RequestID: f.requestID, RunID: f.runID, CreatedAt: now,
		SHA256: hex.EncodeToString(sum[:]), Path: rel, VerifyCode: verify, Lang: string(meta.Lang)}
	if d.ID, err = s.catalog.AddDocument(ctx, d); err != nil {
		return Document{}, err
	}
	obj := "document:" + d.Number
	if err := s.audit(ctx, f.actor, "document.file", obj, "", f.docType, "sha256 "+d.SHA256); err != nil {
		return Document{}, err
	}
	doc := s.documentFromStore(d)
	s.publish(Event{Kind: EventDocumentFiled, RequestID: f.requestID, Message: fmt.Sprintf("%s %s filed", f.docType, d.Number)})
	return doc, nil
}

// verifyCode is a short random code printed on every page, so a paper copy
// can be matched to its register entry by a person.
func verifyCode() (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make verification code: %w", err)
	}
	h := strings.ToUpper(hex.EncodeToString(b))
	return h[:4] + "-" + h[4:], nil
}

// writeFileAtomic writes data to a temporary file beside path, syncs it and
// renames it into place, then syncs the directory: a crash leaves either
// the old state or the whole file.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name()) //nolint:errcheck // cleanup after a failure
		}
	}()
	if _, err = f.Write(data); err != nil {
		f.Close() //nolint:errcheck // cleanup after a failure
		return err
	}
	if err = errors.Join(f.Sync(), f.Close()); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
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
