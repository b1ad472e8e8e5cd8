package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// clicks counts the taps a person makes.
type clicks struct {
	t *testing.T
	n int
}

func (c *clicks) tap(b *widget.Button) {
	c.t.Helper()
	if b == nil {
		c.t.Fatalf("tap %d: the button is not there", c.n+1)
	}
	c.n++
	test.Tap(b)
}

// signIn starts the window on the office's workspace, as a person would,
// and signs in by typing (typing is not counted as clicks).
func signIn(t *testing.T, o *office, name, password string) (*flow, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	if err := applyLanguage(LangEnglish); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1120, 720))
	f := newFlow(context.Background(), a, w, o.svc.Dir(), inline, quietLog())
	t.Cleanup(f.close)
	f.start()
	// The test driver runs fyne.Do inline, so events would redraw pages on
	// the event goroutine while the test taps on its own: the screens
	// reload after each step anyway, so the events are not needed here.
	if f.unsubscribe != nil {
		f.unsubscribe()
		f.unsubscribe = nil
	}
	login, ok := findEntryPair(w.Content())
	if !ok {
		t.Fatalf("no login form: %q", texts(w.Content()))
	}
	test.Type(login[0], name)
	test.Type(login[1], password)
	login[1].TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if f.who == nil {
		t.Fatalf("not signed in: %q; dialog %q", texts(w.Content()), dialogText(w))
	}
	return f, w
}

// findEntryPair is the login form's name and password entries.
func findEntryPair(o fyne.CanvasObject) ([]*widget.Entry, bool) {
	e := findEntries(o)
	return e, len(e) >= 2
}

// TestClickBudgetApprove: a manager approves a waiting request in at most
// 2 clicks after signing in, straight from the dashboard's inbox, which
// says what the request is.
func TestClickBudgetApprove(t *testing.T) {
	o := newOffice(t)
	r := o.request(t, jobs.KindRestore, time.Now(), "/srv/restore/finance")
	_, w := signIn(t, o, "gideon", "password gideon")
	for _, want := range []string{"Waiting for your approval", "Restore", "finance", "/srv/restore/finance", "audit needs last month's ledger"} {
		if !shows(w.Content(), want) {
			t.Errorf("the dashboard's inbox lacks %q: %q", want, texts(w.Content()))
		}
	}
	c := &clicks{t: t}
	c.tap(findButton(t, w.Content(), "Approve"))
	got, err := o.svc.Request(context.Background(), o.manager, r.ID)
	if err != nil || got.State != jobs.RequestApproved {
		t.Fatalf("after Approve: %+v, %v; dialog %q", got.State, err, dialogText(w))
	}
	if c.n > 2 {
		t.Errorf("approving took %d clicks, want at most 2", c.n)
	}
	if shows(w.Content(), "audit needs last month's ledger") {
		t.Errorf("the approved request is still in the inbox: %q", texts(w.Content()))
	}
}

// TestClickBudgetApproveJob: a job waiting for approval is in the same
// inbox, and one click approves it (Review no longer leads to a Requests
// page that says nothing waits).
func TestClickBudgetApproveJob(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	spec := o.job.JobSpec
	spec.Name = "hr"
	if _, err := o.svc.CreateJob(ctx, o.staff, spec); err != nil {
		t.Fatal(err)
	}
	if _, err := o.svc.SubmitJob(ctx, o.staff, "hr"); err != nil {
		t.Fatal(err)
	}
	_, w := signIn(t, o, "gideon", "password gideon")
	c := &clicks{t: t}
	c.tap(findButton(t, w.Content(), "Approve"))
	if j, err := o.svc.Job(ctx, o.manager, "hr"); err != nil || j.State != jobs.JobApproved || c.n > 2 {
		t.Fatalf("job after %d clicks: %s, %v; dialog %q", c.n, j.State, err, dialogText(w))
	}
}

