package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/engine"
	"cadang/jobs"
)

// jobsView is the Jobs screen: every job with its state always visible
// and the actions that state allows.
type jobsView struct {
	s      acting
	list   *fyne.Container
	scroll *container.Scroll
	rows   map[string]*jobRow // by job name
}

// jobRow is a job and its buttons (nil when not offered).
type jobRow struct {
	job                                                                        jobs.Job
	edit, submit, approve, reject, run, pause, resume, cleanup, verify, delete *widget.Button
}

func jobsScreen(s acting, events listener) fyne.CanvasObject {
	v := newJobsView(s)
	events(func(ev jobs.Event) {
		switch ev.Kind {
		case jobs.EventJobChanged, jobs.EventRunStarted, jobs.EventRunFinished:
			v.reload()
		}
	})
	return v.content()
}

func newJobsView(s acting) *jobsView {
	return &jobsView{s: s, list: container.NewVBox(), rows: map[string]*jobRow{}}
}

func (v *jobsView) content() fyne.CanvasObject {
	add := widget.NewButtonWithIcon(lang.L("New job"), theme.ContentAddIcon(), func() { jobEditor(v.s, nil, v.reload) })
	add.Importance = widget.HighImportance
	if !canEditJobs(v.s.user) {
		add.Disable()
	}
	help := widget.NewLabel(lang.L("A job runs only while approved by the IT manager. Editing an approved job sends it back for approval."))
	help.Wrapping = fyne.TextWrapWord
	v.scroll = container.NewVScroll(v.list)
	v.reload()
	return container.NewBorder(container.NewBorder(nil, nil, add, nil, help), nil, nil, nil, v.scroll)
}

func canEditJobs(u jobs.User) bool { return u.Can(jobs.CapDefineJobs) }

// jobWithPermissions is a job and what the signed-in person may do to it
// now, as jobs decides.
type jobWithPermissions struct {
	jobs.Job
	may jobs.Permissions
}

func (v *jobsView) reload() {
	call(v.s.caller, func(ctx context.Context) ([]jobWithPermissions, error) {
		all, err := v.s.svc.Jobs(ctx, v.s.user, "")
		if err != nil {
			return nil, err
		}
		out := make([]jobWithPermissions, len(all))
		for i, j := range all {
			out[i].Job = j
			if out[i].may, err = v.s.svc.JobPermissions(ctx, v.s.user, j.Name); err != nil {
				return nil, err
			}
		}
		return out, nil
	}, v.render)
}

func (v *jobsView) render(all []jobWithPermissions) {
	v.list.RemoveAll()
	v.rows = map[string]*jobRow{}
	if len(all) == 0 {
		v.list.Add(widget.NewLabel(lang.L("No jobs yet.")))
	}
	for _, j := range all {
		row := v.newRow(j.Job, j.may)
		v.rows[j.Name] = row
		v.list.Add(row.view())
	}
	relayout(v.scroll)
}

// newRow offers the actions jobs allows this person on the job now; jobs
// checks again when one is taken, so a stale button is refused, not obeyed.
func (v *jobsView) newRow(j jobs.Job, may jobs.Permissions) *jobRow {
	row := &jobRow{job: j}
	u := v.s.user
	move := func(step func(ctx context.Context) (jobs.Job, error)) func() {
		return func() { v.act(step) }
	}
	if may.Can(jobs.ActEdit) {
		row.edit = widget.NewButtonWithIcon(lang.L("Edit…"), theme.DocumentCreateIcon(), func() { jobEditor(v.s, &j, v.reload) })
	}
	if may.Can(jobs.ActDelete) {
		row.delete = widget.NewButtonWithIcon(lang.L("Delete…"), theme.DeleteIcon(), func() { v.deleteDialog(j) })
		row.delete.Importance = widget.DangerImportance
	}
	if may.Can(jobs.ActSubmit) {
		row.submit = widget.NewButton(lang.L("Submit for approval"), move(func(ctx context.Context) (jobs.Job, error) {
			return v.s.svc.SubmitJob(ctx, u, j.Name)
		}))
	}
	if may.Can(jobs.ActApprove) {
		row.approve = widget.NewButtonWithIcon(lang.L("Approve"), theme.ConfirmIcon(), move(func(ctx context.Context) (jobs.Job, error) {
			return v.s.svc.ApproveJob(ctx, u, j.Name, j.RevisionHash) // the revision shown in this row
		}))
		row.approve.Importance = widget.SuccessImportance
	}
	if may.Can(jobs.ActReject) {
		row.reject = widget.NewButtonWithIcon(lang.L("Reject…"), theme.CancelIcon(), func() { rejectJobDialog(v.s, j, v.reload) })
		row.reject.Importance = widget.DangerImportance
	}
	if may.Can(jobs.ActRun) {
		row.run = widget.NewButtonWithIcon(lang.L("Run now"), theme.MediaPlayIcon(), func() { runJob(v.s, j.Name, v.reload) })
		row.run.Importance = widget.HighImportance
	}
	if may.Can(jobs.ActPause) {
		row.pause = widget.NewButtonWithIcon(lang.L("Pause"), theme.MediaPauseIcon(), move(func(ctx context.Context) (jobs.Job, error) {
			return v.s.svc.PauseJob(ctx, u, j.Name)
		}))
	}
	if may.Can(jobs.ActResume) {
		row.resume = widget.NewButtonWithIcon(lang.L("Resume"), theme.MediaPlayIcon(), move(func(ctx context.Context) (jobs.Job, error) {
			return v.s.svc.ResumeJob(ctx, u, j.Name)
		}))
	}
	if may.Can(jobs.ActRetention) && j.Retention != (jobs.Retention{}) {
		row.cleanup = widget.NewButtonWithIcon(lang.L("Clean up…"), theme.DeleteIcon(), func() { retentionDialog(v.s, j.Name, v.reload) })
	}
	if may.Can(jobs.ActBrowse) && j.State == jobs.JobApproved {
		row.verify = widget.NewButtonWithIcon(lang.L("Verify…"), theme.SearchIcon(), func() { verifyDialog(v.s, j.Name) })
	}
	return row
}

