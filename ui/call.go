package ui

import (
	"context"

	"fyne.io/fyne/v2"

	"cadang/jobs"
)

// background runs long work off the UI goroutine. The window uses
// goBackground; widget tests run the work inline, since the test driver
// runs fyne.Do inline too, so they need no waiting.
type background func(work func())

func goBackground(work func()) { go work() }

// caller runs calls to jobs off the UI goroutine and brings their outcome
// back onto it: an error is shown in the window, a result is drawn.
type caller struct {
	ctx context.Context
	win fyne.Window
	bg  background
}

// call runs fetch off the UI goroutine; back on it, fetch's error is shown
// and show is skipped, or show draws the result. Every screen loads its
// data through here.
func call[T any](c caller, fetch func(ctx context.Context) (T, error), show func(T)) {
	c.bg(func() {
		v, err := fetch(c.ctx)
		fyne.Do(func() {
			if err != nil {
				showError(c.win, err)
				return
			}
			show(v)
		})
	})
}

// act runs a procedure step off the UI goroutine; back on it, the step's
// error is shown and after runs either way (to redraw what may have
// changed). after may be nil.
func (c caller) act(step func(ctx context.Context) error, after func()) {
	c.bg(func() {
		err := step(c.ctx)
		fyne.Do(func() {
			showError(c.win, err)
			if after != nil {
				after()
			}
		})
	})
}

// acting is a signed-in person and how the window acts for them: the
// procedure, the window for dialogs, and where slow calls run. Screens
// take it, plus only the few other things each one uses.
type acting struct {
	caller
	svc  *jobs.Service
	user jobs.User
}

// listener hands the workspace's events to fn while the page is shown.
type listener func(fn func(jobs.Event))

// noEvents is the listener of a screen shown outside the shell (tests).
func noEvents(func(jobs.Event)) {}
