package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/engine"
	"cadang/jobs"
)

// activityView is the Activity screen: the run history and the audit log,
// each with search and filters.
type activityView struct {
	s       acting
	search  *widget.Entry
	status  *widget.Select
	runList *fyne.Container
	runScr  *container.Scroll
	runs    []jobs.Run
	details map[int64]*widget.Button // "Details" per run ID, for tests

	auditSearch *widget.Entry
	auditList   *fyne.Container
	auditScr    *container.Scroll
	audit       []jobs.AuditEntry
}

func activityScreen(s acting, events listener) fyne.CanvasObject {
	v := newActivityView(s)
	events(func(ev jobs.Event) {
		if ev.Kind == jobs.EventRunFinished || ev.Kind == jobs.EventRunStarted || ev.Kind == jobs.EventRunMissed {
			v.reload()
		}
	})
	return v.content()
}

func newActivityView(s acting) *activityView {
	return &activityView{s: s, search: widget.NewEntry(), runList: container.NewVBox(), details: map[int64]*widget.Button{},
		auditSearch: widget.NewEntry(), auditList: container.NewVBox()}
}

func statusFilters() []string {
	return []string{lang.L("All results"), stateName(jobs.RunSuccess), stateName(jobs.RunWarnings), stateName(jobs.RunFailed),
		stateName(jobs.RunMissed), stateName(jobs.RunVerified), stateName(jobs.RunRunning)}
}

var statusByFilter = []string{"", jobs.RunSuccess, jobs.RunWarnings, jobs.RunFailed, jobs.RunMissed, jobs.RunVerified, jobs.RunRunning}

func (v *activityView) content() fyne.CanvasObject {
	v.search.SetPlaceHolder(lang.L("Search job, path or error"))
	v.search.OnChanged = func(string) { v.drawRuns() }
	v.status = widget.NewSelect(statusFilters(), func(string) { v.drawRuns() })
	v.status.SetSelectedIndex(0)
	history := widget.NewButtonWithIcon(lang.L("History report (30 days)"), theme.DocumentPrintIcon(), v.fileHistory)
	if !v.s.user.Can(jobs.CapCarryOut) {
		history.Disable()
	}
	runsTop := container.NewBorder(nil, nil, nil, container.NewHBox(v.status, history), v.search)
	v.runScr = container.NewVScroll(v.runList)
	runsTab := container.NewBorder(runsTop, nil, nil, nil, v.runScr)

	v.auditSearch.SetPlaceHolder(lang.L("Search who, action, object or detail"))
	v.auditSearch.OnChanged = func(string) { v.drawAudit() }
	check := widget.NewButtonWithIcon(lang.L("Check the chain"), theme.ConfirmIcon(), v.verifyAudit)
	v.auditScr = container.NewVScroll(v.auditList)
	auditTab := container.NewBorder(container.NewBorder(nil, nil, nil, check, v.auditSearch), nil, nil, nil, v.auditScr)

	v.reload()
	return container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("Runs"), theme.HistoryIcon(), runsTab),
		container.NewTabItemWithIcon(lang.L("Audit log"), theme.ListIcon(), auditTab),
	)
}

func (v *activityView) reload() {
	type history struct {
		runs  []jobs.Run
		audit []jobs.AuditEntry
	}
	call(v.s.caller, func(ctx context.Context) (history, error) {
		runs, err := v.s.svc.Runs(ctx, v.s.user, jobs.RunFilter{Limit: 500})
		if err != nil || !v.s.user.Can(jobs.CapReadAudit) {
			return history{runs: runs}, err
		}
		audit, err := v.s.svc.Audit(ctx, v.s.user, jobs.AuditFilter{Limit: 1000})
		return history{runs, audit}, err
	}, func(h history) {
		v.runs, v.audit = h.runs, h.audit
		v.drawRuns()
		v.drawAudit()
	})
}

// matches reports whether a run passes the search and status filters.
func (v *activityView) matches(r jobs.Run) bool {
	if want := statusByFilter[max(v.status.SelectedIndex(), 0)]; want != "" && r.Status != want {
		return false
	}
	q := strings.ToLower(strings.TrimSpace(v.search.Text))
	if q == "" {
		return true
	}
	hay := []string{r.JobName, r.Error, r.Actor, r.Trigger, r.SnapshotID, r.Report}
	for _, w := range r.Warnings {
		hay = append(hay, w.Path, w.Err)
	}
	return strings.Contains(strings.ToLower(strings.Join(hay, "\n")), q)
}

