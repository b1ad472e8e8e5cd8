package ui

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/engine"
	"cadang/jobs"
)

// restoreView is the Snapshots & Restore screen. On the left the wizard:
// pick the data (a job) and the copy to read (its repository, or an
// offsite or cloud replica: offered at once when the repository cannot be
// read), a day on the calendar (days with snapshots are highlighted), a
// snapshot of that day, the destination and the reason; on the right the
// snapshot's files to tick, and the restores that are approved and ready
// to carry out, with their results.
type restoreView struct {
	s        acting
	job      *widget.Select
	copyPick *widget.Select
	copies   []jobs.RestoreCopy
	copyNote *widget.Label
	cal      *snapshotCalendar
	snaps    []engine.Snapshot
	dayList  *fyne.Container
	chosen   *engine.Snapshot
	browser  *fyne.Container
	dir      string
	target   *widget.Entry
	reason   *widget.Entry
	ask      *widget.Button
	pending  *fyne.Container
	start    map[int64]*widget.Button // "Start restore" per request, for tests
	results  map[int64]*widget.Button // "Result" per request
	snapPick map[string]*widget.Button
	include  map[string]bool          // ticked snapshot paths; none = the whole snapshot
	ticks    map[string]*widget.Check // the ticks shown, by snapshot path, for tests
	selNote  *widget.Label

	// The scrolls whose rows arrive late (relayout).
	wizScroll, browserScroll, pendingScroll *container.Scroll
}

func snapshotsScreen(s acting, events listener) fyne.CanvasObject {
	v := newRestoreView(s)
	events(func(ev jobs.Event) {
		if ev.Kind == jobs.EventRequestChanged || ev.Kind == jobs.EventRestoreFinished {
			v.reloadPending()
		}
	})
	return v.content()
}

func newRestoreView(s acting) *restoreView {
	v := &restoreView{s: s, dayList: container.NewVBox(), browser: container.NewVBox(), target: widget.NewEntry(),
		reason: widget.NewMultiLineEntry(), pending: container.NewVBox(), start: map[int64]*widget.Button{},
		results: map[int64]*widget.Button{}, snapPick: map[string]*widget.Button{},
		include: map[string]bool{}, ticks: map[string]*widget.Check{}, selNote: widget.NewLabel(""), copyNote: widget.NewLabel("")}
	v.selNote.Wrapping = fyne.TextWrapWord
	v.selNote.TextStyle = fyne.TextStyle{Italic: true}
	v.copyNote.Wrapping = fyne.TextWrapWord
	v.copyNote.Hide()
	v.showSelection()
	v.cal = newSnapshotCalendar(v.showDay)
	return v
}

