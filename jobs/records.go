package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"cadang/engine"
	"cadang/engine/dbsource"
	"cadang/store"
)

// The workspace's own records (SOP 5.5): the catalog, the filed documents,
// the run logs and every other file of the workspace (keys, settings files)
// are backed up every night by one built-in job, so that a lost admin
// workstation does not take the controlled records with it. The job is an
// ordinary job in every other respect: it is listed, it runs only while
// approved, its runs file execution reports, and a change to it needs an IT
// manager's approval. It always backs up this workspace under its own name,
// and it cannot be deleted.

// RecordsJobName is the built-in job that backs up the workspace itself.
const RecordsJobName = "workspace-records"

// WorkspaceSource is the records job's one source: this workspace, found
// where it is at each run (the definition does not change when a workspace
// is rebuilt in another folder).
const WorkspaceSource = "workspace:"

// The records job's defaults: after the nightly window of the APCA work
// instruction, so that the night's runs and execution reports are in it.
const (
	RecordsWindowStart = "23:00"
	RecordsWindowEnd   = "00:00"
)

// recordsRetention keeps records long: they are small and deduplicated.
var recordsRetention = Retention{KeepLast: 7, KeepDaily: 31, KeepMonthly: 24, KeepYearly: 10}

const (
	// keyRecordsJob is the internal setting naming the records job's ID.
	keyRecordsJob = "records.job"
	// RecordsPasswordFile is where the records repository's password is
	// kept, relative to the workspace (mode 0600). It travels in the
	// backup it opens, so a rebuilt workspace can back up again at once.
	RecordsPasswordFile = "keys/records-repository.pass"
)

// RecordsOptions say where the workspace's own backup goes.
type RecordsOptions struct {
	Repository string   // a folder or a location URL; must be outside the workspace
	Password   string   // encrypts a new repository, opens an existing one; "" for none
	Replicas   []string // names from `cadang replica add --repo REPOSITORY`
}

// recordsSpec is the records job's definition for opt.
func (s *Service) recordsSpec(opt RecordsOptions) (JobSpec, error) {
	spec := JobSpec{Name: RecordsJobName, Sources: []string{WorkspaceSource}, Repository: strings.TrimSpace(opt.Repository),
		Replicas: opt.Replicas, Retention: recordsRetention,
		Schedule: Schedule{Kind: ScheduleWindow, WindowStart: RecordsWindowStart, WindowEnd: RecordsWindowEnd}}
	if opt.Password != "" {
		spec.PasswordFile = RecordsPasswordFile
	}
	spec, err := spec.normalized()
	if err != nil {
		return spec, err
	}
	return spec, s.checkRecordsRepository(spec.Repository)
}

// checkRecordsRepository refuses a repository inside the workspace: it
// would die with the workstation it is meant to outlive.
func (s *Service) checkRecordsRepository(repo string) error {
	if strings.Contains(repo, "://") || !filepath.IsAbs(repo) {
		return nil // a remote location (sftp://…, s3://…, rclone:REMOTE:path)
	}
	rel, err := filepath.Rel(s.dir, repo)
	if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("records repository %s is inside the workspace %s: choose a place that outlives this workstation (another disk, a share, a replica)", repo, s.dir)
	}
	return nil
}

// openRecordsRepository opens (creating it when missing) the repository,
// so that a wrong location or password is found at setup, not at night.
func (s *Service) openRecordsRepository(ctx context.Context, spec JobSpec, password string) error {
	repo, err := s.engine.Open(ctx, spec.Repository, password, true)
	if err != nil {
		return fmt.Errorf("records repository: %w", hint(err))
	}
	return repo.Close()
}

// writeRecordsPassword keeps the repository password in the workspace.
func (s *Service) writeRecordsPassword(password string) error {
	if password == "" {
		return nil
	}
	path := filepath.Join(s.dir, filepath.FromSlash(RecordsPasswordFile))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("keep the records repository password: %w", err)
	}
	if err := writeFileAtomic(path, []byte(password+"\n")); err != nil {
		return fmt.Errorf("keep the records repository password: %w", err)
	}
	return nil
}

