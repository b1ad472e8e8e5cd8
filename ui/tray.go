package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
)

// tray is the system-tray menu's state.
type tray struct {
	paused bool
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
	if f.tray == nil {
		f.tray = &tray{}
		f.win.SetCloseIntercept(func() {
			// Closing hides the window; the schedules keep running.
			f.win.Hide()
		})
	}
	open := fyne.NewMenuItem(lang.L("Open Cadang"), f.showWindow)
	run := fyne.NewMenuItem(lang.L("Run a job now"), nil)
	run.ChildMenu = fyne.NewMenu("", f.runNowItems()...)
	if f.user == nil {
		run.Disabled = true
	}
	pause := fyne.NewMenuItem(lang.L("Pause schedules"), nil)
	pause.Checked = f.tray.paused
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