func (v *restoreView) content() fyne.CanvasObject {
	v.pendingScroll = container.NewVScroll(v.pending)
	v.reloadPending()
	pendingBox := container.NewBorder(widget.NewLabelWithStyle(lang.L("Restores to carry out"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, v.pendingScroll)
	if !v.s.user.Can(jobs.CapCarryOut) {
		hint := widget.NewLabel(lang.L("To get data back, ask with a restore request: IT staff prepare it once the IT manager approves."))
		hint.Wrapping = fyne.TextWrapWord
		ask := widget.NewButtonWithIcon(lang.L("New request"), theme.ContentAddIcon(), func() { newRequestDialog(v.s, v.reloadPending) })
		return container.NewBorder(container.NewVBox(hint, container.NewHBox(ask)), nil, nil, nil, pendingBox)
	}
	v.browserScroll = container.NewVScroll(v.browser)
	files := container.NewBorder(widget.NewLabelWithStyle(lang.L("Files in the snapshot"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		v.selNote, nil, nil, v.browserScroll)
	// Grids, not splits: a split's grip reads as a stray cursor.
	right := container.NewGridWithRows(2, files, pendingBox)
	v.wizScroll = container.NewVScroll(v.wizard())
	return container.NewGridWithColumns(2, v.wizScroll, right)
}

// wizard is the left column. Its order keeps the destination and the
// request button within the window without scrolling: the file list, the
// one part that grows, is on the right.
func (v *restoreView) wizard() fyne.CanvasObject {
	v.job = widget.NewSelect(nil, func(name string) { v.loadCopies(name) })
	v.job.PlaceHolder = lang.L("(choose the data)")
	v.copyPick = widget.NewSelect(nil, func(string) { v.loadSnapshots() })
	call(v.s.caller, func(ctx context.Context) ([]jobs.Job, error) {
		// Deleted jobs too: their repositories are kept and can be restored.
		return v.s.svc.Jobs(ctx, v.s.user, jobs.JobAny)
	}, func(all []jobs.Job) {
		names := make([]string, 0, len(all))
		first := -1 // preselect the first approved job: it is the one with backups
		for i, j := range all {
			names = append(names, j.Name)
			if first < 0 && j.State == jobs.JobApproved {
				first = i
			}
		}
		v.job.SetOptions(names)
		if len(names) > 0 {
			v.job.SetSelectedIndex(max(first, 0))
		}
	})
	v.target.SetPlaceHolder(lang.L("folder to restore into, e.g. /srv/restore/finance"))
	pick := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() { pickFolder(v.s.win, v.target.SetText) })
	v.reason.SetPlaceHolder(lang.L("why the data is needed back"))
	v.reason.SetMinRowsVisible(2)
	v.ask = widget.NewButtonWithIcon(lang.L("Request this restore"), theme.MailSendIcon(), v.requestRestore)
	v.ask.Importance = widget.HighImportance
	step := func(n int, text string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(fmt.Sprintf("%d. %s", n, text), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	data := widget.NewForm(widget.NewFormItem(lang.L("Data"), v.job), widget.NewFormItem(lang.L("Read from"), v.copyPick))
	return container.NewVBox(
		step(1, lang.L("Data")), data, v.copyNote,
		step(2, lang.L("Date (highlighted days have backups)")), v.cal.box, v.dayList,
		step(3, lang.L("Destination")), container.NewBorder(nil, nil, nil, pick, v.target),
		v.reason,
		container.NewHBox(layoutSpacer(), v.ask),
	)
}

// copyName is how the copy picker names a copy.
func copyName(c jobs.RestoreCopy) string {
	if c.Replica == "" {
		return lang.L("Repository: {{.Where}}", map[string]any{"Where": c.Location})
	}
	return lang.L("Offsite copy {{.Name}}: {{.Where}}", map[string]any{"Name": c.Replica, "Where": c.Location})
}

// loadCopies lists where the job's backups can be read from and starts
// with its repository.
func (v *restoreView) loadCopies(job string) {
	v.copies = nil
	call(v.s.caller, func(ctx context.Context) ([]jobs.RestoreCopy, error) {
		return v.s.svc.RestoreCopies(ctx, v.s.user, job)
	}, func(cs []jobs.RestoreCopy) {
		v.copies = cs
		names := make([]string, len(cs))
		for i, c := range cs {
			names[i] = copyName(c)
		}
		v.copyPick.SetOptions(names)
		v.copyPick.SetSelectedIndex(0) // loads the snapshots
	})
}

// replica is the copy chosen: "" for the job's repository.
func (v *restoreView) replica() string {
	if i := v.copyPick.SelectedIndex(); i >= 0 && i < len(v.copies) {
		return v.copies[i].Replica
	}
	return ""
}

func (v *restoreView) loadSnapshots() {
	job, replica := v.job.Selected, v.replica()
	v.chosen, v.snaps = nil, nil
	v.dayList.RemoveAll()
	v.browser.RemoveAll()
	v.copyNote.Hide()
	v.s.bg(func() {
		snaps, err := v.s.svc.Snapshots(v.s.ctx, v.s.user, job, replica)
		fyne.Do(func() {
			defer relayout(v.wizScroll) // the day's snapshots or the offsite copies offered
			if err != nil {
				v.cal.setSnapshotTimes(nil)
				v.unreadable(replica, err)
				return
			}
			v.snaps = snaps
			times := make([]time.Time, len(snaps))
			for i, sn := range snaps {
				times[i] = sn.Time
			}
			v.cal.setSnapshotTimes(times)
			if len(snaps) == 0 {
				v.dayList.Add(widget.NewLabel(lang.L("No backups of this data yet.")))
				return
			}
			v.showDay(snaps[len(snaps)-1].Time)
		})
	})
}

// unreadable says why a copy cannot be read, and when the job's repository
// is unreachable offers its offsite copies (APCA 3.4).
func (v *restoreView) unreadable(replica string, err error) {
	if replica == "" && errors.Is(err, engine.ErrNotRepository) && len(v.copies) == 1 {
		v.dayList.Add(widget.NewLabel(lang.L("No backups of this data yet.")))
		return
	}
	why := translateMessage(errorText(err))
	v.copyNote.Importance = widget.DangerImportance
	if replica != "" || len(v.copies) < 2 {
		v.copyNote.SetText(lang.L("This copy cannot be read: {{.Why}}", map[string]any{"Why": why}))
		v.copyNote.Show()
		return
	}
	v.copyNote.SetText(lang.L("The repository cannot be read ({{.Why}}). Restore from an offsite copy instead:", map[string]any{"Why": why}))
	v.copyNote.Show()
	for i, c := range v.copies[1:] {
		b := widget.NewButtonWithIcon(copyName(c), theme.StorageIcon(), func() { v.copyPick.SetSelectedIndex(i + 1) })
		b.Alignment = widget.ButtonAlignLeading
		v.dayList.Add(b)
	}
}

// showDay lists the snapshots of one day and picks its newest.
func (v *restoreView) showDay(day time.Time) {
	v.dayList.RemoveAll()
	v.snapPick = map[string]*widget.Button{}
	var today []engine.Snapshot
	for _, sn := range v.snaps {
		if dayKey(sn.Time) == dayKey(day) {
			today = append(today, sn)
		}
	}
	sort.Slice(today, func(i, j int) bool { return today[i].Time.Before(today[j].Time) })
	row := container.NewHBox()
	for _, sn := range today {
		b := widget.NewButton(sn.Time.Local().Format("15:04")+" · "+sn.ShortID(), nil)
		b.OnTapped = func() { v.choose(sn) }
		v.snapPick[sn.ID] = b
		row.Add(b)
	}
	v.dayList.Add(container.NewHScroll(row))
	if len(today) > 0 {
		v.choose(today[len(today)-1])
	}
}

func (v *restoreView) choose(sn engine.Snapshot) {
	v.chosen = &sn
	v.include = map[string]bool{} // ticks belong to one snapshot
	v.showSelection()
	for id, b := range v.snapPick {
		b.Importance = widget.MediumImportance
		if id == sn.ID {
			b.Importance = widget.HighImportance
		}
		b.Refresh()
	}
	v.browse("/")
}

// browse lists one directory of the chosen snapshot.
func (v *restoreView) browse(dir string) {
	if v.chosen == nil {
		return
	}
	sn, job, replica := *v.chosen, v.job.Selected, v.replica()
	v.dir = dir
	call(v.s.caller, func(ctx context.Context) ([]engine.Node, error) {
		return v.s.svc.SnapshotFiles(ctx, v.s.user, job, replica, sn, dir)
	}, func(nodes []engine.Node) {
		v.browser.RemoveAll()
		head := widget.NewLabel(lang.N("Snapshot {{.ID}} of {{.T}}: {{.Files}} files, {{.Size}}", int(sn.Summary.Files),
			map[string]any{"ID": sn.ShortID(), "T": formatTime(sn.Time), "Files": sn.Summary.Files, "Size": formatBytes(sn.Summary.TotalBytes)}))
		head.Wrapping = fyne.TextWrapWord
		v.browser.Add(head)
		v.ticks = map[string]*widget.Check{}
		if dir != "/" {
			up := widget.NewButtonWithIcon(path.Dir(dir), theme.MoveUpIcon(), func() { v.browse(path.Dir(dir)) })
			up.Alignment = widget.ButtonAlignLeading
			v.browser.Add(up)
		}
		for _, n := range nodes {
			v.browser.Add(v.nodeRow(n))
		}
		relayout(v.browserScroll)
	})
}

func (v *restoreView) nodeRow(n engine.Node) fyne.CanvasObject {
	p := path.Join(v.dir, n.Name)
	tick := widget.NewCheck("", func(on bool) { v.tick(p, on) })
	tick.SetChecked(v.include[p])
	v.ticks[p] = tick
	if n.Type == engine.NodeDir {
		b := widget.NewButtonWithIcon(n.Name+"/", theme.FolderIcon(), func() { v.browse(p) })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		return container.NewBorder(nil, nil, tick, nil, b)
	}
	info := widget.NewLabel(formatBytes(n.Size) + " · " + formatTime(n.ModTime))
	name := widget.NewLabel(n.Name)
	name.Truncation = fyne.TextTruncateEllipsis
	return container.NewBorder(nil, nil, container.NewHBox(tick, widget.NewIcon(theme.FileIcon())), info, name)
}

// tick adds or removes one file or folder of the snapshot from what the
// restore brings back.
func (v *restoreView) tick(p string, on bool) {
	if on == v.include[p] {
		return
	}
	if on {
		v.include[p] = true
	} else {
		delete(v.include, p)
	}
	v.showSelection()
}

// ticked is the sorted list of ticked snapshot paths.
func (v *restoreView) ticked() []string {
	out := make([]string, 0, len(v.include))
	for p := range v.include {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// showSelection says what the restore will bring back: the ticked files and
// folders, or, with nothing ticked, the whole snapshot.
func (v *restoreView) showSelection() {
	if len(v.include) == 0 {
		v.selNote.SetText(lang.L("Nothing ticked: the restore brings back the whole snapshot of that moment and checks every file against it."))
		return
	}
	v.selNote.SetText(lang.L("Only the ticked items are restored and checked ({{.N}}): {{.List}}",
		map[string]any{"N": len(v.include), "List": strings.Join(v.ticked(), ", ")}))
}

// requestRestore files a restore request for the chosen snapshot's time,
// from the chosen copy.
func (v *restoreView) requestRestore() {
	if v.chosen == nil {
		showError(v.s.win, errors.New(lang.L("Pick a day and a snapshot first.")))
		return
	}
	nr := jobs.NewRequest{Kind: jobs.KindRestore, Job: v.job.Selected, RequestedAt: v.chosen.Time, Replica: v.replica(),
		Target: strings.TrimSpace(v.target.Text), Include: v.ticked(), Reason: strings.TrimSpace(v.reason.Text)}
	if nr.Target == "" {
		showError(v.s.win, errors.New(lang.L("A restore needs the folder to restore into.")))
		return
	}
	if nr.Reason == "" {
		showError(v.s.win, errors.New(lang.L("Write the reason for the request.")))
		return
	}
	call(v.s.caller, func(ctx context.Context) (jobs.Request, error) {
		r, err := v.s.svc.CreateRequest(ctx, v.s.user, nr)
		if err == nil {
			r, err = v.s.svc.SubmitRequest(ctx, v.s.user, r.ID)
		}
		return r, err
	}, func(r jobs.Request) {
		v.reason.SetText("")
		showInfo(v.s.win, lang.L("Restore requested"),
			lang.L("Request #{{.ID}} waits for the IT manager's approval; then start it from this screen.", map[string]any{"ID": r.ID}))
		v.reloadPending()
	})
}

// reloadPending lists the restore requests there is something to do
// about: approved ones to start, ones in progress, verified ones awaiting
// the handover form, and failed ones to look into. A request that waits
// for approval is not listed: nobody can carry it out yet.
func (v *restoreView) reloadPending() {
	states := []string{jobs.RequestApproved, jobs.RequestPreparing, jobs.RequestRestoring,
		jobs.RequestVerifying, jobs.RequestVerified, jobs.RequestFailed}
	call(v.s.caller, func(ctx context.Context) ([]requestWithPermissions, error) {
		reqs, err := v.s.svc.Requests(ctx, v.s.user, jobs.RequestFilter{Kind: jobs.KindRestore, States: states})
		if err != nil {
			return nil, err
		}
		out := make([]requestWithPermissions, len(reqs))
		for i, r := range reqs {
			out[i].Request = r
			if out[i].may, err = v.s.svc.RequestPermissions(ctx, v.s.user, r.ID); err != nil {
				return nil, err
			}
		}
		return out, nil
	}, v.drawPending)
}

// requestWithPermissions is a request and what the person may do to it now.
type requestWithPermissions struct {
	jobs.Request
	may jobs.Permissions
}

func (v *restoreView) drawPending(reqs []requestWithPermissions) {
	v.pending.RemoveAll()
	v.start, v.results = map[int64]*widget.Button{}, map[int64]*widget.Button{}
	if len(reqs) == 0 {
		v.pending.Add(widget.NewLabel(lang.L("No approved restore is waiting.")))
	}
	for _, rp := range reqs {
		r, may := rp.Request, rp.may
		title := widget.NewLabelWithStyle(fmt.Sprintf("#%d · %s", r.ID, r.JobName), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		text := lang.L("data as of {{.T}}, into {{.Target}}", map[string]any{"T": formatTime(r.RequestedAt), "Target": r.Target})
		if r.Replica != "" {
			text += " · " + lang.L("from the offsite copy {{.R}}", map[string]any{"R": r.Replica})
		}
		if len(r.Include) > 0 {
			text += " · " + lang.L("only {{.List}}", map[string]any{"List": strings.Join(r.Include, ", ")})
		}
		info := widget.NewLabel(text + " · " + stateName(r.State))
		info.Wrapping = fyne.TextWrapWord
		actions := container.NewHBox()
		switch {
		case may.Can(jobs.ActRun):
			b := widget.NewButtonWithIcon(lang.L("Start restore"), theme.MediaPlayIcon(), func() { runRequest(v.s, r, v.reloadPending) })
			b.Importance = widget.HighImportance
			v.start[r.ID] = b
			actions.Add(b)
		case r.State == jobs.RequestVerified || r.State == jobs.RequestFailed:
			b := widget.NewButton(lang.L("Result"), func() { showVerification(v.s, r.ID, v.reloadPending) })
			v.results[r.ID] = b
			actions.Add(b)
			if may.Can(jobs.ActHandover) {
				actions.Add(widget.NewButtonWithIcon(lang.L("Handover form"), theme.DocumentPrintIcon(), func() { handoverDialog(v.s, r, v.reloadPending) }))
			}
		}
		v.pending.Add(container.NewVBox(title, info, actions, widget.NewSeparator()))
	}
	relayout(v.pendingScroll)
}
