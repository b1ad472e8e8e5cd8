package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/jonboulle/clockwork"

	"cadang/jobs"
)

// A run's offsite copy fails (the share of building B is not there); on a
// fake clock Cadang tries again after 30 minutes, 1 hour and 2 hours. While
// it is behind, the dashboard shows the copy as a warning; when the link
// comes back a retry brings it up to date, and when every retry fails the
// tray says so once.
func TestReplicaRetryFailedSyncWithFakeClock(t *testing.T) {
	tests := []struct {
		name      string
		backAfter int // the link is back before this retry (1-based); 0: never
		wantTries int
		wantState string // the dashboard's words for the copy at the end
		notify    bool
	}{
		{"the link is back for the second retry", 2, 2, "gedung-b up to date", false},
		{"every retry fails", 0, 3, "gedung-b failed: ", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWindow(t)
			start := time.Date(2026, 11, 24, 18, 0, 0, 0, time.Local)
			clock := clockwork.NewFakeClockAt(start)
			o := newOfficeWith(t, jobs.Options{Clock: clock})
			ctx := context.Background()
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			_, err := o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{})
			must(err) // the repository exists
			// Building B's share is "mounted" at a path whose parent is a
			// file: every copy there fails until the file is gone.
			blocker := filepath.Join(t.TempDir(), "gedung-b-share")
			must(os.WriteFile(blocker, []byte("not mounted"), 0o600))
			_, err = o.svc.AddReplica(ctx, o.staff, o.repo, jobs.ReplicaSpec{Name: "gedung-b", URL: filepath.Join(blocker, "cadang")})
			must(err)
			spec := o.job.JobSpec
			spec.Replicas = []string{"gedung-b"}
			edited, err := o.svc.EditJob(ctx, o.staff, o.job.Name, spec)
			must(err)
			_, err = o.svc.ApproveJob(ctx, o.manager, o.job.Name, edited.RevisionHash)
			must(err)

			// The window: the flow's event handling (tray notices) and the
			// dashboard listening to its events. The events are handed over
			// on this goroutine, as the flow's event loop does through fyne.Do.
			f := newFlow(ctx, fyne.CurrentApp(), w, "", inline, quietLog())
			dash := dashboardScreen(o.sessionFor(w, o.staff), f.hub.listen, nil, nil)
			w.SetContent(dash)
			events, stop := o.svc.Subscribe()
			defer stop()

			run, err := o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{})
			must(err)
			if len(run.Warnings) == 0 {
				t.Fatalf("the run's failed copy left no warning: %+v", run)
			}
			drain(f, events)
			// When the first retry comes: 30 minutes after the failed copy.
			if text, warn := replicaLineOf(t, w); !warn || !strings.Contains(text, "gedung-b retry at 18:30, failed: ") {
				t.Errorf("after the failed copy the dashboard shows %q (warning %v), want a warning with the retry at 18:30", text, warn)
			}
			if n := o.svc.PendingReplicaRetries(); n != 1 {
				t.Fatalf("%d retries wait after the failed copy, want 1", n)
			}

			notified := false
			for i, wait := range jobs.DefaultReplicaRetryDelays {
				if o.svc.PendingReplicaRetries() == 0 {
					break
				}
				if i+1 == tt.backAfter {
					must(os.Remove(blocker)) // the share is mounted again
				}
				// A bound for a loaded machine, not a measure.
				waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
				must(clock.BlockUntilContext(waitCtx, 1)) // the retry's timer
				cancel()
				clock.Advance(wait - time.Second)
				if got := retries(t, o); got != i {
					t.Fatalf("a second before retry %d (after %v): %d retries ran, want %d", i+1, wait, got, i)
				}
				final := i+1 == len(jobs.DefaultReplicaRetryDelays) && tt.notify
				check := func() {
					clock.Advance(time.Second)
					awaitRetry(t, f, events, final)
				}
				if final {
					test.AssertNotificationSent(t, runNotification(jobs.Event{Kind: jobs.EventReplicaFailed, Replica: "gedung-b"}), check)
					notified = true
				} else {
					check()
				}
				if got := retries(t, o); got != i+1 {
					t.Fatalf("after retry %d: %d retries audited", i+1, got)
				}
				if text, warn := replicaLineOf(t, w); warn != !strings.Contains(text, "up to date") {
					t.Errorf("after retry %d the dashboard shows %q (warning %v)", i+1, text, warn)
				}
				// While another retry waits, the line says when it comes.
				if text, _ := replicaLineOf(t, w); i+1 < len(jobs.DefaultReplicaRetryDelays) && !strings.Contains(text, "up to date") {
					if want := "retry at " + clock.Now().Add(jobs.DefaultReplicaRetryDelays[i+1]).Format("15:04"); !strings.Contains(text, want) {
						t.Errorf("after retry %d the dashboard shows %q, want %q", i+1, text, want)
					}
				}
			}
			if got := retries(t, o); got != tt.wantTries {
				t.Errorf("%d retries ran, want %d", got, tt.wantTries)
			}
			if n := o.svc.PendingReplicaRetries(); n != 0 {
				t.Errorf("%d retries still wait", n)
			}
			text, warn := replicaLineOf(t, w)
			if !strings.Contains(text, tt.wantState) || strings.Contains(text, "retry at") {
				t.Errorf("at the end the dashboard shows %q, want %q", text, tt.wantState)
			}
			if warn != tt.notify {
				t.Errorf("at the end the copy is shown as a warning: %v, want %v", warn, tt.notify)
			}
			if notified != tt.notify {
				t.Errorf("tray told: %v, want %v", notified, tt.notify)
			}
		})
	}
}

