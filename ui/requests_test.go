package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

type fyneWindow = fyne.Window

// TestManagerApprovesAndRejectsByTapping is issue 6's "a manager approves
// and rejects a request by tapping".
func TestManagerApprovesAndRejectsByTapping(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	ctx := context.Background()
	first := o.request(t, jobs.KindBackup, time.Now().Add(time.Hour), "")
	second := o.request(t, jobs.KindBackup, time.Now().Add(2*time.Hour), "")

	v := newRequestsView(o.sessionFor(w, o.manager))
	w.SetContent(v.content())
	if len(v.inRows) != 2 {
		t.Fatalf("manager's approvals: %d rows, want 2", len(v.inRows))
	}
	test.Tap(v.inRows[first.ID].approve)
	if r, _ := o.svc.Request(ctx, o.manager, first.ID); r.State != jobs.RequestApproved || r.DecidedBy != "gideon" {
		t.Fatalf("after tapping Approve: state %s decided by %q, want approved by gideon", r.State, r.DecidedBy)
	}
	if _, still := v.inRows[first.ID]; still {
		t.Errorf("approved request still waits in the manager's list")
	}

	test.Tap(v.inRows[second.ID].reject)
	reason, rejectBtn := dialogEntry(t, w), dialogButton(t, w, "Reject")
	test.Tap(rejectBtn) // no reason yet: refused, dialog stays
	if !strings.Contains(dialogText(w), "A reason is required") {
		t.Fatalf("rejecting without a reason: dialog %q, want it to ask for one", dialogText(w))
	}
	if r, _ := o.svc.Request(ctx, o.manager, second.ID); r.State != jobs.RequestSubmitted {
		t.Fatalf("rejected without a reason: state %s, want still submitted", r.State)
	}
	test.Type(reason, "the window clashes with month-end closing")
	test.Tap(rejectBtn)
	r, _ := o.svc.Request(ctx, o.manager, second.ID)
	if r.State != jobs.RequestRejected || r.RejectReason != "the window clashes with month-end closing" {
		t.Fatalf("after rejecting: state %s reason %q", r.State, r.RejectReason)
	}
	if len(v.inRows) != 0 {
		t.Errorf("%d requests still wait after both decisions", len(v.inRows))
	}
}

// TestStaffReschedulesRejected: the rejected request comes back to IT staff,
// who give it a new time; it is submitted again.
func TestStaffReschedulesRejected(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	ctx := context.Background()
	r := o.request(t, jobs.KindBackup, time.Now().Add(time.Hour), "")
	if _, err := o.svc.RejectRequest(ctx, o.manager, r.ID, "not tonight"); err != nil {
		t.Fatal(err)
	}
	v := newRequestsView(o.sessionFor(w, o.staff))
	w.SetContent(v.content())
	row := v.rows[r.ID]
	if row == nil || row.reschedule == nil {
		t.Fatalf("staff see no Reschedule for the rejected request: %q", texts(w.Content()))
	}
	if !shows(w.Content(), "not tonight") {
		t.Errorf("the rejection reason is not shown: %q", texts(w.Content()))
	}
	test.Tap(row.reschedule)
	entry := dialogEntry(t, w)
	entry.SetText("")
	test.Type(entry, "2030-01-05 21:30")
	test.Tap(dialogButton(t, w, "Reschedule and submit"))
	got, _ := o.svc.Request(ctx, o.staff, r.ID)
	want := time.Date(2030, 1, 5, 21, 30, 0, 0, time.Local)
	if got.State != jobs.RequestSubmitted || !got.RequestedAt.Equal(want) {
		t.Fatalf("after rescheduling: %s at %v, want submitted at %v", got.State, got.RequestedAt, want)
	}
}

// TestNewRequestForm: a department user fills the request form and submits it.
func TestNewRequestForm(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	s := o.sessionFor(w, o.member)
	f := newRequestDialog(s, func() {})
	f.kind.SetSelected("Restore")
	f.job.SetSelected("finance")
	f.at.SetText("2026-11-01 08:00")
	test.Tap(f.submit) // no target, no reason
	if !strings.Contains(dialogText(w), "restore into") {
		t.Fatalf("dialog %q, want it to ask for the restore folder", dialogText(w))
	}
	w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	test.Type(f.target, "/srv/restore/finance")
	test.Type(f.reason, "ledger overwritten by mistake")
	test.Tap(f.submit)
	reqs, err := o.svc.Requests(context.Background(), o.member, jobs.RequestFilter{})
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests %v, %v; want one", reqs, err)
	}
	r := reqs[0]
	if r.Kind != jobs.KindRestore || r.State != jobs.RequestSubmitted || r.Target != "/srv/restore/finance" || r.Department != "Finance" {
		t.Fatalf("request %+v", r)
	}
}

// dialogEntry is the first entry in the top dialog.
func dialogEntry(t *testing.T, w fyne.Window) *widget.Entry {
	t.Helper()
	var found *widget.Entry
	walkObjects(w.Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
		if e, ok := o.(*widget.Entry); ok && found == nil {
			found = e
		}
		return found == nil
	})
	if found == nil {
		t.Fatalf("no entry in the dialog: %q", dialogText(w))
	}
	return found
}

func dialogButton(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog open")
	}
	return findButton(t, top, text)
}
