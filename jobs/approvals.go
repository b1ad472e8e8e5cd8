package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"cadang/engine/secrets"
	"cadang/forms"
	"cadang/pdfdoc"
	"cadang/store"
)

// requestHandlers may carry requests forward (IT staff, managers, administrators).
var requestHandlers = capabilityRoles[CapCarryOut]

// loadRequest reads a request and checks it is in one of states.
func (s *Service) loadRequest(ctx context.Context, id int64, what string, states ...string) (store.Request, error) {
	r, err := s.catalog.RequestByID(ctx, id)
	if err != nil {
		return store.Request{}, err
	}
	if !contains(states, r.State) {
		return store.Request{}, refusedf("%s: request #%d is %s; it must be %s", what, id, r.State, strings.Join(states, " or "))
	}
	return r, nil
}

// RequestPermissions says which actions the account may take on the
// request now, and why not the others.
func (s *Service) RequestPermissions(ctx context.Context, as User, id int64) (Permissions, error) {
	actor, err := s.act(ctx, as, "show request")
	if err != nil {
		return Permissions{}, err
	}
	r, err := s.catalog.RequestByID(ctx, id)
	if err != nil {
		return Permissions{}, err
	}
	if err := requestVisible(actor, r); err != nil {
		return Permissions{}, err
	}
	authors, err := authorsOf(ctx, s.catalog, requestObject(r.ID))
	if err != nil {
		return Permissions{}, err
	}
	return permissions(requestActions, func(a Action) error { return requestRule(actor, r, a, authors) }), nil
}

// requestMove is one step of a request's state machine.
type requestMove struct {
	action Action
	audit  string // the audit action, e.g. "request.submit"
	to     string
	// apply changes the request (under the catalog's write lock, after the
	// rule passed) and returns the audit entry's detail.
	apply func(actor store.User, r *store.Request) (string, error)
}

// moveRequest re-reads the request inside one transaction, checks the rule
// for the action, applies the change and records it with its audit entry.
func (s *Service) moveRequest(ctx context.Context, as User, id int64, m requestMove) (store.Request, error) {
	actor, err := s.act(ctx, as, string(m.action)+" request")
	if err != nil {
		return store.Request{}, err
	}
	var r store.Request
	err = s.catalog.Update(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = tx.RequestByID(ctx, id); err != nil {
			return err
		}
		authors, err := authorsOf(ctx, tx, requestObject(r.ID))
		if err != nil {
			return err
		}
		if err := requestRule(actor, r, m.action, authors); err != nil {
			return err
		}
		detail := ""
		if m.apply != nil {
			if detail, err = m.apply(actor, &r); err != nil {
				return err
			}
		}
		from := r.State
		r.State, r.UpdatedAt = m.to, s.now()
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, as.Name, m.audit, requestObject(r.ID), from, r.State, detail)
	})
	if err != nil {
		return store.Request{}, err
	}
	s.requestChanged(r)
	return r, nil
}

// SubmitRequest sends a draft request to the IT manager (its requester, or IT staff).
func (s *Service) SubmitRequest(ctx context.Context, as User, id int64) (Request, error) {
	r, err := s.moveRequest(ctx, as, id, requestMove{action: ActSubmit, audit: "request.submit", to: RequestSubmitted})
	if err != nil {
		return Request{}, err
	}
	// The form is filed at submission, so the department can print and sign
	// it when it asks (SOP 5.2); the decision files its next revision.
	if _, err := s.fileRequestForm(ctx, as.Name, &r); err != nil {
		return Request{}, err
	}
	return s.requestFromStore(ctx, r), nil
}

// ApproveRequest approves a submitted request (IT managers only, never
// their own) and files the request form with the decision. revision is the
// revision of the request the manager reviewed (Request.RevisionHash, or
// at least the 12 characters shown); a request changed since is refused.
func (s *Service) ApproveRequest(ctx context.Context, as User, id int64, revision string) (Request, error) {
	return s.decideRequest(ctx, as, id, true, revision, "")
}

// RejectRequest rejects a submitted request with a reason and files the
// request form with the decision; IT staff then reschedule it.
func (s *Service) RejectRequest(ctx context.Context, as User, id int64, reason string) (Request, error) {
	if strings.TrimSpace(reason) == "" {
		return Request{}, refusedf("reject request #%d: a reason is required", id)
	}
	return s.decideRequest(ctx, as, id, false, "", reason)
}

