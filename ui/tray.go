package ui

import (
	"os"
	"path/filepath"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// trayLikely reports whether a desktop session bus exists, which the Linux
// tray (StatusNotifierItem over D-Bus) needs. Fyne cannot tell whether its
// tray icon appeared, so this decides whether closing the window may hide
// it (tray) or must quit (no tray).
func trayLikely() bool {
	if runtime.GOOS != "linux" && runtime.GOOS != "freebsd" {
		return true
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return true
	}
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(dir, "bus"))
	return err == nil
}

// installTray (re)builds the tray menu: Open Cadang, Run a job now, Pause
// schedules, Quit. Without a tray (no D-Bus session, or not a desktop
// driver) Fyne logs and ignores it; closing the window then still hides
// it, because Quit stays reachable through the tray when there is one.
func (f *flow) installTray() {
	desk, ok := f.app.(desktop.App)
	if !ok {
		return
	}
	if !f.tray.installed {
		f.tray.installed = true
		f.win.SetCloseIntercept(func() {
			if trayLikely() {
				// Closing hides the window; the schedules keep running.
				f.win.Hide()
				return
			}
			f.askClose()
		})
	}
	// The menu waits until the window shows (Run), and is skipped where
	// no tray host can exist: looking for one over D-Bus took most of a
	// second before the login screen appeared.
	if !f.tray.ready || !trayLikely() {
		return
	}
	open := fyne.NewMenuItem(lang.L("Open Cadang"), f.showWindow)
	run := fyne.NewMenuItem(lang.L("Run a job now"), nil)
	run.ChildMenu = fyne.NewMenu("", f.runNowItems()...)
	if f.user == nil {
		run.Disabled = true
	}
	pause := fyne.NewMenuItem(lang.L("Pause schedules"), nil)
	pause.Checked = f.paused
	pause.Action = f.togglePause
	quit := fyne.NewMenuItem(lang.L("Quit"), f.quit)
	quit.IsQuit = true
	desk.SetSystemTrayMenu(fyne.NewMenu("Cadang", open, run, pause, fyne.NewMenuItemSeparator(), quit))
	desk.SetSystemTrayIcon(appIcon)
	desk.SetSystemTrayWindow(f.win)
}

func (f *flow) showWindow() {
	f.win.Show()
	f.win.RequestFocus()
}

// runNowItems is the "Run a job now" submenu: the approved jobs, as last
// loaded by refreshTrayJobs.
func (f *flow) runNowItems() []*fyne.MenuItem {
	var items []*fyne.MenuItem
	for _, name := range f.tray.jobs {
		items = append(items, fyne.NewMenuItem(name, func() {
			f.showWindow()
			if f.who != nil {
				runJob(*f.who, name, func() {})
			}
		}))
	}
	if len(items) == 0 {
		none := fyne.NewMenuItem(lang.L("No approved jobs"), nil)
		none.Disabled = true
		items = append(items, none)
	}
	return items
}

// refreshTrayJobs reloads the approved jobs for the tray menu.
func (f *flow) refreshTrayJobs() {
	if f.who == nil {
		f.tray.jobs = nil
		f.installTray()
		return
	}
	a := *f.who
	f.bg(func() {
		all, err := a.svc.Jobs(a.ctx, a.user, jobs.JobApproved)
		fyne.Do(func() {
			if err != nil { // the menu keeps its last list; no dialog from the tray
				f.log.Error("tray jobs", "err", err)
				return
			}
			f.tray.jobs = f.tray.jobs[:0]
			for _, j := range all {
				f.tray.jobs = append(f.tray.jobs, j.Name)
			}
			f.installTray()
		})
	})
}

// askClose is closing the window on a desktop without a tray: quit, or
// keep the schedules running with the window hidden (starting Cadang
// again brings it back: one instance per person).
func (f *flow) askClose() {
	text := widget.NewLabel(lang.L("This desktop shows no tray icon for Cadang. Quit it, or keep it running in the background so the scheduled backups still run? Starting Cadang again brings this window back."))
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(lang.L("Close Cadang?"), lang.L("Keep running"), lang.L("Quit"), text, func(keep bool) {
		if keep {
			f.win.Hide()
			return
		}
		f.quit()
	}, f.win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}
