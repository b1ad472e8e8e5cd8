package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// jobForm is the job editor's fields, kept so tests can fill them.
type jobForm struct {
	name, repo, passwordFile, excludes *widget.Entry
	// replicas are ticked from the repository's replica list (Settings,
	// Repositories and replicas); replicaNote says when there is none.
	replicas                     *widget.CheckGroup
	replicaNote                  *widget.Label
	loadReplicas                 func(repo string)
	sources                      []string
	sourceList                   *fyne.Container
	sourceEntry                  *widget.Entry
	kind                         *widget.RadioGroup
	winStart, winEnd, cron, once *widget.Entry
	keep                         [5]*widget.Entry // last, daily, weekly, monthly, yearly
	save                         *widget.Button
	win                          fyne.Window
}

func scheduleKinds() []string {
	return []string{lang.L("Daily window"), lang.L("Cron expression"), lang.L("Once")}
}

// jobEditor creates (existing == nil) or edits a job.
func jobEditor(s acting, existing *jobs.Job, after func()) *jobForm {
	f := newJobForm(s.win)
	f.loadReplicas = func(repo string) {
		call(s.caller, func(ctx context.Context) (replicaChoice, error) {
			reps, err := s.svc.ReplicaChoices(ctx, s.user, repo)
			return replicaChoice{repo, reps, err}, nil // a problem is said in the form
		}, f.showReplicas)
	}
	if existing != nil {
		f.fill(existing.JobSpec)
	} else {
		f.suggestRepository(fyne.CurrentApp().Preferences().String(prefDefaultRepo))
	}
	title := lang.L("New job")
	if existing != nil {
		title = lang.L("Edit job {{.Name}}", map[string]any{"Name": existing.Name})
	}
	var d dialog.Dialog
	save := func() {
		spec, err := f.spec()
		if err != nil {
			showError(s.win, err)
			return
		}
		call(s.caller, func(ctx context.Context) (jobs.Job, error) {
			if existing == nil {
				return s.svc.CreateJob(ctx, s.user, spec)
			}
			return s.svc.EditJob(ctx, s.user, existing.Name, spec)
		}, func(jobs.Job) {
			d.Hide()
			after()
		})
	}
	f.save = widget.NewButton(lang.L("Save"), func() {
		if existing != nil && (existing.State == jobs.JobApproved || existing.State == jobs.JobPaused) {
			confirm(s.win, lang.L("Send the job back for approval?"),
				lang.L("{{.Name}} is approved. Saving a change stops it from running until the IT manager approves the new version.", map[string]any{"Name": existing.Name}),
				lang.L("Save"), save)
			return
		}
		save()
	})
	f.save.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { d.Hide() })
	body := container.NewBorder(nil, container.NewHBox(layoutSpacer(), cancel, f.save), nil, nil, container.NewVScroll(f.form()))
	d = dialog.NewCustomWithoutButtons(title, body, s.win)
	d.Resize(fyne.NewSize(760, 620))
	d.Show()
	return f
}

func newJobForm(w fyne.Window) *jobForm {
	f := &jobForm{name: widget.NewEntry(), repo: widget.NewEntry(), passwordFile: widget.NewEntry(),
		replicas: widget.NewCheckGroup(nil, nil), replicaNote: widget.NewLabel(""), excludes: widget.NewMultiLineEntry(), sourceList: container.NewVBox(),
		sourceEntry: widget.NewEntry(), winStart: widget.NewEntry(), winEnd: widget.NewEntry(),
		cron: widget.NewEntry(), once: widget.NewEntry(), win: w}
	f.kind = widget.NewRadioGroup(scheduleKinds(), nil)
	f.kind.Horizontal = true
	f.kind.SetSelected(scheduleKinds()[0])
	f.winStart.SetText(jobs.DefaultWindowStart)
	f.winEnd.SetText(jobs.DefaultWindowEnd)
	f.cron.SetPlaceHolder("0 21 * * 1-5")
	f.once.SetPlaceHolder("YYYY-MM-DD HH:MM")
	f.repo.SetPlaceHolder(lang.L("a folder, or sftp://…, rclone:remote:path, s3://…"))
	f.passwordFile.SetPlaceHolder(lang.L("encrypted repository: file holding its password"))
	f.replicas.Horizontal = true
	f.replicaNote.Wrapping = fyne.TextWrapWord
	f.replicaNote.TextStyle = fyne.TextStyle{Italic: true}
	f.repo.OnChanged = func(string) { f.repoChanged() }
	f.excludes.SetPlaceHolder("*.tmp\n~$*")
	f.sourceEntry.SetPlaceHolder(lang.L("type a path, or choose a folder"))
	for i := range f.keep {
		f.keep[i] = widget.NewEntry()
		f.keep[i].SetPlaceHolder("0")
	}
	d := jobs.DefaultRetention // a new job keeps this unless IT staff choose otherwise
	for i, n := range []int{d.KeepLast, d.KeepDaily, d.KeepWeekly, d.KeepMonthly, d.KeepYearly} {
		if n > 0 {
			f.keep[i].SetText(strconv.Itoa(n))
		}
	}
	f.sourceEntry.OnSubmitted = func(p string) { f.addSource(p) }
	return f
}

