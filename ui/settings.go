package ui

import (
	"context"
	"errors"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// Notification preference values (fyne preferences, per workstation).
const (
	prefNotify     = "notify"
	notifyAll      = "all"
	notifyProblems = "problems"
	notifyNever    = "never"
)

func notifyChoices() []string {
	return []string{lang.L("Every finished run"), lang.L("Only warnings, failures and missed runs"), lang.L("Never")}
}

var notifyValues = []string{notifyAll, notifyProblems, notifyNever}

// settingsScreen: the language and notifications (this workstation), then
// for administrators the users, and for managers and administrators the
// company and document header, and the repositories in use.
func settingsScreen(s *session) fyne.CanvasObject {
	tabs := container.NewAppTabs(container.NewTabItemWithIcon(lang.L("This workstation"), theme.ComputerIcon(), workstationTab(s)))
	if s.user.Role == jobs.RoleAdmin {
		tabs.Append(container.NewTabItemWithIcon(lang.L("Users and roles"), theme.AccountIcon(), newUsersTab(s).content()))
	}
	if s.user.Role == jobs.RoleAdmin || s.user.Role == jobs.RoleManager {
		tabs.Append(container.NewTabItemWithIcon(lang.L("Company and documents"), theme.DocumentIcon(), newCompanyTab(s).content()))
	}
	tabs.Append(container.NewTabItemWithIcon(lang.L("Repositories and replicas"), theme.StorageIcon(), repositoriesTab(s)))
	return tabs
}

func workstationTab(s *session) fyne.CanvasObject {
	prefs := fyne.CurrentApp().Preferences()
	language := languagePicker(func(code string) {
		if s.setLanguage != nil {
			s.setLanguage(code)
		}
	})
	notify := widget.NewRadioGroup(notifyChoices(), nil)
	cur := prefs.StringWithFallback(prefNotify, notifyAll)
	for i, v := range notifyValues {
		if v == cur {
			notify.SetSelected(notifyChoices()[i])
		}
	}
	notify.OnChanged = func(choice string) {
		for i, c := range notifyChoices() {
			if c == choice {
				prefs.SetString(prefNotify, notifyValues[i])
			}
		}
	}
	pw := widget.NewButtonWithIcon(lang.L("Change my password…"), theme.AccountIcon(), func() { passwordDialog(s, s.user.Name) })
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Language"), container.NewHBox(language)),
		widget.NewFormItem(lang.L("Tray notifications"), notify),
		widget.NewFormItem(lang.L("Account"), container.NewHBox(pw)),
		widget.NewFormItem(lang.L("Workspace"), widget.NewLabel(s.svc.Dir())),
	)
	return container.NewVScroll(form)
}

// passwordDialog sets the password of the named account.
func passwordDialog(s *session, name string) {
	pw, again := widget.NewPasswordEntry(), widget.NewPasswordEntry()
	form := widget.NewForm(widget.NewFormItem(lang.L("New password"), pw), widget.NewFormItem(lang.L("Confirm password"), again))
	dialog.ShowCustomConfirm(lang.L("Password of {{.Name}}", map[string]any{"Name": name}), lang.L("Save"), lang.L("Cancel"), form, func(ok bool) {
		if !ok {
			return
		}
		if pw.Text != again.Text {
			showError(s.win, errors.New(lang.L("The two passwords differ. Type the same password twice.")))
			return
		}
		s.bg(func() {
			err := s.svc.SetPassword(s.ctx, s.user, name, pw.Text)
			fyne.Do(func() {
				if err != nil {
					showError(s.win, err)
					return
				}
				dialog.ShowInformation(lang.L("Password changed"), lang.L("The new password works from the next sign-in."), s.win)
			})
		})
	}, s.win)
}

// usersTab lists accounts and adds, disables, unlocks them.
type usersTab struct {
	s    *session
	list *fyne.Container
	add  *userForm
}

type userForm struct {
	name, fullName, department, password *widget.Entry
	role                                 *widget.Select
	submit                               *widget.Button
}

