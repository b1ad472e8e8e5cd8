// Package ui is Cadang's window: the first run, login, the main shell with
// its screens (dashboard, requests, jobs, snapshots and restore, activity,
// documents, settings), the system tray and the run notifications.
//
// Every screen is a function that takes its dependencies (the window, the
// jobs.Service, the signed-in user) and returns a fyne.CanvasObject. Screens
// act only through jobs: ui never runs SQL or engine operations itself.
// Long work runs off the UI goroutine and changes widgets through fyne.Do.
//
// Every string a person reads goes through fyne.io/fyne/v2/lang with the
// embedded translations/en.json and id.json; fyne.id.json translates
// Fyne's own words (Yes/No, Copy/Paste, the file dialog, weekdays), for
// which Fyne ships no Indonesian. The language (English or Indonesian) is
// a preference the user picks on the login screen or in Settings.
package ui
