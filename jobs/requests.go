package jobs

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cadang/engine/dbsource"
	"cadang/engine/location"
	"cadang/pdfdoc"
	"cadang/sop"
	"cadang/store"
)

// Request kinds.
const (
	KindBackup  = "backup"
	KindRestore = "restore"
)

// Request states, defined once in package sop (with their labels) and
// re-exported here: draft → submitted → approved | rejected; a backup
// request runs (running → completed | failed); a restore request goes
// preparing → restoring → verifying → verified → awaiting-signatures (the
// handover form printed) → handed-over (its signed scan attached, or a
// paper handover recorded by the IT manager).
const (
	RequestDraft              = sop.RequestDraft
	RequestSubmitted          = sop.RequestSubmitted
	RequestApproved           = sop.RequestApproved
	RequestRejected           = sop.RequestRejected
	RequestRunning            = sop.RequestRunning
	RequestCompleted          = sop.RequestCompleted
	RequestPreparing          = sop.RequestPreparing
	RequestRestoring          = sop.RequestRestoring
	RequestVerifying          = sop.RequestVerifying
	RequestVerified           = sop.RequestVerified
	RequestAwaitingSignatures = sop.RequestAwaitingSignatures
	RequestHandedOver         = sop.RequestHandedOver
	RequestFailed             = sop.RequestFailed
)

// RequestStateInfo is one request state with its label in both languages.
type RequestStateInfo = sop.State

// RequestStates lists every request state, in the order of the procedure,
// with its label: the one list the window, the command line and the forms
// use.
func RequestStates() []RequestStateInfo { return append([]RequestStateInfo(nil), sop.RequestStates...) }

// RequestStateLabel is a request state's label in lang ("id" or "en").
func RequestStateLabel(state, lang string) string {
	return sop.RequestStateLabel(state).In(pdfdoc.Lang(lang))
}

