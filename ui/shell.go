package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

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
	view  func() fyne.CanvasObject
}

// shellDeps is what the shell hands its pages: each page takes only the
// parts it uses.
type shellDeps struct {
	a      acting
	hub    *eventHub
	sched  func() *jobs.Scheduler // nil while schedules are paused
	setLng func(code string)      // switches the window's language and redraws
	logout func()
}

func (sh *shell) pages() []page {
	a, events := sh.d.a, listener(sh.d.hub.listen)
	return []page{
		{pageDashboard, func() string { return lang.L("Dashboard") }, theme.HomeIcon(), func() fyne.CanvasObject {
			return dashboardScreen(a, events, sh.open, sh.d.sched)
		}},
		{pageRequests, func() string { return lang.L("Requests") }, theme.MailComposeIcon(), func() fyne.CanvasObject { return requestsScreen(a, events, sh.filter) }},
		{pageJobs, func() string { return lang.L("Jobs") }, theme.MediaPlayIcon(), func() fyne.CanvasObject { return jobsScreen(a, events) }},
		{pageSnapshots, func() string { return lang.L("Snapshots & Restore") }, theme.HistoryIcon(), func() fyne.CanvasObject { return snapshotsScreen(a, events) }},
		{pageActivity, func() string { return lang.L("Activity") }, theme.ListIcon(), func() fyne.CanvasObject { return activityScreen(a, events) }},
		{pageDocuments, func() string { return lang.L("Documents") }, theme.DocumentIcon(), func() fyne.CanvasObject { return documentsScreen(a, events) }},
		{pageSettings, func() string { return lang.L("Settings") }, theme.SettingsIcon(), func() fyne.CanvasObject { return settingsScreen(a, events, sh.d.setLng) }},
	}
}

// shell is the signed-in window: navigation on the left, the page on the right.
type shell struct {
	start   string       // page shown first
	onPage  func(string) // told which page is shown, so a redraw can return to it
	d       shellDeps
	entries []page
	nav     *widget.List
	body    *fyne.Container
	title   *widget.Label
	filter  string // the filter the next page opens with (see open)
	shown   int    // the page shown
}

func newShell(d shellDeps, start string, onPage func(string)) *shell {
	if d.hub == nil {
		d.hub = &eventHub{}
	}
	sh := &shell{d: d, start: start, onPage: onPage, shown: -1}
	sh.entries = sh.pages()
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
		func() int { return len(sh.entries) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.HomeIcon()), widget.NewLabel("Snapshots & Restore  "))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(sh.entries[i].icon)
			row.Objects[1].(*widget.Label).SetText(sh.entries[i].title())
		},
	)
	sh.body = container.NewStack()
	sh.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sh.title.SizeName = theme.SizeNameSubHeadingText
	sh.nav.OnSelected = func(i widget.ListItemID) { sh.show(i) }

	who := widget.NewLabelWithStyle(sh.d.a.user.DisplayName()+" · "+roleName(sh.d.a.user.Role), fyne.TextAlignTrailing, fyne.TextStyle{})
	out := widget.NewButtonWithIcon(lang.L("Log out"), theme.LogoutIcon(), sh.d.logout)
	top := container.NewBorder(nil, nil, sh.title, container.NewHBox(who, out))
	main := container.NewBorder(container.NewVBox(top, widget.NewSeparator()), nil, nil, nil, sh.body)
	// A fixed-width navigation column: no split handle to drag (its thin
	// grip read as a stray cursor at the column's edge).
	split := container.New(&sidebarLayout{width: navWidth}, sh.nav, widget.NewSeparator(), main)
	sh.nav.Select(0)
	if sh.start != "" {
		sh.open(sh.start)
	}
	return split
}

// open shows the page with the given name, with the list's filter set to
// the key filter if one is given (Requests: filterToCarryOut).
func (sh *shell) open(name string, filter ...string) {
	sh.filter = ""
	if len(filter) > 0 {
		sh.filter = filter[0]
	}
	for i, p := range sh.entries {
		if p.name == name {
			if sh.shown == i {
				sh.show(i) // Select ignores the item already selected
			} else {
				sh.nav.Select(i) // calls show through OnSelected
			}
			return
		}
	}
}

func (sh *shell) show(i int) {
	p := sh.entries[i]
	sh.d.hub.reset()
	sh.title.SetText(p.title())
	sh.shown = i
	sh.body.Objects = []fyne.CanvasObject{p.view()}
	sh.filter = "" // only the page open asked for starts filtered
	sh.body.Refresh()
	if sh.onPage != nil {
		sh.onPage(p.name)
	}
}
