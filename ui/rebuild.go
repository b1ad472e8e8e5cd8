package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// rebuildForm asks where a lost workspace's records backup is, so tests
// can fill it.
type rebuildForm struct {
	repo, password *widget.Entry
	submit         func()
}

// rebuildDialog offers on the first-run screen what `cadang setup
// --restore-from` does: rebuild a lost workspace from its records backup
// (SOP 5.5). rebuild receives the answers.
func rebuildDialog(w fyne.Window, rebuild func(repo, password string)) *rebuildForm {
	f := &rebuildForm{repo: widget.NewEntry(), password: widget.NewPasswordEntry()}
	f.repo.SetPlaceHolder(lang.L("the records repository, or one of its replicas"))
	f.password.SetPlaceHolder(lang.L("empty when the backup is not encrypted"))
	pick := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() { pickFolder(w, f.repo.SetText) })
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Records backup"), container.NewBorder(nil, nil, nil, pick, f.repo)),
		widget.NewFormItem(lang.L("Password"), f.password),
	)
	note := widget.NewLabel(lang.L("The workspace folder must be empty. Its catalog, documents and logs come back from the newest records backup, each checked against what was recorded. Then sign in with the accounts of the lost workspace."))
	note.Wrapping = fyne.TextWrapWord
	f.submit = func() {
		repo := strings.TrimSpace(f.repo.Text)
		if repo == "" {
			showError(w, errors.New(lang.L("Enter where the records backup is: a folder, or a replica such as sftp://, s3:// or rclone:.")))
			return
		}
		rebuild(repo, f.password.Text)
	}
	d := dialog.NewCustomConfirm(lang.L("Rebuild a lost workspace"), lang.L("Rebuild"), lang.L("Cancel"), container.NewVBox(note, form),
		func(ok bool) {
			if ok {
				f.submit()
			}
		}, w)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
	return f
}

// rebuild replaces the empty workspace the window opened with the one
// rebuilt from repo, then shows its login (or the first run again when the
// rebuild failed; the folder is then empty again).
func (f *flow) rebuild(repo, password string) {
	dir := f.svc.Dir()
	f.stopService() // the rebuild replaces the catalog: close it first
	f.svc = nil
	f.bg(func() {
		res, err := jobs.RebuildWorkspace(f.ctx, dir, jobs.RebuildOptions{Repository: repo, Password: password, Logger: f.log})
		fyne.Do(func() {
			f.open(dir)
			switch {
			case err != nil:
				showError(f.win, err)
			case !res.OK():
				showError(f.win, errors.New(rebuildSummary(res)))
			default:
				showInfo(f.win, lang.L("Workspace rebuilt"), rebuildSummary(res))
			}
		})
	})
}

// rebuildSummary says what a rebuild restored and checked.
func rebuildSummary(res jobs.RebuildResult) string {
	msg := lang.L("Rebuilt from the records backup of {{.Time}} (taken on {{.Host}}): {{.Files}} files and the catalog restored and checked; audit log {{.Entries}} entries, {{.Problems}} problems; {{.Docs}} documents, {{.DocProblems}} problems.",
		map[string]any{"Time": res.SnapshotTime.Local().Format("2006-01-02 15:04"), "Host": res.Host, "Files": res.Files,
			"Entries": res.Audit.Entries, "Problems": len(res.Audit.Problems), "Docs": res.Documents, "DocProblems": len(res.DocumentProblems)})
	if len(res.SetAside) > 0 {
		msg += " " + lang.L("{{.N}} documents filed after the backup are not in its register; they were moved to {{.Dir}}.", map[string]any{"N": len(res.SetAside), "Dir": jobs.SetAsideDir})
	}
	for _, n := range res.Notes {
		msg += "\n" + n // facts about this machine's paths, as jobs states them
	}
	return msg + "\n" + lang.L("Sign in with the accounts of the lost workspace.")
}
