package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// requestForm is the request form (SOP 5.2): backup or restore, which
// data, when, where to, and why.
type requestForm struct {
	kind       *widget.RadioGroup
	job        *widget.Select
	at         *widget.Entry
	target     *widget.Entry
	reason     *widget.Entry
	department *widget.Entry
	save       *widget.Button
	submit     *widget.Button
}

// newRequestDialog shows the request form; after runs when a request was saved.
func newRequestDialog(s acting, after func()) *requestForm {
	f := &requestForm{
		kind:   widget.NewRadioGroup([]string{kindName(jobs.KindBackup), kindName(jobs.KindRestore)}, nil),
		job:    widget.NewSelect(nil, nil),
		at:     widget.NewEntry(),
		target: widget.NewEntry(), reason: widget.NewMultiLineEntry(), department: widget.NewEntry(),
	}
	f.kind.Horizontal = true
	f.kind.SetSelected(kindName(jobs.KindBackup))
	f.at.SetText(time.Now().Add(time.Hour).Truncate(time.Hour).Format("2006-01-02 15:04"))
	f.at.SetPlaceHolder("YYYY-MM-DD HH:MM")
	f.target.SetPlaceHolder(lang.L("restore: the folder to restore into"))
	f.reason.SetPlaceHolder(lang.L("what the data is needed for"))
	f.department.SetText(s.user.Department)
	f.job.PlaceHolder = lang.L("(choose the data)")
	call(s.caller, func(ctx context.Context) ([]jobs.Job, error) { return s.svc.Jobs(ctx, s.user, "") }, func(all []jobs.Job) {
		names := make([]string, 0, len(all))
		for _, j := range all {
			names = append(names, j.Name)
		}
		f.job.SetOptions(names)
		if len(names) == 1 {
			f.job.SetSelectedIndex(0)
		}
	})
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Kind"), f.kind),
		widget.NewFormItem(lang.L("Data (job)"), f.job),
		widget.NewFormItem(lang.L("Date and time"), f.at),
		widget.NewFormItem(lang.L("Restore into"), f.target),
		widget.NewFormItem(lang.L("Department"), f.department),
		widget.NewFormItem(lang.L("Reason"), f.reason),
	)
	help := widget.NewLabel(lang.L("Backup: when it should run. Restore: the date and time of the data you need back; Cadang uses the last backup at or before it."))
	help.Wrapping = fyne.TextWrapWord
	var d dialog.Dialog
	send := func(submit bool) {
		nr, err := f.request()
		if err != nil {
			showError(s.win, err)
			return
		}
		call(s.caller, func(ctx context.Context) (jobs.Request, error) {
			r, err := s.svc.CreateRequest(ctx, s.user, nr)
			if err == nil && submit {
				r, err = s.svc.SubmitRequest(ctx, s.user, r.ID)
			}
			return r, err
		}, func(jobs.Request) {
			d.Hide()
			after()
		})
	}
	f.save = widget.NewButton(lang.L("Save as draft"), func() { send(false) })
	f.submit = widget.NewButton(lang.L("Submit for approval"), func() { send(true) })
	f.submit.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { d.Hide() })
	body := container.NewVBox(form, help, container.NewHBox(layoutSpacer(), cancel, f.save, f.submit))
	d = dialog.NewCustomWithoutButtons(lang.L("New request"), body, s.win)
	d.Resize(fyne.NewSize(620, 0))
	d.Show()
	return f
}

func (f *requestForm) request() (jobs.NewRequest, error) {
	nr := jobs.NewRequest{Kind: jobs.KindBackup, Job: f.job.Selected, Reason: strings.TrimSpace(f.reason.Text),
		Department: strings.TrimSpace(f.department.Text), Target: strings.TrimSpace(f.target.Text)}
	if f.kind.Selected == kindName(jobs.KindRestore) {
		nr.Kind = jobs.KindRestore
	}
	if nr.Job == "" {
		return nr, errors.New(lang.L("Choose the data (job) the request is about."))
	}
	// jobs reads a typed time and its precision: a restore "as of" a
	// minute includes its seconds, as of a date the whole day.
	at, prec, err := jobs.ParseTime(f.at.Text, time.Local)
	if err != nil {
		return nr, err
	}
	nr.RequestedAt, nr.Precision = at, prec
	if nr.Kind == jobs.KindRestore && nr.Target == "" {
		return nr, errors.New(lang.L("A restore needs the folder to restore into."))
	}
	if nr.Reason == "" {
		return nr, errors.New(lang.L("Write the reason for the request."))
	}
	return nr, nil
}