func roleChoices() []string {
	return []string{roleName(jobs.RoleUser), roleName(jobs.RoleStaff), roleName(jobs.RoleManager), roleName(jobs.RoleAdmin)}
}

var roleValues = []string{jobs.RoleUser, jobs.RoleStaff, jobs.RoleManager, jobs.RoleAdmin}

func newUsersTab(s *session) *usersTab { return &usersTab{s: s, list: container.NewVBox()} }

func (t *usersTab) content() fyne.CanvasObject {
	f := &userForm{name: widget.NewEntry(), fullName: widget.NewEntry(), department: widget.NewEntry(),
		password: widget.NewPasswordEntry(), role: widget.NewSelect(roleChoices(), nil)}
	f.role.SetSelectedIndex(0)
	f.submit = widget.NewButtonWithIcon(lang.L("Add user"), theme.ContentAddIcon(), func() { t.addUser(f) })
	f.submit.Importance = widget.HighImportance
	t.add = f
	form := widget.NewForm(
		widget.NewFormItem(lang.L("User name"), f.name),
		widget.NewFormItem(lang.L("Full name"), f.fullName),
		widget.NewFormItem(lang.L("Role"), f.role),
		widget.NewFormItem(lang.L("Department"), f.department),
		widget.NewFormItem(lang.L("Password"), f.password),
	)
	addCard := widget.NewCard(lang.L("New account"), "", container.NewVBox(form, container.NewHBox(layoutSpacer(), f.submit)))
	t.reload()
	return container.NewVScroll(container.NewVBox(t.list, addCard))
}

func (t *usersTab) reload() {
	t.s.bg(func() {
		users, err := t.s.svc.Users(t.s.ctx, t.s.user)
		fyne.Do(func() {
			if err != nil {
				showError(t.s.win, err)
				return
			}
			t.draw(users)
		})
	})
}

func (t *usersTab) draw(users []jobs.User) {
	t.list.RemoveAll()
	for _, u := range users {
		status := ""
		switch {
		case u.Disabled:
			status = " · " + lang.L("disabled")
		case u.Locked:
			status = " · " + lang.L("locked")
		}
		line := widget.NewLabel(u.Name + " · " + u.DisplayName() + " · " + roleName(u.Role) + " · " + u.Department + status)
		actions := container.NewHBox(widget.NewButton(lang.L("Password…"), func() { passwordDialog(t.s, u.Name) }))
		if u.Locked {
			actions.Add(widget.NewButton(lang.L("Unlock"), func() { t.act(func(ctx context.Context) error { return t.s.svc.UnlockUser(ctx, t.s.user, u.Name) }) }))
		}
		if u.Name != t.s.user.Name {
			label := lang.L("Disable")
			if u.Disabled {
				label = lang.L("Enable")
			}
			actions.Add(widget.NewButton(label, func() {
				t.act(func(ctx context.Context) error { return t.s.svc.SetUserDisabled(ctx, t.s.user, u.Name, !u.Disabled) })
			}))
		}
		t.list.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.AccountIcon()), actions, line))
	}
}

func (t *usersTab) act(step func(ctx context.Context) error) {
	t.s.bg(func() {
		err := step(t.s.ctx)
		fyne.Do(func() {
			if err != nil {
				showError(t.s.win, err)
			}
			t.reload()
		})
	})
}

func (t *usersTab) addUser(f *userForm) {
	nu := jobs.NewUser{Name: strings.TrimSpace(f.name.Text), FullName: strings.TrimSpace(f.fullName.Text),
		Role: roleValues[max(f.role.SelectedIndex(), 0)], Department: strings.TrimSpace(f.department.Text), Password: f.password.Text}
	t.s.bg(func() {
		_, err := t.s.svc.AddUser(t.s.ctx, t.s.user, nu)
		fyne.Do(func() {
			if err != nil {
				showError(t.s.win, err)
				return
			}
			for _, e := range []*widget.Entry{f.name, f.fullName, f.department, f.password} {
				e.SetText("")
			}
			t.reload()
		})
	})
}

