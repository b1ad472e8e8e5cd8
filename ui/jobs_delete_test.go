package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"cadang/jobs"
)

// Deleting a job asks first, says exactly what happens, retires the job
// and hides it from the list; the department user sees no Delete.
func TestJobsScreenDeleteJob(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	ctx := context.Background()

	if row := newJobsViewShown(w, o.sessionFor(w, o.member)).rows[o.job.Name]; row == nil || row.delete != nil {
		t.Fatalf("department user: row %+v, want the job listed without Delete", row)
	}
	v := newJobsViewShown(w, o.sessionFor(w, o.staff))
	test.Tap(v.rows[o.job.Name].delete)
	d := dialogText(w)
	for _, want := range []string{"stops being scheduled", "runs, documents and audit history are kept", o.job.Repository, "NOT deleted"} {
		if !strings.Contains(d, want) {
			t.Errorf("confirmation %q lacks %q", d, want)
		}
	}
	if j, _ := o.svc.Job(ctx, o.staff, o.job.Name); j.State == jobs.JobRetired {
		t.Fatal("job deleted before confirming")
	}
	test.Tap(dialogButton(t, w, "Delete job"))
	if j, _ := o.svc.Job(ctx, o.staff, o.job.Name); j.State != jobs.JobRetired {
		t.Fatalf("after confirming: job is %s, want retired", j.State)
	}
	if _, ok := v.rows[o.job.Name]; ok || shows(v.list, o.job.Name) {
		t.Errorf("deleted job still listed: %q", texts(v.list))
	}
}

func newJobsViewShown(w fyne.Window, s acting) *jobsView {
	v := newJobsView(s)
	w.SetContent(v.content())
	return v
}
