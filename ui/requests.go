package ui

import (
	"context"
	"fmt"
	"slices"
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

// requestsView is the Requests screen: a manager's approvals on top, then
// every request with the actions its state allows.
type requestsView struct {
	s      acting
	inbox  *fyne.Container
	list   *fyne.Container
	scroll *container.Scroll
	filter *widget.Select
	rows   map[int64]*requestRow // by request ID, for the list (tests tap these)
	inRows map[int64]*requestRow // the manager's approvals
	may    map[int64]jobs.Permissions
	preset string // the filter's key to start with; "" is all requests
}

// requestRow is one request with its action buttons (nil when not offered).
type requestRow struct {
	req                                              jobs.Request
	approve, reject, submit, reschedule, run, handov *widget.Button
}

// requestsScreen is the Requests screen showing the filter with key preset
// ("" for all requests).
func requestsScreen(s acting, events listener, preset string) fyne.CanvasObject {
	v := newRequestsView(s)
	v.preset = preset
	events(func(ev jobs.Event) {
		if ev.Kind == jobs.EventRequestChanged || ev.Kind == jobs.EventRestoreFinished || ev.Kind == jobs.EventJobChanged {
			v.reload()
		}
	})
	return v.content()
}

func newRequestsView(s acting) *requestsView {
	return &requestsView{s: s, inbox: container.NewVBox(), list: container.NewVBox(),
		rows: map[int64]*requestRow{}, inRows: map[int64]*requestRow{}}
}

// filterToCarryOut is the Requests filter the dashboard's "Carry out"
// opens: approved requests IT staff still have to carry out or hand over,
// the ones the card counts.
const filterToCarryOut = "to-carry-out"

// requestFilter is one of the list's filter choices and the states it
// selects (nil: every state).
type requestFilter struct {
	key, name string
	states    []string
}

// requestFilters are the list's filter choices, "All requests" first.
func requestFilters() []requestFilter {
	return []requestFilter{
		{"all", lang.L("All requests"), nil},
		// jobs' groups: a state added there lands in one of these.
		{"waiting", lang.L("Waiting for approval"), slices.Concat(jobs.RequestsAwaitingDecision, []string{jobs.RequestDraft})},
		{filterToCarryOut, lang.L("Approved, to carry out"), jobs.RequestsForStaff},
		{"rejected", lang.L("Rejected"), []string{jobs.RequestRejected}},
		{"active", lang.L("Approved and in progress"), slices.Concat(jobs.RequestsToCarryOut, jobs.RequestsInProgress, jobs.RequestsToHandOver)},
		{"done", lang.L("Finished"), jobs.RequestsClosed},
	}
}

func (v *requestsView) content() fyne.CanvasObject {
	filters := requestFilters()
	names := make([]string, len(filters))
	selected := 0
	for i, f := range filters {
		names[i] = f.name
		if f.key == v.preset {
			selected = i
		}
	}
	v.filter = widget.NewSelect(names, func(string) { v.reload() })
	v.filter.SetSelectedIndex(selected)
	newReq := widget.NewButtonWithIcon(lang.L("New request"), theme.ContentAddIcon(), func() { newRequestDialog(v.s, v.reload) })
	newReq.Importance = widget.HighImportance
	bar := container.NewBorder(nil, nil, newReq, container.NewHBox(widget.NewLabel(lang.L("Show")), fitOptions(v.filter)))
	body := container.NewVBox(v.inbox, v.list)
	v.scroll = container.NewVScroll(body)
	v.reload()
	return container.NewBorder(bar, nil, nil, nil, v.scroll)
}

// reload reads the requests and the manager's inbox again.
func (v *requestsView) reload() {
	if v.filter == nil {
		return
	}
	f := jobs.RequestFilter{States: requestFilters()[max(v.filter.SelectedIndex(), 0)].states}
	type page struct {
		reqs []jobs.Request
		in   jobs.Inbox
		may  map[int64]jobs.Permissions
	}
	call(v.s.caller, func(ctx context.Context) (page, error) {
		reqs, err := v.s.svc.Requests(ctx, v.s.user, f)
		if err != nil {
			return page{}, err
		}
		in, err := v.s.svc.Inbox(ctx, v.s.user)
		if err != nil {
			return page{}, err
		}
		may := map[int64]jobs.Permissions{}
		for _, r := range append(append([]jobs.Request(nil), reqs...), in.Requests...) {
			if may[r.ID], err = v.s.svc.RequestPermissions(ctx, v.s.user, r.ID); err != nil {
				return page{}, err
			}
		}
		return page{reqs, in, may}, nil
	}, func(p page) { v.may = p.may; v.render(p.reqs, p.in) })
}

func (v *requestsView) render(reqs []jobs.Request, in jobs.Inbox) {
	v.inbox.RemoveAll()
	v.inRows = map[int64]*requestRow{}
	if v.s.user.Can(jobs.CapDecide) {
		head := widget.NewLabelWithStyle(lang.L("Waiting for your approval"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		v.inbox.Add(head)
		if len(in.Requests)+len(in.Jobs) == 0 {
			v.inbox.Add(widget.NewLabel(lang.L("Nothing waits for your decision.")))
		}
		if len(in.Jobs) > 0 { // approved on the dashboard or under Jobs
			names := make([]string, 0, len(in.Jobs))
			for _, j := range in.Jobs {
				names = append(names, j.Name)
			}
			l := widget.NewLabel(lang.L("Jobs waiting for your approval: {{.Names}}. Approve them on the Dashboard or under Jobs.", map[string]any{"Names": strings.Join(names, ", ")}))
			l.Wrapping = fyne.TextWrapWord
			l.Importance = widget.WarningImportance
			v.inbox.Add(l)
		}
		for _, r := range in.Requests {
			row := v.newRow(r, true)
			v.inRows[r.ID] = row
			v.inbox.Add(row.view(v.s))
		}
		v.inbox.Add(widget.NewSeparator())
	}
	v.list.RemoveAll()
	v.rows = map[int64]*requestRow{}
	waiting := map[int64]bool{}
	for _, r := range in.Requests {
		waiting[r.ID] = true // shown above with Approve and Reject
	}
	shown := 0
	for _, r := range reqs {
		if waiting[r.ID] {
			continue
		}
		shown++
		row := v.newRow(r, false)
		v.rows[r.ID] = row
		v.list.Add(row.view(v.s))
	}
	if shown == 0 {
		v.list.Add(widget.NewLabel(lang.L("No requests match.")))
	}
	relayout(v.scroll)
}

// newRow offers the actions jobs allows this person on the request now;
// jobs checks them again, so a stale button is refused, never obeyed.
func (v *requestsView) newRow(r jobs.Request, decide bool) *requestRow {
	row := &requestRow{req: r}
	may := v.may[r.ID]
	if decide && may.Can(jobs.ActApprove) {
		row.approve = widget.NewButtonWithIcon(lang.L("Approve"), theme.ConfirmIcon(), func() { v.approve(r) })
		row.approve.Importance = widget.SuccessImportance
	}
	if decide && may.Can(jobs.ActReject) {
		row.reject = widget.NewButtonWithIcon(lang.L("Reject…"), theme.CancelIcon(), func() { v.reject(r) })
		row.reject.Importance = widget.DangerImportance
	}
	if decide {
		return row
	}
	if may.Can(jobs.ActSubmit) {
		row.submit = widget.NewButton(lang.L("Submit for approval"), func() { v.submit(r) })
	}
	if may.Can(jobs.ActReschedule) {
		row.reschedule = widget.NewButton(lang.L("Reschedule…"), func() { v.rescheduleDialog(r) })
	}
	if may.Can(jobs.ActRun) {
		row.run = widget.NewButtonWithIcon(lang.L("Run now"), theme.MediaPlayIcon(), func() { runRequest(v.s, r, v.reload) })
		row.run.Importance = widget.HighImportance
	}
	if may.Can(jobs.ActHandover) {
		row.handov = widget.NewButtonWithIcon(lang.L("Handover form"), theme.DocumentPrintIcon(), func() { handoverDialog(v.s, r, v.reload) })
	}
	return row
}

func (row *requestRow) view(s acting) fyne.CanvasObject {
	r := row.req
	title := widget.NewLabelWithStyle(fmt.Sprintf("#%d · %s · %s", r.ID, kindName(r.Kind), r.JobName), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	when := lang.L("run at {{.T}}", map[string]any{"T": formatTime(r.RequestedAt)})
	if r.Kind == jobs.KindRestore {
		when = lang.L("data as of {{.T}}, into {{.Target}}", map[string]any{"T": formatTime(r.RequestedAt), "Target": r.Target})
		if len(r.Include) > 0 {
			when += " · " + lang.L("only {{.List}}", map[string]any{"List": strings.Join(r.Include, ", ")})
		}
	}
	detail := fmt.Sprintf("%s · %s · %s", r.RequesterName, when, stateName(r.State))
	if r.Number != "" {
		detail += " · " + r.Number
	}
	info := widget.NewLabel(detail)
	info.Wrapping = fyne.TextWrapWord // wrap rather than push the buttons out of the window
	lines := container.NewVBox(title, info)
	reason := widget.NewLabel(lang.L("Reason: {{.R}}", map[string]any{"R": r.Reason}))
	reason.Wrapping = fyne.TextWrapWord
	lines.Add(reason)
	if r.RejectReason != "" {
		lines.Add(rejectionLabel(r.DecidedBy, r.RejectReason))
	}
	actions := container.NewHBox()
	for _, b := range []*widget.Button{row.approve, row.reject, row.submit, row.reschedule, row.run, row.handov} {
		if b != nil {
			actions.Add(b)
		}
	}
	return container.NewVBox(container.NewBorder(nil, nil, nil, container.NewCenter(actions), lines), widget.NewSeparator())
}

func (v *requestsView) approve(r jobs.Request) {
	v.act(func(ctx context.Context) error {
		_, err := v.s.svc.ApproveRequest(ctx, v.s.user, r.ID, r.RevisionHash) // the terms shown
		return err
	})
}

func (v *requestsView) submit(r jobs.Request) {
	v.act(func(ctx context.Context) error {
		_, err := v.s.svc.SubmitRequest(ctx, v.s.user, r.ID)
		return err
	})
}

// act runs a quick procedure step off the UI goroutine and reloads.
func (v *requestsView) act(step func(ctx context.Context) error) { v.s.act(step, v.reload) }

// reject asks for the reason, which the procedure requires.
func (v *requestsView) reject(r jobs.Request) { rejectRequestDialog(v.s, r, v.reload) }

// rejectRequestDialog asks the manager why, which staff read to
// reschedule, then rejects the request.
func rejectRequestDialog(s acting, r jobs.Request, after func()) {
	reason := widget.NewMultiLineEntry()
	reason.SetPlaceHolder(lang.L("Why is it rejected? IT staff will read this to reschedule."))
	askText(s.win, lang.L("Reject request #{{.ID}}", map[string]any{"ID": r.ID}), lang.L("Reason for the rejection"), reason, lang.L("Reject"), func(text string) error {
		if strings.TrimSpace(text) == "" {
			return fmt.Errorf("%s", lang.L("A reason is required to reject."))
		}
		s.act(func(ctx context.Context) error { _, err := s.svc.RejectRequest(ctx, s.user, r.ID, text); return err }, after)
		return nil
	})
}

func (v *requestsView) rescheduleDialog(r jobs.Request) {
	at := widget.NewEntry()
	at.SetText(formatTime(r.RequestedAt))
	askText(v.s.win, lang.L("Reschedule request #{{.ID}}", map[string]any{"ID": r.ID}), lang.L("New date and time (YYYY-MM-DD HH:MM)"), at, lang.L("Reschedule and submit"), func(text string) error {
		t, err := jobs.ParseLocalTime(text, time.Local)
		if err != nil {
			return err
		}
		v.act(func(ctx context.Context) error {
			_, err := v.s.svc.RescheduleRequest(ctx, v.s.user, r.ID, t)
			return err
		})
		return nil
	})
}

// askText shows a dialog with one labelled entry; ok returns an error to
// keep the dialog open and show it, or nil to close. The dialog keeps its
// width: a long answer or message wraps instead of widening the window.
func askText(w fyne.Window, title, label string, entry *widget.Entry, okText string, ok func(string) error) {
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	if entry.MultiLine {
		entry.Wrapping = fyne.TextWrapWord
	}
	var d dialog.Dialog
	okBtn := widget.NewButton(okText, func() {
		if err := ok(entry.Text); err != nil {
			problem.SetText(err.Error())
			return
		}
		d.Hide()
	})
	okBtn.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { d.Hide() })
	caption := widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	body := container.NewVBox(caption, entry, problem, container.NewHBox(layoutSpacer(), cancel, okBtn))
	d = dialog.NewCustomWithoutButtons(title, body, w)
	d.Resize(fyne.NewSize(480, 0))
	d.Show()
	w.Canvas().Focus(entry)
}

// runRequest carries out an approved request with progress; a restore
// first says exactly what it will overwrite.
func runRequest(s acting, r jobs.Request, after func()) {
	start := func() {
		runWithProgress(s, lang.L("Request #{{.ID}}: {{.Kind}} of {{.Job}}", map[string]any{"ID": r.ID, "Kind": kindName(r.Kind), "Job": r.JobName}),
			func(ctx context.Context, p engine.Progress) error {
				_, err := s.svc.RunRequest(ctx, s.user, r.ID, jobs.RunRequestOptions{Progress: p})
				return err
			},
			func(err error) {
				if err != nil {
					showError(s.win, err)
				} else if r.Kind == jobs.KindRestore {
					showVerification(s, r.ID, after)
				}
				after()
			})
	}
	if r.Kind != jobs.KindRestore {
		start()
		return
	}
	msg := lang.L("Cadang will restore {{.Job}} as it was on {{.T}} into {{.Target}}. Files there with the same names will be REPLACED by the backup's version; other files are left alone. Every restored file is then checked against the backup.",
		map[string]any{"Job": r.JobName, "T": formatTime(r.RequestedAt), "Target": r.Target})
	if len(r.Include) > 0 {
		msg += "\n\n" + lang.L("Only these parts of the backup are restored: {{.List}}", map[string]any{"List": strings.Join(r.Include, ", ")})
	}
	confirm(s.win, lang.L("Restore over existing files?"), msg, lang.L("Restore"), start)
}

// confirm asks before a destructive action and says exactly what happens.
func confirm(w fyne.Window, title, message, action string, yes func()) {
	text := widget.NewLabel(message)
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(title, action, lang.L("Cancel"), text, func(ok bool) {
		if ok {
			yes()
		}
	}, w)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}

// rejectionLabel is who rejected and why, wrapped: a long reason makes the
// row taller, never the window wider.
func rejectionLabel(who, why string) *widget.Label {
	l := widget.NewLabel(lang.L("Rejected by {{.Who}}: {{.Why}}", map[string]any{"Who": who, "Why": why}))
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.DangerImportance
	return l
}
