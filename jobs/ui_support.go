package jobs

// This file holds the few Service methods the window needs beyond the
// procedure's core: browsing a job's snapshots for the restore wizard and
// filing the scanned, signed copy of a document. (Written by the ui
// engineer; see its report.)

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"cadang/engine"
	"cadang/pdfdoc"
	"cadang/store"
)

// browsable is what a repository needs for the restore wizard to show its
// snapshots and their files; *engine.Repository has both.
type browsable interface {
	Snapshots(ctx context.Context) ([]engine.Snapshot, error)
	List(ctx context.Context, snap engine.Snapshot, dir string) ([]engine.Node, error)
}

// openBrowsable opens a job's repository read-only for browsing.
func (s *Service) openBrowsable(ctx context.Context, as User, ref string) (Repository, browsable, error) {
	if _, err := s.act(ctx, as, "browse the snapshots of "+ref, requestHandlers...); err != nil {
		return nil, nil, err
	}
	j, err := s.findJob(ctx, ref)
	if err != nil {
		return nil, nil, err
	}
	pw, err := readPasswordFile(j.PasswordFile)
	if err != nil {
		return nil, nil, err
	}
	repo, err := s.engine.Open(ctx, j.Repository, pw, false)
	if err != nil {
		return nil, nil, hint(err)
	}
	b, ok := repo.(browsable)
	if !ok {
		repo.Close() //nolint:errcheck // cleanup after a failure
		return nil, nil, fmt.Errorf("the repository of %s cannot be browsed", j.Name)
	}
	return repo, b, nil
}

// Snapshots lists the snapshots of a job's repository, oldest first
// (IT staff, managers, administrators).
func (s *Service) Snapshots(ctx context.Context, as User, job string) ([]engine.Snapshot, error) {
	repo, b, err := s.openBrowsable(ctx, as, job)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	return b.Snapshots(ctx)
}

// SnapshotFiles lists one directory ("" or "/" for the top) of a snapshot.
func (s *Service) SnapshotFiles(ctx context.Context, as User, job string, snap engine.Snapshot, dir string) ([]engine.Node, error) {
	repo, b, err := s.openBrowsable(ctx, as, job)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	return b.List(ctx, snap, dir)
}

// ActionDocumentSigned is the audit action that marks a document signed.
const ActionDocumentSigned = "document.signed"

// AttachSigned files the scanned, signed paper copy (a PDF) of a
// registered document as its next revision under the same number, and
// records in the audit log that the document is signed (IT staff,
// managers, administrators).
func (s *Service) AttachSigned(ctx context.Context, as User, number, scanPath string) (Document, error) {
	what := "attach the signed copy of " + number
	if _, err := s.act(ctx, as, what, requestHandlers...); err != nil {
		return Document{}, err
	}
	prev, err := s.catalog.DocumentByNumber(ctx, number)
	if err != nil {
		return Document{}, fmt.Errorf("%s: %w", what, err)
	}
	scan, err := os.ReadFile(scanPath)
	if err != nil {
		return Document{}, fmt.Errorf("%s: %w", what, err)
	}
	if !bytes.HasPrefix(scan, []byte("%PDF-")) {
		return Document{}, refusedf("%s: %s is not a PDF; scan the signed form to PDF", what, scanPath)
	}
	doc, err := s.fileDocument(ctx, filing{docType: prev.Type, requestID: prev.RequestID, runID: prev.RunID, actor: as.Name,
		number: number, revision: prev.Revision + 1,
		render: func(w io.Writer, _ pdfdoc.Meta) error {
			_, err := w.Write(scan)
			return err
		}})
	if err != nil {
		return Document{}, err
	}
	if err := s.audit(ctx, as.Name, ActionDocumentSigned, "document:"+number, "", "signed", fmt.Sprintf("revision %d, sha256 %s", doc.Revision, doc.SHA256)); err != nil {
		return Document{}, err
	}
	return doc, nil
}

// SignedDocuments returns the numbers of documents marked signed.
func (s *Service) SignedDocuments(ctx context.Context, as User) (map[string]bool, error) {
	if _, err := s.act(ctx, as, "list documents"); err != nil {
		return nil, err
	}
	entries, err := s.catalog.Audit(ctx, store.AuditFilter{})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, e := range entries {
		if e.Action == ActionDocumentSigned {
			out[strings.TrimPrefix(e.Object, "document:")] = true
		}
	}
	return out, nil
}

// ApplyRetention forgets the snapshots of a job's repository that its
// retention policy does not keep, then prunes the data no snapshot uses
// any more (IT staff, managers, administrators). With dryRun it only says
// what would be removed, so the window can ask first. A job without a
// policy keeps everything and is refused.
func (s *Service) ApplyRetention(ctx context.Context, as User, job string, dryRun bool) (*engine.ForgetResult, *engine.PruneResult, error) {
	what := "apply the retention of " + job
	if _, err := s.act(ctx, as, what, requestHandlers...); err != nil {
		return nil, nil, err
	}
	j, err := s.findJob(ctx, job)
	if err != nil {
		return nil, nil, err
	}
	pol := j.Retention
	if pol == (store.Retention{}) {
		return nil, nil, refusedf("%s: the job keeps every snapshot (no retention policy); set one in the job first", what)
	}
	pw, err := readPasswordFile(j.PasswordFile)
	if err != nil {
		return nil, nil, err
	}
	repo, err := s.engine.Open(ctx, j.Repository, pw, false)
	if err != nil {
		return nil, nil, hint(err)
	}
	defer repo.Close()
	policy := engine.RetentionPolicy{KeepLast: pol.KeepLast, KeepDaily: pol.KeepDaily, KeepWeekly: pol.KeepWeekly, KeepMonthly: pol.KeepMonthly, KeepYearly: pol.KeepYearly}
	fr, err := repo.Forget(ctx, policy, dryRun)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, hint(err))
	}
	pr, err := repo.Prune(ctx, dryRun)
	if err != nil {
		return fr, nil, fmt.Errorf("%s: %w", what, hint(err))
	}
	if !dryRun {
		detail := fmt.Sprintf("%d snapshots removed, %d kept, %d bytes freed", len(fr.Remove), len(fr.Keep), pr.BytesFreed)
		if err := s.audit(ctx, as.Name, "job.retention", jobObject(j.ID), "", "", detail); err != nil {
			return fr, pr, err
		}
	}
	return fr, pr, nil
}

// RestoreChecks checks again, file by file, what a restore request put in
// its target against the snapshot it came from, so the window can show the
// verification result per file (the filed verification report lists the
// same). It reads every restored file (IT staff, managers, administrators).
func (s *Service) RestoreChecks(ctx context.Context, as User, id int64, p engine.Progress) ([]engine.FileCheck, error) {
	what := fmt.Sprintf("check restore request #%d", id)
	if _, err := s.act(ctx, as, what, requestHandlers...); err != nil {
		return nil, err
	}
	r, err := s.catalog.RequestByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Kind != KindRestore || r.SnapshotID == "" || r.Target == "" {
		return nil, refusedf("%s: it has not restored anything yet", what)
	}
	repo, b, err := s.openBrowsable(ctx, as, fmt.Sprint(r.JobID))
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	snaps, err := b.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	for _, sn := range snaps {
		if sn.ID == r.SnapshotID {
			if p == nil {
				p = engine.NopProgress{}
			}
			return repo.CheckRestored(ctx, sn, r.Target, engine.RestoreOptions{Include: r.Include, Progress: p})
		}
	}
	return nil, fmt.Errorf("%s: snapshot %s is no longer in the repository: %w", what, shortID(r.SnapshotID), engine.ErrNoSnapshot)
}