func (v *activityView) drawRuns() {
	v.runList.RemoveAll()
	v.details = map[int64]*widget.Button{}
	shown := 0
	for _, r := range v.runs {
		if !v.matches(r) {
			continue
		}
		shown++
		v.runList.Add(v.runRow(r))
	}
	if shown == 0 {
		v.runList.Add(widget.NewLabel(lang.L("No runs match.")))
	}
	relayout(v.runScr)
}

func (v *activityView) runRow(r jobs.Run) fyne.CanvasObject {
	imp, icon := runLook(r.Status)
	status := widget.NewLabel(stateName(r.Status))
	status.Importance = imp
	when := r.StartedAt
	if when.IsZero() {
		when = r.ScheduledAt
	}
	line := widget.NewLabel(fmt.Sprintf("%s · %s %s · %s · %s", formatTime(when), kindName(r.Kind), r.JobName,
		formatDuration(r.Duration()), lang.N("{{.N}} warnings", len(r.Warnings), map[string]any{"N": len(r.Warnings)})))
	line.Truncation = fyne.TextTruncateEllipsis
	details := widget.NewButton(lang.L("Details"), func() { showRun(v.s, r) })
	v.details[r.ID] = details
	actions := container.NewHBox(details)
	if r.Status == jobs.RunMissed && !r.CaughtUp && v.s.user.Can(jobs.CapCarryOut) {
		actions.Add(widget.NewButtonWithIcon(lang.L("Catch up"), theme.MediaPlayIcon(), func() { v.catchUp(r) }))
	}
	return container.NewBorder(nil, nil, container.NewHBox(icon, status), actions, line)
}

func (v *activityView) catchUp(missed jobs.Run) {
	var run jobs.Run
	runWithProgress(v.s, lang.L("Catch up {{.Job}}", map[string]any{"Job": missed.JobName}),
		func(ctx context.Context, p engine.Progress) error {
			var err error
			run, err = v.s.svc.CatchUp(ctx, v.s.user, missed.ID, windowRunOptions(p))
			return err
		},
		func(err error) {
			if err != nil {
				showError(v.s.win, err)
			} else {
				showRun(v.s, run)
			}
			v.reload()
		})
}