// drain hands the events already published to the flow.
func drain(f *flow, events <-chan jobs.Event) {
	for {
		select {
		case ev := <-events:
			f.handleEvent(ev)
		default:
			return
		}
	}
}

// awaitRetry hands the flow the events of one retry: the copy's new state
// and, when final, the tray's final-failure event.
func awaitRetry(t *testing.T, f *flow, events <-chan jobs.Event, final bool) {
	t.Helper()
	// A bound for a loaded machine, not a measure.
	timeout := time.NewTimer(time.Minute)
	defer timeout.Stop()
	changed, failed := false, false
	for !changed || final && !failed {
		select {
		case ev := <-events:
			f.handleEvent(ev)
			changed = changed || ev.Kind == jobs.EventReplicaChanged
			failed = failed || ev.Kind == jobs.EventReplicaFailed
		case <-timeout.C:
			t.Fatalf("no event from the retry (changed %v, final failure %v)", changed, failed)
		}
	}
}

// retries counts the scheduler's audited retries of gedung-b.
func retries(t *testing.T, o *office) int {
	t.Helper()
	audit, err := o.svc.Audit(context.Background(), o.manager, jobs.AuditFilter{Object: "replica:gedung-b"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range audit {
		if e.Action == "replica.retry" {
			n++
		}
	}
	return n
}

// replicaLineOf is the dashboard's "Offsite copies:" line and whether it
// is drawn in the warning colour.
func replicaLineOf(t *testing.T, w fyne.Window) (string, bool) {
	t.Helper()
	var found *widget.TextSegment
	walkObjects(w.Content(), func(o fyne.CanvasObject) bool {
		if rt, ok := o.(*widget.RichText); ok {
			for _, seg := range rt.Segments {
				if ts, ok := seg.(*widget.TextSegment); ok && strings.HasPrefix(ts.Text, "Offsite copies:") {
					found = ts
				}
			}
		}
		return found == nil
	})
	if found == nil {
		t.Fatalf("no offsite copy line on the dashboard: %q", texts(w.Content()))
	}
	return found.Text, found.Style.ColorName == importanceColor(widget.WarningImportance)
}