// companyTab edits the company details, the SOP header, form codes and
// signatories printed on every document.
type companyTab struct {
	s       *session
	entries map[string]*widget.Entry
	form    *widget.Form
	save    *widget.Button
	loaded  map[string]string
}

func newCompanyTab(s *session) *companyTab {
	return &companyTab{s: s, entries: map[string]*widget.Entry{}, form: widget.NewForm()}
}

// settingLabel names a setting key for people.
func settingLabel(key string) string {
	labels := map[string]string{
		jobs.KeyCompany: lang.L("Company name"), jobs.KeyAddress: lang.L("Address"), jobs.KeyLogo: lang.L("Logo (PNG file)"),
		jobs.KeySegment: lang.L("Segment"), jobs.KeyBusinessProcess: lang.L("Business process"), jobs.KeySubProcess: lang.L("Sub-process"),
		jobs.KeyDocNo: lang.L("Document no."), jobs.KeyEffective: lang.L("Effective date"), jobs.KeyRevision: lang.L("Revision"),
		jobs.KeyLang: lang.L("Language of documents (id/en)"),
	}
	if l, ok := labels[key]; ok {
		return l
	}
	return key
}

func (t *companyTab) content() fyne.CanvasObject {
	t.save = widget.NewButtonWithIcon(lang.L("Save changes"), theme.DocumentSaveIcon(), t.saveChanges)
	t.save.Importance = widget.HighImportance
	t.s.bg(func() {
		set, err := t.s.svc.Settings(t.s.ctx, t.s.user)
		fyne.Do(func() {
			if err != nil {
				showError(t.s.win, err)
				return
			}
			t.loaded = set
			keys := make([]string, 0, len(set))
			for k := range set {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				e := widget.NewEntry()
				e.SetText(set[k])
				t.entries[k] = e
				t.form.Append(settingLabel(k), e)
			}
		})
	})
	help := widget.NewLabel(lang.L("These appear in the controlled-document header, the form numbers and the signature blocks of every PDF."))
	help.Wrapping = fyne.TextWrapWord
	return container.NewBorder(help, container.NewHBox(layoutSpacer(), t.save), nil, nil, container.NewVScroll(t.form))
}

func (t *companyTab) saveChanges() {
	changed := map[string]string{}
	for k, e := range t.entries {
		if e.Text != t.loaded[k] {
			changed[k] = e.Text
		}
	}
	t.s.bg(func() {
		var errs []error
		for k, v := range changed {
			if err := t.s.svc.SetSetting(t.s.ctx, t.s.user, k, v); err != nil {
				errs = append(errs, err)
			} else {
				t.loaded[k] = v
			}
		}
		fyne.Do(func() {
			if err := errors.Join(errs...); err != nil {
				showError(t.s.win, err)
			}
		})
	})
}

// repositoriesTab shows where each job's backups and offsite copies live.
func repositoriesTab(s *session) fyne.CanvasObject {
	list := container.NewVBox()
	s.bg(func() {
		all, err := s.svc.Jobs(s.ctx, s.user, "")
		fyne.Do(func() {
			if err != nil {
				showError(s.win, err)
				return
			}
			for _, j := range all {
				repl := lang.L("none")
				if len(j.Replicas) > 0 {
					repl = strings.Join(j.Replicas, ", ")
				}
				enc := lang.L("not encrypted")
				if j.PasswordFile != "" {
					enc = lang.L("encrypted")
				}
				list.Add(widget.NewCard(j.Name, j.Repository, widget.NewLabel(lang.L("Offsite copies: {{.R}} · {{.Enc}}", map[string]any{"R": repl, "Enc": enc}))))
			}
			if len(all) == 0 {
				list.Add(widget.NewLabel(lang.L("No jobs yet.")))
			}
		})
	})
	help := widget.NewLabel(lang.L("A job names its repository and replicas; change them in the job (a change needs approval again). Replica locations are defined with `cadang replica add`."))
	help.Wrapping = fyne.TextWrapWord
	return container.NewBorder(help, nil, nil, nil, container.NewVScroll(list))
}
