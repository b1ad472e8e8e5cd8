package jobs

import (
	"context"
	"errors"
	"fmt"
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
}

// Job is a job with its approval state.
type Job struct {
	JobSpec
	ID           int64     `json:"id"`
	State        string    `json:"state"`
	Revision     int       `json:"revision"`
	CreatedBy    string    `json:"created_by"`
	SubmittedBy  string    `json:"submitted_by,omitempty"`
	DecidedBy    string    `json:"decided_by,omitempty"`
	DecidedAt    time.Time `json:"decided_at,omitzero"`
	RejectReason string    `json:"reject_reason,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Runnable reports whether the job may run now.
func (j Job) Runnable() bool { return j.State == JobApproved }

func (s *Service) jobFromStore(ctx context.Context, j store.Job) Job {
	return Job{
		JobSpec: JobSpec{Name: j.Name, Sources: j.Sources, Repository: j.Repository, PasswordFile: j.PasswordFile,
			Replicas: j.Replicas, Excludes: j.Excludes, Retention: j.Retention,
			Schedule: Schedule{Kind: j.ScheduleKind, WindowStart: j.WindowStart, WindowEnd: j.WindowEnd, Cron: j.Cron, Once: j.OnceAt}},
		ID: j.ID, State: j.State, Revision: j.Revision, CreatedBy: s.userName(ctx, j.CreatedBy),
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
	j.Replicas, j.Excludes, j.Retention = spec.Replicas, spec.Excludes, spec.Retention
	sc := spec.Schedule
	j.ScheduleKind, j.WindowStart, j.WindowEnd, j.Cron, j.OnceAt = sc.Kind, sc.WindowStart, sc.WindowEnd, sc.Cron, sc.Once
}

// jobEditors may define and change jobs (SOP 5.3a: IT staff, from the manager's analysis).
var jobEditors = []string{RoleStaff, RoleManager, RoleAdmin}

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
	if err := s.checkOnceInFuture(spec); err != nil {
		return Job{}, err
	}
	now := s.now()
	j := store.Job{State: JobDraft, Revision: 1, CreatedBy: actor.ID, EditedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	specToStore(spec, &j)
	if j.ID, err = s.catalog.CreateJob(ctx, j); err != nil {
		if old, ferr := s.catalog.JobByName(ctx, spec.Name); errors.Is(err, store.ErrConflict) && ferr == nil && old.State == JobRetired {
			return Job{}, fmt.Errorf("create job %q: a deleted job keeps that name (its runs and documents refer to it); choose another name", spec.Name)
		}
		return Job{}, err
	}
	if err := s.audit(ctx, as.Name, "job.create", jobObject(j.ID), "", JobDraft, spec.Name+": "+spec.Schedule.String()); err != nil {
		return Job{}, err
	}
	s.jobsChanged(j.ID)
	return s.jobFromStore(ctx, j), nil
}

// findJob resolves a job by name or numeric ID.
func (s *Service) findJob(ctx context.Context, ref string) (store.Job, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return s.catalog.JobByID(ctx, id)
	}
	return s.catalog.JobByName(ctx, ref)
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
func (s *Service) EditJob(ctx context.Context, as User, ref string, spec JobSpec) (Job, error) {
	actor, err := s.act(ctx, as, "edit job", jobEditors...)
	if err != nil {
		return Job{}, err
	}
	j, err := s.findJob(ctx, ref)
	if err != nil {
		return Job{}, err
	}
	if j.State == JobRetired {
		return Job{}, errRetired("edit job", j.Name)
	}
	if err := s.checkRecordsEdit(ctx, j, spec); err != nil {
		return Job{}, err
	}
	if spec, err = spec.normalized(); err != nil {
		return Job{}, err
	}
	if err := s.checkOnceInFuture(spec); err != nil {
		return Job{}, err
	}
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
	j.DecidedBy, j.DecidedAt, j.RejectReason, j.UpdatedAt = 0, time.Time{}, "", s.now()
	if err := s.catalog.UpdateJob(ctx, j); err != nil {
		return Job{}, err
	}
	if err := s.audit(ctx, as.Name, "job.edit", jobObject(j.ID), from, j.State, fmt.Sprintf("revision %d: %s", j.Revision, spec.Schedule)); err != nil {
		return Job{}, err
	}
	s.jobsChanged(j.ID)
	return s.jobFromStore(ctx, j), nil
}

// SubmitJob asks the IT manager to approve a draft or rescheduled job (SOP 5.3b).
func (s *Service) SubmitJob(ctx context.Context, as User, ref string) (Job, error) {
	return s.moveJob(ctx, as, ref, jobMove{action: "submit", roles: jobEditors, from: []string{JobDraft, JobRejected}, to: JobSubmitted})
}

// ApproveJob approves a submitted job (IT managers; not the one who submitted it).
func (s *Service) ApproveJob(ctx context.Context, as User, ref string) (Job, error) {
	return s.moveJob(ctx, as, ref, jobMove{action: "approve", roles: []string{RoleManager}, from: []string{JobSubmitted}, to: JobApproved, decide: true})
}

// RejectJob rejects a submitted job with a reason (SOP 5.3c: staff reschedules).
func (s *Service) RejectJob(ctx context.Context, as User, ref, reason string) (Job, error) {
	if strings.TrimSpace(reason) == "" {
		return Job{}, refusedf("reject job %s: a reason is required", ref)
	}
	return s.moveJob(ctx, as, ref, jobMove{action: "reject", roles: []string{RoleManager}, from: []string{JobSubmitted}, to: JobRejected, decide: true, reason: reason})
}

// PauseJob stops an approved job from running on schedule without needing re-approval later.
func (s *Service) PauseJob(ctx context.Context, as User, ref string) (Job, error) {
	return s.moveJob(ctx, as, ref, jobMove{action: "pause", roles: jobEditors, from: []string{JobApproved}, to: JobPaused})
}

// ResumeJob puts a paused job back on its (unchanged, approved) schedule.
func (s *Service) ResumeJob(ctx context.Context, as User, ref string) (Job, error) {
	return s.moveJob(ctx, as, ref, jobMove{action: "resume", roles: jobEditors, from: []string{JobPaused}, to: JobApproved})
}

type jobMove struct {
	action string
	roles  []string
	from   []string
	to     string
	decide bool // an approval decision: no self-approval, records the decider
	reason string
}

func (s *Service) moveJob(ctx context.Context, as User, ref string, m jobMove) (Job, error) {
	what := m.action + " job " + ref
	actor, err := s.act(ctx, as, what, m.roles...)
	if err != nil {
		return Job{}, err
	}
	j, err := s.findJob(ctx, ref)
	if err != nil {
		return Job{}, err
	}
	if !contains(m.from, j.State) {
		return Job{}, refusedf("%s: the job is %s; only a %s job can be %s", what, j.State, strings.Join(m.from, " or "), pastTense(m.action))
	}
	if m.decide && (j.SubmittedBy == actor.ID || j.EditedBy == actor.ID || j.EditedBy == 0 && j.CreatedBy == actor.ID) {
		return Job{}, refusedf("%s: you submitted or last changed this job; another IT manager must decide on it", what)
	}
	if m.to == JobApproved && j.ScheduleKind == ScheduleOnce && !j.OnceAt.After(s.now()) {
		return Job{}, refusedf("%s: its one-off time %s has passed; edit the job with a new time", what, j.OnceAt.Format("2006-01-02 15:04"))
	}
	from := j.State
	j.State, j.UpdatedAt = m.to, s.now()
	if m.to == JobSubmitted {
		j.SubmittedBy = actor.ID
	}
	if m.decide {
		j.DecidedBy, j.DecidedAt, j.RejectReason = actor.ID, s.now(), m.reason
	}
	if err := s.catalog.UpdateJob(ctx, j); err != nil {
		return Job{}, err
	}
	if err := s.audit(ctx, as.Name, "job."+m.action, jobObject(j.ID), from, j.State, m.reason); err != nil {
		return Job{}, err
	}
	if m.decide { // SOP 5.3b–c: the decision on a schedule is a numbered record
		if _, err := s.fileScheduleRecord(ctx, as.Name, j); err != nil {
			return Job{}, err
		}
	}
	s.jobsChanged(j.ID)
	return s.jobFromStore(ctx, j), nil
}

// checkOnceInFuture refuses a one-off time that has already passed: it
// could never run, and would never be reported as missed either.
func (s *Service) checkOnceInFuture(spec JobSpec) error {
	if spec.Schedule.Kind == ScheduleOnce && !spec.Schedule.Once.After(s.now()) {
		return fmt.Errorf("job %q: the one-off time %s has passed", spec.Name, spec.Schedule.Once.Format("2006-01-02 15:04"))
	}
	return nil
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