func (s *Service) decideRequest(ctx context.Context, as User, id int64, approve bool, seen, reason string) (Request, error) {
	m := requestMove{action: ActReject, audit: "request.reject", to: RequestRejected}
	if approve {
		m = requestMove{action: ActApprove, audit: "request.approve", to: RequestApproved}
		// What cannot be carried out is not approved: checked before the
		// write lock, because it may read a slow repository.
		if err := s.checkRequestTerms(ctx, id); err != nil {
			return Request{}, err
		}
	}
	m.apply = func(actor store.User, r *store.Request) (string, error) {
		r.DecidedBy, r.DecidedAt, r.RejectReason = actor.ID, s.now(), reason
		if !approve {
			r.ApprovedRevision = ""
			return reason, nil
		}
		rev := requestRevisionOf(*r)
		if err := checkSeen(fmt.Sprintf("approve request #%d", r.ID), seen, rev); err != nil {
			return "", err
		}
		r.ApprovedRevision = rev
		return "revision " + rev, nil
	}
	r, err := s.moveRequest(ctx, as, id, m)
	if err != nil {
		return Request{}, err
	}
	if _, err := s.fileRequestForm(ctx, as.Name, &r); err != nil {
		return Request{}, fmt.Errorf("the decision on request #%d is recorded, but its request form could not be filed: %w", r.ID, err)
	}
	if approve {
		s.jobsChanged(r.JobID) // a scheduled backup request joins the schedule
	}
	return s.requestFromStore(ctx, r), nil
}

// checkRequestTerms refuses to approve a request that cannot be carried
// out as written: a restore without a destination, or one as of a time
// before the job's first backup.
func (s *Service) checkRequestTerms(ctx context.Context, id int64) error {
	r, err := s.catalog.RequestByID(ctx, id)
	if err != nil {
		return err
	}
	if r.Kind != KindRestore {
		return nil
	}
	if strings.TrimSpace(r.Target) == "" {
		return refusedf("approve request #%d: it names no destination; the requester or IT staff add one (request edit --target) first", id)
	}
	if err := s.checkRestoreInto(ctx, fmt.Sprintf("approve request #%d", id), r.Target); err != nil {
		return err
	}
	j, err := s.catalog.JobByID(ctx, r.JobID)
	if err != nil {
		return err
	}
	if _, nearest, err := s.jobSnapshotAt(ctx, j, r.Replica, r.RequestedAt); errors.Is(err, errNoBackupAsOf) {
		return refusedf("approve request #%d: %s", id, noBackupMessage(j.Name, r.RequestedAt, nearest))
	}
	// Unreachable repository: the run will say so; the decision is the manager's.
	return nil
}

// RescheduleRequest gives a rejected request a new time and submits it
// again (SOP 5.3c: "IT staff membuat jadwal kembali"). A restore's time is
// "as of": a time on a whole minute includes that minute's seconds.
func (s *Service) RescheduleRequest(ctx context.Context, as User, id int64, at time.Time) (Request, error) {
	if at.IsZero() {
		return Request{}, refusedf("reschedule request #%d: give the new date and time", id)
	}
	r, err := s.moveRequest(ctx, as, id, requestMove{action: ActReschedule, audit: "request.reschedule", to: RequestSubmitted,
		apply: func(actor store.User, r *store.Request) (string, error) {
			if r.Kind == KindRestore {
				at = AsOf(at, PrecisionAuto)
			}
			r.RequestedAt, r.DecidedBy, r.DecidedAt, r.RejectReason, r.ApprovedRevision = at, 0, time.Time{}, "", ""
			r.ReschedBy = actor.ID
			return "new time " + FormatAsOf(at), nil
		}})
	if err != nil {
		return Request{}, err
	}
	if _, err := s.fileRequestForm(ctx, as.Name, &r); err != nil { // the new time, for the next decision
		return Request{}, err
	}
	return s.requestFromStore(ctx, r), nil
}

// RequestEdit changes the terms of a request; kind and job never change
// (ask again instead). Zero fields keep what the request says.
type RequestEdit struct {
	RequestedAt time.Time
	Precision   Precision // of RequestedAt, for a restore
	Target      *string
	Include     *[]string
	Overwrite   *bool
	Reason      *string
}

