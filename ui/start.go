package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// startPage frames the first-run, login and workspace screens: the icon,
// a title, the form and the language picker.
func startPage(title, subtitle string, body fyne.CanvasObject, onLanguage func(code string)) fyne.CanvasObject {
	logo := canvas.NewImageFromResource(appIcon)
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSize(72, 72))
	head := widget.NewLabelWithStyle(title, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	head.SizeName = "headingText"
	sub := widget.NewLabelWithStyle(subtitle, fyne.TextAlignCenter, fyne.TextStyle{})
	sub.Wrapping = fyne.TextWrapWord
	picker := languagePicker(onLanguage)
	column := container.NewVBox(logo, head, sub, body, container.NewCenter(picker))
	sized := container.NewGridWrap(fyne.NewSize(440, column.MinSize().Height), column)
	return container.NewScroll(container.NewCenter(sized))
}

// languagePicker lets the person switch between English and Indonesian;
// both names stay visible, each in its own language.
func languagePicker(onLanguage func(code string)) *widget.RadioGroup {
	pick := widget.NewRadioGroup([]string{languageNames[LangEnglish], languageNames[LangIndonesian]}, nil)
	pick.Horizontal = true
	pick.SetSelected(languageNames[currentLanguageCode()])
	pick.OnChanged = func(name string) {
		if code := languageCode(name); code != currentLanguageCode() && onLanguage != nil {
			onLanguage(code)
		}
	}
	return pick
}

// workspaceScreen asks where the workspace lives (first start only), and
// offers to join a team's shared catalog instead of starting one here:
// join(dir, url) when set.
func workspaceScreen(w fyne.Window, defaultDir string, open func(dir string), join func(dir, catalog string), onLanguage func(string)) fyne.CanvasObject {
	dir := widget.NewEntry()
	dir.SetText(defaultDir)
	browse := widget.NewButton(lang.L("Browse…"), func() {
		d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err != nil {
				showError(w, err)
				return
			}
			if u != nil {
				dir.SetText(u.Path())
			}
		}, w)
		if l, err := storage.ListerForURI(storage.NewFileURI(defaultDir)); err == nil {
			d.SetLocation(l)
		}
		d.Show()
	})
	next := widget.NewButton(lang.L("Continue"), func() {
		d := strings.TrimSpace(dir.Text)
		if d == "" {
			showError(w, errors.New(lang.L("Choose a folder for the workspace.")))
			return
		}
		open(d)
	})
	next.Importance = widget.HighImportance
	dir.OnSubmitted = func(string) { next.OnTapped() }
	form := container.NewVBox(
		widget.NewLabel(lang.L("Workspace folder")),
		container.NewBorder(nil, nil, nil, browse, dir),
		next,
	)
	if join != nil {
		shared := widget.NewButton(lang.L("Join a shared catalog…"), func() {
			d := strings.TrimSpace(dir.Text)
			if d == "" {
				showError(w, errors.New(lang.L("Choose a folder for the workspace.")))
				return
			}
			joinDialog(w, func(url string) { join(d, url) })
		})
		form.Add(shared)
	}
	return startPage(lang.L("Welcome to Cadang"),
		lang.L("Cadang keeps its catalog, documents and run logs in a workspace folder. Choose where it lives; the default is fine for most workstations."),
		form, onLanguage)
}

// joinDialog asks for the URL of a team's shared catalog (PostgreSQL).
// The password stays in ~/.pgpass (or PGPASSFILE) of this computer: a URL
// with one is refused.
func joinDialog(w fyne.Window, join func(url string)) {
	url := widget.NewEntry()
	url.SetPlaceHolder("postgres://cadang@db1:5432/cadang")
	url.Validator = func(s string) error {
		if err := jobs.CheckCatalogURL(strings.TrimSpace(s)); err != nil {
			return errors.New(lang.L("A shared catalog is a postgres://USER@HOST:PORT/DATABASE address, without a password."))
		}
		return nil
	}
	item := widget.NewFormItem(lang.L("Shared catalog"), url)
	item.HintText = lang.L("The password comes from ~/.pgpass on this computer. An empty database becomes a new catalog; otherwise you sign in with your account.")
	d := dialog.NewForm(lang.L("Join a shared catalog"), lang.L("Join"), lang.L("Cancel"), []*widget.FormItem{item}, func(ok bool) {
		if ok {
			join(strings.TrimSpace(url.Text))
		}
	}, w)
	d.Resize(fyne.NewSize(560, d.MinSize().Height))
	d.Show()
}

