package jobs

// The engine commands (cadang backup, forget, prune, unlock) work on any
// repository without a workspace: that is what disaster recovery from a
// cloud copy on a new machine needs. But a repository that a job of the
// workspace writes is under the procedure: changing it by hand takes an
// account that may maintain repositories, and leaves an audit entry.

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"cadang/store"
)

// RepositoryJobs names the jobs of the workspace at dir (deleted ones
// too) that write the repository at location, or whose repository has id:
// a replica is a copy with the same id. A directory without a catalog
// gives none; nothing is created.
func RepositoryJobs(ctx context.Context, dir, location, id string) ([]string, error) {
	cat, exists, err := WorkspaceCatalog(dir)
	if err != nil || !exists {
		return nil, err
	}
	c, err := store.Open(ctx, cat)
	if err != nil {
		return nil, fmt.Errorf("find the jobs of repository %s: %w", location, err)
	}
	defer c.Close()
	all, err := c.Jobs(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("find the jobs of repository %s: %w", location, err)
	}
	var out []string
	for _, j := range all {
		if id != "" && j.RepoID == id || sameLocation(j.Repository, location) {
			out = append(out, j.Name)
		}
	}
	return out, nil
}

// CheckReplicaRemoval refuses, for `cadang replica remove`, to forget a
// replica of repo that a live job of the workspace at dir sends its backups
// to, as the window's RemoveReplica does. A folder no job of the workspace
// writes to is not under the procedure here.
func CheckReplicaRemoval(ctx context.Context, dir, repo, name string) error {
	cat, exists, err := WorkspaceCatalog(dir)
	if err != nil || !exists {
		return err
	}
	c, err := store.Open(ctx, cat)
	if err != nil {
		return fmt.Errorf("find the jobs of repository %s: %w", repo, err)
	}
	defer c.Close()
	all, err := c.Jobs(ctx, "")
	if err != nil {
		return fmt.Errorf("find the jobs of repository %s: %w", repo, err)
	}
	var users []store.Job
	for _, j := range all {
		if sameLocation(j.Repository, repo) {
			users = append(users, j)
		}
	}
	return replicaInUse("remove replica "+name, users, name)
}

// sameLocation compares two repository locations: URLs as written, paths
// after cleaning and resolving links.
func sameLocation(a, b string) bool {
	if strings.Contains(a, "://") || strings.Contains(b, "://") {
		return strings.TrimRight(a, "/") == strings.TrimRight(b, "/")
	}
	canon := func(p string) string {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Clean(p)
	}
	return canon(a) == canon(b)
}

// CheckHandBackupTags refuses, for a backup by hand into a job's
// repository, a job's tag ("job:NAME"): it marks the snapshots of the
// job's runs, which restores, retention, the browser and the reports take
// as the job's own. A snapshot made by hand that carried it would be
// restored, "verified", as the department's backup, and would count in
// the job's retention in place of a real one.
func CheckHandBackupTags(tags []string) error {
	for _, t := range tags {
		if strings.HasPrefix(strings.TrimSpace(t), jobTag("")) {
			return refusedf("backup by hand: the tag %s marks the snapshots of a job's runs; a backup by hand into a job's repository cannot carry it (run the job, or tag it otherwise)", t)
		}
	}
	return nil
}

// AuthorizeRepositoryWork checks that the account may change by hand the
// repository of the named jobs (op: backup, forget, prune, unlock) and
// records that it is about to, one audit entry per job, before anything
// changes.
func (s *Service) AuthorizeRepositoryWork(ctx context.Context, as User, jobNames []string, op, location, detail string) error {
	what := fmt.Sprintf("%s the repository of job %s by hand", op, strings.Join(jobNames, ", "))
	if _, err := s.act(ctx, as, what, capabilityRoles[CapMaintainRepo]...); err != nil {
		return err
	}
	return s.recordRepositoryWork(ctx, as, jobNames, "repository."+op, location+": "+detail)
}

// RecordRepositoryWork records how a change by hand ended.
func (s *Service) RecordRepositoryWork(ctx context.Context, as User, jobNames []string, op, location, outcome string) error {
	return s.recordRepositoryWork(ctx, as, jobNames, "repository."+op+".done", location+": "+outcome)
}

func (s *Service) recordRepositoryWork(ctx context.Context, as User, jobNames []string, action, detail string) error {
	return s.catalog.Update(ctx, func(tx *store.Tx) error {
		for _, name := range jobNames {
			j, err := tx.JobByName(ctx, name)
			if err != nil {
				return err
			}
			if err := s.auditIn(ctx, tx, as.Name, action, jobObject(j.ID), "", "", detail); err != nil {
				return err
			}
		}
		return nil
	})
}
