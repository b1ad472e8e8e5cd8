package jobs

// This file is the one place that decides who may do what. Every Service
// method asks it before acting, and the window and the command line ask it
// to decide what to offer; neither keeps a copy of a rule.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"cadang/store"
)

// Capability is something a role may do regardless of any one job or request.
type Capability string

// Capabilities, and the roles that hold them.
const (
	CapAsk            Capability = "ask"             // create and submit one's own requests
	CapSeeAllRequests Capability = "see-requests"    // see every department's requests
	CapDefineJobs     Capability = "define-jobs"     // create, edit, submit, pause, resume, delete jobs
	CapDecide         Capability = "decide"          // approve or reject jobs and requests
	CapCarryOut       Capability = "carry-out"       // run jobs and requests, restore, hand over, browse snapshots, file reports
	CapReadAudit      Capability = "read-audit"      // read and verify the audit log
	CapManageAccounts Capability = "manage-accounts" // add, disable, unlock accounts, change roles, reset passwords
	CapChangeSettings Capability = "change-settings" // company, SOP header, form codes, signatories
	CapRunScheduler   Capability = "run-scheduler"   // the account a scheduler (window or daemon) acts as
	CapMaintainRepo   Capability = "maintain-repo"   // back up, forget, prune or unlock a job's repository by hand
)

// capabilityRoles lists, for each capability, the roles that hold it.
var capabilityRoles = map[Capability][]string{
	CapAsk:            {RoleUser, RoleStaff, RoleManager, RoleAdmin},
	CapSeeAllRequests: {RoleStaff, RoleManager, RoleAdmin},
	CapDefineJobs:     {RoleStaff, RoleManager, RoleAdmin},
	CapDecide:         {RoleManager},
	CapCarryOut:       {RoleStaff, RoleManager, RoleAdmin},
	CapReadAudit:      {RoleStaff, RoleManager, RoleAdmin},
	CapManageAccounts: {RoleAdmin},
	CapChangeSettings: {RoleAdmin, RoleManager},
	CapRunScheduler:   {RoleStaff, RoleManager, RoleAdmin},
	CapMaintainRepo:   {RoleStaff, RoleManager, RoleAdmin},
}

// Can reports whether the account's role holds the capability. It does not
// look at whether the account is disabled or locked: every action checks
// that again when it happens.
func (u User) Can(c Capability) bool { return slices.Contains(capabilityRoles[c], u.Role) }

func roleCan(role string, c Capability) bool { return slices.Contains(capabilityRoles[c], role) }

// Action is something a person may do to one job or one request.
type Action string

// Actions on jobs and requests.
const (
	ActEdit       Action = "edit"
	ActSubmit     Action = "submit"
	ActApprove    Action = "approve"
	ActReject     Action = "reject"
	ActPause      Action = "pause"
	ActResume     Action = "resume"
	ActRun        Action = "run"
	ActDelete     Action = "delete"
	ActRetention  Action = "retention"
	ActBrowse     Action = "browse"
	ActReschedule Action = "reschedule"
	ActHandover   Action = "handover"
)

// Permissions are the actions an account may take on one job or request
// now, with the reason for each one it may not.
type Permissions struct {
	denied map[Action]string
	all    []Action
}

// Can reports whether the action is allowed.
func (p Permissions) Can(a Action) bool {
	_, no := p.denied[a]
	return slices.Contains(p.all, a) && !no
}

// Why is the reason an action is not allowed ("" when it is).
func (p Permissions) Why(a Action) string { return p.denied[a] }

// Allowed lists the allowed actions in a stable order.
func (p Permissions) Allowed() []Action {
	var out []Action
	for _, a := range p.all {
		if p.Can(a) {
			out = append(out, a)
		}
	}
	return out
}

func permissions(all []Action, rule func(Action) error) Permissions {
	p := Permissions{denied: map[Action]string{}, all: all}
	for _, a := range all {
		if err := rule(a); err != nil {
			p.denied[a] = err.Error()
		}
	}
	return p
}

var jobActions = []Action{ActEdit, ActSubmit, ActApprove, ActReject, ActPause, ActResume, ActRun, ActDelete, ActRetention, ActBrowse}

// jobStatesFor lists the states in which an action may be taken on a job.
var jobStatesFor = map[Action][]string{
	ActEdit:      {JobDraft, JobSubmitted, JobRejected, JobApproved, JobPaused},
	ActSubmit:    {JobDraft, JobRejected},
	ActApprove:   {JobSubmitted},
	ActReject:    {JobSubmitted},
	ActPause:     {JobApproved},
	ActResume:    {JobPaused},
	ActRun:       {JobApproved},
	ActDelete:    {JobDraft, JobSubmitted, JobRejected, JobApproved, JobPaused},
	ActRetention: {JobApproved, JobPaused},
	ActBrowse:    {JobDraft, JobSubmitted, JobRejected, JobApproved, JobPaused, JobRetired},
}

var jobActionCap = map[Action]Capability{
	ActEdit: CapDefineJobs, ActSubmit: CapDefineJobs, ActApprove: CapDecide, ActReject: CapDecide,
	ActPause: CapDefineJobs, ActResume: CapDefineJobs, ActRun: CapCarryOut, ActDelete: CapDefineJobs,
	ActRetention: CapCarryOut, ActBrowse: CapCarryOut,
}