// defineRecords creates the records job for the administrator admin. At
// the first-time setup (bySetup) the setup approves it, with an audit
// entry that says so: the workspace's records are protected from its first
// night. Otherwise it waits for an IT manager's approval like any job.
func (s *Service) defineRecords(ctx context.Context, admin store.User, opt RecordsOptions, bySetup bool) (Job, error) {
	if id, err := s.recordsJobID(ctx); err != nil {
		return Job{}, err
	} else if id != 0 {
		return Job{}, refusedf("set up the records backup: this workspace has one (job %s); change it with `job edit %s`", RecordsJobName, RecordsJobName)
	}
	spec, err := s.recordsSpec(opt)
	if err != nil {
		return Job{}, err
	}
	if err := s.openRecordsRepository(ctx, spec, opt.Password); err != nil {
		return Job{}, err
	}
	if err := s.writeRecordsPassword(opt.Password); err != nil {
		return Job{}, err
	}
	now := s.now()
	j := store.Job{State: JobSubmitted, Revision: 1, CreatedBy: admin.ID, EditedBy: admin.ID, SubmittedBy: admin.ID, CreatedAt: now, UpdatedAt: now}
	specToStore(spec, &j)
	err = s.catalog.Update(ctx, func(tx *store.Tx) error {
		var err error
		if j.ID, err = tx.CreateJob(ctx, j); errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("set up the records backup: a job named %s exists already: %w", RecordsJobName, err)
		} else if err != nil {
			return err
		}
		if err := tx.SetSetting(ctx, keyRecordsJob, strconv.FormatInt(j.ID, 10)); err != nil {
			return err
		}
		entry := store.AuditEntry{At: now, Actor: admin.Name, Action: "job.create", Object: jobObject(j.ID), ToState: JobSubmitted,
			Detail: fmt.Sprintf("built in: the workspace's own records (catalog, documents, logs) into %s, %s (SOP 5.5)", spec.Repository, spec.Schedule)}
		if _, err := tx.AppendAudit(ctx, entry); err != nil || !bySetup {
			return err
		}
		j.State, j.DecidedAt, j.ApprovedRevision = JobApproved, now, revisionOf(j)
		if err := tx.UpdateJob(ctx, j); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, store.AuditEntry{At: now, Actor: "setup", Action: "job.approve", Object: jobObject(j.ID),
			FromState: JobSubmitted, ToState: JobApproved, Detail: fmt.Sprintf("approved by the first-time setup of this workspace, defined by administrator %s: revision %d (%s); any change needs an IT manager's approval", admin.Name, j.Revision, j.ApprovedRevision)})
		return err
	})
	if err != nil {
		return Job{}, err
	}
	s.jobsChanged(j.ID)
	return s.jobFromStore(ctx, j), nil
}

// ConfigureRecords sets up the records backup of a workspace that has none
// (one set up before it existed, or without it). Administrators only; the
// job is submitted and runs once an IT manager approves it.
func (s *Service) ConfigureRecords(ctx context.Context, as User, opt RecordsOptions) (Job, error) {
	admin, err := s.act(ctx, as, "set up the records backup", RoleAdmin)
	if err != nil {
		return Job{}, err
	}
	return s.defineRecords(ctx, admin, opt, false)
}

// recordsJobID is the records job's ID, 0 when the workspace has none.
func (s *Service) recordsJobID(ctx context.Context) (int64, error) {
	v, err := s.catalog.Setting(ctx, keyRecordsJob, "")
	if err != nil || v == "" {
		return 0, err
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("setting %s: %q is not a job ID", keyRecordsJob, v)
	}
	return id, nil
}

// isRecordsJob reports whether j is the built-in records job.
func (s *Service) isRecordsJob(ctx context.Context, j store.Job) bool {
	id, err := s.recordsJobID(ctx)
	return err == nil && id != 0 && id == j.ID
}

