package jobs

import (
	"context"
	"io"
	"strings"
	"time"

	"cadang/engine/secrets"
	"cadang/forms"
	"cadang/pdfdoc"
	"cadang/store"
)

// requestHandlers may carry requests forward (IT staff, managers, administrators).
var requestHandlers = []string{RoleStaff, RoleManager, RoleAdmin}

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

// SubmitRequest sends a draft request to the IT manager (its requester, or IT staff).
func (s *Service) SubmitRequest(ctx context.Context, as User, id int64) (Request, error) {
	what := "submit request"
	actor, err := s.act(ctx, as, what)
	if err != nil {
		return Request{}, err
	}
	r, err := s.loadRequest(ctx, id, what, RequestDraft)
	if err != nil {
		return Request{}, err
	}
	if actor.ID != r.RequesterID && !contains(requestHandlers, actor.Role) {
		return Request{}, refusedf("%s: only the requester or IT staff submit request #%d", what, id)
	}
	if err := s.setRequestState(ctx, as.Name, &r, "request.submit", RequestSubmitted, ""); err != nil {
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
// their own) and files the request form with the decision.
func (s *Service) ApproveRequest(ctx context.Context, as User, id int64) (Request, error) {
	return s.decideRequest(ctx, as, id, true, "")
}

// RejectRequest rejects a submitted request with a reason and files the
// request form with the decision; IT staff then reschedule it.
func (s *Service) RejectRequest(ctx context.Context, as User, id int64, reason string) (Request, error) {
	if strings.TrimSpace(reason) == "" {
		return Request{}, refusedf("reject request #%d: a reason is required", id)
	}
	return s.decideRequest(ctx, as, id, false, reason)
}

func (s *Service) decideRequest(ctx context.Context, as User, id int64, approve bool, reason string) (Request, error) {
	what, action, state := "approve request", "request.approve", RequestApproved
	if !approve {
		what, action, state = "reject request", "request.reject", RequestRejected
	}
	actor, err := s.act(ctx, as, what, RoleManager)
	if err != nil {
		return Request{}, err
	}
	r, err := s.loadRequest(ctx, id, what, RequestSubmitted)
	if err != nil {
		return Request{}, err
	}
	if r.RequesterID == actor.ID {
		return Request{}, refusedf("%s #%d: nobody decides on their own request; another IT manager must", what, id)
	}
	if r.ReschedBy == actor.ID {
		return Request{}, refusedf("%s #%d: you rescheduled this request; another IT manager must decide on it", what, id)
	}
	r.DecidedBy, r.DecidedAt, r.RejectReason = actor.ID, s.now(), reason
	if err := s.setRequestState(ctx, as.Name, &r, action, state, reason); err != nil {
		return Request{}, err
	}
	if _, err := s.fileRequestForm(ctx, as.Name, &r); err != nil {
		return Request{}, err
	}
	if approve {
		s.jobsChanged(r.JobID) // a scheduled backup request joins the schedule
	}
	return s.requestFromStore(ctx, r), nil
}

// RescheduleRequest gives a rejected request a new time and submits it
// again (SOP 5.3c: "IT staff membuat jadwal kembali").
func (s *Service) RescheduleRequest(ctx context.Context, as User, id int64, at time.Time) (Request, error) {
	what := "reschedule request"
	actor, err := s.act(ctx, as, what, requestHandlers...)
	if err != nil {
		return Request{}, err
	}
	r, err := s.loadRequest(ctx, id, what, RequestRejected)
	if err != nil {
		return Request{}, err
	}
	if at.IsZero() {
		return Request{}, refusedf("%s #%d: give the new date and time", what, id)
	}
	r.RequestedAt, r.DecidedBy, r.DecidedAt, r.RejectReason = at, 0, time.Time{}, ""
	r.ReschedBy = actor.ID
	if err := s.setRequestState(ctx, as.Name, &r, "request.reschedule", RequestSubmitted, "new time "+at.Format("2006-01-02 15:04")); err != nil {
		return Request{}, err
	}
	if _, err := s.fileRequestForm(ctx, as.Name, &r); err != nil { // the new time, for the next decision
		return Request{}, err
	}
	return s.requestFromStore(ctx, r), nil
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