// EditRequest changes a request's terms (its requester, or IT staff). An
// approved request goes back to the IT manager: a different destination,
// time or set of files is approved again before it runs.
func (s *Service) EditRequest(ctx context.Context, as User, id int64, e RequestEdit) (Request, error) {
	actor, err := s.act(ctx, as, "edit request")
	if err != nil {
		return Request{}, err
	}
	if e.Target != nil {
		if err := s.checkRestoreInto(ctx, fmt.Sprintf("edit request #%d", id), strings.TrimSpace(*e.Target)); err != nil {
			return Request{}, err
		}
	}
	var r store.Request
	err = s.catalog.Update(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = tx.RequestByID(ctx, id); err != nil {
			return err
		}
		what := fmt.Sprintf("edit request #%d", id)
		if actor.ID != r.RequesterID && !roleCan(actor.Role, CapCarryOut) {
			return refusedf("%s: only its requester or IT staff change it", what)
		}
		if !contains([]string{RequestDraft, RequestSubmitted, RequestRejected, RequestApproved}, r.State) {
			return refusedf("%s: it is %s; only a request not yet carried out can be changed", what, r.State)
		}
		if err := applyRequestEdit(&r, e); err != nil {
			return err
		}
		from := r.State
		if from == RequestApproved {
			r.State = RequestSubmitted
		}
		r.DecidedBy, r.DecidedAt, r.ApprovedRevision, r.ReschedBy, r.UpdatedAt = 0, time.Time{}, "", actor.ID, s.now()
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, as.Name, "request.edit", requestObject(r.ID), from, r.State,
			"revision "+ShortRevision(requestRevisionOf(r))+": "+describeTerms(r))
	})
	if err != nil {
		return Request{}, err
	}
	s.requestChanged(r)
	return s.requestFromStore(ctx, r), nil
}

func applyRequestEdit(r *store.Request, e RequestEdit) error {
	if !e.RequestedAt.IsZero() {
		r.RequestedAt = e.RequestedAt
		if r.Kind == KindRestore {
			r.RequestedAt = AsOf(e.RequestedAt, e.Precision)
		}
	}
	if e.Target != nil {
		r.Target = strings.TrimSpace(*e.Target)
		if err := cleanTarget(r); err != nil {
			return err
		}
	}
	if e.Include != nil {
		inc, err := cleanIncludes(r.Kind, *e.Include)
		if err != nil {
			return err
		}
		r.Include = inc
	}
	if e.Overwrite != nil {
		r.Overwrite = *e.Overwrite
	}
	if e.Reason != nil {
		if strings.TrimSpace(*e.Reason) == "" {
			return fmt.Errorf("a request needs a reason")
		}
		r.Reason = *e.Reason
	}
	return nil
}

// describeTerms is a request's terms in one line, for the audit log.
func describeTerms(r store.Request) string {
	out := r.Kind + " as of " + FormatAsOf(r.RequestedAt)
	if r.Target != "" {
		out += " to " + r.Target
	}
	if len(r.Include) > 0 {
		out += " (" + strings.Join(r.Include, ", ") + ")"
	}
	if r.Overwrite {
		out += ", replacing existing files"
	}
	return out
}

// fileRequestForm files the request form as it stands; a later decision on
// the same request files a new revision under the same number.
func (s *Service) fileRequestForm(ctx context.Context, actor string, r *store.Request) (Document, error) {
	j, err := s.catalog.JobByID(ctx, r.JobID)
	if err != nil {
		return Document{}, err
	}
	requester, err := s.catalog.UserByID(ctx, r.RequesterID)
	if err != nil {
		return Document{}, err
	}
	revision := 0
	if r.Number != "" {
		prev, err := s.catalog.DocumentByNumber(ctx, r.Number)
		if err != nil {
			return Document{}, err
		}
		revision = prev.Revision + 1
	}
	paths := j.Sources
	if len(r.Include) > 0 {
		paths = r.Include // a partial restore: what was asked for, not the whole job
	}
	form := forms.RequestForm{Kind: r.Kind, Department: r.Department, Requester: displayName(requester), Data: j.Name,
		Paths: paths, RequestedAt: r.RequestedAt, Reason: r.Reason, Target: secrets.Redact(r.Target), Status: r.State,
		DecidedAt: r.DecidedAt, RejectReason: r.RejectReason}
	if r.DecidedBy != 0 {
		form.DecidedBy = s.personByID(ctx, r.DecidedBy, time.Time{}).Name
	}
	sigs := s.requestSignatures(ctx, *r)
	doc, err := s.fileDocument(ctx, filing{docType: DocRequestForm, requestID: r.ID, jobID: r.JobID, actor: actor, number: r.Number, revision: revision,
		build: func(meta pdfdoc.Meta) (any, func(io.Writer) error) {
			f := form
			f.Meta, f.Signatures = meta, sigs
			return f, func(w io.Writer) error { return forms.WriteRequestForm(w, f) }
		}})
	if err != nil {
		return Document{}, err
	}
	if r.Number == "" {
		r.Number = doc.Number
		if err := s.catalog.UpdateRequest(ctx, *r); err != nil {
			return Document{}, err
		}
	}
	return doc, nil
}

func displayName(u store.User) string {
	if u.FullName != "" {
		return u.FullName
	}
	return u.Name
}

// titleOf is the job title printed under a signature.
func titleOf(u store.User) string {
	switch u.Role {
	case RoleStaff:
		return "IT Staff"
	case RoleManager:
		return "IT Manager"
	case RoleAdmin:
		return "Administrator"
	case RoleUser:
		return departmentTitle(u.Department)
	}
	return ""
}
