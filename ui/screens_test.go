package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"cadang/jobs"
)

func TestDashboard(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	ctx := context.Background()
	if _, err := o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	o.request(t, jobs.KindBackup, time.Now().Add(time.Hour), "")

	s := o.sessionFor(w, o.manager)
	var went string
	w.SetContent(dashboardScreen(s, noEvents, func(page string, _ ...string) { went = page }, nil))
	for _, want := range []string{"finance", "Last backup", "success", "Waiting for your approval", "Next run", "Repository:"} {
		if !shows(w.Content(), want) {
			t.Errorf("dashboard lacks %q: %q", want, texts(w.Content()))
		}
	}
	// One click from the dashboard to the manager's approvals.
	test.Tap(findButton(t, w.Content(), "Open requests"))
	if went != pageRequests {
		t.Errorf("Review went to %q, want %q", went, pageRequests)
	}
}

func TestJobsScreen(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	ctx := context.Background()
	src := t.TempDir()

	// IT staff create a job with the editor and submit it.
	staff := o.sessionFor(w, o.staff)
	v := newJobsView(staff)
	w.SetContent(v.content())
	f := jobEditor(staff, nil, v.reload)
	test.Type(f.name, "hr")
	test.Type(f.sourceEntry, src)
	test.Tap(findButton(t, w.Canvas().Overlays().Top(), "")) // the + next to the source entry
	f.repo.SetText(filepath.Join(t.TempDir(), "hr-repo"))
	f.kind.SetSelected("Cron expression")
	f.cron.SetText("30 22 * * 1-5")
	test.Tap(f.save)
	j, err := o.svc.Job(ctx, o.staff, "hr")
	if err != nil {
		t.Fatalf("job not created: %v; dialog %q", err, dialogText(w))
	}
	if j.State != jobs.JobDraft || len(j.Sources) != 1 || j.Schedule.Cron != "30 22 * * 1-5" || j.Retention != jobs.DefaultRetention {
		t.Fatalf("created job %+v", j)
	}
	if !shows(w.Content(), "hr") || !shows(w.Content(), "draft") {
		t.Fatalf("jobs list: %q", texts(w.Content()))
	}
	test.Tap(v.rows["hr"].submit)

	// The manager approves it from the Jobs screen; then it can run and pause.
	mv := newJobsView(o.sessionFor(w, o.manager))
	w.SetContent(mv.content())
	test.Tap(mv.rows["hr"].approve)
	if j, _ = o.svc.Job(ctx, o.manager, "hr"); j.State != jobs.JobApproved {
		t.Fatalf("after Approve: %s", j.State)
	}
	if mv.rows["hr"].run == nil || mv.rows["hr"].pause == nil {
		t.Fatalf("approved job offers no Run now / Pause")
	}
	test.Tap(mv.rows["hr"].pause)
	if j, _ = o.svc.Job(ctx, o.manager, "hr"); j.State != jobs.JobPaused {
		t.Fatalf("after Pause: %s", j.State)
	}
	test.Tap(mv.rows["hr"].resume)

	// Run now: progress, then the result.
	test.Tap(mv.rows["finance"].run)
	if d := dialogText(w); !strings.Contains(d, "Backup finance: success") {
		t.Fatalf("after Run now: %q", d)
	}
}