func (v *jobsView) act(step func(ctx context.Context) (jobs.Job, error)) {
	v.s.act(func(ctx context.Context) error { _, err := step(ctx); return err }, v.reload)
}

// deleteDialog says exactly what deleting a job does, and does it only on
// confirmation: the job is retired, not erased.
func (v *jobsView) deleteDialog(j jobs.Job) {
	msg := lang.L("Job {{.Name}} stops being scheduled and can never run again; it disappears from the lists. Its runs, documents and audit history are kept. Its repository at {{.Repo}} is NOT deleted: the backups stay there and can still be restored with a restore request.",
		map[string]any{"Name": j.Name, "Repo": j.Repository})
	confirm(v.s.win, lang.L("Delete job {{.Name}}?", map[string]any{"Name": j.Name}), msg, lang.L("Delete job"), func() {
		v.act(func(ctx context.Context) (jobs.Job, error) { return v.s.svc.RetireJob(ctx, v.s.user, j.Name) })
	})
}

// rejectJobDialog asks the manager why, which staff read to change the
// job, then rejects it.
func rejectJobDialog(s acting, j jobs.Job, after func()) {
	reason := widget.NewMultiLineEntry()
	reason.SetPlaceHolder(lang.L("What must change before you approve it? IT staff read this to correct the job."))
	askText(s.win, lang.L("Reject job {{.Name}}", map[string]any{"Name": j.Name}), lang.L("Reason for the rejection"), reason, lang.L("Reject"), func(text string) error {
		if strings.TrimSpace(text) == "" {
			return fmt.Errorf("%s", lang.L("A reason is required to reject."))
		}
		s.act(func(ctx context.Context) error { _, err := s.svc.RejectJob(ctx, s.user, j.Name, text); return err }, after)
		return nil
	})
}

func (row *jobRow) view() fyne.CanvasObject {
	j := row.job
	imp, icon := jobLook(j.State)
	state := widget.NewLabel(stateName(j.State))
	state.Importance = imp
	title := container.NewHBox(icon, widget.NewLabelWithStyle(j.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), state)
	facts := widget.NewLabel(jobFacts(j))
	facts.Wrapping = fyne.TextWrapWord
	lines := container.NewVBox(title, facts)
	if j.RejectReason != "" {
		lines.Add(rejectionLabel(j.DecidedBy, j.RejectReason))
	}
	actions := container.NewHBox()
	for _, b := range []*widget.Button{row.approve, row.reject, row.submit, row.run, row.pause, row.resume, row.verify, row.cleanup, row.edit, row.delete} {
		if b != nil {
			actions.Add(b)
		}
	}
	// The buttons get their own line: a job can offer six of them, which
	// beside the facts would squeeze them into a narrow column.
	return container.NewVBox(lines, container.NewHBox(layoutSpacer(), actions), widget.NewSeparator())
}

func jobLook(state string) (widget.Importance, *widget.Icon) {
	switch state {
	case jobs.JobApproved:
		return widget.SuccessImportance, widget.NewIcon(theme.ConfirmIcon())
	case jobs.JobSubmitted:
		return widget.WarningImportance, widget.NewIcon(theme.MailSendIcon())
	case jobs.JobRejected:
		return widget.DangerImportance, widget.NewIcon(theme.CancelIcon())
	case jobs.JobPaused:
		return widget.MediumImportance, widget.NewIcon(theme.MediaPauseIcon())
	}
	return widget.MediumImportance, widget.NewIcon(theme.DocumentCreateIcon())
}

// runJob runs an approved job now with progress, then shows the result.
func runJob(s acting, name string, after func()) {
	var run jobs.Run
	runWithProgress(s, lang.L("Backup {{.Job}}", map[string]any{"Job": name}),
		func(ctx context.Context, p engine.Progress) error {
			var err error
			run, err = s.svc.RunJob(ctx, s.user, name, windowRunOptions(p))
			return err
		},
		func(err error) {
			if err != nil {
				showError(s.win, err)
			} else {
				showRun(s, run)
			}
			after()
		})
}