// TestClickBudgetRestore: IT staff carry out an approved restore of one
// folder, from the dashboard to the verified result with the handover form
// filed, in at most 8 clicks.
func TestClickBudgetRestore(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	run, err := o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "restored")
	r, err := o.svc.CreateRequest(ctx, o.member, jobs.NewRequest{Kind: jobs.KindRestore, Job: o.job.Name, RequestedAt: run.FinishedAt,
		Target: target, Include: []string{"/finance/2026"}, Reason: "last Tuesday's invoices were overwritten"})
	if err != nil {
		t.Fatal(err)
	}
	if r, err = o.svc.SubmitRequest(ctx, o.member, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := o.svc.ApproveRequest(ctx, o.manager, r.ID, r.RevisionHash); err != nil {
		t.Fatal(err)
	}

	_, w := signIn(t, o, "budi", "password budi")
	c := &clicks{t: t}
	c.tap(findButton(t, w.Content(), "Carry out"))
	c.tap(findButton(t, w.Content(), "Run now"))
	c.tap(findButton(t, w.Canvas().Overlays().Top(), "Restore"))
	if d := dialogText(w); !strings.Contains(d, "Verified: every restored file matches the backup") {
		t.Fatalf("after the restore the window shows %q", d)
	}
	c.tap(findButton(t, w.Canvas().Overlays().Top(), "Handover form…"))
	c.tap(findButton(t, w.Canvas().Overlays().Top(), "File the form"))
	if d := dialogText(w); !strings.Contains(d, "The handover form is filed") || !strings.Contains(d, "Print") {
		t.Fatalf("after filing the handover form: %q", d)
	}
	if c.n > 8 {
		t.Errorf("the restore took %d clicks, want at most 8", c.n)
	}
	docs, err := o.svc.Documents(ctx, o.staff, jobs.DocumentFilter{RequestID: r.ID, Type: jobs.DocHandoverForm})
	if err != nil || len(docs) != 1 {
		t.Errorf("handover forms filed: %d, %v", len(docs), err)
	}
}

// TestClickBudgetRestoreDestinationVisible: in the restore wizard the
// destination and the request button are inside the window without
// scrolling, in both languages.
func TestClickBudgetRestoreDestinationVisible(t *testing.T) {
	o := newOffice(t)
	if _, err := o.svc.RunJob(context.Background(), o.staff, o.job.Name, jobs.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { applyLanguage(LangEnglish) })
	for _, code := range []string{LangEnglish, LangIndonesian} {
		t.Run(code, func(t *testing.T) {
			f, w := signIn(t, o, "budi", "password budi")
			f.setLanguage(code)
			f.nav(pageSnapshots)
			ask := "Request this restore"
			if code == LangIndonesian {
				ask = lookup(t, "id.json", ask)
			}
			entry, button := findEntryByPlaceholder(w.Content(), "/srv/restore"), findButtonOrNil(w.Content(), ask)
			if entry == nil || button == nil {
				t.Fatalf("no destination or request button: %q", texts(w.Content()))
			}
			size := w.Canvas().Size()
			for name, o := range map[string]fyne.CanvasObject{"destination": entry, "request button": button} {
				pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
				if pos.Y+o.Size().Height > size.Height || o.Size().Height == 0 {
					t.Errorf("%s at y=%.0f (height %.0f) is below the window (%.0f): it needs scrolling", name, pos.Y, o.Size().Height, size.Height)
				}
			}
		})
	}
}

// TestRestoresToCarryOutOnlyApproved: a restore that waits for approval
// is not under "Restores to carry out"; once approved it is, with Start.
func TestRestoresToCarryOutOnlyApproved(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	r := o.request(t, jobs.KindRestore, time.Now(), "/srv/restore/finance")
	v := newRestoreView(o.sessionFor(w, o.staff))
	w.SetContent(v.content())
	if shows(v.pending, "/srv/restore/finance") || v.start[r.ID] != nil {
		t.Fatalf("a request waiting for approval is listed to carry out: %q", texts(v.pending))
	}
	if _, err := o.svc.ApproveRequest(context.Background(), o.manager, r.ID, r.RevisionHash); err != nil {
		t.Fatal(err)
	}
	v.reloadPending()
	if v.start[r.ID] == nil {
		t.Fatalf("the approved request is not offered: %q", texts(v.pending))
	}
}