// setupForm holds the first-run fields so tests can fill them.
type setupForm struct {
	admin, fullName, password, confirm, company, repo *widget.Entry
	// records, recordsPassword, recordsConfirm: the workspace's own backup (SOP 5.5).
	records, recordsPassword, recordsConfirm *widget.Entry
	submit                                   *widget.Button
}

// prefDefaultRepo is the folder chosen at the first run for backup
// repositories; the job editor suggests <it>/<job name> for new jobs.
const prefDefaultRepo = "repository.default"

// setupScreen creates the first administrator of a new workspace and its
// records backup; onRebuild, when set, offers to rebuild a lost workspace
// from its records backup instead.
func setupScreen(ctx context.Context, w fyne.Window, svc *jobs.Service, bg background, done func(jobs.User), onLanguage func(string), onRebuild func()) (fyne.CanvasObject, *setupForm) {
	f := &setupForm{
		admin: widget.NewEntry(), fullName: widget.NewEntry(),
		password: widget.NewPasswordEntry(), confirm: widget.NewPasswordEntry(),
		company: widget.NewEntry(), repo: widget.NewEntry(),
		records: widget.NewEntry(), recordsPassword: widget.NewPasswordEntry(), recordsConfirm: widget.NewPasswordEntry(),
	}
	f.repo.SetPlaceHolder(lang.L("e.g. /srv/backup (optional)"))
	pickRepo := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() { pickFolder(w, f.repo.SetText) })
	f.records.SetPlaceHolder(lang.L("a share or another disk"))
	pickRecords := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() { pickFolder(w, f.records.SetText) })
	f.recordsPassword.SetPlaceHolder(lang.L("encrypts it (recommended)"))
	recordsItem := widget.NewFormItem(lang.L("Workspace records go to"), container.NewBorder(nil, nil, nil, pickRecords, f.records))
	recordsItem.HintText = lang.L("every night, off this computer")
	f.admin.SetPlaceHolder(lang.L("e.g. admin"))
	f.password.SetPlaceHolder(lang.L("at least {{.N}} characters", map[string]any{"N": jobs.MinPasswordLength}))
	f.company.SetPlaceHolder(lang.L("shown on every form and report"))
	f.submit = widget.NewButton(lang.L("Create administrator"), nil)
	f.submit.Importance = widget.HighImportance
	f.submit.OnTapped = func() {
		opt, err := f.options()
		if err != nil {
			showError(w, err)
			return
		}
		f.submit.Disable()
		bg(func() {
			u, err := svc.Setup(ctx, opt)
			fyne.Do(func() {
				f.submit.Enable()
				if err != nil {
					showError(w, err)
					return
				}
				if repo := strings.TrimSpace(f.repo.Text); repo != "" {
					fyne.CurrentApp().Preferences().SetString(prefDefaultRepo, repo)
				}
				done(u)
			})
		})
	}
	f.confirm.OnSubmitted = func(string) { f.submit.OnTapped() }
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Administrator name"), f.admin),
		widget.NewFormItem(lang.L("Full name"), f.fullName),
		widget.NewFormItem(lang.L("Password"), f.password),
		widget.NewFormItem(lang.L("Confirm password"), f.confirm),
		widget.NewFormItem(lang.L("Company name"), f.company),
		widget.NewFormItem(lang.L("Backups go to"), container.NewBorder(nil, nil, nil, pickRepo, f.repo)),
		recordsItem,
		widget.NewFormItem(lang.L("Records password"), f.recordsPassword),
		widget.NewFormItem(lang.L("Confirm records password"), f.recordsConfirm),
	)
	body := container.NewVBox(form, f.submit)
	if onRebuild != nil {
		body.Add(widget.NewButton(lang.L("Rebuild a lost workspace from its records backup…"), onRebuild))
	}
	body.Add(widget.NewLabelWithStyle(svc.Dir(), fyne.TextAlignCenter, fyne.TextStyle{Monospace: true}))
	return startPage(lang.L("First-time setup"),
		lang.L("Create the administrator account. The administrator adds the other users (IT staff, IT manager, departments) afterwards in Settings."),
		body, onLanguage), f
}

