package ui

import (
	"context"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// session is what every screen of a signed-in person needs.
type session struct {
	ctx  context.Context
	win  fyne.Window
	svc  *jobs.Service
	user jobs.User
	bg   background
	log  *slog.Logger
	// navigate switches the shell to another page (set by the shell).
	navigate func(page string)
	hub      *eventHub
	// sched gives the scheduler for next-run times; it returns nil while
	// schedules are paused.
	sched func() *jobs.Scheduler
	// setLanguage switches the window's language and redraws it.
	setLanguage func(code string)
}

// listen hands the jobs events to fn while the current page is shown.
func (s *session) listen(fn func(jobs.Event)) {
	if s.hub != nil {
		s.hub.listen(fn)
	}
}

// Page names, used by navigate and by the screenshots script.
const (
	pageDashboard = "dashboard"
	pageRequests  = "requests"
	pageJobs      = "jobs"
	pageSnapshots = "snapshots"
	pageActivity  = "activity"
	pageDocuments = "documents"
	pageSettings  = "settings"
)

// page is one entry of the navigation list.
type page struct {
	name  string
	title func() string // translated when drawn
	icon  fyne.Resource
	view  func(s *session) fyne.CanvasObject
}

func pages() []page {
	return []page{
		{pageDashboard, func() string { return lang.L("Dashboard") }, theme.HomeIcon(), dashboardScreen},
		{pageRequests, func() string { return lang.L("Requests") }, theme.MailComposeIcon(), requestsScreen},
		{pageJobs, func() string { return lang.L("Jobs") }, theme.MediaPlayIcon(), jobsScreen},
		{pageSnapshots, func() string { return lang.L("Snapshots & Restore") }, theme.HistoryIcon(), snapshotsScreen},
		{pageActivity, func() string { return lang.L("Activity") }, theme.ListIcon(), activityScreen},
		{pageDocuments, func() string { return lang.L("Documents") }, theme.DocumentIcon(), documentsScreen},
		{pageSettings, func() string { return lang.L("Settings") }, theme.SettingsIcon(), settingsScreen},
	}
}

// shell is the signed-in window: navigation on the left, the page on the right.
type shell struct {
	start  string       // page shown first
	onPage func(string) // told which page is shown, so a redraw can return to it
	s      *session
	pages  []page
	nav    *widget.List
	body   *fyne.Container
	title  *widget.Label
	logout func()
}

func newShell(s *session, logout func(), start string, onPage func(string)) *shell {
	sh := &shell{s: s, pages: pages(), logout: logout, start: start, onPage: onPage}
	s.navigate = sh.open
	return sh
}

// roleName is a role in the chosen language.
func roleName(role string) string {
	switch role {
	case jobs.RoleUser:
		return lang.L("Department user")
	case jobs.RoleStaff:
		return lang.L("IT staff")
	case jobs.RoleManager:
		return lang.L("IT manager")
	case jobs.RoleAdmin:
		return lang.L("Administrator")
	}
	return role
}

func (sh *shell) content() fyne.CanvasObject {
	sh.nav = widget.NewList(
		func() int { return len(sh.pages) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.HomeIcon()), widget.NewLabel("Snapshots & Restore  "))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(sh.pages[i].icon)
			row.Objects[1].(*widget.Label).SetText(sh.pages[i].title())
		},
	)
	sh.body = container.NewStack()
	sh.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sh.title.SizeName = theme.SizeNameSubHeadingText
	sh.nav.OnSelected = func(i widget.ListItemID) { sh.show(i) }

	who := widget.NewLabelWithStyle(sh.s.user.DisplayName()+" · "+roleName(sh.s.user.Role), fyne.TextAlignTrailing, fyne.TextStyle{})
	out := widget.NewButtonWithIcon(lang.L("Log out"), theme.LogoutIcon(), sh.logout)
	top := container.NewBorder(nil, nil, sh.title, container.NewHBox(who, out))
	main := container.NewBorder(container.NewVBox(top, widget.NewSeparator()), nil, nil, nil, sh.body)
	split := container.NewHSplit(sh.nav, main)
	split.Offset = 0.2
	sh.nav.Select(0)
	if sh.start != "" {
		sh.open(sh.start)
	}
	return split
}

// open shows the page with the given name.
func (sh *shell) open(name string) {
	for i, p := range sh.pages {
		if p.name == name {
			sh.nav.Select(i) // calls show through OnSelected
			return
		}
	}
}

func (sh *shell) show(i int) {
	p := sh.pages[i]
	if sh.s.hub != nil {
		sh.s.hub.reset()
	}
	sh.title.SetText(p.title())
	sh.body.Objects = []fyne.CanvasObject{p.view(sh.s)}
	sh.body.Refresh()
	if sh.onPage != nil {
		sh.onPage(p.name)
	}
}
