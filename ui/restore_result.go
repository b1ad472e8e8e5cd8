package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/engine"
	"cadang/jobs"
	"cadang/printing"
)

// verification is what the window shows after a restore: the request's
// state, the restore run (files, bytes, files that did not match) and the
// filed verification report, which lists every file with its SHA-256.
type verification struct {
	req      jobs.Request
	run      *jobs.Run
	report   *jobs.Document
	checks   []engine.FileCheck // every restored file, checked again
	checkErr error
	may      jobs.Permissions // what the person may do next (the handover)
}

// maxCheckRows bounds the per-file list in the window; the report has all.
const maxCheckRows = 300

func loadVerification(s acting, id int64) (verification, error) {
	var v verification
	var err error
	if v.req, err = s.svc.Request(s.ctx, s.user, id); err != nil {
		return v, err
	}
	if v.may, err = s.svc.RequestPermissions(s.ctx, s.user, id); err != nil {
		return v, err
	}
	runs, err := s.svc.Runs(s.ctx, s.user, jobs.RunFilter{Job: fmt.Sprint(v.req.JobID)})
	if err != nil {
		return v, err
	}
	for i := range runs {
		if runs[i].RequestID == id && runs[i].Kind == jobs.KindRestore {
			v.run = &runs[i]
			break
		}
	}
	docs, err := s.svc.Documents(s.ctx, s.user, jobs.DocumentFilter{RequestID: id, Type: jobs.DocVerificationReport})
	if err != nil {
		return v, err
	}
	if len(docs) > 0 {
		v.report = &docs[len(docs)-1]
	}
	if v.req.SnapshotID != "" {
		v.checks, v.checkErr = s.svc.RestoreChecks(s.ctx, s.user, id, nil)
	}
	return v, nil
}

