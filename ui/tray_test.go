package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"cadang/jobs"
)

// TestTrayRunNowItems: "Run a job now" lists the approved jobs for the signed-in person, and nothing
// runnable when signed out.
func TestTrayRunNowItems(t *testing.T) {
	a := test.NewTempApp(t)
	applyLanguage(LangEnglish)
	w := test.NewTempWindow(t, nil)
	o := newOffice(t)
	f := newFlow(context.Background(), a, w, "", inline, quietLog())
	f.svc = o.svc
	if items := f.runNowItems(); len(items) != 1 || !items[0].Disabled || items[0].Label != "No approved jobs" {
		t.Fatalf("signed out: %d items, first %q", len(items), items[0].Label)
	}
	a2 := o.sessionFor(w, o.staff)
	f.who = &a2
	f.refreshTrayJobs()
	items := f.runNowItems()
	if len(items) != 1 || items[0].Label != "finance" || items[0].Disabled {
		t.Fatalf("signed in: %+v, want finance", items)
	}
	items[0].Action() // runs the job with progress, then shows the result
	if d := dialogText(w); !strings.Contains(d, "Backup finance: success") {
		t.Fatalf("after Run now from the tray: %q", d)
	}
}

// TestQuitAsksWhileRunning: Quit with a run in progress asks first and
// says what quitting does to the run.
func TestQuitAsksWhileRunning(t *testing.T) {
	a := test.NewTempApp(t)
	applyLanguage(LangEnglish)
	w := test.NewTempWindow(t, nil)
	f := newFlow(context.Background(), a, w, "", inline, quietLog())
	f.handleEvent(jobs.Event{Kind: jobs.EventRunStarted, Run: &jobs.Run{JobName: "finance"}})
	f.quit()
	if d := dialogText(w); !strings.Contains(d, "A backup is running") || !strings.Contains(d, "cancels the running backup") {
		t.Fatalf("quit during a run: dialog %q", d)
	}
	closeDialogs(w)
	f.handleEvent(jobs.Event{Kind: jobs.EventRunFinished, Run: &jobs.Run{JobName: "finance", Status: jobs.RunSuccess}})
	f.quit()
	if d := dialogText(w); d != "" {
		t.Fatalf("quit with nothing running asked %q", d)
	}
}