// options checks the form before anything is sent to jobs.
func (f *setupForm) options() (jobs.SetupOptions, error) {
	opt := jobs.SetupOptions{
		Admin:    strings.TrimSpace(f.admin.Text),
		FullName: strings.TrimSpace(f.fullName.Text),
		Password: f.password.Text,
		Company:  strings.TrimSpace(f.company.Text),
		Records:  jobs.RecordsOptions{Repository: strings.TrimSpace(f.records.Text), Password: f.recordsPassword.Text},
	}
	switch {
	case opt.Admin == "":
		return opt, errors.New(lang.L("Enter a name for the administrator account."))
	case len([]rune(opt.Password)) < jobs.MinPasswordLength:
		return opt, errors.New(lang.L("The password is too short: use at least {{.N}} characters.", map[string]any{"N": jobs.MinPasswordLength}))
	case opt.Password != f.confirm.Text:
		return opt, errors.New(lang.L("The two passwords differ. Type the same password twice."))
	case opt.Records.Repository == "":
		return opt, errors.New(lang.L("Choose where the workspace's own records are backed up: a folder outside the workspace, on another disk or a share."))
	case opt.Records.Password != f.recordsConfirm.Text:
		return opt, errors.New(lang.L("The two records passwords differ. Type the same password twice."))
	}
	return opt, nil
}

// loginForm holds the login fields so tests can fill them.
type loginForm struct {
	name, password *widget.Entry
	submit         *widget.Button
}

// loginScreen signs a person in. changeWorkspace may be nil.
func loginScreen(ctx context.Context, w fyne.Window, svc *jobs.Service, bg background, done func(jobs.User), changeWorkspace func(), onLanguage func(string)) (fyne.CanvasObject, *loginForm) {
	f := &loginForm{name: widget.NewEntry(), password: widget.NewPasswordEntry()}
	f.submit = widget.NewButton(lang.L("Sign in"), nil)
	f.submit.Importance = widget.HighImportance
	f.submit.OnTapped = func() {
		name, pw := strings.TrimSpace(f.name.Text), f.password.Text
		if name == "" || pw == "" {
			showError(w, errors.New(lang.L("Enter your user name and password.")))
			return
		}
		f.submit.Disable()
		bg(func() {
			u, err := svc.Login(ctx, name, pw)
			fyne.Do(func() {
				f.submit.Enable()
				if err != nil {
					f.password.SetText("")
					showError(w, err)
					return
				}
				done(u)
			})
		})
	}
	f.name.OnSubmitted = func(string) { w.Canvas().Focus(f.password) }
	f.password.OnSubmitted = func(string) { f.submit.OnTapped() }
	form := widget.NewForm(
		widget.NewFormItem(lang.L("User name"), f.name),
		widget.NewFormItem(lang.L("Password"), f.password),
	)
	where := widget.NewLabelWithStyle(fmt.Sprintf("%s: %s", lang.L("Workspace"), svc.Dir()), fyne.TextAlignCenter, fyne.TextStyle{Monospace: true})
	where.Wrapping = fyne.TextWrapBreak
	body := container.NewVBox(form, f.submit, where)
	if changeWorkspace != nil {
		body.Add(widget.NewButton(lang.L("Use another workspace…"), changeWorkspace))
	}
	return startPage(lang.L("Sign in to Cadang"), lang.L("Controlled backup and restore"), body, onLanguage), f
}
