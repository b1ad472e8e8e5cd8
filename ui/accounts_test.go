package ui

import (
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"

	"cadang/jobs"
)

// Settings → Accounts and roles, as the administrator: a new account shows
// at once (and is laid out, not hidden until the tab is reopened), and
// disable, enable, unlock, role change and password reset each take
// effect and are audited.
func TestAccountManagement(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	ctx := context.Background()
	tab := newAccountsTab(o.sessionFor(w, o.admin))
	w.SetContent(tab.content())

	test.Type(tab.add.name, "dewi")
	test.Type(tab.add.fullName, "Dewi Sartika")
	tab.add.role.SetSelectedIndex(1) // IT staff
	test.Type(tab.add.password, "long enough pw")
	test.Tap(tab.add.submit)
	row := tab.rows["dewi"]
	if row == nil {
		t.Fatalf("the new account is not listed: %q; dialog %q", texts(w.Content()), dialogText(w))
	}
	for _, r := range tab.list.Objects { // every row, the new one too, has its place in the list
		if r.Size().Height == 0 || r.Position().Y+r.Size().Height > tab.list.Size().Height+1 {
			t.Fatalf("a row at %v size %v lies outside the list (%v): hidden until the tab is reopened", r.Position(), r.Size(), tab.list.Size())
		}
	}

	step := func(name string, tap func(), check func(u jobs.User) bool) {
		t.Helper()
		tap()
		if d := dialogText(w); d != "" {
			t.Fatalf("%s: dialog %q", name, d)
		}
		users, err := o.svc.Users(ctx, o.admin)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if u.Name == "dewi" && check(u) {
				return
			}
		}
		t.Errorf("%s: dewi is %+v", name, users)
	}
	step("disable", func() { test.Tap(tab.rows["dewi"].enable) }, func(u jobs.User) bool { return u.Disabled })
	step("enable", func() { test.Tap(tab.rows["dewi"].enable) }, func(u jobs.User) bool { return !u.Disabled })

	for range 5 { // lock her out with wrong passwords
		o.svc.Login(ctx, "dewi", "wrong password")
	}
	tab.reload()
	if tab.rows["dewi"].unlock == nil {
		t.Fatalf("a locked account offers no Unlock: %q", texts(tab.list))
	}
	step("unlock", func() { test.Tap(tab.rows["dewi"].unlock) }, func(u jobs.User) bool { return !u.Locked })

	test.Tap(tab.rows["dewi"].role)
	pick := findSelect(t, w.Canvas().Overlays().Top())
	pick.SetSelectedIndex(2) // IT manager
	step("role", func() { test.Tap(findButton(t, w.Canvas().Overlays().Top(), "Change role")) }, func(u jobs.User) bool { return u.Role == jobs.RoleManager })

	test.Tap(tab.rows["dewi"].password)
	entries := findEntries(w.Canvas().Overlays().Top())
	entries[0].SetText("a brand new pw")
	entries[1].SetText("a brand new pw")
	test.Tap(findButton(t, w.Canvas().Overlays().Top(), "Save"))
	if d := dialogText(w); d == "" || !shows(w.Canvas().Overlays().Top(), "Password changed") {
		t.Errorf("after resetting the password: dialog %q", d)
	}
	closeDialogs(w)
	if _, err := o.svc.Login(ctx, "dewi", "a brand new pw"); err != nil {
		t.Errorf("the reset password does not work: %v", err)
	}

	if tab.rows["admin"].enable != nil || tab.rows["admin"].role != nil {
		t.Error("the administrator is offered to disable or demote herself")
	}
	audit, err := o.svc.Audit(ctx, o.admin, jobs.AuditFilter{Object: "user:dewi"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range audit {
		if e.Actor == "admin" {
			actions = append(actions, e.Action)
		}
	}
	for _, want := range []string{"user.add", "user.disable", "user.enable", "user.unlock", "user.role", "user.password"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit by admin %v lacks %s", actions, want)
		}
	}
}
