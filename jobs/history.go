package jobs

import (
	"context"
	"io"
	"time"

	"cadang/engine"
	"cadang/pdfdoc"
	"cadang/reports"
)

// FileHistoryReport files the run history report for [from, to) (managers and staff).
func (s *Service) FileHistoryReport(ctx context.Context, as User, from, to time.Time) (Document, error) {
	return s.FileHistoryReportWithProgress(ctx, as, from, to, nil)
}

// FileHistoryReportWithProgress is FileHistoryReport reporting the runs it
// lists to p (the window's progress bar) and stopping when ctx ends.
func (s *Service) FileHistoryReportWithProgress(ctx context.Context, as User, from, to time.Time, p engine.Progress) (Document, error) {
	if p == nil {
		p = engine.NopProgress{}
	}
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
	// [from, to): the report names the last day covered, not the day after.
	last := to
	if last.After(from) {
		last = to.Add(-time.Nanosecond)
	}
	rep := reports.HistoryReport{From: from, To: last, Procedure: procedureOf(set)}
	stats := engine.ProgressStats{Phase: "report", FilesTotal: int64(len(runs)), Started: s.now()}
	for i := len(runs) - 1; i >= 0; i-- { // oldest first on paper
		if err := ctx.Err(); err != nil {
			return Document{}, err
		}
		r := runs[i]
		stats.FilesDone++
		stats.CurrentPath = r.JobName + " " + r.StartedAt.Local().Format("2006-01-02 15:04")
		p.Report(stats)
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

// procedureOf is the governing SOP's control page from settings: its
// document history (§9) and approval (§10).
func procedureOf(set map[string]string) reports.Procedure {
	p := reports.Procedure{DocNo: set[KeyDocNo]}
	if hist, err := ParseSOPHistory(set[KeySOPHistory]); err == nil { // validated when set
		for _, h := range hist {
			p.History = append(p.History, reports.ProcedureRevision{Revision: h.Revision, Description: h.Description, Effective: h.Effective})
		}
	}
	sig := func(name, title, date string) pdfdoc.Signature {
		d, _ := time.ParseInLocation(time.DateOnly, set[date], time.Local) // validated when set; zero prints blank
		return pdfdoc.Signature{Name: set[name], Title: set[title], Date: d}
	}
	p.Prepared = sig(KeySOPPreparedName, KeySOPPreparedTitle, KeySOPPreparedDate)
	p.Checked = sig(KeySOPCheckedName, KeySOPCheckedTitle, KeySOPCheckedDate)
	p.Approved = sig(KeySOPApprovedName, KeySOPApprovedTitle, KeySOPApprovedDate)
	return p
}
