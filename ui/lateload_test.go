package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// Each page's rows are read off the UI goroutine and arrive after the page
// was laid out. They must then be shown: on a loaded machine the real
// window showed Jobs with no job at all (the list stayed at size 0).
func TestPagesShowRowsThatArriveLate(t *testing.T) {
	o := newOffice(t)
	ctx := context.Background()
	run, err := o.svc.RunJob(ctx, o.staff, o.job.Name, jobs.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := o.request(t, jobs.KindRestore, run.FinishedAt, "/srv/restore/finance")
	if _, err := o.svc.ApproveRequest(ctx, o.manager, r.ID, r.RevisionHash); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		page string
		who  jobs.User
		want string // a row's text that must be drawn
	}{
		{pageDashboard, o.manager, "Jobs"},
		{pageRequests, o.manager, "Reason: audit needs last month's ledger"},
		{pageJobs, o.manager, "Pause"},
		{pageSnapshots, o.staff, "Start restore"},
		{pageActivity, o.manager, "Details"},
		{pageDocuments, o.manager, "Signed copy…"},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			w := newTestWindow(t)
			var later []func()
			a := o.sessionFor(w, tt.who)
			a.bg = func(work func()) { later = append(later, work) }
			sh := newShell(shellDeps{a: a}, tt.page, nil)
			w.SetContent(sh.content())
			w.Resize(fyne.NewSize(1120, 720)) // laid out before any row came
			for len(later) > 0 {
				work := later[0]
				later = later[1:]
				work()
			}
			o := findText(w.Content(), tt.want)
			if o == nil {
				t.Fatalf("no %q on the page: %q", tt.want, texts(w.Content()))
			}
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
			if o.Size().Width < 1 || o.Size().Height < 1 || pos.Y >= w.Canvas().Size().Height {
				t.Errorf("%q is not drawn: size %v at %v", tt.want, o.Size(), pos)
			}
			for _, c := range pathTo(w.Content(), o) {
				if c.Size().Width < 1 || c.Size().Height < 1 {
					t.Errorf("%q lies in a %T of size %v: not drawn", tt.want, c, c.Size())
					break
				}
			}
		})
	}
}

// findText is the first label or button below o whose text is want.
func findText(o fyne.CanvasObject, want string) fyne.CanvasObject {
	var found fyne.CanvasObject
	walkObjects(o, func(c fyne.CanvasObject) bool {
		switch v := c.(type) {
		case *widget.Label:
			if v.Text == want || len(want) > 10 && strings.Contains(v.Text, want) {
				found = v
			}
		case *widget.Button:
			if v.Text == want {
				found = v
			}
		}
		return found == nil
	})
	return found
}

// pathTo is the chain of objects from root down to target.
func pathTo(root, target fyne.CanvasObject) []fyne.CanvasObject {
	var path []fyne.CanvasObject
	var walk func(o fyne.CanvasObject) bool
	walk = func(o fyne.CanvasObject) bool {
		if o == nil || !o.Visible() {
			return false
		}
		path = append(path, o)
		if o == target {
			return true
		}
		var kids []fyne.CanvasObject
		switch v := o.(type) {
		case *fyne.Container:
			kids = v.Objects
		case fyne.Widget:
			kids = test.WidgetRenderer(v).Objects()
		}
		for _, k := range kids {
			if walk(k) {
				return true
			}
		}
		path = path[:len(path)-1]
		return false
	}
	walk(root)
	return path
}

// Every document type in the register reads as words, not as its key
// (the schedule record showed "schedule-record").
func TestDocTypeNames(t *testing.T) {
	newTestWindow(t)
	for _, typ := range []string{jobs.DocRequestForm, jobs.DocExecutionReport, jobs.DocVerificationReport, jobs.DocHandoverForm,
		jobs.DocHistoryReport, jobs.DocScheduleRecord, jobs.DocVerificationList, jobs.DocSignedScan} {
		if got := docTypeName(typ); got == typ || strings.Contains(got, "-") {
			t.Errorf("document type %s reads %q", typ, got)
		}
	}
}

// Every request state reads as words ("awaiting-signatures" showed raw
// after the handover form was filed), and each filter but "All" holds
// states jobs knows, so no state falls outside every filter.
func TestRequestStatesNamedAndFiltered(t *testing.T) {
	newTestWindow(t)
	filtered := map[string]bool{}
	for _, f := range requestFilters()[1:] {
		for _, st := range f.states {
			filtered[st] = true
		}
	}
	for _, st := range jobs.RequestStates() {
		if got := stateName(st.Name); got == st.Name && strings.Contains(st.Name, "-") {
			t.Errorf("state %s reads %q", st.Name, got)
		}
		if !filtered[st.Name] {
			t.Errorf("state %s is in no filter but All", st.Name)
		}
	}
}
