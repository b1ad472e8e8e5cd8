package jobs

import (
	"context"
	"io"
	"time"

	"cadang/engine/secrets"
	"cadang/forms"
	"cadang/pdfdoc"
	"cadang/store"
)

// fileScheduleRecord files the numbered "Jadwal Back up" record of the IT
// manager's decision on a job's schedule (SOP 5.3a–c): the job, its
// sources, repository, replicas, window and retention as decided, who
// proposed it and who decided, and when. Until it, the audit log was the
// decision's only trace.
func (s *Service) fileScheduleRecord(ctx context.Context, actor string, j store.Job) (Document, error) {
	rec := forms.ScheduleRecord{Job: j.Name, Revision: j.Revision, Digest: ShortRevision(revisionOf(j)), Decision: j.State,
		Reason: j.RejectReason, Sources: redactAll(s.reportedSources(ctx, j)), Excludes: j.Excludes,
		Repository: secrets.Redact(j.Repository), Replicas: replicaLines(ctx, j),
		Schedule:  forms.Schedule{Kind: j.ScheduleKind, WindowStart: j.WindowStart, WindowEnd: j.WindowEnd, Cron: j.Cron, Once: j.OnceAt},
		Retention: forms.Retention{Last: j.Retention.KeepLast, Daily: j.Retention.KeepDaily, Weekly: j.Retention.KeepWeekly, Monthly: j.Retention.KeepMonthly, Yearly: j.Retention.KeepYearly},
		Decider:   s.personByID(ctx, j.DecidedBy, j.DecidedAt)}
	rec.Proposer = s.proposer(ctx, j)
	return s.fileDocument(ctx, filing{docType: DocScheduleRecord, jobID: j.ID, actor: actor,
		build: func(meta pdfdoc.Meta) (any, func(io.Writer) error) {
			r := rec
			r.Meta = meta
			return r, func(w io.Writer) error { return forms.WriteScheduleRecord(w, r) }
		}})
}

// proposer is who last submitted the job for approval, and when, from the
// audit log; the account that submitted it when the log has no entry.
func (s *Service) proposer(ctx context.Context, j store.Job) pdfdoc.Signature {
	entries, err := s.catalog.Audit(ctx, store.AuditFilter{Object: jobObject(j.ID)})
	if err == nil {
		for i := len(entries) - 1; i >= 0; i-- {
			if e := entries[i]; e.Action == "job.submit" {
				return s.person(ctx, e.Actor, e.At)
			}
		}
	}
	return s.personByID(ctx, j.SubmittedBy, time.Time{})
}

// replicaLines names each of the job's replicas with where it is, as the
// repository's replica list has it: the IT manager approves a copy in a
// building apart from the main one (SOP 5.3f), not a name. A replica not
// (yet) in the list, or a repository not yet created, prints its name.
func replicaLines(ctx context.Context, j store.Job) []string {
	list, err := OpenReplicaList(ctx, j.Repository)
	out := make([]string, len(j.Replicas))
	for i, name := range j.Replicas {
		out[i] = name
		if err != nil {
			continue
		}
		if r, gerr := list.Get(name); gerr == nil && r.URL != "" {
			out[i] = name + ": " + secrets.Redact(r.URL)
		}
	}
	return out
}
