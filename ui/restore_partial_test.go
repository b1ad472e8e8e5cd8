package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"cadang/jobs"
)

// Ticking files and folders of the browsed snapshot restores only those,
// on a real repository; with nothing ticked the wizard says the whole
// snapshot comes back.
func TestRestoreWizardTicksFilesAndFolders(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	ctx := context.Background()
	if _, err := o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{}); err != nil {
		t.Fatalf("backup: %v", err)
	}
	v := newRestoreView(o.sessionFor(w, o.staff))
	w.SetContent(v.content())
	if !strings.Contains(v.selNote.Text, "whole snapshot") {
		t.Fatalf("note with nothing ticked: %q, want the whole snapshot", v.selNote.Text)
	}
	test.Tap(findButton(t, v.browser, "finance/"))
	tick := func(p string) {
		t.Helper()
		c := v.ticks[p]
		if c == nil {
			t.Fatalf("no tick for %s; ticks %v", p, keys(v.ticks))
		}
		test.Tap(c)
	}
	tick("/finance/ledger.csv")
	tick("/finance/2026")
	tick("/finance/notes.md")
	tick("/finance/notes.md") // and untick it again
	want := []string{"/finance/2026", "/finance/ledger.csv"}
	if !slices.Equal(v.ticked(), want) || !strings.Contains(v.selNote.Text, "(2)") {
		t.Fatalf("ticked %q, note %q; want %q", v.ticked(), v.selNote.Text, want)
	}
	// Going into a folder and back keeps the ticks.
	test.Tap(findButton(t, v.browser, "2026/"))
	test.Tap(findButton(t, v.browser, "/finance"))
	if c := v.ticks["/finance/ledger.csv"]; c == nil || !c.Checked {
		t.Fatalf("tick of ledger.csv lost after browsing")
	}

	target := filepath.Join(t.TempDir(), "restored")
	test.Type(v.target, target)
	test.Type(v.reason, "two things lost")
	test.Tap(v.ask)
	closeDialogs(w)
	reqs, err := o.svc.Requests(ctx, o.manager, jobs.RequestFilter{Kind: jobs.KindRestore})
	if err != nil || len(reqs) != 1 || !slices.Equal(reqs[0].Include, want) {
		t.Fatalf("restore requests %+v, %v; want one with include %q", reqs, err, want)
	}
	id := reqs[0].ID
	if _, err := o.svc.ApproveRequest(ctx, o.manager, id, reqs[0].RevisionHash); err != nil {
		t.Fatal(err)
	}
	v.reloadPending()
	if !shows(v.pending, "only /finance/2026, /finance/ledger.csv") {
		t.Errorf("pending list: %q, want the ticked parts", texts(v.pending))
	}
	test.Tap(v.start[id])
	if d := dialogText(w); !strings.Contains(d, "Only these parts") {
		t.Fatalf("confirmation does not say what is restored: %q", d)
	}
	test.Tap(dialogButton(t, w, "Restore"))
	if d := dialogText(w); !strings.Contains(d, "Verified") || !strings.Contains(d, "2 files") {
		t.Fatalf("verification result: %q, want 2 files verified", d)
	}
	for _, f := range []string{"ledger.csv", filepath.Join("2026", "invoice-001.txt")} {
		if _, err := os.Stat(filepath.Join(target, "finance", f)); err != nil {
			t.Errorf("ticked %s not restored: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(target, "finance", "notes.md")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("unticked notes.md restored (stat err %v)", err)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