// lookup is a key's translation in translations/name.
func lookup(t *testing.T, name, key string) string {
	t.Helper()
	v, ok := loadTranslationFile(t, name)[key]
	if !ok {
		t.Fatalf("%q not in %s", key, name)
	}
	return v
}

// findEntryByPlaceholder finds an entry below o whose placeholder contains want.
func findEntryByPlaceholder(o fyne.CanvasObject, want string) *widget.Entry {
	for _, e := range findEntries(o) {
		if strings.Contains(e.PlaceHolder, want) {
			return e
		}
	}
	return nil
}

// findButtonOrNil finds a button by its text below o, or nil.
func findButtonOrNil(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	walkObjects(o, func(c fyne.CanvasObject) bool {
		if b, ok := c.(*widget.Button); ok && found == nil && b.Text == text {
			found = b
		}
		return found == nil
	})
	return found
}

// TestClickBudgetReviewWaitingJob: when only a job waits, the manager's
// "Waiting for your approval" card leads to Jobs, where it has Approve,
// and Requests does not say that nothing waits.
func TestClickBudgetReviewWaitingJob(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	spec := o.job.JobSpec
	spec.Name = "hr"
	if _, err := o.svc.CreateJob(ctx, o.staff, spec); err != nil {
		t.Fatal(err)
	}
	if _, err := o.svc.SubmitJob(ctx, o.staff, "hr"); err != nil {
		t.Fatal(err)
	}
	f, w := signIn(t, o, "gideon", "password gideon")
	c := &clicks{t: t}
	c.tap(findButton(t, w.Content(), "Open jobs"))
	if f.page != pageJobs {
		t.Fatalf("the card led to %q, want the jobs", f.page)
	}
	c.tap(findButton(t, w.Content(), "Approve"))
	if j, err := o.svc.Job(ctx, o.manager, "hr"); err != nil || j.State != jobs.JobApproved || c.n > 2 {
		t.Fatalf("job after %d clicks: %s, %v; dialog %q", c.n, j.State, err, dialogText(w))
	}

	spec.Excludes = []string{"*.tmp"}
	if _, err := o.svc.EditJob(ctx, o.staff, "hr", spec); err != nil { // an edit waits for approval again
		t.Fatal(err)
	}
	f.nav(pageRequests)
	if shows(w.Content(), "Nothing waits for your decision.") || !shows(w.Content(), "Jobs waiting for your approval: hr.") {
		t.Errorf("Requests, with job hr waiting: %q", texts(w.Content()))
	}
}

// TestClickBudgetCarryOutOpensFiltered: the dashboard's "Approved requests
// to carry out" → Carry out opens Requests filtered to those requests
// (it opened "All requests", where a request still waiting for approval
// sat among them), in one click.
func TestClickBudgetCarryOutOpensFiltered(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	approved := o.request(t, jobs.KindRestore, time.Now(), "/srv/restore/approved")
	if _, err := o.svc.ApproveRequest(ctx, o.manager, approved.ID, approved.RevisionHash); err != nil {
		t.Fatal(err)
	}
	waiting := o.request(t, jobs.KindRestore, time.Now(), "/srv/restore/waiting")
	f, w := signIn(t, o, "budi", "password budi")
	c := &clicks{t: t}
	c.tap(findButton(t, w.Content(), "Carry out"))
	if f.page != pageRequests || c.n != 1 {
		t.Fatalf("Carry out led to %q in %d clicks, want the requests in 1", f.page, c.n)
	}
	if got := findSelect(t, w.Content()).Selected; got != "Approved, to carry out" {
		t.Errorf("Requests opened with the filter %q, want %q", got, "Approved, to carry out")
	}
	if !shows(w.Content(), "/srv/restore/approved") || shows(w.Content(), "/srv/restore/waiting") {
		t.Errorf("Requests after Carry out (approved #%d, waiting #%d): %q", approved.ID, waiting.ID, texts(w.Content()))
	}
	// Leaving and coming back through the navigation shows all requests again.
	f.nav(pageDashboard)
	f.nav(pageRequests)
	if got := findSelect(t, w.Content()).Selected; got != "All requests" {
		t.Errorf("Requests opened from the navigation with the filter %q, want all requests", got)
	}
}
