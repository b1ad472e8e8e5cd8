package jobs

import (
	"context"
	"fmt"
	"io"
	"strings"

	"cadang/engine/secrets"
	"cadang/forms"
	"cadang/pdfdoc"
	"cadang/store"
)

// HandoverOptions complete the handover form.
type HandoverOptions struct {
	Receiver string // who receives the data; defaults to the requester when a department user asked
	Witness  string // optional
	Notes    string
}

// Handover files the handover form of a verified restore (SOP 5.4e) for
// signatures and moves the request to awaiting-signatures. The data is
// handed over only when the signed form is attached (AttachSigned) or the
// IT manager records a paper handover (RecordPaperHandover). Printing the
// form again while it waits files its next revision (IT staff, managers,
// administrators).
func (s *Service) Handover(ctx context.Context, as User, id int64, opt HandoverOptions) (Document, error) {
	what := fmt.Sprintf("hand over request #%d", id)
	giver, err := s.act(ctx, as, what, requestHandlers...)
	if err != nil {
		return Document{}, err
	}
	r, err := s.loadRequest(ctx, id, what, RequestVerified, RequestAwaitingSignatures)
	if err != nil {
		return Document{}, err
	}
	form, err := s.handoverFacts(ctx, r, giver, opt)
	if err != nil {
		return Document{}, err
	}
	number, revision := "", 0
	if r.State == RequestAwaitingSignatures {
		prev, err := s.latestDocument(ctx, r.ID, DocHandoverForm)
		if err != nil {
			return Document{}, err
		}
		number, revision = prev.Number, prev.Revision+1
	}
	doc, err := s.fileDocument(ctx, filing{docType: DocHandoverForm, requestID: r.ID, jobID: r.JobID, actor: giver.Name,
		number: number, revision: revision,
		build: func(meta pdfdoc.Meta) (any, func(io.Writer) error) {
			f := form
			f.Meta = meta
			return f, func(w io.Writer) error { return forms.WriteHandoverForm(w, f) }
		}})
	if err != nil {
		return Document{}, err
	}
	if r.State != RequestAwaitingSignatures {
		if err := s.setRequestState(ctx, as.Name, &r, "request.handover.print", RequestAwaitingSignatures, "form "+doc.Number); err != nil {
			return Document{}, err
		}
	}
	return doc, nil
}

// handoverFacts is what the handover form says: the restore, the parties
// as the accounts that act (the giver's own name and title; the receiver's
// department), and blank dates for the pen.
func (s *Service) handoverFacts(ctx context.Context, r store.Request, giver store.User, opt HandoverOptions) (forms.HandoverForm, error) {
	j, err := s.catalog.JobByID(ctx, r.JobID)
	if err != nil {
		return forms.HandoverForm{}, err
	}
	requester, err := s.catalog.UserByID(ctx, r.RequesterID)
	if err != nil {
		return forms.HandoverForm{}, err
	}
	runs, err := s.catalog.Runs(ctx, store.RunFilter{JobID: j.ID, Statuses: []string{RunVerified}})
	if err != nil {
		return forms.HandoverForm{}, err
	}
	data := j.Name
	if len(r.Include) > 0 {
		data += ": " + strings.Join(r.Include, ", ") // a partial restore hands over only these
	}
	form := forms.HandoverForm{RequestNumber: r.Number, Department: r.Department, Requester: displayName(requester), Data: data,
		SnapshotID: shortID(r.SnapshotID), Target: secrets.Redact(r.Target), VerificationOK: true, Notes: opt.Notes}
	if rep, err := s.latestDocument(ctx, r.ID, DocVerificationReport); err == nil {
		form.VerificationNumber = rep.Number
	}
	for _, run := range runs {
		if run.RequestID == r.ID {
			form.Files, form.Bytes, form.VerifiedFiles = run.FilesNew, run.TotalBytes, run.FilesNew
			form.SnapshotTime = run.ScheduledAt
			break
		}
	}
	receiver := strings.TrimSpace(opt.Receiver)
	if receiver == "" && requester.Role == RoleUser {
		receiver = displayName(requester) // the department user who asked; otherwise the pen names them
	}
	form.Giver = pdfdoc.Signature{Name: displayName(giver), Title: titleOf(giver), Date: s.now()}
	// The receiver signs, and dates, by hand: the date is left blank.
	form.Receiver = pdfdoc.Signature{Name: receiver, Title: departmentTitle(r.Department)}
	if w := strings.TrimSpace(opt.Witness); w != "" {
		form.Witness = s.witness(ctx, w)
	}
	return form, nil
}

