package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf16"

	"cadang/store"
)

// ActionDocumentSigned is the audit action that records a signed scan of
// a document.
const ActionDocumentSigned = "document.signed"

// maxScanBytes bounds a signed scan: a few pages scanned at 300 dpi are a
// few megabytes; anything far larger is not a scan of one form.
const maxScanBytes = 64 << 20

// AttachSigned registers the scanned, signed paper copy (a PDF) of a
// registered document as its own register entry: type signed-scan, kind
// "signed scan of NUMBER", who attached it, when, and its SHA-256. The
// generated original stays as it was filed; it is never replaced or
// revised. A file that is clearly not a scan of that document is refused:
// not a PDF, a registered Cadang document (the unsigned original, another
// document, or a scan already attached), or a PDF Cadang generated for
// another number. Attaching the signed handover form of a request awaiting
// signatures completes the handover (IT staff, managers, administrators).
func (s *Service) AttachSigned(ctx context.Context, as User, number, scanPath string) (Document, error) {
	what := "attach the signed copy of " + number
	actor, err := s.act(ctx, as, what, requestHandlers...)
	if err != nil {
		return Document{}, err
	}
	orig, err := s.catalog.DocumentByNumber(ctx, number)
	if errors.Is(err, store.ErrNotFound) {
		return Document{}, refusedf("%s: no document %s is registered", what, number)
	}
	if err != nil {
		return Document{}, fmt.Errorf("%s: %w", what, err)
	}
	if orig.Type == DocSignedScan || orig.Type == DocVerificationList {
		return Document{}, refusedf("%s: %s is %s; attach the scan to the document it belongs to", what, number, orig.Kind)
	}
	scan, err := readScan(scanPath)
	if err != nil {
		return Document{}, fmt.Errorf("%s: %w", what, err)
	}
	if err := s.refuseNotAScanOf(ctx, what, orig, scanPath, scan); err != nil {
		return Document{}, err
	}
	n, err := s.nextScanSuffix(ctx, orig)
	if err != nil {
		return Document{}, err
	}
	// The scan's entry, the "signed" entry on the original and the handover
	// it completes commit together: a scan is never registered while its
	// request still waits for it.
	var handedOver *store.Request
	doc, err := s.fileAttachment(ctx, attachment{docType: DocSignedScan, parent: orig, suffix: fmt.Sprintf("-TTD%d", n),
		kind: "signed scan of " + number, actor: actor.Name, ext: ".pdf", data: scan,
		also: func(tx *store.Tx, d store.Document) error {
			detail := fmt.Sprintf("scan %s, sha256 %s", d.Number, d.SHA256)
			if err := s.auditIn(ctx, tx, actor.Name, ActionDocumentSigned, "document:"+number, "", "signed", detail); err != nil {
				return err
			}
			if orig.Type != DocHandoverForm {
				return nil
			}
			var err error
			handedOver, err = s.handoverSignedIn(ctx, tx, actor.Name, orig, d.Number)
			return err
		}})
	if err != nil {
		return Document{}, fmt.Errorf("%s: %w", what, err)
	}
	if handedOver != nil {
		s.requestChanged(*handedOver)
	}
	return doc, nil
}

// readScan reads a scan, refusing what is not a whole PDF.
func readScan(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxScanBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	switch {
	case len(b) > maxScanBytes:
		return nil, refusedf("%s is larger than %d MiB: scan the signed pages alone, at 150–300 dpi", path, maxScanBytes>>20)
	case !bytes.HasPrefix(b, []byte("%PDF-")):
		return nil, refusedf("%s is not a PDF; scan the signed form to PDF", path)
	case !bytes.Contains(b[max(0, len(b)-2048):], []byte("%%EOF")):
		return nil, refusedf("%s is not a complete PDF (no end-of-file marker): it was cut short; scan it again", path)
	}
	return b, nil
}

// refuseNotAScanOf refuses a file that is clearly not a scan of orig: one
// the register already holds, or a PDF Cadang generated for another number.
func (s *Service) refuseNotAScanOf(ctx context.Context, what string, orig store.Document, path string, scan []byte) error {
	sum, err := fileSHA256(path)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	same, err := s.catalog.DocumentsBySHA256(ctx, sum)
	if err != nil {
		return err
	}
	for _, d := range same {
		switch {
		case d.Type == DocSignedScan:
			return refusedf("%s: %s is already registered as %s (%s)", what, path, d.Number, d.Kind)
		case d.Number == orig.Number:
			return refusedf("%s: %s is the unsigned original as Cadang filed it, not a scan of the signed paper", what, path)
		default:
			return refusedf("%s: %s is registered document %s (%s), not a scan of %s", what, path, d.Number, d.Type, orig.Number)
		}
	}
	if creator := pdfInfo(scan, "Creator"); creator == "Cadang" {
		if subject := pdfInfo(scan, "Subject"); subject != "" && subject != orig.Number {
			return refusedf("%s: %s is Cadang's document %s, not a scan of %s", what, path, subject, orig.Number)
		}
	}
	return nil
}

// nextScanSuffix numbers the scans of a document: its first is -TTD1.
func (s *Service) nextScanSuffix(ctx context.Context, orig store.Document) (int, error) {
	scans, err := s.catalog.Documents(ctx, store.DocumentFilter{Type: DocSignedScan, ParentID: orig.ID})
	if err != nil {
		return 0, err
	}
	return len(scans) + 1, nil
}

// pdfInfo reads one text entry (/Creator, /Subject) of a PDF's document
// information dictionary, as fpdf writes it: a literal string, UTF-16BE
// after a byte order mark or PDFDocEncoding. It returns "" when absent.
// This is enough to recognise Cadang's own PDFs; it is not a PDF parser.
func pdfInfo(pdf []byte, key string) string {
	needle := []byte("/" + key)
	for i := bytes.Index(pdf, needle); i >= 0; {
		rest := pdf[i+len(needle):]
		rest = bytes.TrimLeft(rest, " \r\n\t")
		if len(rest) > 0 && rest[0] == '(' {
			return decodePDFText(readPDFLiteral(rest[1:]))
		}
		next := bytes.Index(pdf[i+1:], needle)
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return ""
}

// readPDFLiteral reads a PDF literal string up to its closing parenthesis,
// resolving the escapes.
func readPDFLiteral(b []byte) []byte {
	var out []byte
	depth := 0
	for i := 0; i < len(b) && i < 4096; i++ {
		c := b[i]
		switch {
		case c == '\\' && i+1 < len(b):
			i++
			switch e := b[i]; e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '7'; k++ {
						i++
						v = v*8 + int(b[i]-'0')
					}
					out = append(out, byte(v))
				} else {
					out = append(out, e)
				}
			}
		case c == '(':
			depth++
			out = append(out, c)
		case c == ')':
			if depth == 0 {
				return out
			}
			depth--
			out = append(out, c)
		default:
			out = append(out, c)
		}
	}
	return out
}

func decodePDFText(b []byte) string {
	if len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF {
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		return strings.TrimSpace(string(utf16.Decode(u)))
	}
	return strings.TrimSpace(string(b))
}

// SignedDocuments returns the numbers of documents that have a signed
// scan in the register.
func (s *Service) SignedDocuments(ctx context.Context, as User) (map[string]bool, error) {
	if _, err := s.act(ctx, as, "list documents"); err != nil {
		return nil, err
	}
	scans, err := s.catalog.Documents(ctx, store.DocumentFilter{Type: DocSignedScan})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, d := range scans {
		if p, err := s.catalog.DocumentByID(ctx, d.ParentID); err == nil {
			out[p.Number] = true
		}
	}
	return out, nil
}