func TestActivityScreen(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	if _, err := o.svc.RunJob(context.Background(), o.staff, o.job.Name, jobs.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	v := newActivityView(o.sessionFor(w, o.staff))
	w.SetContent(v.content())
	if len(v.details) != 1 {
		t.Fatalf("%d runs listed, want 1: %q", len(v.details), texts(v.runList))
	}
	v.search.SetText("no-such-job")
	if len(v.details) != 0 || !shows(v.runList, "No runs match") {
		t.Fatalf("search for a missing job still lists %d runs", len(v.details))
	}
	v.search.SetText("fin")
	for _, d := range v.details {
		test.Tap(d)
	}
	if d := dialogText(w); !strings.Contains(d, "success") || !strings.Contains(d, "run.start") {
		t.Fatalf("run detail %q, want the result and its log", d)
	}
	// The run's execution report opens, prints or is saved from its detail.
	for _, b := range []string{"Open", "Print", "Save a copy…"} {
		findButton(t, w.Canvas().Overlays().Top(), b)
	}
	if !shows(v.auditList, "job.approve") {
		t.Errorf("audit tab lacks the job approval: %q", texts(v.auditList))
	}
	v.auditSearch.SetText("request.")
	if !shows(v.auditList, "No entries match") {
		t.Errorf("audit search: %q", texts(v.auditList))
	}
}

func TestDocumentsScreen(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	ctx := context.Background()
	run, err := o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v := newDocumentsView(o.sessionFor(w, o.staff))
	w.SetContent(v.content())
	if !shows(v.list, run.Report) || !shows(v.list, "Execution report") || !shows(v.list, "awaiting signatures") {
		t.Fatalf("register lacks the execution report %s: %q", run.Report, texts(v.list))
	}
	docs, _ := o.svc.Documents(ctx, o.staff, jobs.DocumentFilter{Type: jobs.DocExecutionReport})
	if len(docs) != 1 || docs[0].Number != run.Report {
		t.Fatalf("execution reports %+v, want %s", docs, run.Report)
	}
	if v.attach[run.Report] == nil {
		t.Fatalf("no Signed copy button for %s", run.Report)
	}
	// The scanned, signed copy is its own register entry; the original stays.
	scan := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(scan, []byte("%PDF-1.4 scanned\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	v.attachScan(docs[0], scan)
	signed, err := o.svc.SignedDocuments(ctx, o.staff)
	if err != nil || !signed[docs[0].Number] {
		t.Fatalf("signed %v, %v; want %s signed", signed, err, docs[0].Number)
	}
	if !shows(v.list, "signed") || !shows(v.list, docs[0].Number+"-TTD1") || v.attach[run.Report] != nil {
		t.Fatalf("register after attaching: %q", texts(v.list))
	}
}

func TestSettingsScreen(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	ctx := context.Background()
	s := o.sessionFor(w, o.admin)
	tab := newAccountsTab(s)
	w.SetContent(tab.content())
	test.Type(tab.add.name, "dewi")
	test.Type(tab.add.fullName, "Dewi Sartika")
	tab.add.role.SetSelectedIndex(2) // IT manager
	test.Type(tab.add.password, "long enough pw")
	test.Tap(tab.add.submit)
	users, _ := o.svc.Users(ctx, o.admin)
	found := false
	for _, u := range users {
		found = found || u.Name == "dewi" && u.Role == jobs.RoleManager
	}
	if !found || !shows(w.Content(), "Dewi Sartika") {
		t.Fatalf("new manager not added: %+v; dialog %q", users, dialogText(w))
	}

	ct := newCompanyTab(s)
	w.SetContent(ct.content())
	ct.entries[jobs.KeyCompany].SetText("PT Maju Jaya")
	test.Tap(ct.save)
	set, _ := o.svc.Settings(ctx, o.admin)
	if set[jobs.KeyCompany] != "PT Maju Jaya" {
		t.Fatalf("company %q after saving", set[jobs.KeyCompany])
	}

	// Every role sees the screen, with the tabs its role may use.
	for _, tt := range []struct {
		u    jobs.User
		tabs int
	}{{o.admin, 4}, {o.manager, 3}, {o.staff, 2}, {o.member, 2}} {
		tabs := settingsScreen(o.sessionFor(w, tt.u), noEvents, nil).(*container.AppTabs)
		if len(tabs.Items) != tt.tabs || tabs.Items[0].Text != "This workstation" {
			t.Errorf("%s: %d settings tabs starting %q, want %d starting with This workstation", tt.u.Role, len(tabs.Items), tabs.Items[0].Text, tt.tabs)
		}
	}
}

// TestLanguageSwitchRedrawsShell: choosing Indonesian in Settings redraws
// the signed-in window in Indonesian and remembers the choice.
func TestLanguageSwitchRedrawsShell(t *testing.T) {
	a := test.NewTempApp(t)
	t.Cleanup(func() { applyLanguage(LangEnglish) })
	if err := applyLanguage(LangEnglish); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1100, 760))
	f := newFlow(context.Background(), a, w, t.TempDir(), inline, quietLog())
	t.Cleanup(f.close)
	f.start()
	f.svc.Setup(context.Background(), jobs.SetupOptions{Admin: "admin", Password: "correct horse"})
	u, _ := f.svc.Login(context.Background(), "admin", "correct horse")
	f.signedIn(u)
	f.nav(pageSettings)
	f.setLanguage(LangIndonesian)
	if f.page != pageSettings {
		t.Errorf("after the switch the shell shows %q, want it to stay on %q", f.page, pageSettings)
	}
	for _, want := range []string{"Dasbor", "Permintaan", "Pengaturan", "Keluar", "Notifikasi baki sistem"} {
		if !shows(w.Content(), want) {
			t.Errorf("after switching to Indonesian the shell lacks %q: %q", want, texts(w.Content()))
		}
	}
	if got := a.Preferences().String(prefLanguage); got != LangIndonesian {
		t.Errorf("language preference %q, want id", got)
	}
}

// TestRunFinishedNotification is issue 6's "a notification is sent when a
// run ends": a real backup's run-finished event becomes a tray notice
// with the job, the result and the essentials.
func TestRunFinishedNotification(t *testing.T) {
	a := test.NewTempApp(t)
	if err := applyLanguage(LangEnglish); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	o := newOffice(t)
	f := newFlow(context.Background(), a, w, "", inline, quietLog())
	f.svc = o.svc
	events, stop := o.svc.Subscribe()
	defer stop()
	run, err := o.svc.RunJob(context.Background(), o.staff, o.job.Name, jobs.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := fyne.NewNotification("Cadang: finance — success",
		"Duration "+formatDuration(run.Duration())+" · data added "+formatBytes(run.BytesAdded)+" · 0 warnings")
	test.AssertNotificationSent(t, want, func() {
		for ev := range events {
			f.handleEvent(ev)
			if ev.Kind == jobs.EventRunFinished {
				return
			}
		}
	})

	// "Never" in the workstation's settings silences it.
	a.Preferences().SetString(prefNotify, notifyNever)
	test.AssertNotificationSent(t, nil, func() {
		f.handleEvent(jobs.Event{Kind: jobs.EventRunFinished, Run: &run})
	})
}

// TestRetentionCleanupConfirms: cleaning up old snapshots says exactly
// which snapshots go before anything is deleted, and deletes on "Delete".
func TestRetentionCleanupConfirms(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	ctx := context.Background()
	for i := 0; i < 2; i++ { // the office job keeps everything: two snapshots
		if err := os.WriteFile(filepath.Join(o.src, "notes.md"), []byte(strings.Repeat("x", i+10)), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	spec := o.job.JobSpec
	spec.Retention = jobs.Retention{KeepLast: 1}
	if _, err := o.svc.EditJob(ctx, o.staff, o.job.Name, spec); err != nil {
		t.Fatal(err)
	}
	if _, err := o.svc.ApproveJob(ctx, o.manager, o.job.Name, jobRevision(t, o)); err != nil {
		t.Fatal(err)
	}
	before, err := o.svc.Snapshots(ctx, o.staff, o.job.Name, "")
	if err != nil || len(before) != 2 {
		t.Fatalf("snapshots before: %d, %v; want 2", len(before), err)
	}

	v := newJobsView(o.sessionFor(w, o.staff))
	w.SetContent(v.content())
	test.Tap(v.rows[o.job.Name].cleanup)
	d := dialogText(w)
	if !strings.Contains(d, "permanently deletes 1 snapshots") || !strings.Contains(d, before[0].ShortID()) {
		t.Fatalf("confirmation %q does not name the snapshot that goes (%s)", d, before[0].ShortID())
	}
	if after, _ := o.svc.Snapshots(ctx, o.staff, o.job.Name, ""); len(after) != 2 {
		t.Fatalf("snapshots deleted before confirming")
	}
	test.Tap(dialogButton(t, w, "Delete"))
	after, _ := o.svc.Snapshots(ctx, o.staff, o.job.Name, "")
	if len(after) != 1 || after[0].ID != before[1].ID {
		t.Fatalf("after Delete: %d snapshots, want only the newest", len(after))
	}
}
