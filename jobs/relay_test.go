package jobs

import (
	"testing"
	"time"
)

// nextRemote waits for the next event another process announced.
func nextRemote(t *testing.T, events <-chan Event, kind EventKind) Event {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("event channel closed")
			}
			if ev.Remote && ev.Kind == kind {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s event from the other process within 30 s", kind)
		}
	}
}

// TestEventsOfAnotherProcessArrive: a window learns what another process
// using the catalog did (a daemon's finished run, a request waiting, a
// decision on the person's own request), polled on SQLite, notified on a
// shared catalog; its own events are not delivered twice.
func TestEventsOfAnotherProcessArrive(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "erp", Schedule{})
	window, err := OpenWorkspace(f.ctx, f.svc.Dir(), Options{Clock: f.clock, Engine: f.eng, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer window.Close()
	events, stop := window.Subscribe()
	defer stop()

	// The "daemon" (f.svc) runs the job.
	if _, err := f.svc.RunJob(f.ctx, f.staff, "erp", RunOptions{}); err != nil {
		t.Fatal(err)
	}
	ev := nextRemote(t, events, EventRunFinished)
	if ev.Run == nil || ev.Run.JobName != "erp" || ev.Run.Status != RunSuccess {
		t.Errorf("finished run as heard = %+v, want erp's successful run", ev.Run)
	}
	// A department asks on another workstation; the manager's window hears it.
	r, err := f.svc.CreateRequest(f.ctx, f.dept, NewRequest{Kind: KindBackup, Job: "erp", Reason: "month end", RequestedAt: start.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitRequest(f.ctx, f.dept, r.ID); err != nil {
		t.Fatal(err)
	}
	for ev = nextRemote(t, events, EventRequestChanged); ev.State == RequestDraft; {
		ev = nextRemote(t, events, EventRequestChanged) // created as a draft first
	}
	if ev.RequestID != r.ID || ev.State != RequestSubmitted || ev.RequesterID != f.dept.ID {
		t.Errorf("request event as heard = %+v, want request #%d submitted by #%d", ev, r.ID, f.dept.ID)
	}
	// The window's own events are delivered once, as its own.
	if _, err := window.RunJob(f.ctx, f.staff, "erp", RunOptions{}); err != nil {
		t.Fatal(err)
	}
	own := 0
	for ev := range events {
		if ev.Kind == EventRunFinished {
			if ev.Remote {
				t.Fatalf("the window's own run came back as another process's: %+v", ev)
			}
			own++
			break
		}
	}
	if own != 1 {
		t.Errorf("own finished runs heard = %d, want 1", own)
	}
}
