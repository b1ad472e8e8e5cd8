package ui

import "cadang/jobs"

// eventHub hands jobs events to the screen shown now. It is used on the UI
// goroutine only: the flow's event loop calls dispatch through fyne.Do.
type eventHub struct {
	fns []func(jobs.Event)
}

// listen registers fn until the page changes.
func (h *eventHub) listen(fn func(jobs.Event)) { h.fns = append(h.fns, fn) }

func (h *eventHub) reset() { h.fns = nil }

func (h *eventHub) dispatch(ev jobs.Event) {
	for _, fn := range h.fns {
		fn(ev)
	}
}
