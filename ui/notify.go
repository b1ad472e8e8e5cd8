package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"cadang/jobs"
)

// runNotification is the tray notice for a finished or missed run: the
// job, the result and the essentials (duration, data added, warnings).
func runNotification(ev jobs.Event) *fyne.Notification {
	if ev.Kind == jobs.EventReplicaFailed {
		return fyne.NewNotification(
			lang.L("Cadang: offsite copy {{.Name}} failed", map[string]any{"Name": ev.Replica}),
			lang.L("The copy to {{.Name}} still fails after its retries: the offsite backup is behind. Open Cadang, Settings, Repositories and replicas, to test the connection and sync again.", map[string]any{"Name": ev.Replica}))
	}
	if ev.Run == nil {
		return nil
	}
	r := *ev.Run
	switch ev.Kind {
	case jobs.EventRunMissed:
		return fyne.NewNotification(
			lang.L("Cadang: {{.Job}} missed its window", map[string]any{"Job": r.JobName}),
			lang.L("The backup could not start at {{.T}} (was the computer off?). Open Cadang to catch it up.", map[string]any{"T": formatTime(r.ScheduledAt)}))
	case jobs.EventRunFinished:
	default:
		return nil
	}
	title := lang.L("Cadang: {{.Job}} — {{.Result}}", map[string]any{"Job": r.JobName, "Result": stateName(r.Status)})
	body := lang.N("Duration {{.D}} · data added {{.Added}} · {{.W}} warnings", len(r.Warnings), map[string]any{
		"D": formatDuration(r.Duration()), "Added": formatBytes(r.BytesAdded), "W": len(r.Warnings)})
	if r.Status == jobs.RunFailed && r.Error != "" {
		body += "\n" + r.Error
	}
	if r.Overrun {
		body += "\n" + lang.L("It finished after its window closed.")
	}
	return fyne.NewNotification(title, body)
}

// requestNotification is the tray notice for what another workstation did
// with a request: one now waiting for this person's decision, or a
// decision on this person's own request. What the person did here needs
// no notice.
func requestNotification(ev jobs.Event, me *jobs.User) *fyne.Notification {
	if ev.Kind != jobs.EventRequestChanged || !ev.Remote || me == nil {
		return nil
	}
	n := map[string]any{"ID": ev.RequestID}
	switch {
	case ev.State == jobs.RequestSubmitted && me.Can(jobs.CapDecide) && ev.RequesterID != me.ID:
		return fyne.NewNotification(lang.L("Cadang: a request waits for your decision"),
			lang.L("Request #{{.ID}} was submitted. Open Cadang, Requests, to analyse it.", n))
	case ev.RequesterID == me.ID && ev.State == jobs.RequestApproved:
		return fyne.NewNotification(lang.L("Cadang: your request was approved"),
			lang.L("Request #{{.ID}} was approved by the IT manager.", n))
	case ev.RequesterID == me.ID && ev.State == jobs.RequestRejected:
		return fyne.NewNotification(lang.L("Cadang: your request was rejected"),
			lang.L("Request #{{.ID}} was rejected. Open Cadang, Requests, to read why.", n))
	}
	return nil
}
