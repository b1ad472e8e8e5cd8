package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"cadang/jobs"
)

// TestRestoreWizardAgainstRealRepository is issue 6's "the restore wizard
// runs against a real repository and shows the verification result": a
// real backup, the calendar and file browser read the real snapshot, the
// approved restore runs from the screen, and the result is verified.
func TestRestoreWizardAgainstRealRepository(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	ctx := context.Background()
	if _, err := o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{}); err != nil {
		t.Fatalf("backup: %v", err)
	}
	v := newRestoreView(o.sessionFor(w, o.staff))
	w.SetContent(v.content())

	// The wizard found the snapshot: its day is highlighted and picked
	// (the snapshot's own day, not today's: a backup just before midnight
	// or a month's end is on another page of the calendar).
	if v.chosen == nil {
		t.Fatalf("no snapshot chosen; wizard shows %q", texts(w.Content()))
	}
	day := v.cal.days[v.chosen.Time.Local().Day()]
	if day == nil || day.Disabled() {
		t.Fatalf("the snapshot's date (%s) is not pickable on the calendar", v.chosen.Time.Local().Format(time.DateOnly))
	}
	if !shows(v.browser, "finance/") || !shows(v.browser, "3 files") {
		t.Fatalf("file browser top: %q, want the source folder and the file count", texts(v.browser))
	}
	// Into the source folder (tapping it) and its subfolder.
	test.Tap(findButton(t, v.browser, "finance/"))
	for _, want := range []string{"ledger.csv", "notes.md", "2026/"} {
		if !shows(v.browser, want) {
			t.Fatalf("file browser lacks %s: %q", want, texts(v.browser))
		}
	}
	test.Tap(findButton(t, v.browser, "2026/"))
	if !shows(v.browser, "invoice-001.txt") {
		t.Fatalf("subfolder listing: %q", texts(v.browser))
	}

	// Ask for the restore, as staff; the manager approves it.
	target := filepath.Join(t.TempDir(), "restored")
	test.Type(v.target, target)
	test.Type(v.reason, "ledger was overwritten")
	test.Tap(v.ask)
	closeDialogs(w)
	reqs, err := o.svc.Requests(ctx, o.manager, jobs.RequestFilter{Kind: jobs.KindRestore})
	if err != nil || len(reqs) != 1 || reqs[0].State != jobs.RequestSubmitted {
		t.Fatalf("restore requests %+v, %v; want one submitted", reqs, err)
	}
	id := reqs[0].ID
	if _, err := o.svc.ApproveRequest(ctx, o.manager, id, reqs[0].RevisionHash); err != nil {
		t.Fatal(err)
	}
	v.reloadPending()
	start := v.start[id]
	if start == nil {
		t.Fatalf("no Start restore for approved request #%d: %q", id, texts(v.pending))
	}
	test.Tap(start)
	if d := dialogText(w); !strings.Contains(d, "REPLACED") || !strings.Contains(d, target) {
		t.Fatalf("restore did not say what it overwrites: %q", d)
	}
	test.Tap(dialogButton(t, w, "Restore"))

	d := dialogText(w)
	if !strings.Contains(d, "Verified: every restored file matches the backup") || !strings.Contains(d, "3 files") {
		t.Fatalf("verification result dialog: %q", d)
	}
	// File by file: each restored file with its hash.
	for _, f := range []string{"finance/ledger.csv", "finance/notes.md", "finance/2026/invoice-001.txt"} {
		if !strings.Contains(d, f) {
			t.Errorf("verification result lacks %s: %q", f, d)
		}
	}
	got, err := os.ReadFile(filepath.Join(target, "finance", "ledger.csv"))
	if err != nil || !strings.Contains(string(got), "2026-01-02,100") {
		t.Fatalf("restored ledger: %q, %v", got, err)
	}
	if r, _ := o.svc.Request(ctx, o.staff, id); r.State != jobs.RequestVerified {
		t.Fatalf("request state %s, want verified", r.State)
	}

	// Someone changes a restored file: the result, checked again, shows it.
	closeDialogs(w)
	if err := os.WriteFile(filepath.Join(target, "finance", "ledger.csv"), []byte("tampered"), 0o600); err != nil {
		t.Fatal(err)
	}
	v.reloadPending()
	test.Tap(v.results[id])
	if d := dialogText(w); !strings.Contains(d, "differs: expected") {
		t.Fatalf("result after tampering: %q, want the changed file flagged", d)
	}
}