func (f *jobForm) form() fyne.CanvasObject {
	pickSource := widget.NewButtonWithIcon(lang.L("Choose folder…"), theme.FolderOpenIcon(), func() {
		pickFolder(f.win, func(p string) { f.addSource(p) })
	})
	addSource := widget.NewButtonWithIcon("", theme.ContentAddIcon(), func() { f.addSource(f.sourceEntry.Text) })
	pickRepo := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() {
		pickFolder(f.win, func(p string) { f.repo.SetText(p) })
	})
	retention := container.NewGridWithColumns(5)
	for i, label := range []string{lang.L("last"), lang.L("daily"), lang.L("weekly"), lang.L("monthly"), lang.L("yearly")} {
		retention.Add(container.NewVBox(widget.NewLabel(label), f.keep[i]))
	}
	// Wide enough for "21:00" whatever the font: a time is never clipped.
	timeBox := func(e *widget.Entry) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(96, e.MinSize().Height), e)
	}
	window := container.NewHBox(widget.NewLabel(lang.L("from")), timeBox(f.winStart), widget.NewLabel(lang.L("to")), timeBox(f.winEnd))
	return widget.NewForm(
		widget.NewFormItem(lang.L("Name"), f.name),
		widget.NewFormItem(lang.L("Sources"), container.NewVBox(f.sourceList,
			container.NewBorder(nil, nil, nil, container.NewHBox(addSource, pickSource), f.sourceEntry))),
		widget.NewFormItem(lang.L("Repository"), container.NewBorder(nil, nil, nil, pickRepo, f.repo)),
		widget.NewFormItem(lang.L("Password file"), f.passwordFile),
		widget.NewFormItem(lang.L("Offsite replicas"), container.NewVBox(f.replicas, f.replicaNote)),
		widget.NewFormItem(lang.L("Exclude"), f.excludes),
		widget.NewFormItem(lang.L("Schedule"), f.kind),
		widget.NewFormItem(lang.L("Window"), window),
		widget.NewFormItem("Cron", f.cron),
		widget.NewFormItem(lang.L("Once at"), f.once),
		widget.NewFormItem(lang.L("Keep snapshots"), retention),
	)
}

// suggestRepository fills <base>/<job name> while the person has not
// typed a repository of their own (base is the first run's choice).
func (f *jobForm) suggestRepository(base string) {
	if base == "" {
		return
	}
	suggested := base
	f.repo.SetText(suggested)
	f.name.OnChanged = func(name string) {
		if f.repo.Text != suggested {
			return // the person chose another place
		}
		suggested = filepath.Join(base, strings.TrimSpace(name))
		f.repo.SetText(suggested)
	}
}

// pickFolder opens the folder picker.
func pickFolder(w fyne.Window, picked func(string)) {
	dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			showError(w, err)
		} else if u != nil {
			picked(u.Path())
		}
	}, w)
}

func (f *jobForm) addSource(p string) {
	p = strings.TrimSpace(p)
	if p == "" {
		return
	}
	for _, have := range f.sources {
		if have == p {
			return
		}
	}
	f.sources = append(f.sources, p)
	f.sourceEntry.SetText("")
	f.drawSources()
}

func (f *jobForm) drawSources() {
	f.sourceList.RemoveAll()
	for i, p := range f.sources {
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			f.sources = append(f.sources[:i:i], f.sources[i+1:]...)
			f.drawSources()
		})
		f.sourceList.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.FolderIcon()), remove, widget.NewLabel(p)))
	}
}

func (f *jobForm) fill(spec jobs.JobSpec) {
	f.name.SetText(spec.Name)
	f.sources = append([]string(nil), spec.Sources...)
	f.drawSources()
	f.replicas.Options = append([]string(nil), spec.Replicas...)
	f.replicas.SetSelected(append([]string(nil), spec.Replicas...))
	f.repo.SetText(spec.Repository) // then offers the repository's replicas
	f.passwordFile.SetText(spec.PasswordFile)
	f.excludes.SetText(strings.Join(spec.Excludes, "\n"))
	kinds := scheduleKinds()
	switch spec.Schedule.Kind {
	case jobs.ScheduleCron:
		f.kind.SetSelected(kinds[1])
		f.cron.SetText(spec.Schedule.Cron)
	case jobs.ScheduleOnce:
		f.kind.SetSelected(kinds[2])
		f.once.SetText(formatTime(spec.Schedule.Once))
	default:
		f.kind.SetSelected(kinds[0])
		f.winStart.SetText(spec.Schedule.WindowStart)
		f.winEnd.SetText(spec.Schedule.WindowEnd)
	}
	r := spec.Retention
	for i, n := range []int{r.KeepLast, r.KeepDaily, r.KeepWeekly, r.KeepMonthly, r.KeepYearly} {
		f.keep[i].SetText(strconv.Itoa(n))
	}
}