// witness is the "Mengetahui" block for a name given when the form is
// printed: an account's, by its login or full name, prints that account's
// name and title; anyone else prints as given, the title left for the pen.
func (s *Service) witness(ctx context.Context, name string) pdfdoc.Signature {
	users, err := s.catalog.Users(ctx)
	if err == nil {
		for _, u := range users {
			if u.Disabled {
				continue
			}
			if strings.EqualFold(u.Name, name) || strings.EqualFold(strings.TrimSpace(u.FullName), name) {
				return pdfdoc.Signature{Name: displayName(u), Title: titleOf(u)}
			}
		}
	}
	return pdfdoc.Signature{Name: name}
}

// departmentTitle is what the receiving party's title block says: the
// department that asked, never an IT role.
func departmentTitle(dept string) string {
	dept = strings.TrimSpace(dept)
	if dept == "" {
		return ""
	}
	return "Departemen " + dept
}

// latestDocument is the newest register entry of docType for a request.
func (s *Service) latestDocument(ctx context.Context, requestID int64, docType string) (store.Document, error) {
	docs, err := s.catalog.Documents(ctx, store.DocumentFilter{RequestID: requestID, Type: docType})
	if err != nil {
		return store.Document{}, err
	}
	if len(docs) == 0 {
		return store.Document{}, fmt.Errorf("request #%d has no %s: %w", requestID, docType, store.ErrNotFound)
	}
	return docs[len(docs)-1], nil
}

// handoverSignedIn completes, in tx, the handover of a request awaiting signatures
// when the signed scan of its handover form is attached; the request it
// changed, or nil.
func (s *Service) handoverSignedIn(ctx context.Context, tx *store.Tx, actor string, form store.Document, scan string) (*store.Request, error) {
	if form.RequestID == 0 {
		return nil, nil
	}
	r, err := tx.RequestByID(ctx, form.RequestID)
	if err != nil {
		return nil, err
	}
	if r.State != RequestAwaitingSignatures {
		return nil, nil // already handed over (a second scan), or never printed for signing
	}
	r.State, r.UpdatedAt = RequestHandedOver, s.now()
	if err := tx.UpdateRequest(ctx, r); err != nil {
		return nil, err
	}
	if err := s.auditIn(ctx, tx, actor, "request.handover", requestObject(r.ID), RequestAwaitingSignatures, RequestHandedOver, "signed form "+scan); err != nil {
		return nil, err
	}
	return &r, nil
}

// RecordPaperHandover records that a request awaiting signatures was
// handed over on paper whose scan cannot be attached (IT managers only,
// with a reason; the reason is in the audit log).
func (s *Service) RecordPaperHandover(ctx context.Context, as User, id int64, reason string) (Request, error) {
	what := fmt.Sprintf("record the paper handover of request #%d", id)
	if _, err := s.act(ctx, as, what, RoleManager); err != nil {
		return Request{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return Request{}, refusedf("%s: give the reason the signed form is not attached", what)
	}
	r, err := s.loadRequest(ctx, id, what, RequestAwaitingSignatures)
	if err != nil {
		return Request{}, err
	}
	if err := s.setRequestState(ctx, as.Name, &r, "request.handover.paper", RequestHandedOver, reason); err != nil {
		return Request{}, err
	}
	return s.requestFromStore(ctx, r), nil
}
