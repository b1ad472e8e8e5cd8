package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"cadang/jobs"
)

// startService listens to the workspace's events for as long as it is
// open: run notifications go to the desktop, and every event to the page
// shown now.
//
// The scheduler runs here too, once an account that may run it (IT staff,
// a manager, an administrator) signs in: it acts as that account, while the
// window is open or hidden in the tray, until the account is disabled.
func (f *flow) startService() {
	events, stop := f.svc.Subscribe()
	f.unsubscribe = stop
	go func() {
		for ev := range events {
			f.handleEvent(ev)
		}
	}()
}

func (f *flow) startScheduler() {
	if f.sched != nil || f.user == nil || !f.user.Can(jobs.CapRunScheduler) {
		return
	}
	sched, err := f.svc.NewScheduler(f.ctx, *f.user)
	if err == nil {
		err = sched.Start(f.ctx)
	}
	if err != nil {
		f.log.Error("scheduler", "err", err)
		showError(f.win, err)
		return
	}
	f.sched = sched
	f.paused = false
}

func (f *flow) stopScheduler() {
	if f.sched == nil {
		return
	}
	if err := f.sched.Stop(); err != nil {
		f.log.Error("stop scheduler", "err", err)
	}
	f.sched = nil
}

// togglePause stops or restarts the scheduler. Stopping also cancels a run
// in progress, so that case asks first.
func (f *flow) togglePause() {
	if f.svc == nil {
		return
	}
	if f.sched == nil {
		f.startScheduler()
		f.installTray()
		return
	}
	pause := func() {
		f.stopScheduler()
		f.paused = true
		f.installTray()
	}
	if f.running == 0 {
		pause()
		return
	}
	f.showWindow()
	confirm(f.win, lang.L("A backup is running"),
		lang.L("Pausing the schedules now also cancels the running backup: it is recorded as failed. Pause anyway?"),
		lang.L("Pause schedules"), pause)
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
		if n := runNotification(ev); n != nil && f.wantNotification(ev) {
			f.app.SendNotification(n)
		}
		if n := requestNotification(ev, f.user); n != nil && f.wantNotification(ev) {
			f.app.SendNotification(n)
		}
		f.hub.dispatch(ev)
		if ev.Kind == jobs.EventJobChanged {
			f.refreshTrayJobs()
		}
	})
}

func (f *flow) stopService() {
	f.stopScheduler()
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

func (f *flow) scheduler() *jobs.Scheduler { return f.sched }

// wantNotification applies the workstation's notification preference.
func (f *flow) wantNotification(ev jobs.Event) bool {
	switch f.app.Preferences().StringWithFallback(prefNotify, notifyAll) {
	case notifyNever:
		return false
	case notifyProblems:
		return ev.Kind == jobs.EventRunMissed || ev.Kind == jobs.EventReplicaFailed || ev.Run != nil && ev.Run.Status != jobs.RunSuccess
	}
	return true
}