// RecordsJob returns the built-in records job; ok is false when the
// workspace has none.
func (s *Service) RecordsJob(ctx context.Context, as User) (j Job, ok bool, err error) {
	if _, err := s.act(ctx, as, "show the records backup"); err != nil {
		return Job{}, false, err
	}
	id, err := s.recordsJobID(ctx)
	if err != nil || id == 0 {
		return Job{}, false, err
	}
	sj, err := s.catalog.JobByID(ctx, id)
	if err != nil {
		return Job{}, false, err
	}
	return s.jobFromStore(ctx, sj), true, nil
}

// RunRecords runs the records backup now (`cadang records backup`), with
// the same approval gate as every job.
func (s *Service) RunRecords(ctx context.Context, as User, opt RunOptions) (Run, error) {
	if _, err := s.act(ctx, as, "back up the workspace records", requestHandlers...); err != nil {
		return Run{}, err
	}
	id, err := s.recordsJobID(ctx)
	if err != nil {
		return Run{}, err
	}
	if id == 0 {
		return Run{}, refusedf("back up the workspace records: this workspace has no records backup; an administrator sets it up with `cadang records setup --repo REPO`")
	}
	return s.RunJob(ctx, as, strconv.FormatInt(id, 10), opt)
}

// recordsRule refuses what the records job never allows whoever asks:
// being deleted. RetireJob and JobPermissions both ask it.
func (s *Service) recordsRule(ctx context.Context, j store.Job, a Action) error {
	if a == ActDelete && s.isRecordsJob(ctx, j) {
		return refusedf("%s: the workspace's own records backup cannot be deleted (SOP 5.5); change its repository with `job edit %s` instead", "delete job "+j.Name, j.Name)
	}
	return nil
}

// checkRecordsEdit keeps the records job what it is: this workspace, under
// its name, into a repository outside it. Other jobs may not pose as it.
func (s *Service) checkRecordsEdit(ctx context.Context, j store.Job, spec JobSpec) error {
	if s.isRecordsJob(ctx, j) {
		if strings.TrimSpace(spec.Name) != RecordsJobName || !slices.Equal(spec.Sources, []string{WorkspaceSource}) {
			return refusedf("edit job %s: the records backup always backs up this workspace (source %s) under its own name; change its repository, replicas, schedule or retention", RecordsJobName, WorkspaceSource)
		}
		return s.checkRecordsRepository(spec.Repository)
	}
	return checkNotRecords(spec)
}

// checkNotRecords refuses an ordinary job that takes the records job's
// name or source.
func checkNotRecords(spec JobSpec) error {
	if strings.TrimSpace(spec.Name) == RecordsJobName || slices.Contains(spec.Sources, WorkspaceSource) {
		return refusedf("job %q: the name %s and the source %s belong to the built-in records backup", spec.Name, RecordsJobName, WorkspaceSource)
	}
	return nil
}

// jobSources are what one run backs up, and what to release after it.
type jobSources struct {
	paths    []string
	streams  []engine.Stream
	excludes []string
	close    func() error
}

// sourcesOf resolves a job's sources for a run. The records job copies the
// catalog first (SQLite's online backup) and then lists the workspace, so
// that every document the copy registers is already on disk when the
// folders are read; a document filed after the copy may be in the snapshot
// without being in its register, and a rebuild sets it aside.
func (s *Service) sourcesOf(ctx context.Context, j store.Job) (jobSources, error) {
	if !s.isRecordsJob(ctx, j) {
		paths, dbs := dbsource.SplitSources(j.Sources)
		streams, err := dbsource.Streams(dbs, dbsource.Options{}) // passwords: the tools' own files
		return jobSources{paths: paths, streams: streams, excludes: j.Excludes, close: func() error { return nil }}, err
	}
	file, release, err := s.catalogFile(ctx)
	if err != nil {
		return jobSources{}, fmt.Errorf("copy the catalog: %w", err)
	}
	catalog := dbsource.Database{Kind: dbsource.SQLite, Name: CatalogFile, File: file}
	cat, err := dbsource.PrepareSQLite(ctx, catalog, dbsource.Options{})
	if err != nil {
		return jobSources{}, errors.Join(fmt.Errorf("copy the catalog: %w", err), release())
	}
	paths, err := workspaceEntries(s.dir)
	if err != nil {
		return jobSources{}, errors.Join(err, cat.Close(), release())
	}
	return jobSources{paths: paths, streams: []engine.Stream{cat.Stream()}, excludes: append(slices.Clone(j.Excludes), recordsExcludes...),
		close: func() error { return errors.Join(cat.Close(), release()) }}, nil
}