// verificationView draws the result: a headline, the counts, each file
// that failed, and the report to open.
func verificationView(s acting, v verification) fyne.CanvasObject {
	ok := v.req.State == jobs.RequestVerified || v.req.State == jobs.RequestHandedOver
	head := widget.NewLabelWithStyle(lang.L("Verification failed: the restored data differs from the backup"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Importance = widget.DangerImportance
	icon := widget.NewIcon(theme.ErrorIcon())
	if ok {
		head.SetText(lang.L("Verified: every restored file matches the backup"))
		head.Importance = widget.SuccessImportance
		icon.SetResource(theme.ConfirmIcon())
	}
	box := container.NewVBox(container.NewHBox(icon, head))
	if v.run != nil {
		box.Add(widget.NewLabel(lang.L("{{.Files}} files, {{.Bytes}}, checked by SHA-256 against snapshot {{.Snap}} · attempts: {{.N}}",
			map[string]any{"Files": v.run.FilesNew, "Bytes": formatBytes(v.run.TotalBytes), "Snap": shortSnap(v.run.SnapshotID), "N": v.req.Attempts})))
		for _, w := range v.run.Warnings {
			l := widget.NewLabel("✗ " + w.Path + ": " + w.Err)
			l.Importance = widget.DangerImportance
			l.Wrapping = fyne.TextWrapWord
			box.Add(l)
		}
	}
	box.Add(widget.NewLabel(lang.L("Restored into {{.T}}", map[string]any{"T": v.req.Target})))
	if v.report != nil {
		box.Add(documentActions(s, *v.report))
	}
	box.Add(widget.NewLabelWithStyle(lang.L("File by file"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	files := container.NewVBox()
	switch {
	case v.checkErr != nil:
		files.Add(widget.NewLabel(translateMessage(v.checkErr.Error())))
	default:
		for i, c := range v.checks {
			if i == maxCheckRows {
				files.Add(widget.NewLabel(lang.L("…and {{.N}} more files, all in the verification report.", map[string]any{"N": len(v.checks) - i})))
				break
			}
			files.Add(checkRow(c))
		}
	}
	scroll := container.NewVScroll(files)
	scroll.SetMinSize(fyne.NewSize(560, 180))
	return container.NewBorder(box, nil, nil, nil, scroll)
}

// checkRow is one restored file: its path, size and hash, and whether the
// restored copy matches the backup.
func checkRow(c engine.FileCheck) fyne.CanvasObject {
	icon := widget.NewIcon(theme.ConfirmIcon())
	detail := formatBytes(c.Size) + " · SHA-256 " + shortHash(c.Want)
	if !c.OK {
		icon.SetResource(theme.ErrorIcon())
		detail = lang.L("differs: expected {{.Want}}, found {{.Got}} {{.Err}}", map[string]any{"Want": shortHash(c.Want), "Got": shortHash(c.Got), "Err": c.Err})
	}
	path := widget.NewLabel(c.Path)
	path.Truncation = fyne.TextTruncateEllipsis
	info := widget.NewLabelWithStyle(detail, fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true})
	if !c.OK {
		info.Importance = widget.DangerImportance
	}
	return container.NewBorder(nil, nil, icon, info, path)
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	if h == "" {
		return "–"
	}
	return h
}

func shortSnap(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// showVerification shows the verification result of a restore request
// and, once it is verified, offers the handover form (SOP 5.4e) right
// there. after runs when the handover form was filed.
func showVerification(s acting, id int64, after func()) {
	call(s.caller, func(ctx context.Context) (verification, error) {
		s := s
		s.ctx = ctx
		return loadVerification(s, id)
	}, func(v verification) {
		var d dialog.Dialog
		done := widget.NewButton(lang.L("Close"), func() { d.Hide() })
		buttons := container.NewHBox(layoutSpacer(), done)
		if v.may.Can(jobs.ActHandover) {
			handover := widget.NewButtonWithIcon(lang.L("Handover form…"), theme.DocumentPrintIcon(), func() {
				d.Hide()
				handoverDialog(s, v.req, after)
			})
			handover.Importance = widget.HighImportance
			buttons.Add(handover)
		}
		body := container.NewBorder(nil, buttons, nil, nil, verificationView(s, v))
		d = dialog.NewCustomWithoutButtons(lang.L("Restore of request #{{.ID}}", map[string]any{"ID": id}), body, s.win)
		d.Resize(fyne.NewSize(640, 0))
		d.Show()
	})
}

// documentActions are the number of a filed document and Open / Print.
func documentActions(s acting, d jobs.Document) fyne.CanvasObject {
	open := widget.NewButtonWithIcon(lang.L("Open"), theme.FileIcon(), func() { openFile(s, d.Path) })
	print := widget.NewButtonWithIcon(lang.L("Print"), theme.DocumentPrintIcon(), func() { printFile(s, d.Path) })
	save := widget.NewButtonWithIcon(lang.L("Save a copy…"), theme.DocumentSaveIcon(), func() { saveCopy(s, d) })
	label := widget.NewLabel(fmt.Sprintf("%s %s · rev. %d", docTypeName(d.Type), d.Number, d.Revision))
	return container.NewHBox(label, open, print, save)
}

// openFile opens a PDF in the desktop's viewer (package printing).
func openFile(s acting, path string) {
	pdfAction(s, path, func(ctx context.Context) (printing.Result, error) { return printing.New().Open(ctx, path) }, nil)
}

// pdfAction opens or prints a filed PDF off the UI goroutine, then shows
// what happened. When this computer lacks the program for it, the problem
// says what to install and offers to save a copy to print elsewhere.
func pdfAction(s acting, path string, do func(ctx context.Context) (printing.Result, error), done func(printing.Result)) {
	s.bg(func() {
		res, err := do(s.ctx)
		fyne.Do(func() {
			switch {
			case errors.Is(err, printing.ErrMissingTool):
				save := widget.NewButtonWithIcon(lang.L("Save a copy…"), theme.DocumentSaveIcon(), func() {
					saveCopy(s, jobs.Document{Path: path, Number: filepath.Base(path)})
				})
				showErrorWith(s.win, errorTitle(err), err, save)
			case err != nil:
				showError(s.win, err)
			case done != nil:
				done(res)
			}
		})
	})
}

// handoverDialog completes and files the handover form (SOP 5.4e).
func handoverDialog(s acting, r jobs.Request, after func()) {
	receiver, witness, notes := widget.NewEntry(), widget.NewEntry(), widget.NewMultiLineEntry()
	receiver.SetPlaceHolder(r.Requester)
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Received by"), receiver),
		widget.NewFormItem(lang.L("Witness"), witness),
		widget.NewFormItem(lang.L("Notes"), notes),
	)
	d := dialog.NewCustomConfirm(lang.L("Handover form for request #{{.ID}}", map[string]any{"ID": r.ID}), lang.L("File the form"), lang.L("Cancel"), form, func(ok bool) {
		if !ok {
			return
		}
		opt := jobs.HandoverOptions{Receiver: receiver.Text, Witness: witness.Text, Notes: notes.Text}
		call(s.caller, func(ctx context.Context) (jobs.Document, error) { return s.svc.Handover(ctx, s.user, r.ID, opt) }, func(doc jobs.Document) {
			msg := widget.NewLabel(lang.L("The handover form is filed. Print it for the signatures of both parties."))
			msg.Wrapping = fyne.TextWrapWord
			d := dialog.NewCustom(lang.L("Handover form"), lang.L("Close"), container.NewVBox(msg, documentActions(s, doc)), s.win)
			d.Resize(fyne.NewSize(560, 0))
			d.Show()
			after()
		})
	}, s.win)
	d.Resize(fyne.NewSize(520, 0)) // room for a full name and the notes
	d.Show()
}

// saveCopy writes a copy of a filed PDF where the person chooses: to print
// elsewhere when this computer cannot (no lp, no viewer), or to mail it.
// The filed original stays in the register.
func saveCopy(s acting, d jobs.Document) {
	save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			showError(s.win, err)
			return
		}
		s.act(func(ctx context.Context) error {
			defer w.Close()
			f, err := os.Open(d.Path)
			if err != nil {
				return fmt.Errorf("save a copy of %s: %w", d.Number, err)
			}
			defer f.Close()
			if _, err := io.Copy(w, f); err != nil {
				return fmt.Errorf("save a copy of %s: %w", d.Number, err)
			}
			return nil
		}, nil)
	}, s.win)
	save.SetFileName(filepath.Base(d.Path))
	save.Show()
}
