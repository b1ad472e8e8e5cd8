package ui

import (
	"context"
	"errors"
	"sort"

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

// settingsScreen: the language, look and notifications (this
// workstation), then for administrators the accounts, for managers and
// administrators the company and document header, and the repositories
// and their offsite replicas.
func settingsScreen(s acting, events listener, setLanguage func(string)) fyne.CanvasObject {
	tabs := container.NewAppTabs(container.NewTabItemWithIcon(lang.L("This workstation"), theme.ComputerIcon(), workstationTab(s, setLanguage)))
	if s.user.Can(jobs.CapManageAccounts) {
		tabs.Append(container.NewTabItemWithIcon(lang.L("Accounts and roles"), theme.AccountIcon(), newAccountsTab(s).content()))
	}
	if s.user.Can(jobs.CapChangeSettings) {
		tabs.Append(container.NewTabItemWithIcon(lang.L("Company and documents"), theme.DocumentIcon(), newCompanyTab(s).content()))
	}
	rt := newReplicasTab(s)
	events(func(ev jobs.Event) {
		if ev.Kind == jobs.EventReplicaChanged || ev.Kind == jobs.EventJobChanged {
			rt.reload()
		}
	})
	tabs.Append(container.NewTabItemWithIcon(lang.L("Repositories and replicas"), theme.StorageIcon(), rt.content()))
	return tabs
}

func workstationTab(s acting, setLanguage func(string)) fyne.CanvasObject {
	prefs := fyne.CurrentApp().Preferences()
	language := languagePicker(func(code string) {
		if setLanguage != nil {
			setLanguage(code)
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
	where := widget.NewLabel(s.svc.Dir())
	where.Wrapping = fyne.TextWrapBreak
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Language"), container.NewHBox(language)),
		widget.NewFormItem(lang.L("Appearance"), container.NewHBox(fitOptions(themePicker(fyne.CurrentApp())))),
		widget.NewFormItem(lang.L("Tray notifications"), notify),
		widget.NewFormItem(lang.L("Account"), container.NewHBox(pw)),
		widget.NewFormItem(lang.L("Workspace"), where),
	)
	return container.NewVScroll(form)
}

// passwordDialog sets the password of the named account.
func passwordDialog(s acting, name string) {
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
		call(s.caller, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.svc.SetPassword(ctx, s.user, name, pw.Text)
		}, func(struct{}) {
			dialog.ShowInformation(lang.L("Password changed"), lang.L("The new password works from the next sign-in."), s.win)
		})
	}, s.win)
}

// companyTab edits the company details, the SOP header, form codes and
// signatories printed on every document, each under a name a person knows.
type companyTab struct {
	s       acting
	entries map[string]*widget.Entry
	lang    *widget.Select // the documents' language
	form    *fyne.Container
	save    *widget.Button
	loaded  map[string]string
}

func newCompanyTab(s acting) *companyTab {
	return &companyTab{s: s, entries: map[string]*widget.Entry{}, form: container.NewVBox()}
}

// settingGroups are the settings in the order and groups a person reads
// them on a form, each with its label.
func settingGroups() []struct {
	title string
	keys  []string
} {
	return []struct {
		title string
		keys  []string
	}{
		{lang.L("Company"), []string{jobs.KeyCompany, jobs.KeyAddress, jobs.KeyLogo}},
		{lang.L("Controlled-document header (SOP)"), []string{jobs.KeySegment, jobs.KeyBusinessProcess, jobs.KeySubProcess, jobs.KeyDocNo, jobs.KeyEffective, jobs.KeyRevision}},
		{lang.L("Form codes"), []string{jobs.KeyFormRequest, jobs.KeyFormExecution, jobs.KeyFormVerify, jobs.KeyFormHandover, jobs.KeyFormHistory, jobs.KeyFormSchedule}},
		{lang.L("Signatories"), []string{jobs.KeyPreparedName, jobs.KeyPreparedTitle, jobs.KeyCheckedName, jobs.KeyCheckedTitle, jobs.KeyApprovedName, jobs.KeyApprovedTitle}},
	}
}

