package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// dashboardView is the first screen: what needs attention, then each job's
// last result, next run, storage and replicas.
type dashboardView struct {
	s       *session
	cards   *fyne.Container
	jobs    *fyne.Container
	approve *widget.Button // "Review approvals" (managers), for tests
}

func dashboardScreen(s *session) fyne.CanvasObject {
	v := &dashboardView{s: s, cards: container.NewGridWithColumns(4), jobs: container.NewVBox()}
	v.reload()
	s.listen(func(ev jobs.Event) {
		switch ev.Kind {
		case jobs.EventRunStarted, jobs.EventRunFinished, jobs.EventRunMissed, jobs.EventRequestChanged, jobs.EventJobChanged:
			v.reload()
		}
	})
	head := widget.NewLabelWithStyle(lang.L("Jobs"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewVScroll(container.NewVBox(v.cards, widget.NewSeparator(), head, v.jobs))
}

func (v *dashboardView) reload() {
	var sched *jobs.Scheduler
	if v.s.sched != nil {
		sched = v.s.sched()
	}
	v.s.bg(func() {
		d, err := v.s.svc.Dashboard(v.s.ctx, v.s.user, sched)
		fyne.Do(func() {
			if err != nil {
				showError(v.s.win, err)
				return
			}
			v.render(d)
		})
	})
}

func (v *dashboardView) render(d jobs.Dashboard) {
	v.cards.RemoveAll()
	v.approve = nil
	if v.s.user.Role == jobs.RoleManager {
		v.approve = widget.NewButton(lang.L("Review"), func() { v.s.navigate(pageRequests) })
		if d.PendingApprovals > 0 {
			v.approve.Importance = widget.HighImportance
		}
		v.cards.Add(card(lang.L("Waiting for your approval"), fmt.Sprint(d.PendingApprovals), v.approve))
	}
	v.cards.Add(card(lang.L("Approved requests to carry out"), fmt.Sprint(d.PendingRequests),
		widget.NewButton(lang.L("Open requests"), func() { v.s.navigate(pageRequests) })))
	missed := card(lang.L("Missed runs"), fmt.Sprint(d.Missed), widget.NewButton(lang.L("See activity"), func() { v.s.navigate(pageActivity) }))
	v.cards.Add(missed)
	v.cards.Add(card(lang.L("Running now"), fmt.Sprint(d.Running), nil))
	if v.s.sched != nil && v.s.sched() == nil {
		v.cards.Add(card(lang.L("Schedules"), lang.L("paused"), nil))
	}

	v.jobs.RemoveAll()
	if len(d.Jobs) == 0 {
		hint := widget.NewLabel(lang.L("No jobs yet. IT staff define them under Jobs; a manager approves them."))
		hint.Wrapping = fyne.TextWrapWord
		v.jobs.Add(hint)
		return
	}
	for _, js := range d.Jobs {
		v.jobs.Add(jobSummaryRow(js))
	}
}

// card is one figure with a caption and an optional button.
func card(caption, value string, action *widget.Button) fyne.CanvasObject {
	num := widget.NewLabelWithStyle(value, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	num.SizeName = theme.SizeNameHeadingText
	cap := widget.NewLabel(caption)
	cap.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(num, cap)
	if action != nil {
		box.Add(action)
	}
	return widget.NewCard("", "", box)
}

// jobSummaryRow is a job's line on the dashboard.
func jobSummaryRow(js jobs.JobSummary) fyne.CanvasObject {
	j := js.Job
	name := widget.NewLabelWithStyle(j.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	state := widget.NewLabel(stateName(j.State) + " · " + scheduleText(j.Schedule))
	last := widget.NewLabel(lang.L("Never run"))
	icon := widget.NewIcon(theme.QuestionIcon())
	if r := js.LastRun; r != nil {
		when := r.StartedAt
		if when.IsZero() {
			when = r.ScheduledAt
		}
		last.SetText(lang.L("Last run {{.T}} ({{.Kind}}): {{.Status}} · {{.D}} · added {{.Added}}",
			map[string]any{"T": formatTime(when), "Kind": kindName(r.Kind), "Status": stateName(r.Status), "D": formatDuration(r.Duration()), "Added": formatBytes(r.BytesAdded)}))
		last.Importance, icon = runLook(r.Status)
	}
	next := lang.L("Next run: {{.T}}", map[string]any{"T": formatTime(js.NextRun)})
	size := lang.L("Repository: {{.Size}}", map[string]any{"Size": repoSize(js.RepoSize)})
	facts := widget.NewLabel(next + " · " + size)
	facts.Wrapping = fyne.TextWrapWord
	return container.NewVBox(container.NewBorder(nil, nil, icon, nil, container.NewVBox(container.NewHBox(name, state), last, facts, replicaLine(js))), widget.NewSeparator())
}

// replicaLine is the job's offsite copies as their last sync left them:
// "gdrive up to date 21:14 / sftp-b 2 snapshots behind / nas failed: …",
// orange when any is not up to date.
func replicaLine(js jobs.JobSummary) *widget.Label {
	l := widget.NewLabel(lang.L("Offsite copies: none"))
	l.Wrapping = fyne.TextWrapWord
	if len(js.ReplicaStates) == 0 {
		return l
	}
	parts := make([]string, 0, len(js.ReplicaStates))
	for _, st := range js.ReplicaStates {
		parts = append(parts, st.Name+" "+replicaText(st))
		if !st.UpToDate() {
			l.Importance = widget.WarningImportance
		}
	}
	l.SetText(lang.L("Offsite copies: {{.R}}", map[string]any{"R": strings.Join(parts, " / ")}))
	return l
}

// replicaText is one replica's state in a few words.
func replicaText(st jobs.ReplicaResult) string {
	behind := func() string {
		if st.Lag != nil && st.Lag.Snapshots > 0 {
			return lang.L("{{.N}} snapshots behind", map[string]any{"N": st.Lag.Snapshots})
		}
		return ""
	}
	switch {
	case st.Status == jobs.ReplicaNotConfigured:
		return lang.L("not set up (cadang replica add)")
	case st.Status == jobs.ReplicaNeverSynced:
		return lang.L("never synced")
	case st.Status == jobs.ReplicaFailed:
		text := lang.L("failed: {{.Err}}", map[string]any{"Err": shorten(st.Error, 90)})
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
