package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cadang/engine/dbsource"
	"cadang/store"
)

// Job states. A job runs only while approved.
const (
	JobDraft     = "draft"
	JobSubmitted = "submitted"
	JobApproved  = "approved"
	JobRejected  = "rejected"
	JobPaused    = "paused"
	// JobRetired (retire.go): deleted, never runs, hidden from lists.
)

// Retention says which snapshots a job keeps.
type Retention = store.Retention

// JobSpec is what IT staff define for a job (SOP 5.3a), from the manager's analysis.
type JobSpec struct {
	Name         string    `json:"name"`
	Sources      []string  `json:"sources"`
	Repository   string    `json:"repository"`
	PasswordFile string    `json:"password_file,omitempty"` // encrypted repository: file holding its password
	Replicas     []string  `json:"replicas,omitempty"`
	Excludes     []string  `json:"excludes,omitempty"`
	Retention    Retention `json:"retention"`
	Schedule     Schedule  `json:"schedule"`
	// Host names the machine whose daemon runs the job on a shared catalog,
	// because its sources are there; "" lets any daemon run it. Part of the
	// definition: changing it needs an approval again.
	Host string `json:"host,omitempty"`
}

// Job is a job with its approval state.
type Job struct {
	JobSpec
	ID       int64  `json:"id"`
	State    string `json:"state"`
	Revision int    `json:"revision"`
	// RevisionHash identifies this exact definition; an approval names it.
	RevisionHash string `json:"revision_hash"`
	// ApprovedRevision is the definition the IT manager approved ("" when
	// none is approved); the job runs only while it equals RevisionHash.
	ApprovedRevision string    `json:"approved_revision,omitempty"`
	CreatedBy        string    `json:"created_by"`
	SubmittedBy      string    `json:"submitted_by,omitempty"`
	DecidedBy        string    `json:"decided_by,omitempty"`
	DecidedAt        time.Time `json:"decided_at,omitzero"`
	RejectReason     string    `json:"reject_reason,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Runnable reports whether the job may run now: approved, and unchanged
// since the approval.
func (j Job) Runnable() bool {
	return j.State == JobApproved && j.ApprovedRevision != "" && j.ApprovedRevision == j.RevisionHash
}

func (s *Service) jobFromStore(ctx context.Context, j store.Job) Job {
	return Job{
		JobSpec: JobSpec{Name: j.Name, Sources: j.Sources, Repository: j.Repository, PasswordFile: j.PasswordFile,
			Replicas: j.Replicas, Excludes: j.Excludes, Retention: j.Retention,
			Schedule: Schedule{Kind: j.ScheduleKind, WindowStart: j.WindowStart, WindowEnd: j.WindowEnd, Cron: j.Cron, Once: j.OnceAt},
			Host:     j.Host},
		ID: j.ID, State: j.State, Revision: j.Revision, RevisionHash: revisionOf(j), ApprovedRevision: j.ApprovedRevision, CreatedBy: s.userName(ctx, j.CreatedBy),
		SubmittedBy: s.userName(ctx, j.SubmittedBy), DecidedBy: s.userName(ctx, j.DecidedBy), DecidedAt: j.DecidedAt,
		RejectReason: j.RejectReason, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt,
	}
}

// userName is an account's name for display; "" for none, "#ID" when gone.
func (s *Service) userName(ctx context.Context, id int64) string {
	if id == 0 {
		return ""
	}
	u, err := s.catalog.UserByID(ctx, id)
	if err != nil {
		return "#" + strconv.FormatInt(id, 10)
	}
	return u.Name
}

func (spec JobSpec) normalized() (JobSpec, error) {
	spec.Name = strings.TrimSpace(spec.Name)
	spec.Host = strings.TrimSpace(spec.Host)
	if err := validateHost(spec.Host); err != nil {
		return spec, fmt.Errorf("job %q: %w", spec.Name, err)
	}
	if err := validateName(spec.Name); err != nil {
		return spec, fmt.Errorf("job name: %w", err)
	}
	if _, err := strconv.ParseInt(spec.Name, 10, 64); err == nil {
		return spec, fmt.Errorf("job name %q: a name must not be a number (numbers are IDs)", spec.Name)
	}
	if len(spec.Sources) == 0 {
		return spec, fmt.Errorf("job %q: at least one source path is required", spec.Name)
	}
	for i, p := range spec.Sources {
		if err := checkLocation("source", p); err != nil {
			return spec, fmt.Errorf("job %q: %w", spec.Name, err)
		}
		if p == WorkspaceSource { // the records job's; checkRecordsEdit keeps it there
			continue
		}
		if dbsource.IsURL(p) { // a database: sqlite://, postgres://, mysql://
			if _, err := dbsource.Parse(p); err != nil {
				return spec, fmt.Errorf("job %q: source: %w", spec.Name, err)
			}
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return spec, fmt.Errorf("job %q: source %q: %w", spec.Name, p, err)
		}
		spec.Sources[i] = abs
	}
	if strings.TrimSpace(spec.Repository) == "" {
		return spec, fmt.Errorf("job %q: a repository is required", spec.Name)
	}
	if err := checkLocation("repository", spec.Repository); err != nil {
		return spec, fmt.Errorf("job %q: %w", spec.Name, err)
	}
	for _, r := range spec.Replicas {
		if err := checkLocation("replica", r); err != nil {
			return spec, fmt.Errorf("job %q: %w", spec.Name, err)
		}
	}
	if !strings.Contains(spec.Repository, "://") {
		abs, err := filepath.Abs(spec.Repository)
		if err != nil {
			return spec, fmt.Errorf("job %q: repository %q: %w", spec.Name, spec.Repository, err)
		}
		spec.Repository = abs
	}
	spec.Schedule = spec.Schedule.withDefaults()
	if err := spec.Schedule.Validate(); err != nil {
		return spec, fmt.Errorf("job %q: %w", spec.Name, err)
	}
	return spec, nil
}

func specToStore(spec JobSpec, j *store.Job) {
	j.Name, j.Sources, j.Repository, j.PasswordFile = spec.Name, spec.Sources, spec.Repository, spec.PasswordFile
	j.Replicas, j.Excludes, j.Retention, j.Host = spec.Replicas, spec.Excludes, spec.Retention, spec.Host
	sc := spec.Schedule
	j.ScheduleKind, j.WindowStart, j.WindowEnd, j.Cron, j.OnceAt = sc.Kind, sc.WindowStart, sc.WindowEnd, sc.Cron, sc.Once
}

// jobEditors may define and change jobs (SOP 5.3a: IT staff, from the manager's analysis).
var jobEditors = capabilityRoles[CapDefineJobs]

// CreateJob defines a new job in the draft state.
func (s *Service) CreateJob(ctx context.Context, as User, spec JobSpec) (Job, error) {
	actor, err := s.act(ctx, as, "create job", jobEditors...)
	if err != nil {
		return Job{}, err
	}
	if err := checkNotRecords(spec); err != nil {
		return Job{}, err
	}
	if spec, err = spec.normalized(); err != nil {
		return Job{}, err
	}
	if err := s.checkSpec(spec); err != nil {
		return Job{}, err
	}
	now := s.now()
	j := store.Job{State: JobDraft, Revision: 1, CreatedBy: actor.ID, EditedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	specToStore(spec, &j)
	err = s.catalog.Update(ctx, func(tx *store.Tx) error {
		var err error
		if j.ID, err = tx.CreateJob(ctx, j); err != nil {
			if old, ferr := tx.JobByName(ctx, spec.Name); errors.Is(err, store.ErrConflict) && ferr == nil && old.State == JobRetired {
				return fmt.Errorf("create job %q: a deleted job keeps that name (its runs and documents refer to it); choose another name", spec.Name)
			}
			return err
		}
		return s.auditIn(ctx, tx, as.Name, "job.create", jobObject(j.ID), "", JobDraft,
			fmt.Sprintf("%s: %s; revision %s", spec.Name, spec.Schedule, ShortRevision(revisionOf(j))))
	})
	if err != nil {
		return Job{}, err
	}
	s.jobsChanged(j.ID)
	return s.jobFromStore(ctx, j), nil
}

// findJob resolves a job by name or numeric ID.
func (s *Service) findJob(ctx context.Context, ref string) (store.Job, error) {
	return findJobIn(ctx, s.catalog, ref)
}

// jobReader is what findJobIn needs: the catalog, or a transaction.
type jobReader interface {
	JobByID(ctx context.Context, id int64) (store.Job, error)
	JobByName(ctx context.Context, name string) (store.Job, error)
}

func findJobIn(ctx context.Context, q jobReader, ref string) (store.Job, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return q.JobByID(ctx, id)
	}
	return q.JobByName(ctx, ref)
}

// Job returns one job by name or ID.
func (s *Service) Job(ctx context.Context, as User, ref string) (Job, error) {
	if _, err := s.act(ctx, as, "show job"); err != nil {
		return Job{}, err
	}
	j, err := s.findJob(ctx, ref)
	if err != nil {
		return Job{}, err
	}
	return s.jobFromStore(ctx, j), nil
}

// JobPermissions says which actions the account may take on the job now,
// and why not the others: the window offers only what this allows.
func (s *Service) JobPermissions(ctx context.Context, as User, ref string) (Permissions, error) {
	actor, err := s.act(ctx, as, "show job")
	if err != nil {
		return Permissions{}, err
	}
	j, err := s.findJob(ctx, ref)
	if err != nil {
		return Permissions{}, err
	}
	now := s.now()
	authors, err := authorsOf(ctx, s.catalog, jobObject(j.ID))
	if err != nil {
		return Permissions{}, err
	}
	return permissions(jobActions, func(a Action) error {
		if err := jobRule(actor, j, a, now, authors); err != nil {
			return err
		}
		return s.recordsRule(ctx, j, a)
	}), nil
}

// Jobs lists jobs; a non-empty state filters. With "" deleted (retired)
// jobs are left out; JobAny lists them too.
func (s *Service) Jobs(ctx context.Context, as User, state string) ([]Job, error) {
	if _, err := s.act(ctx, as, "list jobs"); err != nil {
		return nil, err
	}
	filter := state
	if state == JobAny {
		filter = ""
	}
	all, err := s.catalog.Jobs(ctx, filter)
	if err != nil {
		return nil, err
	}
	out := make([]Job, 0, len(all))
	for _, j := range all {
		if state == "" && j.State == JobRetired {
			continue
		}
		out = append(out, s.jobFromStore(ctx, j))
	}
	return out, nil
}

// EditJob replaces a job's definition. Editing an approved (or paused) job
// sends it back to submitted: a changed job needs approval again before it
// runs. A rejected job becomes a draft again ("IT staff reschedules").
// A job keeps its name: its snapshots are found by it.
func (s *Service) EditJob(ctx context.Context, as User, ref string, spec JobSpec) (Job, error) {
	actor, err := s.act(ctx, as, "edit job", jobEditors...)
	if err != nil {
		return Job{}, err
	}
	if cur, err := s.findJob(ctx, ref); err != nil {
		return Job{}, err
	} else if err := s.checkRecordsEdit(ctx, cur, spec); err != nil {
		return Job{}, err
	}
	if spec, err = spec.normalized(); err != nil {
		return Job{}, err
	}
	if err := s.checkSpec(spec); err != nil {
		return Job{}, err
	}
	var j store.Job
	err = s.catalog.Update(ctx, func(tx *store.Tx) error {
		var err error
		if j, err = findJobIn(ctx, tx, ref); err != nil {
			return err
		}
		if err := jobRule(actor, j, ActEdit, s.now(), nil); err != nil {
			return err
		}
		if !strings.EqualFold(spec.Name, j.Name) {
			return refusedf("edit job %s: a job keeps its name (its snapshots, runs and documents are found by it); define a new job named %s instead", j.Name, spec.Name)
		}
		spec.Name = j.Name
		from := j.State
		switch from {
		case JobApproved, JobPaused:
			j.State, j.SubmittedBy = JobSubmitted, actor.ID
		case JobRejected:
			j.State = JobDraft
		}
		specToStore(spec, &j)
		j.Revision++
		j.EditedBy = actor.ID
		j.ApprovedRevision = ""
		j.DecidedBy, j.DecidedAt, j.RejectReason, j.UpdatedAt = 0, time.Time{}, "", s.now()
		if err := tx.UpdateJob(ctx, j); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, as.Name, "job.edit", jobObject(j.ID), from, j.State,
			fmt.Sprintf("revision %d (%s): %s", j.Revision, ShortRevision(revisionOf(j)), spec.Schedule))
	})
	if err != nil {
		return Job{}, err
	}
	s.jobsChanged(j.ID)
	return s.jobFromStore(ctx, j), nil
}

// SubmitJob asks the IT manager to approve a draft or rescheduled job (SOP 5.3b).
func (s *Service) SubmitJob(ctx context.Context, as User, ref string) (Job, error) {
	return s.moveJob(ctx, as, ref, jobMove{action: ActSubmit, to: JobSubmitted})
}

// ApproveJob approves a submitted job (IT managers; not the one who
// submitted or last changed it). revision is the revision the manager
// looked at (Job.RevisionHash, or at least the 12 characters shown): when
// the job changed since, the approval is refused and the manager looks again.
func (s *Service) ApproveJob(ctx context.Context, as User, ref, revision string) (Job, error) {
	return s.moveJob(ctx, as, ref, jobMove{action: ActApprove, to: JobApproved, seen: revision})
}

// RejectJob rejects a submitted job with a reason (SOP 5.3c: staff reschedules).
func (s *Service) RejectJob(ctx context.Context, as User, ref, reason string) (Job, error) {
	if strings.TrimSpace(reason) == "" {
		return Job{}, refusedf("reject job %s: a reason is required", ref)
	}
	return s.moveJob(ctx, as, ref, jobMove{action: ActReject, to: JobRejected, reason: reason})
}

// PauseJob stops an approved job from running on schedule without needing re-approval later.
func (s *Service) PauseJob(ctx context.Context, as User, ref string) (Job, error) {
	return s.moveJob(ctx, as, ref, jobMove{action: ActPause, to: JobPaused})
}

// ResumeJob puts a paused job back on its (unchanged, approved) schedule.
func (s *Service) ResumeJob(ctx context.Context, as User, ref string) (Job, error) {
	return s.moveJob(ctx, as, ref, jobMove{action: ActResume, to: JobApproved})
}

type jobMove struct {
	action Action
	to     string
	seen   string // approve: the revision the manager saw
	reason string
}

func (s *Service) moveJob(ctx context.Context, as User, ref string, m jobMove) (Job, error) {
	what := string(m.action) + " job " + ref
	actor, err := s.act(ctx, as, what)
	if err != nil {
		return Job{}, err
	}
	if m.action == ActApprove || m.action == ActSubmit {
		// Checked before the write lock: the sources and the repository
		// may sit on a slow share.
		j, err := s.findJob(ctx, ref)
		if err != nil {
			return Job{}, err
		}
		if err := s.checkSpec(s.jobFromStore(ctx, j).JobSpec); err != nil {
			return Job{}, refusedf("%s: the definition cannot run as it is: %s", what, err.Error())
		}
	}
	var j store.Job
	err = s.catalog.Update(ctx, func(tx *store.Tx) error {
		var err error
		if j, err = findJobIn(ctx, tx, ref); err != nil {
			return err
		}
		now := s.now()
		authors, err := authorsOf(ctx, tx, jobObject(j.ID))
		if err != nil {
			return err
		}
		if err := jobRule(actor, j, m.action, now, authors); err != nil {
			return err
		}
		rev := revisionOf(j)
		detail := m.reason
		switch m.action {
		case ActApprove:
			if err := checkSeen(what, m.seen, rev); err != nil {
				return err
			}
			j.ApprovedRevision = rev
			detail = "revision " + rev
		case ActResume:
			if j.ApprovedRevision != rev {
				return refusedf("%s: the job was changed after its approval; it must be approved again", what)
			}
		}
		from := j.State
		j.State, j.UpdatedAt = m.to, now
		if m.to == JobSubmitted {
			j.SubmittedBy = actor.ID
		}
		if m.action == ActApprove || m.action == ActReject {
			j.DecidedBy, j.DecidedAt, j.RejectReason = actor.ID, now, m.reason
		}
		if err := tx.UpdateJob(ctx, j); err != nil {
			return err
		}
		return s.auditIn(ctx, tx, as.Name, "job."+string(m.action), jobObject(j.ID), from, j.State, detail)
	})
	if err != nil {
		return Job{}, err
	}
	if m.action == ActApprove || m.action == ActReject { // SOP 5.3b–c: the decision on a schedule is a numbered record
		if _, err := s.fileScheduleRecord(ctx, as.Name, j); err != nil {
			return Job{}, fmt.Errorf("the decision on job %s is recorded, but its schedule record could not be filed: %w", j.Name, err)
		}
	}
	s.jobsChanged(j.ID)
	return s.jobFromStore(ctx, j), nil
}

// checkSeen refuses a decision on something other than what the manager saw.
func checkSeen(what, seen, current string) error {
	seen = strings.ToLower(strings.TrimSpace(seen))
	if seen == "" {
		return refusedf("%s: name the revision you reviewed (it is shown with the definition: `cadang job show` or `cadang request show`, or the window's details)", what)
	}
	if len(seen) < len(ShortRevision(current)) {
		// A prefix is all that binds the approval to what was seen: 8
		// characters (32 bits) are matched offline by varying a harmless
		// field; the 12 shown (48 bits) are not.
		return refusedf("%s: name the revision as it is shown, at least %d characters (%q is too short to say which one you reviewed)",
			what, len(ShortRevision(current)), seen)
	}
	if !strings.HasPrefix(current, seen) {
		return refusedf("%s: it changed since you reviewed it (you saw revision %s, it is now %s); review it again",
			what, ShortRevision(seen), ShortRevision(current))
	}
	return nil
}

// checkSpec refuses a definition that could never run: a one-off time that
// has passed, a source folder that does not exist, a repository path that
// is a file. It runs when a job is saved and again when it is approved.
func (s *Service) checkSpec(spec JobSpec) error {
	if spec.Schedule.Kind == ScheduleOnce && !spec.Schedule.Once.After(s.now()) {
		return fmt.Errorf("job %q: the one-off time %s has passed", spec.Name, spec.Schedule.Once.Format("2006-01-02 15:04"))
	}
	for _, p := range spec.Sources {
		if dbsource.IsURL(p) || p == WorkspaceSource {
			continue
		}
		if _, err := os.Lstat(p); err != nil {
			return fmt.Errorf("job %q: source %s: %w", spec.Name, p, pathProblem(err))
		}
	}
	if !strings.Contains(spec.Repository, "://") {
		if st, err := os.Stat(spec.Repository); err == nil && !st.IsDir() {
			return fmt.Errorf("job %q: repository %s is a file, not a folder", spec.Name, spec.Repository)
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("job %q: repository %s: %w", spec.Name, spec.Repository, pathProblem(err))
		}
	}
	return nil
}

// pathProblem says what a person should know of a failed path lookup.
func pathProblem(err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return errors.New("does not exist (check the path, or mount the share first)")
	case errors.Is(err, os.ErrPermission):
		return errors.New("cannot be read by this account (permission denied)")
	}
	return err
}

func jobObject(id int64) string { return "job#" + strconv.FormatInt(id, 10) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func pastTense(action string) string {
	if strings.HasSuffix(action, "e") {
		return action + "d"
	}
	return action + "ed"
}

// jobsChanged tells the scheduler (when one runs) to reload, and the window to refresh.
func (s *Service) jobsChanged(id int64) {
	s.publish(Event{Kind: EventJobChanged, JobID: id, Message: "job changed"})
	s.hooksMu.Lock()
	fn := s.onJobsChanged
	s.hooksMu.Unlock()
	if fn != nil {
		fn()
	}
}

// errNotApproved is the one message for "this must not run".
func errNotApproved(kind, name, state string) error {
	return refusedf("%s %s is %s, not approved: nothing runs without the IT manager's approval", kind, name, state)
}