// spec reads the form; jobs validates it again.
func (f *jobForm) spec() (jobs.JobSpec, error) {
	if pending := strings.TrimSpace(f.sourceEntry.Text); pending != "" {
		f.addSource(pending) // typed but not added: surely meant
	}
	spec := jobs.JobSpec{Name: strings.TrimSpace(f.name.Text), Sources: f.sources, Repository: strings.TrimSpace(f.repo.Text),
		PasswordFile: strings.TrimSpace(f.passwordFile.Text), Replicas: f.chosenReplicas(), Excludes: splitList(f.excludes.Text, "\n")}
	kinds := scheduleKinds()
	switch f.kind.Selected {
	case kinds[1]:
		spec.Schedule = jobs.Schedule{Kind: jobs.ScheduleCron, Cron: strings.TrimSpace(f.cron.Text)}
	case kinds[2]:
		at, err := jobs.ParseLocalTime(f.once.Text, time.Local) // one reading of a typed time: jobs'
		if err != nil {
			return spec, err
		}
		spec.Schedule = jobs.Schedule{Kind: jobs.ScheduleOnce, Once: at}
	default:
		spec.Schedule = jobs.Schedule{Kind: jobs.ScheduleWindow, WindowStart: strings.TrimSpace(f.winStart.Text), WindowEnd: strings.TrimSpace(f.winEnd.Text)}
	}
	var keep [5]int
	for i, e := range f.keep {
		t := strings.TrimSpace(e.Text)
		if t == "" {
			continue
		}
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			return spec, fmt.Errorf("%s: %q", lang.L("Keep counts are whole numbers, 0 or more"), t)
		}
		keep[i] = n
	}
	spec.Retention = jobs.Retention{KeepLast: keep[0], KeepDaily: keep[1], KeepWeekly: keep[2], KeepMonthly: keep[3], KeepYearly: keep[4]}
	if spec.Name == "" {
		return spec, errors.New(lang.L("Give the job a name."))
	}
	if len(spec.Sources) == 0 {
		return spec, errors.New(lang.L("Add at least one folder to back up."))
	}
	return spec, nil
}

func splitList(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// replicaChoice is the replica list of the repository typed in the editor.
type replicaChoice struct {
	repo    string
	list    []jobs.Replica
	problem error
}

// repoChanged reloads the replicas to choose from for the repository now
// typed.
func (f *jobForm) repoChanged() {
	if f.loadReplicas != nil {
		f.loadReplicas(strings.TrimSpace(f.repo.Text))
	}
}

// showReplicas offers the repository's replicas, keeping what is ticked;
// a replica the job names that the list lacks stays, marked.
func (f *jobForm) showReplicas(c replicaChoice) {
	if c.repo != strings.TrimSpace(f.repo.Text) {
		return // typed on since
	}
	ticked := f.replicas.Selected
	var opts []string
	have := map[string]bool{}
	for _, r := range c.list {
		opts = append(opts, r.Name)
		have[r.Name] = true
	}
	var missing []string
	for _, name := range ticked {
		if !have[name] {
			opts = append(opts, name)
			missing = append(missing, name)
		}
	}
	f.replicas.Options = opts
	f.replicas.SetSelected(ticked)
	f.replicas.Refresh()
	switch {
	case len(missing) > 0:
		f.replicaNote.SetText(lang.L("Not set up for this repository: {{.Names}}. Add them in Settings, Repositories and replicas.", map[string]any{"Names": strings.Join(missing, ", ")}))
	case c.problem != nil || len(c.list) == 0:
		f.replicaNote.SetText(lang.L("This repository has no offsite copy to choose yet. Add one in Settings, Repositories and replicas (after the job's first backup has created the repository)."))
	default:
		f.replicaNote.SetText(lang.L("Tick where each backup is copied after the run."))
	}
}

func (f *jobForm) chosenReplicas() []string {
	var out []string
	for _, name := range f.replicas.Options { // in the list's order
		for _, t := range f.replicas.Selected {
			if t == name {
				out = append(out, name)
			}
		}
	}
	return out
}