// catalogFile is an SQLite file holding the catalog: the workspace's own,
// or for a shared catalog a copy of it (every table, the documents with
// them) in a temporary folder of the workspace, removed by release. A
// workspace rebuilt from the records backup gets the copy as its own
// catalog; `cadang catalog migrate` moves it to a server again.
func (s *Service) catalogFile(ctx context.Context) (file string, release func() error, err error) {
	if !s.catalog.Shared() {
		return filepath.Join(s.dir, CatalogFile), func() error { return nil }, nil
	}
	dir, err := os.MkdirTemp(s.dir, ".tmp-catalog-")
	if err != nil {
		return "", nil, err
	}
	release = func() error { return os.RemoveAll(dir) }
	file = filepath.Join(dir, CatalogFile)
	cp, err := store.Open(ctx, file)
	if err != nil {
		return "", nil, errors.Join(err, release())
	}
	_, err = store.Copy(ctx, cp, s.catalog)
	if err = errors.Join(err, cp.Close()); err != nil {
		return "", nil, errors.Join(err, release())
	}
	return file, release, nil
}

// recordsExcludes are files that are never records: temporary files of
// atomic writes.
var recordsExcludes = []string{".tmp-*"}

// isCatalogFile reports the catalog and SQLite's files beside it, which
// the online-backup copy stands for, the name of a shared catalog (a
// rebuilt workspace has the copy as its own catalog), and an SQLite
// catalog set aside after a move to a shared one.
func isCatalogFile(name string) bool {
	switch name {
	case CatalogFile, CatalogFile + "-wal", CatalogFile + "-shm", CatalogFile + "-journal", CatalogURLFile:
		return true
	}
	return strings.HasPrefix(name, CatalogFile+migratedSuffix) // set aside by a move to a shared catalog
}

// workspaceEntries lists the top-level entries of the workspace that a
// records backup takes as they are: everything but the catalog's files.
func workspaceEntries(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list the workspace: %w", err)
	}
	var paths []string
	for _, e := range entries {
		if !isCatalogFile(e.Name()) && !strings.HasPrefix(e.Name(), ".tmp-") {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	return paths, nil
}

// passwordFileOf is where a job's repository password is read: the records
// job keeps its file in the workspace, wherever the workspace now is.
func (s *Service) passwordFileOf(ctx context.Context, j store.Job) string {
	if j.PasswordFile != "" && !filepath.IsAbs(j.PasswordFile) && s.isRecordsJob(ctx, j) {
		return filepath.Join(s.dir, filepath.FromSlash(j.PasswordFile))
	}
	return j.PasswordFile
}

// reportedSources are a job's sources as its execution report prints them.
func (s *Service) reportedSources(ctx context.Context, j store.Job) []string {
	if !s.isRecordsJob(ctx, j) {
		return j.Sources
	}
	out := []string{"sqlite://" + filepath.ToSlash(filepath.Join(s.dir, CatalogFile))}
	if s.catalog.Shared() {
		out = []string{s.catalog.Path()}
	}
	paths, err := workspaceEntries(s.dir)
	if err != nil {
		return append(out, s.dir)
	}
	return append(out, paths...)
}
