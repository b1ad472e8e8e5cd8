package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// dashboardView is the first screen: what needs attention (for a manager,
// every waiting request and job with Approve and Reject…), then each job's
// last backup, next run, storage and offsite copies.
type dashboardView struct {
	a      acting
	nav    func(page string, filter ...string)
	sched  func() *jobs.Scheduler // nil: no scheduler; returns nil while paused
	cards  *fyne.Container
	inbox  *fyne.Container
	jobs   *fyne.Container
	scroll *container.Scroll

	// For tests: the cards' buttons and the inbox's decisions.
	open    map[string]*widget.Button // by the card's caption
	approve map[string]*widget.Button // by inbox item: "request#7", "job:hr"
	reject  map[string]*widget.Button
}

func dashboardScreen(a acting, events listener, nav func(string, ...string), sched func() *jobs.Scheduler) fyne.CanvasObject {
	v := newDashboardView(a, nav, sched)
	events(func(ev jobs.Event) {
		switch ev.Kind {
		case jobs.EventRunStarted, jobs.EventRunFinished, jobs.EventRunMissed, jobs.EventRequestChanged, jobs.EventJobChanged,
			jobs.EventReplicaChanged, jobs.EventReplicaFailed:
			v.reload()
		}
	})
	return v.content()
}

func newDashboardView(a acting, nav func(string, ...string), sched func() *jobs.Scheduler) *dashboardView {
	if nav == nil {
		nav = func(string, ...string) {}
	}
	return &dashboardView{a: a, nav: nav, sched: sched, cards: container.NewGridWithColumns(4),
		inbox: container.NewVBox(), jobs: container.NewVBox()}
}

