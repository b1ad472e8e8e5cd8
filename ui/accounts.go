package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// accountsTab is Settings → Accounts and roles (administrators): every
// account with its role and state, and adding, disabling, unlocking,
// changing the role of and resetting the password of an account, each of
// which jobs audits.
type accountsTab struct {
	s      acting
	list   *fyne.Container
	scroll *container.Scroll
	add    *userForm
	rows   map[string]*accountRow // by account name, for tests
}

// accountRow is one account and the buttons it offers (nil when not).
type accountRow struct {
	user                           jobs.User
	role, password, unlock, enable *widget.Button
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

func newAccountsTab(s acting) *accountsTab {
	return &accountsTab{s: s, list: container.NewVBox(), rows: map[string]*accountRow{}}
}

func (t *accountsTab) content() fyne.CanvasObject {
	f := &userForm{name: widget.NewEntry(), fullName: widget.NewEntry(), department: widget.NewEntry(),
		password: widget.NewPasswordEntry(), role: widget.NewSelect(roleChoices(), nil)}
	f.role.SetSelectedIndex(0)
	f.password.SetPlaceHolder(lang.L("at least {{.N}} characters", map[string]any{"N": jobs.MinPasswordLength}))
	f.submit = widget.NewButtonWithIcon(lang.L("Add account"), theme.ContentAddIcon(), func() { t.addUser(f) })
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
	t.scroll = container.NewVScroll(container.NewVBox(t.list, addCard))
	return t.scroll
}

func (t *accountsTab) reload() {
	call(t.s.caller, func(ctx context.Context) ([]jobs.User, error) { return t.s.svc.Users(ctx, t.s.user) }, t.draw)
}

func (t *accountsTab) draw(users []jobs.User) {
	t.list.RemoveAll()
	t.rows = map[string]*accountRow{}
	for _, u := range users {
		t.list.Add(t.row(u))
	}
	relayout(t.scroll) // a new account makes the list taller: lay it out again
}

func (t *accountsTab) row(u jobs.User) fyne.CanvasObject {
	row := &accountRow{user: u}
	t.rows[u.Name] = row
	status := ""
	switch {
	case u.Disabled:
		status = " · " + lang.L("disabled")
	case u.Locked:
		status = " · " + lang.L("locked")
	}
	line := u.Name + " · " + u.DisplayName() + " · " + roleName(u.Role)
	if u.Department != "" {
		line += " · " + u.Department
	}
	label := widget.NewLabel(line + status)
	label.Truncation = fyne.TextTruncateEllipsis
	if u.Disabled || u.Locked {
		label.Importance = widget.WarningImportance
	}
	row.password = widget.NewButton(lang.L("Password…"), func() { passwordDialog(t.s, u.Name) })
	actions := container.NewHBox(row.password)
	if u.Name != t.s.user.Name { // jobs refuses one's own role and disabling oneself
		row.role = widget.NewButton(lang.L("Role…"), func() { t.roleDialog(u) })
		actions.Add(row.role)
		label := lang.L("Disable")
		if u.Disabled {
			label = lang.L("Enable")
		}
		row.enable = widget.NewButton(label, func() {
			t.act(func(ctx context.Context) error { return t.s.svc.SetUserDisabled(ctx, t.s.user, u.Name, !u.Disabled) })
		})
		actions.Add(row.enable)
	}
	if u.Locked {
		row.unlock = widget.NewButton(lang.L("Unlock"), func() {
			t.act(func(ctx context.Context) error { return t.s.svc.UnlockUser(ctx, t.s.user, u.Name) })
		})
		row.unlock.Importance = widget.HighImportance
		actions.Add(row.unlock)
	}
	return container.NewBorder(nil, nil, widget.NewIcon(theme.AccountIcon()), actions, label)
}

// roleDialog changes an account's role after saying what the new role may do.
func (t *accountsTab) roleDialog(u jobs.User) {
	pick := widget.NewSelect(roleChoices(), nil)
	for i, r := range roleValues {
		if r == u.Role {
			pick.SetSelectedIndex(i)
		}
	}
	note := widget.NewLabel(lang.L("The change applies at once, also to a session that is open, and is recorded in the audit log."))
	note.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(widget.NewForm(widget.NewFormItem(lang.L("Role"), pick)), note)
	d := dialog.NewCustomConfirm(lang.L("Role of {{.Name}}", map[string]any{"Name": u.Name}), lang.L("Change role"), lang.L("Cancel"), body, func(ok bool) {
		if !ok || pick.SelectedIndex() < 0 {
			return
		}
		role := roleValues[pick.SelectedIndex()]
		t.act(func(ctx context.Context) error { return t.s.svc.SetUserRole(ctx, t.s.user, u.Name, role) })
	}, t.s.win)
	d.Resize(fyne.NewSize(460, 0))
	d.Show()
}

func (t *accountsTab) act(step func(ctx context.Context) error) { t.s.act(step, t.reload) }

func (t *accountsTab) addUser(f *userForm) {
	nu := jobs.NewUser{Name: strings.TrimSpace(f.name.Text), FullName: strings.TrimSpace(f.fullName.Text),
		Role: roleValues[max(f.role.SelectedIndex(), 0)], Department: strings.TrimSpace(f.department.Text), Password: f.password.Text}
	call(t.s.caller, func(ctx context.Context) (jobs.User, error) { return t.s.svc.AddUser(ctx, t.s.user, nu) }, func(jobs.User) {
		for _, e := range []*widget.Entry{f.name, f.fullName, f.department, f.password} {
			e.SetText("")
		}
		t.reload()
	})
}
