package jobs

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule kinds.
const (
	ScheduleWindow = "window" // daily, starting at WindowStart, expected done by WindowEnd
	ScheduleCron   = "cron"   // a standard 5-field cron expression
	ScheduleOnce   = "once"   // one run at Once
)

// DefaultWindow is the APCA work instruction's nightly window (21.00–23.00).
const DefaultWindowStart, DefaultWindowEnd = "21:00", "23:00"

// Schedule says when a job runs. The zero value is the default nightly window.
type Schedule struct {
	Kind        string    `json:"kind"`
	WindowStart string    `json:"window_start,omitempty"` // "HH:MM", local time
	WindowEnd   string    `json:"window_end,omitempty"`
	Cron        string    `json:"cron,omitempty"`
	Once        time.Time `json:"once,omitzero"`
}

// withDefaults fills the default window.
func (sc Schedule) withDefaults() Schedule {
	if sc.Kind == "" {
		sc.Kind = ScheduleWindow
	}
	if sc.Kind == ScheduleWindow {
		if sc.WindowStart == "" {
			sc.WindowStart = DefaultWindowStart
		}
		if sc.WindowEnd == "" {
			sc.WindowEnd = DefaultWindowEnd
		}
	}
	return sc
}

// ParseWindow reads "21:00-23:00".
func ParseWindow(s string) (start, end string, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return "", "", fmt.Errorf("window %q: want HH:MM-HH:MM, e.g. 21:00-23:00", s)
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	for _, x := range []string{a, b} {
		if _, err := time.Parse("15:04", x); err != nil {
			return "", "", fmt.Errorf("window %q: %q is not HH:MM", s, x)
		}
	}
	if a == b {
		return "", "", fmt.Errorf("window %q: start and end are the same", s)
	}
	return a, b, nil
}

// Validate checks a schedule.
func (sc Schedule) Validate() error {
	switch sc.Kind {
	case ScheduleWindow:
		_, _, err := ParseWindow(sc.WindowStart + "-" + sc.WindowEnd)
		return err
	case ScheduleCron:
		if _, err := cron.ParseStandard(sc.Cron); err != nil {
			return fmt.Errorf("cron expression %q: %w", sc.Cron, err)
		}
		return nil
	case ScheduleOnce:
		if sc.Once.IsZero() {
			return fmt.Errorf("a one-off schedule needs a date and time")
		}
		return nil
	}
	return fmt.Errorf("unknown schedule kind %q (window, cron or once)", sc.Kind)
}

// cronSpec is the recurring schedule as a cron expression ("" for once).
func (sc Schedule) cronSpec() string {
	switch sc.Kind {
	case ScheduleWindow:
		t, _ := time.Parse("15:04", sc.WindowStart) // validated
		return fmt.Sprintf("%d %d * * *", t.Minute(), t.Hour())
	case ScheduleCron:
		return sc.Cron
	}
	return ""
}

// String describes the schedule in one line.
func (sc Schedule) String() string {
	switch sc.Kind {
	case ScheduleWindow:
		return "daily " + sc.WindowStart + "–" + sc.WindowEnd
	case ScheduleCron:
		return "cron " + sc.Cron
	case ScheduleOnce:
		return "once at " + sc.Once.Format("2006-01-02 15:04")
	}
	return sc.Kind
}

// windowEnd is when the window that starts at start closes (the next day
// when the window crosses midnight). Zero for schedules without a window.
func (sc Schedule) windowEnd(start time.Time) time.Time {
	if sc.Kind != ScheduleWindow {
		return time.Time{}
	}
	e, err := time.Parse("15:04", sc.WindowEnd)
	if err != nil {
		return time.Time{}
	}
	end := time.Date(start.Year(), start.Month(), start.Day(), e.Hour(), e.Minute(), 0, 0, start.Location())
	if !end.After(start) {
		end = end.AddDate(0, 0, 1)
	}
	return end
}

// startBy is how late a start still counts as the slot's run: up to its
// window's end, or a minute after a slot without a window.
func (sc Schedule) startBy(slot time.Time) time.Time {
	if end := sc.windowEnd(slot); !end.IsZero() {
		return end
	}
	return slot.Add(time.Minute)
}

// slotsBetween lists the scheduled start times in (after, until], oldest
// first, at most max of them (the newest ones).
func (sc Schedule) slotsBetween(after, until time.Time, max int) []time.Time {
	if sc.Kind == ScheduleOnce {
		if sc.Once.After(after) && !sc.Once.After(until) {
			return []time.Time{sc.Once}
		}
		return nil
	}
	sched, err := cron.ParseStandard(sc.cronSpec())
	if err != nil {
		return nil
	}
	var out []time.Time
	// A window is in local time, whatever zone after was read in.
	for t := sched.Next(after.In(time.Local)); !t.IsZero() && !t.After(until); t = sched.Next(t) {
		out = append(out, t)
		if len(out) > max {
			out = out[1:]
		}
	}
	return out
}

// next is the schedule's first slot after t (zero when none is left).
func (sc Schedule) next(t time.Time) time.Time {
	if sc.Kind == ScheduleOnce {
		if sc.Once.After(t) {
			return sc.Once
		}
		return time.Time{}
	}
	sched, err := cron.ParseStandard(sc.cronSpec())
	if err != nil {
		return time.Time{}
	}
	return sched.Next(t.In(time.Local)) // a window is in local time
}

// slotAt is the slot a run starting at now belongs to: the newest slot up
// to now (a second's grace for a timer that fires early), else now to the
// minute. A timer that fires late still names its slot, so two schedulers
// firing one slot name the same one.
func (sc Schedule) slotAt(now time.Time) time.Time {
	if slots := sc.slotsBetween(now.Add(-48*time.Hour), now.Add(time.Second), 1); len(slots) == 1 {
		return slots[0]
	}
	return now.Truncate(time.Minute)
}
