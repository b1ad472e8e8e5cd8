package jobs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"cadang/engine"
	"cadang/engine/secrets"
	"cadang/pdfdoc"
	"cadang/reports"
	"cadang/store"
)

// listSuffix numbers a verification report's file list after the report.
const listSuffix = "-LAMP"

// fileVerificationReport files the restore verification report (SOP
// 5.4c–d) and its complete file-by-file list. The PDF summarises (counts,
// the verdict, every attempt, the failures, a per-folder table) so that it
// stays readable at any size; the list is a CSV registered as its own
// entry (type verification-list, numbered NUMBER-LAMP), whose SHA-256 the
// report prints and so binds into its verification code.
func (s *Service) fileVerificationReport(ctx context.Context, actor string, j store.Job, r store.Request, snap engine.Snapshot,
	checks []engine.FileCheck, attempts []reports.Attempt, result string) (Document, error) {
	set, err := s.settings(ctx)
	if err != nil {
		return Document{}, err
	}
	files := make([]reports.FileCheck, len(checks))
	for i, c := range checks {
		files[i] = reports.FileCheck{Path: c.Path, Size: c.Size, Want: c.Want, Got: c.Got, OK: c.OK, Err: c.Err}
	}
	var list bytes.Buffer
	if err := reports.WriteVerificationList(&list, pdfdoc.Lang(set[KeyLang]), files); err != nil {
		return Document{}, err
	}
	listSum := sha256Hex(list.Bytes())
	rep := reports.RestoreVerificationReport{RequestNumber: r.Number, Data: j.Name, SnapshotID: shortID(snap.ID), SnapshotTime: snap.Time,
		RequestedAt: r.RequestedAt, Target: secrets.Redact(r.Target), Include: r.Include, Attempts: r.Attempts, AttemptLog: attempts,
		Result: result, Summary: reports.SummarizeChecks(files)}
	rep.Signatories = s.signatories(ctx, set, actor, r.DecidedBy)
	doc, err := s.fileDocument(ctx, filing{docType: DocVerificationReport, requestID: r.ID, jobID: j.ID, actor: actor,
		build: func(meta pdfdoc.Meta) (any, func(io.Writer) error) {
			rp := rep
			rp.Meta = meta
			rp.List = reports.ListRef{Number: meta.Number + listSuffix, SHA256: listSum}
			return rp, func(w io.Writer) error { return reports.WriteRestoreVerificationReport(w, rp) }
		}})
	if err != nil {
		return Document{}, err
	}
	parent, err := s.catalog.DocumentByID(ctx, doc.ID)
	if err != nil {
		return Document{}, err
	}
	if _, err := s.fileAttachment(ctx, attachment{docType: DocVerificationList, parent: parent, suffix: listSuffix,
		kind: "file list of " + doc.Number, actor: actor, ext: ".csv", data: list.Bytes()}); err != nil {
		return Document{}, fmt.Errorf("file the list of %s: %w", doc.Number, err)
	}
	return doc, nil
}

// attemptOf is one attempt's outcome from its checks.
func attemptOf(n int, checks []engine.FileCheck) reports.Attempt {
	a := reports.Attempt{Number: n, Checked: int64(len(checks))}
	for _, c := range checks {
		switch f := (reports.FileCheck{OK: c.OK, Want: c.Want, Got: c.Got, Err: c.Err}); {
		case f.OK:
			continue
		case f.Unreadable():
			a.Unreadable++
		default:
			a.Mismatched++
		}
		if len(a.Failed) < reports.AttemptNames {
			a.Failed = append(a.Failed, c.Path)
		}
	}
	return a
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
