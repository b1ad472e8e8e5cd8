// Package ui is Cadang's window: the first run, login, the main shell with
// its screens (dashboard with the manager's inbox, requests, jobs,
// snapshots and restore, activity, documents, settings with accounts and
// the repositories' offsite replicas), the system tray and the
// notifications.
//
// Every screen is a function or small struct that takes an acting (the
// context, the window, where slow work runs, the jobs.Service and the
// signed-in account) plus only the other things it uses (events,
// navigation, the scheduler), and returns a fyne.CanvasObject. Screens act
// only through jobs: ui never runs SQL or engine operations itself, and
// keeps no copy of a rule: what a person may do to a job or a request
// comes from jobs' Permissions and capabilities, typed times are read by
// jobs.ParseTime.
//
// Threading: long work runs off the UI goroutine through call (fetch, then
// on the UI goroutine show the error or draw the result) or acting.act
// (a step, then reload); widgets change only on the UI goroutine, through
// fyne.Do. Long operations (backup, restore, verify, replica sync, the
// history report) run under runWithProgress: a bar, files, bytes, rate,
// ETA, the current file, and Cancel.
//
// Every string a person reads goes through fyne.io/fyne/v2/lang with the
// embedded translations/en.json and id.json (plurals through lang.N);
// fyne.id.json translates Fyne's own words (Yes/No, Copy/Paste, the file
// dialog, weekdays), for which Fyne ships no Indonesian. Messages from jobs
// are translated as known formats with their values filled in. The
// language (English or Indonesian) is a preference picked on the login
// screen or in Settings; the theme follows the system's light or dark
// setting unless one is chosen, with colours that keep text at WCAG AA.
//
// One Cadang runs per person: a second start asks the first to show its
// window.
package ui