// runDetail is a run's log: what happened, its warnings, its audit trail.
func runDetail(s acting, r jobs.Run) fyne.CanvasObject {
	facts := widget.NewForm(
		widget.NewFormItem(lang.L("Result"), widget.NewLabel(stateName(r.Status))),
		widget.NewFormItem(lang.L("Trigger"), widget.NewLabel(r.Trigger+" · "+r.Actor)),
		widget.NewFormItem(lang.L("Scheduled"), widget.NewLabel(formatTime(r.ScheduledAt))),
		widget.NewFormItem(lang.L("Started"), widget.NewLabel(formatTime(r.StartedAt))),
		widget.NewFormItem(lang.L("Duration"), widget.NewLabel(formatDuration(r.Duration()))),
		widget.NewFormItem(lang.L("Files"), widget.NewLabel(lang.L("{{.New}} new, {{.Changed}} changed, {{.Same}} unchanged",
			map[string]any{"New": r.FilesNew, "Changed": r.FilesChanged, "Same": r.FilesUnmodified}))),
		widget.NewFormItem(lang.L("Data"), widget.NewLabel(lang.L("{{.Read}} read, {{.Added}} added, {{.Total}} in the snapshot",
			map[string]any{"Read": formatBytes(r.BytesRead), "Added": formatBytes(r.BytesAdded), "Total": formatBytes(r.TotalBytes)}))),
		widget.NewFormItem(lang.L("Snapshot"), widget.NewLabel(shortSnap(r.SnapshotID))),
	)
	report := container.NewVBox(widget.NewLabel(r.Report))
	facts.Append(lang.L("Report"), report)
	if r.Report != "" { // the execution report, to open or print from here
		call(s.caller, func(ctx context.Context) ([]jobs.Document, error) {
			return s.svc.Documents(ctx, s.user, jobs.DocumentFilter{RunID: r.ID, Type: jobs.DocExecutionReport})
		}, func(docs []jobs.Document) {
			if len(docs) > 0 {
				report.Objects = []fyne.CanvasObject{documentActions(s, docs[len(docs)-1])}
				report.Refresh() // laid out with the log below, when it comes
			}
		})
	}
	box := container.NewVBox(facts)
	if r.Error != "" {
		e := widget.NewLabel(r.Error)
		e.Importance = widget.DangerImportance
		e.Wrapping = fyne.TextWrapWord
		box.Add(e)
	}
	if r.Overrun {
		box.Add(widget.NewLabel(lang.L("It finished after its window closed.")))
	}
	if len(r.Warnings) > 0 {
		box.Add(widget.NewLabelWithStyle(lang.L("Warnings"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, w := range r.Warnings {
			l := widget.NewLabel(w.Path + ": " + w.Err)
			l.Wrapping = fyne.TextWrapWord
			l.Importance = widget.WarningImportance
			box.Add(l)
		}
	}
	trail := container.NewVBox()
	box.Add(widget.NewLabelWithStyle(lang.L("Log"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	box.Add(trail)
	scroll := container.NewVScroll(box)
	if s.user.Can(jobs.CapReadAudit) {
		call(s.caller, func(ctx context.Context) ([]jobs.AuditEntry, error) {
			return s.svc.Audit(ctx, s.user, jobs.AuditFilter{Object: fmt.Sprintf("run#%d", r.ID)})
		}, func(entries []jobs.AuditEntry) {
			for i := len(entries) - 1; i >= 0; i-- {
				l := widget.NewLabel(auditLine(entries[i]))
				l.Wrapping = fyne.TextWrapWord // a long line must not widen the dialog
				trail.Add(l)
			}
			relayout(scroll)
		})
	}
	return scroll
}

func auditLine(e jobs.AuditEntry) string {
	line := fmt.Sprintf("%s  %s  %s  %s", e.At.Local().Format("2006-01-02 15:04:05"), e.Actor, e.Action, e.Object)
	if e.FromState != "" || e.ToState != "" {
		line += fmt.Sprintf("  %s -> %s", e.FromState, e.ToState)
	}
	if e.Detail != "" {
		line += "  · " + e.Detail
	}
	return line
}

func (v *activityView) drawAudit() {
	v.auditList.RemoveAll()
	q := strings.ToLower(strings.TrimSpace(v.auditSearch.Text))
	shown := 0
	for _, e := range v.audit {
		line := auditLine(e)
		if q != "" && !strings.Contains(strings.ToLower(line), q) {
			continue
		}
		shown++
		l := widget.NewLabel(fmt.Sprintf("#%d  %s", e.Seq, line))
		l.Truncation = fyne.TextTruncateEllipsis
		v.auditList.Add(l)
	}
	if shown == 0 {
		v.auditList.Add(widget.NewLabel(lang.L("No entries match.")))
	}
	relayout(v.auditScr)
}

func (v *activityView) verifyAudit() {
	call(v.s.caller, func(ctx context.Context) (jobs.AuditReport, error) { return v.s.svc.VerifyAudit(ctx, v.s.user) }, func(rep jobs.AuditReport) {
		if rep.OK() {
			dialog.ShowInformation(lang.L("Audit log intact"), lang.L("All {{.N}} entries are unchanged and in order.", map[string]any{"N": rep.Entries}), v.s.win)
			return
		}
		lines := []string{lang.L("The audit log was changed: {{.N}} problems.", map[string]any{"N": len(rep.Problems)})}
		for _, p := range rep.Problems {
			lines = append(lines, fmt.Sprintf("%+v", p))
		}
		showError(v.s.win, fmt.Errorf("%s", strings.Join(lines, "\n")))
	})
}

// fileHistory files the run history report of the last 30 days, with
// progress and Cancel, then offers to open or print it.
func (v *activityView) fileHistory() {
	to := time.Now()
	from := to.AddDate(0, 0, -30)
	var doc jobs.Document
	runWithProgress(v.s, lang.L("History report (30 days)"),
		func(ctx context.Context, p engine.Progress) error {
			var err error
			doc, err = v.s.svc.FileHistoryReportWithProgress(ctx, v.s.user, from, to, p)
			return err
		},
		func(err error) {
			if err != nil {
				showError(v.s.win, err)
				return
			}
			d := dialog.NewCustom(docTypeName(doc.Type), lang.L("Close"), documentActions(v.s, doc), v.s.win)
			d.Show()
		})
}