// settingLabel names a setting key for people.
func settingLabel(key string) string {
	labels := map[string]string{
		jobs.KeyCompany: lang.L("Company name"), jobs.KeyAddress: lang.L("Address"), jobs.KeyLogo: lang.L("Logo (PNG file)"),
		jobs.KeySegment: lang.L("Segment"), jobs.KeyBusinessProcess: lang.L("Business process"), jobs.KeySubProcess: lang.L("Sub-process"),
		jobs.KeyDocNo: lang.L("Document no."), jobs.KeyEffective: lang.L("Effective date"), jobs.KeyRevision: lang.L("Revision"),
		jobs.KeyLang:        lang.L("Language of documents"),
		jobs.KeyFormRequest: lang.L("Request form"), jobs.KeyFormExecution: lang.L("Execution report"), jobs.KeyFormVerify: lang.L("Verification report"),
		jobs.KeyFormHandover: lang.L("Handover form"), jobs.KeyFormHistory: lang.L("Run history"), jobs.KeyFormSchedule: lang.L("Schedule form"),
		jobs.KeyPreparedName: lang.L("Prepared by: name"), jobs.KeyPreparedTitle: lang.L("Prepared by: title"),
		jobs.KeyCheckedName: lang.L("Checked by: name"), jobs.KeyCheckedTitle: lang.L("Checked by: title"),
		jobs.KeyApprovedName: lang.L("Approved by: name"), jobs.KeyApprovedTitle: lang.L("Approved by: title"),
	}
	if l, ok := labels[key]; ok {
		return l
	}
	return key
}

// documentLanguages are the choices for the documents' language and the
// setting's values.
func documentLanguages() ([]string, []string) {
	return []string{lang.L("Indonesian, with English subtitles"), lang.L("English")}, []string{"id", "en"}
}

func (t *companyTab) content() fyne.CanvasObject {
	t.save = widget.NewButtonWithIcon(lang.L("Save changes"), theme.DocumentSaveIcon(), t.saveChanges)
	t.save.Importance = widget.HighImportance
	call(t.s.caller, func(ctx context.Context) (map[string]string, error) { return t.s.svc.Settings(ctx, t.s.user) }, t.draw)
	help := widget.NewLabel(lang.L("These appear in the controlled-document header, the form numbers and the signature blocks of every PDF."))
	help.Wrapping = fyne.TextWrapWord
	return container.NewBorder(help, container.NewHBox(layoutSpacer(), t.save), nil, nil, container.NewVScroll(t.form))
}

func (t *companyTab) draw(set map[string]string) {
	t.loaded = set
	t.form.RemoveAll()
	shown := map[string]bool{jobs.KeyLang: true}
	names, values := documentLanguages()
	t.lang = widget.NewSelect(names, nil)
	for i, v := range values {
		if set[jobs.KeyLang] == v {
			t.lang.SetSelectedIndex(i)
		}
	}
	docs := widget.NewForm(widget.NewFormItem(settingLabel(jobs.KeyLang), t.lang))
	t.form.Add(widget.NewCard(lang.L("Documents"), "", docs))
	for _, g := range settingGroups() {
		f := widget.NewForm()
		for _, k := range g.keys {
			if _, ok := set[k]; !ok {
				continue
			}
			shown[k] = true
			f.Append(settingLabel(k), t.entry(k, set[k]))
		}
		t.form.Add(widget.NewCard(g.title, "", f))
	}
	var rest []string // settings this window has no place for yet
	for k := range set {
		if !shown[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	if len(rest) > 0 {
		f := widget.NewForm()
		for _, k := range rest {
			f.Append(settingLabel(k), t.entry(k, set[k]))
		}
		t.form.Add(widget.NewCard(lang.L("Other settings"), "", f))
	}
}

func (t *companyTab) entry(key, value string) *widget.Entry {
	e := widget.NewEntry()
	e.SetText(value)
	t.entries[key] = e
	return e
}

func (t *companyTab) saveChanges() {
	changed := map[string]string{}
	for k, e := range t.entries {
		if e.Text != t.loaded[k] {
			changed[k] = e.Text
		}
	}
	if t.lang != nil && t.lang.SelectedIndex() >= 0 {
		_, values := documentLanguages()
		if v := values[t.lang.SelectedIndex()]; v != t.loaded[jobs.KeyLang] {
			changed[jobs.KeyLang] = v
		}
	}
	t.s.act(func(ctx context.Context) error {
		var errs []error
		for k, v := range changed {
			if err := t.s.svc.SetSetting(ctx, t.s.user, k, v); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}, func() {
		call(t.s.caller, func(ctx context.Context) (map[string]string, error) { return t.s.svc.Settings(ctx, t.s.user) }, func(set map[string]string) {
			t.loaded = set
		})
	})
}
