package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"cadang/jobs"
)

// startService listens to the workspace's events for as long as it is
// open: run notifications go to the desktop, and every event to the page
// shown now.
func (f *flow) startService() {
	events, stop := f.svc.Subscribe()
	f.unsubscribe = stop
	go func() {
		for ev := range events {
			f.handleEvent(ev)
		}
	}()
}

// handleEvent runs on the event goroutine.
func (f *flow) handleEvent(ev jobs.Event) {
	fyne.Do(func() {
		if ev.Kind == jobs.EventRunStarted {
			f.running++
		}
		if ev.Kind == jobs.EventRunFinished && f.running > 0 {
			f.running--
		}
		// Without a notification service (no D-Bus) Fyne logs and moves on.
		if n := runNotification(ev); n != nil {
			f.app.SendNotification(n)
		}
		f.hub.dispatch(ev)
	})
}

func (f *flow) stopService() {
	if f.unsubscribe != nil {
		f.unsubscribe()
		f.unsubscribe = nil
	}
	if err := f.svc.Close(); err != nil {
		f.log.Error("close workspace", "err", err)
	}
}

// quit leaves Cadang; while a run is in progress it asks first, because
// quitting stops the run (it is recorded as failed, the repository stays
// consistent).
func (f *flow) quit() {
	if f.running == 0 {
		f.app.Quit()
		return
	}
	f.showWindow()
	confirm(f.win, lang.L("A backup is running"),
		lang.L("Quitting now cancels the running backup: it is recorded as failed and its data is not kept. Earlier backups are not affected. Quit anyway?"),
		lang.L("Quit"), f.app.Quit)
}