// jobRule decides whether u may take action a on job j now. It is the only
// copy of these rules; moveJob, EditJob, RunJob and the others call it.
// authors are who created, changed or submitted j since its last approval
// (authorsOf); only a decision (approve, reject) looks at them.
func jobRule(u store.User, j store.Job, a Action, now time.Time, authors []string) error {
	what := string(a) + " job " + j.Name
	if c := jobActionCap[a]; !roleCan(u.Role, c) {
		return refusedf("%s: only %s may do this; %q is %s", what, rolesHolding(c), u.Name, roleNames[u.Role])
	}
	states := jobStatesFor[a]
	if !slices.Contains(states, j.State) {
		if a == ActRun || a == ActRetention {
			return errNotApproved("job", j.Name, j.State)
		}
		if j.State == JobRetired {
			return errRetired(what, j.Name)
		}
		return refusedf("%s: the job is %s; only a %s job can be %s", what, j.State, strings.Join(states, " or "), pastTense(string(a)))
	}
	switch a {
	case ActApprove, ActReject:
		if j.SubmittedBy == u.ID || j.EditedBy == u.ID || j.EditedBy == 0 && j.CreatedBy == u.ID || slices.Contains(authors, u.Name) {
			return refusedf("%s: you submitted or last changed this job; another IT manager must decide on it", what)
		}
		if a == ActApprove && j.ScheduleKind == ScheduleOnce && !j.OnceAt.After(now) {
			return refusedf("%s: its one-off time %s has passed; edit the job with a new time", what, j.OnceAt.Format("2006-01-02 15:04"))
		}
	}
	return nil
}

var requestActions = []Action{ActSubmit, ActApprove, ActReject, ActReschedule, ActRun, ActHandover}

// requestStatesFor lists the states in which an action may be taken on a request.
var requestStatesFor = map[Action][]string{
	ActSubmit:     {RequestDraft},
	ActApprove:    {RequestSubmitted},
	ActReject:     {RequestSubmitted},
	ActReschedule: {RequestRejected},
	ActRun:        {RequestApproved},
	ActHandover:   {RequestVerified},
}

// requestRule decides whether u may take action a on request r now.
// authors are who created, changed, submitted or rescheduled r since its
// last approval (authorsOf); only a decision looks at them.
func requestRule(u store.User, r store.Request, a Action, authors []string) error {
	what := string(a) + " request #" + strconv.FormatInt(r.ID, 10)
	switch a {
	case ActSubmit:
		if u.ID != r.RequesterID && !roleCan(u.Role, CapCarryOut) {
			return refusedf("%s: only the requester or IT staff submit request #%d", what, r.ID)
		}
	case ActApprove, ActReject:
		if !roleCan(u.Role, CapDecide) {
			return refusedf("%s: only %s may do this; %q is %s", what, rolesHolding(CapDecide), u.Name, roleNames[u.Role])
		}
	default:
		if !roleCan(u.Role, CapCarryOut) {
			return refusedf("%s: only %s may do this; %q is %s", what, rolesHolding(CapCarryOut), u.Name, roleNames[u.Role])
		}
	}
	if states := requestStatesFor[a]; !slices.Contains(states, r.State) {
		if a == ActRun {
			return errNotApproved("request", "#"+strconv.FormatInt(r.ID, 10), r.State)
		}
		return refusedf("%s: request #%d is %s; it must be %s", what, r.ID, r.State, strings.Join(states, " or "))
	}
	if a == ActApprove || a == ActReject {
		if r.RequesterID == u.ID {
			return refusedf("%s: nobody decides on their own request; another IT manager must", what)
		}
		if r.ReschedBy == u.ID || slices.Contains(authors, u.Name) {
			return refusedf("%s: you submitted, changed or rescheduled this request; another IT manager must decide on it", what)
		}
	}
	return nil
}

// authoring lists the audit actions that write what a manager decides on:
// creating, changing, submitting or rescheduling a job or a request.
var authoring = []string{"job.create", "job.edit", "job.submit", "request.create", "request.edit", "request.submit", "request.reschedule"}

// auditReader reads the audit log: the catalog, or a transaction in it.
type auditReader interface {
	Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error)
}

// authorsOf lists the accounts (by name) that created, changed, submitted
// or rescheduled a job or request (its audit object) since its last
// approval. Each of those steps commits with its audit entry, so the log
// knows every author, not only the last one the row remembers: a trivial
// edit by someone else never clears an earlier author to decide.
func authorsOf(ctx context.Context, q auditReader, object string) ([]string, error) {
	entries, err := q.Audit(ctx, store.AuditFilter{Object: object})
	if err != nil {
		return nil, fmt.Errorf("who changed %s: %w", object, err)
	}
	var out []string
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if strings.HasSuffix(e.Action, ".approve") || strings.HasSuffix(e.Action, ".approval-adopted") {
			break
		}
		if slices.Contains(authoring, e.Action) && !slices.Contains(out, e.Actor) {
			out = append(out, e.Actor)
		}
	}
	return out, nil
}

// requestVisible decides whether u may see request r at all: everyone sees
// their own; only the roles that see every department's requests see the
// others' (their reasons, paths and destinations are the department's).
func requestVisible(u store.User, r store.Request) error {
	if r.RequesterID == u.ID || roleCan(u.Role, CapSeeAllRequests) {
		return nil
	}
	return refusedf("show request #%d: it is another's request; only %s see every request", r.ID, rolesHolding(CapSeeAllRequests))
}

// rolesHolding names the roles holding a capability, for a refusal.
func rolesHolding(c Capability) string {
	roles := capabilityRoles[c]
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = roleNames[r]
	}
	return strings.Join(names, " or ")
}