// Request is a department's request for a backup or restore (SOP 5.2).
type Request struct {
	ID            int64     `json:"id"`
	Kind          string    `json:"kind"`
	JobID         int64     `json:"job_id"`
	JobName       string    `json:"job"`
	Requester     string    `json:"requester"`      // login name
	RequesterName string    `json:"requester_name"` // full name when known, for forms and lists
	Department    string    `json:"department,omitempty"`
	Reason        string    `json:"reason"`
	RequestedAt   time.Time `json:"requested_at,omitzero"` // backup: when to run; restore: the data's date
	Target        string    `json:"target,omitempty"`      // restore destination
	Include       []string  `json:"include,omitempty"`     // restore: snapshot paths to bring back; empty = all
	Replica       string    `json:"replica,omitempty"`     // restore: the replica to read from; "" the job's repository
	Overwrite     bool      `json:"overwrite,omitempty"`   // restore: existing files in the target may be replaced
	// RevisionHash identifies these exact terms; an approval names it.
	RevisionHash string `json:"revision_hash"`
	// ApprovedRevision is the terms the IT manager approved ("" before).
	ApprovedRevision string `json:"approved_revision,omitempty"`
	// Notice flags, when the request is made, a problem the manager will
	// also be told of (no backup at or before a restore's time).
	Notice       string    `json:"notice,omitempty"`
	State        string    `json:"state"`
	DecidedBy    string    `json:"decided_by,omitempty"`
	DecidedAt    time.Time `json:"decided_at,omitzero"`
	RejectReason string    `json:"reject_reason,omitempty"`
	Attempts     int       `json:"attempts,omitempty"`
	SnapshotID   string    `json:"snapshot_id,omitempty"`
	Number       string    `json:"number,omitempty"` // the request form's document number
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func (s *Service) requestFromStore(ctx context.Context, r store.Request) Request {
	out := Request{ID: r.ID, Kind: r.Kind, JobID: r.JobID, Requester: s.userName(ctx, r.RequesterID), Department: r.Department,
		Reason: r.Reason, RequestedAt: r.RequestedAt, Target: r.Target, State: r.State, DecidedBy: s.userName(ctx, r.DecidedBy),
		DecidedAt: r.DecidedAt, RejectReason: r.RejectReason, Attempts: r.Attempts, SnapshotID: r.SnapshotID,
		Number: r.Number, Include: r.Include, Overwrite: r.Overwrite, Replica: r.Replica, RevisionHash: requestRevisionOf(r),
		ApprovedRevision: r.ApprovedRevision, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if j, err := s.catalog.JobByID(ctx, r.JobID); err == nil {
		out.JobName = j.Name
	}
	out.RequesterName = out.Requester
	if u, err := s.catalog.UserByID(ctx, r.RequesterID); err == nil {
		out.RequesterName = displayName(u)
	}
	return out
}

// NewRequest is what a department fills in on the request form.
type NewRequest struct {
	Kind        string
	Job         string // name or ID
	RequestedAt time.Time
	// Precision of RequestedAt, for a restore ("as of" a day includes the
	// whole day); PrecisionAuto reads a time on a whole minute as that minute.
	Precision Precision
	Target    string
	Overwrite bool     // restore: existing files in the target may be replaced
	Include   []string // restore: snapshot paths ("/home/ani/docs") to bring back; empty = the whole snapshot
	// Replica names the copy a restore reads from: one of the job's
	// replicas (an offsite folder, the cloud), or "" for its repository.
	Replica    string
	Reason     string
	Department string // defaults to the requester's department
}

// cleanIncludes checks and normalises the snapshot paths of a partial
// restore: slash-separated, absolute inside the snapshot, no duplicates.
func cleanIncludes(kind string, in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if kind != KindRestore {
		return nil, fmt.Errorf("only a restore request can name paths to restore (--include)")
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, p := range in {
		p = strings.TrimSpace(filepath.ToSlash(p))
		if p == "" {
			return nil, fmt.Errorf("an empty path to restore (--include): name a file or folder of the snapshot")
		}
		p = path.Clean("/" + p)
		if p == "/" {
			return nil, nil // the whole snapshot
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// CreateRequest records a request in the draft state (any role may ask).
func (s *Service) CreateRequest(ctx context.Context, as User, nr NewRequest) (Request, error) {
	actor, err := s.act(ctx, as, "create request")
	if err != nil {
		return Request{}, err
	}
	if nr.Kind != KindBackup && nr.Kind != KindRestore {
		return Request{}, fmt.Errorf("request kind %q: want backup or restore", nr.Kind)
	}
	if strings.TrimSpace(nr.Reason) == "" {
		return Request{}, fmt.Errorf("a request needs a reason")
	}
	if nr.Kind == KindRestore && nr.RequestedAt.IsZero() {
		return Request{}, fmt.Errorf("a restore request needs the date and time of the data (--at)")
	}
	include, err := cleanIncludes(nr.Kind, nr.Include)
	if err != nil {
		return Request{}, err
	}
	if err := checkLocation("restore target", nr.Target); err != nil {
		return Request{}, err
	}
	j, err := s.findJob(ctx, nr.Job)
	if err != nil {
		return Request{}, err
	}
	if j.State == JobRetired && nr.Kind == KindBackup {
		// Its data can still be restored: the repository is kept.
		return Request{}, errRetired("create request", j.Name)
	}
	if err := checkRestoreCopy(nr.Kind, j, nr.Replica); err != nil {
		return Request{}, err
	}
	if err := checkRestoreCopy(nr.Kind, j, nr.Replica); err != nil {
		return Request{}, err
	}
	if nr.Department == "" {
		nr.Department = actor.Department
	}
	at := nr.RequestedAt
	if nr.Kind == KindRestore {
		at = AsOf(at, nr.Precision)
	}
	now := s.now()
	r := store.Request{Kind: nr.Kind, JobID: j.ID, RequesterID: actor.ID, Department: nr.Department, Reason: nr.Reason,
		RequestedAt: at, Target: strings.TrimSpace(nr.Target), Include: include, Overwrite: nr.Overwrite && nr.Kind == KindRestore, Replica: nr.Replica,
		State: RequestDraft, CreatedAt: now, UpdatedAt: now}
	if err := cleanTarget(&r); err != nil {
		return Request{}, err
	}
	if err := s.checkRestoreInto(ctx, "create request", r.Target); err != nil {
		return Request{}, err
	}
	err = s.catalog.Update(ctx, func(tx *store.Tx) error {
		var err error
		if r.ID, err = tx.CreateRequest(ctx, r); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, as.Name, "request.create", requestObject(r.ID), "", RequestDraft, nr.Kind+" of "+j.Name+": "+describeTerms(r))
	})
	if err != nil {
		return Request{}, err
	}
	s.requestChanged(r)
	out := s.requestFromStore(ctx, r)
	if r.Kind == KindRestore {
		// Flagged now, so the department can correct it before the manager
		// sees it; an unreachable repository is not a reason to refuse asking.
		if _, nearest, err := s.jobSnapshotAt(ctx, j, r.Replica, r.RequestedAt); errors.Is(err, errNoBackupAsOf) {
			out.Notice = noBackupMessage(j.Name, r.RequestedAt, nearest)
		}
	}
	return out, nil
}

// cleanTarget checks a restore's destination: a database URL that parses,
// or a folder path made absolute.
func cleanTarget(r *store.Request) error {
	if r.Target == "" || r.Kind != KindRestore {
		if r.Kind == KindBackup && r.Target != "" {
			return fmt.Errorf("a backup request has no destination (--target is for restores)")
		}
		return nil
	}
	if dbsource.IsURL(r.Target) {
		if _, err := dbsource.Parse(r.Target); err != nil {
			return fmt.Errorf("request destination: %w", err)
		}
		if len(r.Include) > 0 {
			return fmt.Errorf("a database is restored whole; this request names paths to restore (%s), so give a folder as the destination", strings.Join(r.Include, ", "))
		}
		return nil
	}
	abs, err := filepath.Abs(r.Target)
	if err != nil {
		return fmt.Errorf("request destination %q: %w", r.Target, err)
	}
	r.Target = abs
	return nil
}

// checkRestoreInto refuses a restore destination that is, or lies inside,
// the workspace (its catalog, documents, keys, logs) or a repository of one
// of its jobs: a restore with consent to replace files would otherwise put
// a department's files in place of the records or a repository's keys and
// snapshots. A database URL is not a folder and passes.
func (s *Service) checkRestoreInto(ctx context.Context, what, target string) error {
	if target == "" || dbsource.IsURL(target) {
		return nil
	}
	all, err := s.catalog.Jobs(ctx, "")
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	dest := resolvedPath(target)
	if within(dest, resolvedPath(s.dir)) {
		return refusedf("%s: %s is the workspace or inside it; a restore never writes into the workspace or a repository; choose another folder", what, target)
	}
	for _, j := range all {
		if dir, ok := location.IsLocal(j.Repository); ok && within(dest, resolvedPath(dir)) {
			return refusedf("%s: %s is the repository of job %s or inside it; a restore never writes into the workspace or a repository; choose another folder", what, target, j.Name)
		}
	}
	return nil
}

// resolvedPath is p made absolute and clean, with the links in the part
// of it that exists resolved.
func resolvedPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	rest := ""
	for dir := abs; ; dir = filepath.Dir(dir) {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(real, rest)
		}
		if filepath.Dir(dir) == dir {
			return abs
		}
		rest = filepath.Join(filepath.Base(dir), rest)
	}
}

// within reports whether path is dir or inside it (both resolved).
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// requestSeer returns requestVisible for the account by request ID (0, no
// request: visible), reading each request once: for the lists (documents,
// runs) that name requests.
func (s *Service) requestSeer(ctx context.Context, actor store.User) func(id int64) error {
	seen := map[int64]error{0: nil}
	return func(id int64) error {
		if why, ok := seen[id]; ok {
			return why
		}
		r, err := s.catalog.RequestByID(ctx, id)
		if err != nil {
			return err
		}
		seen[id] = requestVisible(actor, r)
		return seen[id]
	}
}

// Request returns one request.
func (s *Service) Request(ctx context.Context, as User, id int64) (Request, error) {
	actor, err := s.act(ctx, as, "show request")
	if err != nil {
		return Request{}, err
	}
	r, err := s.catalog.RequestByID(ctx, id)
	if err != nil {
		return Request{}, err
	}
	if err := requestVisible(actor, r); err != nil {
		return Request{}, err
	}
	return s.requestFromStore(ctx, r), nil
}

// RequestFilter selects requests; zero fields match everything.
type RequestFilter struct {
	States []string
	Kind   string
	Job    string // name or ID
	Mine   bool   // only the acting account's requests
}

// Requests lists requests, newest first. Department users see only their own.
func (s *Service) Requests(ctx context.Context, as User, f RequestFilter) ([]Request, error) {
	actor, err := s.act(ctx, as, "list requests")
	if err != nil {
		return nil, err
	}
	sf := store.RequestFilter{States: f.States, Kind: f.Kind}
	if f.Mine || actor.Role == RoleUser {
		sf.RequesterID = actor.ID
	}
	if f.Job != "" {
		j, err := s.findJob(ctx, f.Job)
		if err != nil {
			return nil, err
		}
		sf.JobID = j.ID
	}
	all, err := s.catalog.Requests(ctx, sf)
	if err != nil {
		return nil, err
	}
	out := make([]Request, 0, len(all))
	for _, r := range all {
		out = append(out, s.requestFromStore(ctx, r))
	}
	return out, nil
}

// Inbox is what waits for the acting IT manager's decision: submitted
// requests and jobs, except the ones they submitted themselves.
type Inbox struct {
	Requests []Request `json:"requests"`
	Jobs     []Job     `json:"jobs"`
}

// Inbox lists pending approvals for a manager (empty for other roles).
func (s *Service) Inbox(ctx context.Context, as User) (Inbox, error) {
	actor, err := s.act(ctx, as, "read the inbox")
	if err != nil {
		return Inbox{}, err
	}
	var in Inbox
	if !roleCan(actor.Role, CapDecide) {
		return in, nil
	}
	reqs, err := s.catalog.Requests(ctx, store.RequestFilter{States: []string{RequestSubmitted}})
	if err != nil {
		return Inbox{}, err
	}
	for _, r := range reqs {
		authors, err := authorsOf(ctx, s.catalog, requestObject(r.ID))
		if err != nil {
			return Inbox{}, err
		}
		if requestRule(actor, r, ActApprove, authors) == nil {
			in.Requests = append(in.Requests, s.requestFromStore(ctx, r))
		}
	}
	jobs, err := s.catalog.Jobs(ctx, JobSubmitted)
	if err != nil {
		return Inbox{}, err
	}
	now := s.now()
	for _, j := range jobs {
		authors, err := authorsOf(ctx, s.catalog, jobObject(j.ID))
		if err != nil {
			return Inbox{}, err
		}
		if jobRule(actor, j, ActApprove, now, authors) == nil || jobRule(actor, j, ActReject, now, authors) == nil {
			in.Jobs = append(in.Jobs, s.jobFromStore(ctx, j))
		}
	}
	return in, nil
}

func requestObject(id int64) string { return "request#" + strconv.FormatInt(id, 10) }

func (s *Service) requestChanged(r store.Request) {
	s.publish(Event{Kind: EventRequestChanged, RequestID: r.ID, JobID: r.JobID, State: r.State, RequesterID: r.RequesterID,
		Message: fmt.Sprintf("%s request #%d is %s", r.Kind, r.ID, r.State)})
}

// setRequestState moves r to state, saves and audits it in one
// transaction. It refuses when the stored request is no longer in the
// state r was read in: another process moved it meanwhile (two people
// carrying out the same request at once), and only one of them goes on.
func (s *Service) setRequestState(ctx context.Context, actor string, r *store.Request, action, state, detail string) error {
	from := r.State
	err := s.catalog.Update(ctx, func(tx *store.Tx) error {
		cur, err := tx.RequestByID(ctx, r.ID)
		if err != nil {
			return err
		}
		if cur.State != from {
			return refusedf("request #%d changed meanwhile: it is %s now, not %s", r.ID, cur.State, from)
		}
		r.State, r.UpdatedAt = state, s.now()
		if err := tx.UpdateRequest(ctx, *r); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, actor, action, requestObject(r.ID), from, state, detail)
	})
	if err != nil {
		r.State = from
		return err
	}
	s.requestChanged(*r)
	return nil
}
