package ui

import (
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
// pick the data (a job), a day on the calendar (days with snapshots are
// highlighted), a snapshot of that day, look through its files, pick the
// destination and ask for the restore. On the right the restores that are
// approved and ready to run, and their verification results.
type restoreView struct {
	s        *session
	job      *widget.Select
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
}

func snapshotsScreen(s *session) fyne.CanvasObject { return newRestoreView(s).content() }

func newRestoreView(s *session) *restoreView {
	v := &restoreView{s: s, dayList: container.NewVBox(), browser: container.NewVBox(), target: widget.NewEntry(),
		reason: widget.NewMultiLineEntry(), pending: container.NewVBox(), start: map[int64]*widget.Button{},
		results: map[int64]*widget.Button{}, snapPick: map[string]*widget.Button{},
		include: map[string]bool{}, ticks: map[string]*widget.Check{}, selNote: widget.NewLabel("")}
	v.selNote.Wrapping = fyne.TextWrapWord
	v.selNote.Importance = widget.LowImportance
	v.showSelection()
	v.cal = newSnapshotCalendar(v.showDay)
	return v
}

func (v *restoreView) content() fyne.CanvasObject {
	v.reloadPending()
	v.s.listen(func(ev jobs.Event) {
		if ev.Kind == jobs.EventRequestChanged || ev.Kind == jobs.EventRestoreFinished {
			v.reloadPending()
		}
	})
	right := container.NewBorder(widget.NewLabelWithStyle(lang.L("Restores to carry out"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, container.NewVScroll(v.pending))
	if v.s.user.Role == jobs.RoleUser {
		hint := widget.NewLabel(lang.L("To get data back, ask with a restore request: IT staff prepare it once the IT manager approves."))
		hint.Wrapping = fyne.TextWrapWord
		ask := widget.NewButtonWithIcon(lang.L("New request"), theme.ContentAddIcon(), func() { newRequestDialog(v.s, v.reloadPending) })
		return container.NewBorder(container.NewVBox(hint, container.NewHBox(ask)), nil, nil, nil, right)
	}
	split := container.NewHSplit(container.NewVScroll(v.wizard()), right)
	split.Offset = 0.58
	return split
}

func (v *restoreView) wizard() fyne.CanvasObject {
	v.job = widget.NewSelect(nil, func(name string) { v.loadSnapshots(name) })
	v.job.PlaceHolder = lang.L("(choose the data)")
	v.s.bg(func() {
		// Deleted jobs too: their repositories are kept and can be restored.
		all, err := v.s.svc.Jobs(v.s.ctx, v.s.user, jobs.JobAny)
		fyne.Do(func() {
			if err != nil {
				showError(v.s.win, err)
				return
			}
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
	})
	v.target.SetPlaceHolder(lang.L("folder to restore into"))
	pick := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() { pickFolder(v.s.win, v.target.SetText) })
	v.reason.SetPlaceHolder(lang.L("why the data is needed back"))
	v.reason.SetMinRowsVisible(2)
	v.ask = widget.NewButtonWithIcon(lang.L("Request this restore"), theme.MailSendIcon(), v.requestRestore)
	v.ask.Importance = widget.HighImportance
	step := func(n int, text string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(fmt.Sprintf("%d. %s", n, text), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	return container.NewVBox(
		step(1, lang.L("Data")), v.job,
		step(2, lang.L("Date (highlighted days have backups)")), v.cal.box, v.dayList,
		step(3, lang.L("Files in the snapshot")), v.browser, v.selNote,
		step(4, lang.L("Destination")), container.NewBorder(nil, nil, nil, pick, v.target),
		widget.NewLabel(lang.L("Reason")), v.reason,
		container.NewHBox(layoutSpacer(), v.ask),
	)
}

func (v *restoreView) loadSnapshots(job string) {
	v.chosen, v.snaps = nil, nil
	v.dayList.RemoveAll()
	v.browser.RemoveAll()
	v.s.bg(func() {
		snaps, err := v.s.svc.Snapshots(v.s.ctx, v.s.user, job, "")
		fyne.Do(func() {
			if err != nil {
				v.cal.setSnapshotTimes(nil)
				v.dayList.Add(widget.NewLabel(lang.L("No backups of this data yet.")))
				if !errors.Is(err, engine.ErrNotRepository) {
					showError(v.s.win, err)
				}
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
			newest := snaps[len(snaps)-1]
			v.showDay(newest.Time)
		})
	})
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
	sn := *v.chosen
	v.dir = dir
	v.s.bg(func() {
		nodes, err := v.s.svc.SnapshotFiles(v.s.ctx, v.s.user, v.job.Selected, "", sn, dir)
		fyne.Do(func() {
			v.browser.RemoveAll()
			if err != nil {
				showError(v.s.win, err)
				return
			}
			head := widget.NewLabel(lang.L("Snapshot {{.ID}} of {{.T}}: {{.Files}} files, {{.Size}}",
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
		})
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
	info := formatBytes(n.Size) + " · " + formatTime(n.ModTime)
	if len(n.SHA256) > 12 {
		info += " · SHA-256 " + n.SHA256[:12] + "…"
	}
	return container.NewBorder(nil, nil, container.NewHBox(tick, widget.NewIcon(theme.FileIcon())), widget.NewLabel(info), widget.NewLabel(n.Name))
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

// requestRestore files a restore request for the chosen snapshot's time.
func (v *restoreView) requestRestore() {
	if v.chosen == nil {
		showError(v.s.win, errors.New(lang.L("Pick a day and a snapshot first.")))
		return
	}
	nr := jobs.NewRequest{Kind: jobs.KindRestore, Job: v.job.Selected, RequestedAt: v.chosen.Time,
		Target: strings.TrimSpace(v.target.Text), Include: v.ticked(), Reason: strings.TrimSpace(v.reason.Text)}
	if nr.Target == "" {
		showError(v.s.win, errors.New(lang.L("A restore needs the folder to restore into.")))
		return
	}
	if nr.Reason == "" {
		showError(v.s.win, errors.New(lang.L("Write the reason for the request.")))
		return
	}
	v.s.bg(func() {
		r, err := v.s.svc.CreateRequest(v.s.ctx, v.s.user, nr)
		if err == nil {
			_, err = v.s.svc.SubmitRequest(v.s.ctx, v.s.user, r.ID)
		}
		fyne.Do(func() {
			if err != nil {
				showError(v.s.win, err)
				return
			}
			v.reason.SetText("")
			showInfo(v.s.win, lang.L("Restore requested"),
				lang.L("Request #{{.ID}} waits for the IT manager's approval; then start it from this screen.", map[string]any{"ID": r.ID}))
			v.reloadPending()
		})
	})
}

// reloadPending lists restore requests that are approved, in progress or
// verified (ready for the handover form).
func (v *restoreView) reloadPending() {
	states := []string{jobs.RequestSubmitted, jobs.RequestApproved, jobs.RequestPreparing, jobs.RequestRestoring,
		jobs.RequestVerifying, jobs.RequestVerified, jobs.RequestFailed}
	v.s.bg(func() {
		reqs, err := v.s.svc.Requests(v.s.ctx, v.s.user, jobs.RequestFilter{Kind: jobs.KindRestore, States: states})
		fyne.Do(func() {
			if err != nil {
				showError(v.s.win, err)
				return
			}
			v.drawPending(reqs)
		})
	})
}

func (v *restoreView) drawPending(reqs []jobs.Request) {
	v.pending.RemoveAll()
	v.start, v.results = map[int64]*widget.Button{}, map[int64]*widget.Button{}
	if len(reqs) == 0 {
		v.pending.Add(widget.NewLabel(lang.L("No restore requests are open.")))
	}
	handler := v.s.user.Role != jobs.RoleUser
	for _, r := range reqs {
		title := widget.NewLabelWithStyle(fmt.Sprintf("#%d · %s", r.ID, r.JobName), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		text := lang.L("data as of {{.T}}, into {{.Target}}", map[string]any{"T": formatTime(r.RequestedAt), "Target": r.Target})
		if len(r.Include) > 0 {
			text += " · " + lang.L("only {{.List}}", map[string]any{"List": strings.Join(r.Include, ", ")})
		}
		info := widget.NewLabel(text + " · " + stateName(r.State))
		info.Wrapping = fyne.TextWrapWord
		actions := container.NewHBox()
		switch {
		case r.State == jobs.RequestApproved && handler:
			b := widget.NewButtonWithIcon(lang.L("Start restore"), theme.MediaPlayIcon(), func() { runRequest(v.s, r, v.reloadPending) })
			b.Importance = widget.HighImportance
			v.start[r.ID] = b
			actions.Add(b)
		case r.State == jobs.RequestVerified || r.State == jobs.RequestFailed:
			b := widget.NewButton(lang.L("Result"), func() { showVerification(v.s, r.ID) })
			v.results[r.ID] = b
			actions.Add(b)
			if r.State == jobs.RequestVerified && handler {
				actions.Add(widget.NewButtonWithIcon(lang.L("Handover form"), theme.DocumentPrintIcon(), func() { handoverDialog(v.s, r, v.reloadPending) }))
			}
		}
		v.pending.Add(container.NewVBox(title, info, actions, widget.NewSeparator()))
	}
}
