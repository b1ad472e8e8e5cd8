package jobs

// Filing the scanned, signed copy of a document, and which documents are
// signed.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"cadang/pdfdoc"
	"cadang/store"
)

// ActionDocumentSigned is the audit action that marks a document signed.
const ActionDocumentSigned = "document.signed"

// AttachSigned files the scanned, signed paper copy (a PDF) of a
// registered document as its next revision under the same number, and
// records in the audit log that the document is signed (IT staff,
// managers, administrators).
func (s *Service) AttachSigned(ctx context.Context, as User, number, scanPath string) (Document, error) {
	what := "attach the signed copy of " + number
	if _, err := s.act(ctx, as, what, requestHandlers...); err != nil {
		return Document{}, err
	}
	prev, err := s.catalog.DocumentByNumber(ctx, number)
	if err != nil {
		return Document{}, fmt.Errorf("%s: %w", what, err)
	}
	scan, err := os.ReadFile(scanPath)
	if err != nil {
		return Document{}, fmt.Errorf("%s: %w", what, err)
	}
	if !bytes.HasPrefix(scan, []byte("%PDF-")) {
		return Document{}, refusedf("%s: %s is not a PDF; scan the signed form to PDF", what, scanPath)
	}
	doc, err := s.fileDocument(ctx, filing{docType: prev.Type, requestID: prev.RequestID, runID: prev.RunID, actor: as.Name,
		number: number, revision: prev.Revision + 1,
		render: func(w io.Writer, _ pdfdoc.Meta) error {
			_, err := w.Write(scan)
			return err
		}})
	if err != nil {
		return Document{}, err
	}
	if err := s.audit(ctx, as.Name, ActionDocumentSigned, "document:"+number, "", "signed", fmt.Sprintf("revision %d, sha256 %s", doc.Revision, doc.SHA256)); err != nil {
		return Document{}, err
	}
	return doc, nil
}

// SignedDocuments returns the numbers of documents marked signed.
func (s *Service) SignedDocuments(ctx context.Context, as User) (map[string]bool, error) {
	if _, err := s.act(ctx, as, "list documents"); err != nil {
		return nil, err
	}
	entries, err := s.catalog.Audit(ctx, store.AuditFilter{})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, e := range entries {
		if e.Action == ActionDocumentSigned {
			out[strings.TrimPrefix(e.Object, "document:")] = true
		}
	}
	return out, nil
}
