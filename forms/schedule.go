package forms

import (
	"fmt"
	"io"
	"strings"
	"time"

	"cadang/pdfdoc"
)

var scheduleTitle = pdfdoc.T("Jadwal Back up", "Backup Schedule")

// ScheduleRecord is the record of the IT manager's decision on a job's
// schedule (SOP 5.3a–c): what IT staff proposed, and who approved or
// rejected it, when.
type ScheduleRecord struct {
	Meta     pdfdoc.Meta
	Job      string
	Revision int    // the revision of the job's definition decided on
	Digest   string // the hash of that definition, as the approval names it
	Decision string // "approved" | "rejected"
	Reason   string // why it was rejected

	Sources    []string
	Excludes   []string
	Repository string
	Replicas   []string
	Schedule   Schedule
	Retention  Retention

	// Proposer is the IT staff who submitted the schedule; Decider the IT
	// manager who decided. Their dates are when they did.
	Proposer, Decider pdfdoc.Signature
}

// Schedule is when a job runs: a daily window, a cron expression or once.
type Schedule struct {
	Kind                   string // "window" | "cron" | "once"
	WindowStart, WindowEnd string // "21:00"
	Cron                   string
	Once                   time.Time
}

// Retention is which snapshots a job keeps; all zero keeps every one.
type Retention struct {
	Last, Daily, Weekly, Monthly, Yearly int
}

// WriteScheduleRecord renders r as a PDF to w.
func WriteScheduleRecord(w io.Writer, r ScheduleRecord) error {
	const doc = "schedule record"
	switch {
	case strings.TrimSpace(r.Job) == "":
		return fmt.Errorf("%s %s: %w: job name is empty", doc, r.Meta.Number, pdfdoc.ErrInvalid)
	case r.Decision != "approved" && r.Decision != "rejected":
		return fmt.Errorf("%s %s: %w: decision %q is not approved or rejected", doc, r.Meta.Number, pdfdoc.ErrInvalid, r.Decision)
	case r.Decision == "rejected" && strings.TrimSpace(r.Reason) == "":
		return fmt.Errorf("%s %s: %w: a rejection needs its reason", doc, r.Meta.Number, pdfdoc.ErrInvalid)
	}
	err := pdfdoc.Render(w, r.Meta, scheduleTitle, func(d *pdfdoc.Doc) error {
		scheduleBody(d, r)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", doc, err)
	}
	return nil
}

func scheduleBody(d *pdfdoc.Doc, r ScheduleRecord) {
	lang := d.Lang()
	d.Section(pdfdoc.T("Pekerjaan Back up", "Backup job"))
	rev := fmt.Sprintf("%d", r.Revision)
	if r.Digest != "" {
		rev += "  ·  " + r.Digest
	}
	d.Fields(1, []pdfdoc.Field{
		{Label: pdfdoc.T("Nama pekerjaan", "Job"), Value: r.Job, Strong: true},
		{Label: pdfdoc.T("Revisi definisi", "Definition revision"), Value: rev},
		{Label: pdfdoc.T("Sumber data", "Sources"), Value: strings.Join(r.Sources, "\n")},
		{Label: pdfdoc.T("Dikecualikan", "Excluded"), Value: strings.Join(r.Excludes, "\n")},
		{Label: pdfdoc.T("Repositori", "Repository"), Value: r.Repository},
		{Label: pdfdoc.T("Replika offsite / cloud", "Offsite / cloud replicas"), Value: strings.Join(r.Replicas, "\n")},
	})

	d.Section(pdfdoc.T("Jadwal dan Retensi", "Schedule and retention"))
	d.Fields(1, []pdfdoc.Field{
		{Label: pdfdoc.T("Jadwal pelaksanaan", "Runs"), Value: scheduleText(r.Schedule).In(lang), Strong: true},
		{Label: pdfdoc.T("Retensi snapshot", "Snapshots kept"), Value: retentionText(r.Retention).In(lang)},
	})

	d.Section(pdfdoc.T("Keputusan IT Manager", "IT Manager's decision"))
	verdict := pdfdoc.T("Disetujui — pekerjaan berjalan sesuai jadwal ini", "Approved — the job runs on this schedule")
	if r.Decision == "rejected" {
		verdict = pdfdoc.T("Ditolak — IT Staff membuat jadwal kembali (SOP 5.3c)", "Rejected — IT staff reschedule it (SOP 5.3c)")
	}
	fields := []pdfdoc.Field{
		{Label: pdfdoc.T("Diajukan oleh", "Proposed by"), Value: joinNonEmpty("  ·  ", r.Proposer.Name, pdfdoc.Date(r.Proposer.Date))},
		{Label: pdfdoc.T("Diputuskan oleh", "Decided by"), Value: joinNonEmpty("  ·  ", r.Decider.Name, pdfdoc.Date(r.Decider.Date))},
	}
	if r.Decision == "rejected" {
		fields = append(fields, pdfdoc.Field{Label: pdfdoc.T("Alasan penolakan", "Reason for rejection"), Value: r.Reason, Strong: true})
	}
	d.Fields(1, fields)
	d.Verdict(pdfdoc.T("Keputusan", "Decision"), verdict, r.Decision == "approved")

	decided := pdfdoc.T("Disetujui oleh", "Approved by")
	if r.Decision == "rejected" {
		decided = pdfdoc.T("Ditolak oleh", "Rejected by")
	}
	proposer, decider := r.Proposer, r.Decider
	proposer.Label = pdfdoc.T("Diajukan oleh", "Proposed by").Inline(lang)
	decider.Label = decided.Inline(lang)
	if proposer.Title == "" {
		proposer.Title = "IT Staff"
	}
	if decider.Title == "" {
		decider.Title = "IT Manager"
	}
	d.SignatureSection(pdfdoc.T("Pengesahan", "Signatures"), []pdfdoc.Signature{proposer, decider})
}

// scheduleText says when a job runs, in words.
func scheduleText(s Schedule) pdfdoc.Text {
	switch s.Kind {
	case "window":
		return pdfdoc.T(fmt.Sprintf("Setiap hari, dalam jendela %s–%s", s.WindowStart, s.WindowEnd),
			fmt.Sprintf("Daily, in the window %s–%s", s.WindowStart, s.WindowEnd))
	case "cron":
		return pdfdoc.T("Menurut ekspresi cron "+s.Cron, "On the cron expression "+s.Cron)
	case "once":
		return pdfdoc.T("Sekali, "+pdfdoc.DateTime(s.Once), "Once, "+pdfdoc.DateTime(s.Once))
	}
	return pdfdoc.T(s.Kind, s.Kind)
}

// retentionText says which snapshots are kept, in words.
func retentionText(r Retention) pdfdoc.Text {
	if r == (Retention{}) {
		return pdfdoc.T("Semua snapshot disimpan (tanpa retensi)", "Every snapshot is kept (no retention)")
	}
	var id, en []string
	add := func(n int, idw, enw string) {
		if n > 0 {
			id = append(id, fmt.Sprintf("%d %s", n, idw))
			en = append(en, fmt.Sprintf("%d %s", n, enw))
		}
	}
	add(r.Last, "terakhir", "latest")
	add(r.Daily, "harian", "daily")
	add(r.Weekly, "mingguan", "weekly")
	add(r.Monthly, "bulanan", "monthly")
	add(r.Yearly, "tahunan", "yearly")
	return pdfdoc.T("Simpan "+strings.Join(id, ", "), "Keep "+strings.Join(en, ", "))
}