func (v *dashboardView) content() fyne.CanvasObject {
	v.reload()
	head := widget.NewLabelWithStyle(lang.L("Jobs"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	// Padded: the scroll bar must not cover the inbox's Reject… buttons.
	v.scroll = container.NewVScroll(container.NewPadded(container.NewVBox(v.inbox, head, v.jobs)))
	return container.NewBorder(v.cards, nil, nil, nil, v.scroll)
}

// dashboardData is what one reload reads.
type dashboardData struct {
	d  jobs.Dashboard
	in jobs.Inbox
}

func (v *dashboardView) scheduler() *jobs.Scheduler {
	if v.sched == nil {
		return nil
	}
	return v.sched()
}

func (v *dashboardView) reload() {
	sched := v.scheduler()
	call(v.a.caller, func(ctx context.Context) (dashboardData, error) {
		d, err := v.a.svc.Dashboard(ctx, v.a.user, sched)
		if err != nil {
			return dashboardData{}, err
		}
		in, err := v.a.svc.Inbox(ctx, v.a.user)
		return dashboardData{d, in}, err
	}, v.render)
}

func (v *dashboardView) render(data dashboardData) {
	d := data.d
	v.open = map[string]*widget.Button{}
	v.cards.RemoveAll()
	if v.a.user.Can(jobs.CapDecide) {
		// Only jobs waiting: Requests would say nothing waits.
		page, action := pageRequests, lang.L("Open requests")
		if len(data.in.Requests) == 0 && len(data.in.Jobs) > 0 {
			page, action = pageJobs, lang.L("Open jobs")
		}
		v.cards.Add(v.card(lang.L("Waiting for your approval"), d.PendingApprovals, page, action, d.PendingApprovals > 0))
	}
	if !v.a.user.Can(jobs.CapCarryOut) {
		v.cards.Add(v.card(lang.L("Your requests in progress"), d.PendingRequests, pageRequests, lang.L("Open requests"), false))
	} else {
		v.cards.Add(v.card(lang.L("Approved requests to carry out"), d.PendingRequests, pageRequests, lang.L("Carry out"), d.PendingRequests > 0, filterToCarryOut))
	}
	v.cards.Add(v.card(lang.L("Missed runs"), d.Missed, pageActivity, lang.L("See activity"), d.Missed > 0))
	behind := 0
	for _, js := range d.Jobs {
		for _, st := range js.ReplicaStates {
			if st.Behind() || st.Status == jobs.ReplicaNotConfigured {
				behind++
			}
		}
	}
	if behind > 0 && v.a.user.Can(jobs.CapCarryOut) {
		v.cards.Add(v.card(lang.L("Offsite copies behind"), behind, pageSettings, lang.L("Repositories and replicas"), true))
	} else {
		running := fmt.Sprint(d.Running)
		// Paused only means something to those whose sign-in runs the
		// schedules; a department user's window never runs them.
		if v.sched != nil && v.scheduler() == nil && v.a.user.Can(jobs.CapRunScheduler) {
			running += " · " + lang.L("schedules paused")
		}
		v.cards.Add(figureCard(lang.L("Running now"), running, nil))
	}
	v.drawInbox(data.in)
	v.jobs.RemoveAll()
	if len(d.Jobs) == 0 {
		hint := widget.NewLabel(lang.L("No jobs yet. IT staff define them under Jobs; a manager approves them."))
		hint.Wrapping = fyne.TextWrapWord
		v.jobs.Add(hint)
	}
	for _, js := range d.Jobs {
		v.jobs.Add(jobSummaryRow(js))
	}
	relayout(v.scroll) // the rows' height changed: lay the scroll out again
}

// card is a figure with a caption and the button that deals with it.
// filter, if given, is the key of the filter the page opens with.
func (v *dashboardView) card(caption string, n int, page, action string, urgent bool, filter ...string) fyne.CanvasObject {
	b := widget.NewButton(action, func() { v.nav(page, filter...) })
	if urgent {
		b.Importance = widget.HighImportance
	}
	v.open[caption] = b
	return figureCard(caption, fmt.Sprint(n), b)
}

// figureCard is one figure with a caption and an optional button. The
// button sits at the bottom, so the buttons of a row of cards line up
// whatever the captions' lengths.
func figureCard(caption, value string, action *widget.Button) fyne.CanvasObject {
	num := widget.NewLabelWithStyle(value, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	num.SizeName = theme.SizeNameHeadingText
	c := widget.NewLabel(caption)
	// Room for two lines: a wrapped label learns its height only once laid
	// out, too late for the row of cards, whose captions then ran under the
	// buttons. (No ellipsis: Fyne 2.8's wrap-and-truncate panicked here in
	// the real window, in RichText.updateRowBounds.)
	c.Wrapping = fyne.TextWrapWord
	var bottom fyne.CanvasObject
	if action != nil {
		bottom = action
	}
	return widget.NewCard("", "", container.NewBorder(num, bottom, nil, nil, container.New(linesLayout{lines: 2}, c)))
}

// linesLayout gives one label the height of a number of lines of text,
// whatever its width.
type linesLayout struct{ lines int }

func (l linesLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	text := fyne.MeasureText("Mg", theme.TextSize(), fyne.TextStyle{})
	pad := theme.InnerPadding()
	return fyne.NewSize(text.Width+2*pad, float32(l.lines)*(text.Height+theme.LineSpacing())+2*pad)
}

func (l linesLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// drawInbox lists what waits for the manager's decision, each with what it
// is and Approve / Reject…: a decision takes one tap after login.
func (v *dashboardView) drawInbox(in jobs.Inbox) {
	v.inbox.RemoveAll()
	v.approve, v.reject = map[string]*widget.Button{}, map[string]*widget.Button{}
	if !v.a.user.Can(jobs.CapDecide) {
		return
	}
	head := widget.NewLabelWithStyle(lang.L("Waiting for your approval"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.inbox.Add(head)
	if len(in.Requests)+len(in.Jobs) == 0 {
		v.inbox.Add(widget.NewLabel(lang.L("Nothing waits for your decision.")))
	}
	for _, r := range in.Requests {
		key := fmt.Sprintf("request#%d", r.ID)
		title := fmt.Sprintf("#%d · %s · %s", r.ID, kindName(r.Kind), r.JobName)
		v.inbox.Add(v.decisionRow(key, title, requestSummary(r), func() {
			v.a.act(func(ctx context.Context) error {
				_, err := v.a.svc.ApproveRequest(ctx, v.a.user, r.ID, r.RevisionHash)
				return err
			}, v.reload) // the terms shown
		}, func() { rejectRequestDialog(v.a, r, v.reload) }))
	}
	for _, j := range in.Jobs {
		key := "job:" + j.Name
		title := lang.L("Job {{.Name}}", map[string]any{"Name": j.Name})
		detail := jobFacts(j)
		v.inbox.Add(v.decisionRow(key, title, detail, func() {
			v.a.act(func(ctx context.Context) error {
				_, err := v.a.svc.ApproveJob(ctx, v.a.user, j.Name, j.RevisionHash)
				return err
			}, v.reload) // the revision shown
		}, func() { rejectJobDialog(v.a, j, v.reload) }))
	}
	v.inbox.Add(widget.NewSeparator())
}

func (v *dashboardView) decisionRow(key, title, detail string, approve, reject func()) fyne.CanvasObject {
	ok := widget.NewButtonWithIcon(lang.L("Approve"), theme.ConfirmIcon(), approve)
	ok.Importance = widget.SuccessImportance
	no := widget.NewButtonWithIcon(lang.L("Reject…"), theme.CancelIcon(), reject)
	no.Importance = widget.DangerImportance
	v.approve[key], v.reject[key] = ok, no
	t := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d := widget.NewLabel(detail)
	d.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(ok, no)), container.NewVBox(t, d))
}

// requestSummary is a request in one line: who, what, when, where to, why.
func requestSummary(r jobs.Request) string {
	when := lang.L("run at {{.T}}", map[string]any{"T": formatTime(r.RequestedAt)})
	if r.Kind == jobs.KindRestore {
		when = lang.L("data as of {{.T}}, into {{.Target}}", map[string]any{"T": formatTime(r.RequestedAt), "Target": r.Target})
		if r.Replica != "" {
			when += " · " + lang.L("from the offsite copy {{.R}}", map[string]any{"R": r.Replica})
		}
		if len(r.Include) > 0 {
			when += " · " + lang.L("only {{.List}}", map[string]any{"List": strings.Join(r.Include, ", ")})
		}
	}
	return fmt.Sprintf("%s · %s · %s", r.RequesterName, when, lang.L("Reason: {{.R}}", map[string]any{"R": r.Reason}))
}

// jobFacts is a job's definition in one line.
func jobFacts(j jobs.Job) string {
	facts := lang.L("{{.Schedule}} · {{.Sources}} into {{.Repo}} · revision {{.Rev}}",
		map[string]any{"Schedule": scheduleText(j.Schedule), "Sources": sourcesText(j.Sources), "Repo": j.Repository, "Rev": j.Revision})
	if len(j.Replicas) > 0 {
		facts += " · " + lang.L("Offsite copies: {{.R}}", map[string]any{"R": strings.Join(j.Replicas, ", ")})
	}
	return facts
}

// sourcesText is "1 source" or "3 sources" in the chosen language.
func sourcesText(sources []string) string {
	return lang.N("{{.N}} sources", len(sources), map[string]any{"N": len(sources)})
}

// jobSummaryRow is a job's lines on the dashboard: its name and state, its
// last backup, next run and storage, and its offsite copies.
func jobSummaryRow(js jobs.JobSummary) fyne.CanvasObject {
	j := js.Job
	icon := widget.NewIcon(theme.QuestionIcon())
	last, lastColor := lang.L("Never run"), theme.ColorNameForeground
	if r := js.LastRun; r != nil {
		when := r.StartedAt
		if when.IsZero() {
			when = r.ScheduledAt
		}
		last = lang.L("Last backup {{.T}}: {{.Status}} · {{.D}} · added {{.Added}}",
			map[string]any{"T": formatTime(when), "Status": stateName(r.Status), "D": formatDuration(r.Duration()), "Added": formatBytes(r.BytesAdded)})
		var imp widget.Importance
		imp, icon = runLook(r.Status)
		lastColor = importanceColor(imp)
	}
	next := lang.L("Next run: {{.T}}", map[string]any{"T": formatTime(js.NextRun)})
	if js.RunsOn != "" {
		next = lang.L("Next run: {{.T}} on {{.Host}}", map[string]any{"T": formatTime(js.NextRun), "Host": js.RunsOn})
	}
	size := lang.L("Repository: {{.Size}}", map[string]any{"Size": repoSize(js.RepoSize)})
	repl := replicaLine(js)
	// One rich text: its lines sit closer than a column of labels, each
	// with its own padding, so a job reads as one block.
	line := func(text string, c fyne.ThemeColorName, bold bool) widget.RichTextSegment {
		return &widget.TextSegment{Text: text, Style: widget.RichTextStyle{ColorName: c, TextStyle: fyne.TextStyle{Bold: bold}}}
	}
	lines := widget.NewRichText(
		line(j.Name+" · "+stateName(j.State)+" · "+scheduleText(j.Schedule), theme.ColorNameForeground, true),
		line(last, lastColor, false),
		line(next+" · "+size, theme.ColorNameForeground, false),
		line(repl.Text, importanceColor(repl.Importance), false),
	)
	lines.Truncation = fyne.TextTruncateEllipsis
	return container.NewVBox(container.NewBorder(nil, nil, container.NewCenter(icon), nil, lines), widget.NewSeparator())
}

// replicaLine is the job's offsite copies as their last sync left them:
// "gdrive up to date 21:14 / sftp-b 2 snapshots behind / nas failed: …",
// orange when any needs attention.
func replicaLine(js jobs.JobSummary) *widget.Label {
	l := widget.NewLabel(lang.L("Offsite copies: none"))
	l.Truncation = fyne.TextTruncateEllipsis
	if len(js.ReplicaStates) == 0 {
		return l
	}
	parts := make([]string, 0, len(js.ReplicaStates))
	for _, st := range js.ReplicaStates {
		parts = append(parts, st.Name+" "+replicaText(st))
		if st.Behind() || st.Status == jobs.ReplicaNotConfigured {
			l.Importance = widget.WarningImportance
		}
	}
	l.SetText(lang.L("Offsite copies: {{.R}}", map[string]any{"R": strings.Join(parts, " / ")}))
	return l
}

// retryTime says when a replica's next retry comes: the time of day when
// it falls on the day of the failed attempt (retries come within hours),
// with the date when it falls on another day (after midnight, or a retry
// taken over from a stopped process).
func retryTime(st jobs.ReplicaResult) string {
	ref := st.LastAttempt
	if ref.IsZero() {
		ref = st.LastSync
	}
	next := st.NextRetry.Local()
	if ry, rm, rd := ref.Local().Date(); !ref.IsZero() {
		if ny, nm, nd := next.Date(); ny == ry && nm == rm && nd == rd {
			return next.Format("15:04")
		}
	}
	return formatTime(next)
}

// replicaText is one replica's state in a few words.
func replicaText(st jobs.ReplicaResult) string {
	behind := func() string {
		if st.Lag != nil && st.Lag.Snapshots > 0 {
			return lang.N("{{.N}} snapshots behind", st.Lag.Snapshots, map[string]any{"N": st.Lag.Snapshots})
		}
		return ""
	}
	switch {
	case st.Status == jobs.ReplicaNotConfigured:
		return lang.L("not set up (Settings, Repositories and replicas)")
	case st.Status == jobs.ReplicaNeverSynced:
		return lang.L("never synced")
	case st.Status == jobs.ReplicaFailed:
		text := lang.L("failed: {{.Err}}", map[string]any{"Err": shorten(st.Error, 90)})
		if !st.NextRetry.IsZero() {
			// Before the error, which the line may cut off.
			text = lang.L("retry at {{.T}}", map[string]any{"T": retryTime(st)}) + ", " + text
		}
		if b := behind(); b != "" {
			text = b + ", " + text
		}
		return text
	case st.UpToDate():
		return lang.L("up to date {{.T}}", map[string]any{"T": formatTime(st.LastSync)})
	case behind() != "":
		return behind()
	}
	return lang.L("synced {{.T}}", map[string]any{"T": formatTime(st.LastSync)})
}

// shorten keeps the start of a long message for a one-line summary.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// runLook colours a run result: green success, orange warnings or
// missed, red failed.
func runLook(status string) (widget.Importance, *widget.Icon) {
	switch status {
	case jobs.RunSuccess, jobs.RunVerified:
		return widget.SuccessImportance, widget.NewIcon(theme.ConfirmIcon())
	case jobs.RunWarnings, jobs.RunMissed:
		return widget.WarningImportance, widget.NewIcon(theme.WarningIcon())
	case jobs.RunFailed:
		return widget.DangerImportance, widget.NewIcon(theme.ErrorIcon())
	case jobs.RunRunning:
		return widget.HighImportance, widget.NewIcon(theme.MediaPlayIcon())
	}
	return widget.MediumImportance, widget.NewIcon(theme.QuestionIcon())
}

func repoSize(n int64) string {
	if n < 0 {
		return lang.L("remote")
	}
	return formatBytes(n)
}

// scheduleText describes a schedule in the chosen language.
func scheduleText(sc jobs.Schedule) string {
	switch sc.Kind {
	case jobs.ScheduleWindow:
		return lang.L("daily {{.From}}–{{.To}}", map[string]any{"From": sc.WindowStart, "To": sc.WindowEnd})
	case jobs.ScheduleCron:
		return "cron " + sc.Cron
	case jobs.ScheduleOnce:
		return lang.L("once at {{.T}}", map[string]any{"T": formatTime(sc.Once)})
	}
	return sc.Kind
}

// importanceColor is the theme colour a label of that importance uses.
func importanceColor(imp widget.Importance) fyne.ThemeColorName {
	switch imp {
	case widget.SuccessImportance:
		return theme.ColorNameSuccess
	case widget.WarningImportance:
		return theme.ColorNameWarning
	case widget.DangerImportance:
		return theme.ColorNameError
	case widget.HighImportance:
		return theme.ColorNamePrimary
	}
	return theme.ColorNameForeground
}
