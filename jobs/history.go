package jobs

import (
	"context"
	"io"
	"time"

	"cadang/pdfdoc"
	"cadang/reports"
)

// FileHistoryReport files the run history report for [from, to) (managers and staff).
func (s *Service) FileHistoryReport(ctx context.Context, as User, from, to time.Time) (Document, error) {
	if _, err := s.act(ctx, as, "file history report", requestHandlers...); err != nil {
		return Document{}, err
	}
	runs, err := s.Runs(ctx, as, RunFilter{From: from, To: to})
	if err != nil {
		return Document{}, err
	}
	set, err := s.settings(ctx)
	if err != nil {
		return Document{}, err
	}
	rep := reports.HistoryReport{From: from, To: to}
	for i := len(runs) - 1; i >= 0; i-- { // oldest first on paper
		r := runs[i]
		started := r.StartedAt
		if started.IsZero() {
			started = r.ScheduledAt
		}
		rep.Runs = append(rep.Runs, reports.RunRow{Job: r.JobName, Started: started, Duration: r.Duration(), Status: r.Status,
			Files: r.FilesNew + r.FilesChanged + r.FilesUnmodified, BytesAdded: r.BytesAdded, Warnings: len(r.Warnings)})
	}
	rep.Signatories = s.signatories(ctx, set, as.Name, 0)
	return s.fileDocument(ctx, filing{docType: DocHistoryReport, actor: as.Name, build: func(meta pdfdoc.Meta) (any, func(io.Writer) error) {
		rep.Meta = meta
		r := rep
		return r, func(w io.Writer) error { return reports.WriteHistoryReport(w, r) }
	}})
}