// showRun shows a finished run's result in a dialog.
func showRun(s acting, r jobs.Run) {
	d := dialog.NewCustom(lang.L("Backup {{.Job}}: {{.Status}}", map[string]any{"Job": r.JobName, "Status": stateName(r.Status)}),
		lang.L("Close"), runDetail(s, r), s.win)
	d.Resize(fyne.NewSize(640, 420))
	d.Show()
}

// retentionDialog first asks jobs what the retention policy would remove
// (a dry run), says exactly that, and only on confirmation forgets those
// snapshots and prunes their data.
func retentionDialog(s acting, job string, after func()) {
	call(s.caller, func(ctx context.Context) (*engine.ForgetResult, error) {
		fr, _, err := s.svc.ApplyRetention(ctx, s.user, job, true)
		return fr, err
	}, func(fr *engine.ForgetResult) {
		{
			if len(fr.Remove) == 0 {
				showInfo(s.win, lang.L("Nothing to clean up"), lang.L("Every snapshot of {{.Job}} is still kept by its retention policy.", map[string]any{"Job": job}))
				return
			}
			var list []string
			for _, sn := range fr.Remove {
				list = append(list, sn.ShortID()+" ("+formatTime(sn.Time)+")")
			}
			msg := lang.L("This permanently deletes {{.N}} snapshots of {{.Job}} that its retention policy no longer keeps: {{.List}}. {{.Kept}} snapshots stay. Data only they used is then removed from the repository; they can no longer be restored.",
				map[string]any{"N": len(fr.Remove), "Job": job, "List": strings.Join(list, ", "), "Kept": len(fr.Keep)})
			confirm(s.win, lang.L("Delete old snapshots?"), msg, lang.L("Delete"), func() {
				call(s.caller, func(ctx context.Context) (*engine.PruneResult, error) {
					_, pr, err := s.svc.ApplyRetention(ctx, s.user, job, false)
					return pr, err
				}, func(pr *engine.PruneResult) {
					showInfo(s.win, lang.L("Cleaned up"), lang.L("{{.Bytes}} freed.", map[string]any{"Bytes": formatBytes(pr.BytesFreed)}))
					after()
				})
			})
		}
	})
}

// verifyDialog checks a job's repository with progress and Cancel: the
// structure always, every byte when asked (read-data).
func verifyDialog(s acting, job string) {
	readData := widget.NewCheck(lang.L("Read every byte again (slower; finds damaged data, not only missing files)"), nil)
	readData.SetChecked(true)
	text := widget.NewLabel(lang.L("Cadang checks that every snapshot of {{.Job}} is complete and its data intact. Nothing is changed.", map[string]any{"Job": job}))
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(lang.L("Verify the repository of {{.Job}}", map[string]any{"Job": job}), lang.L("Verify"), lang.L("Cancel"),
		container.NewVBox(text, readData), func(ok bool) {
			if !ok {
				return
			}
			var res *engine.VerifyResult
			runWithProgress(s, lang.L("Verifying {{.Job}}", map[string]any{"Job": job}),
				func(ctx context.Context, p engine.Progress) error {
					var err error
					res, err = s.svc.VerifyRepository(ctx, s.user, job, "", readData.Checked, p)
					return err
				},
				func(err error) {
					if err != nil {
						showError(s.win, err)
						return
					}
					showVerifyResult(s, job, res)
				})
		}, s.win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}

// showVerifyResult says what the check found: intact, or each damaged
// object with the snapshots and files it touches.
func showVerifyResult(s acting, job string, res *engine.VerifyResult) {
	how := lang.L("structure checked")
	if res.ReadData {
		how = lang.L("every byte read and checked")
	}
	head := widget.NewLabel(lang.L("{{.Job}}: no damage. {{.Snaps}} snapshots, {{.Packs}} pack files; {{.How}}.",
		map[string]any{"Job": job, "Snaps": res.Snapshots, "Packs": res.Packs, "How": how}))
	head.Wrapping = fyne.TextWrapWord
	head.Importance = widget.SuccessImportance
	box := container.NewVBox(head)
	if !res.OK() {
		head.SetText(lang.L("{{.Job}}: {{.N}} problems found. Restore what they touch from an offsite copy, or back the data up again.",
			map[string]any{"Job": job, "N": len(res.Damage)}))
		head.Importance = widget.DangerImportance
		for _, dmg := range res.Damage {
			l := widget.NewLabel("✗ " + dmg.Object + ": " + dmg.Err)
			l.Wrapping = fyne.TextWrapWord
			box.Add(l)
		}
	}
	d := dialog.NewCustom(lang.L("Verify the repository of {{.Job}}", map[string]any{"Job": job}), lang.L("Close"), container.NewVScroll(box), s.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}
