package jobs

import (
	"testing"
	"time"
)

func TestScheduleValidation(t *testing.T) {
	tests := []struct {
		name string
		sc   Schedule
		ok   bool
	}{
		{"default window", Schedule{}.withDefaults(), true},
		{"window across midnight", Schedule{Kind: ScheduleWindow, WindowStart: "23:00", WindowEnd: "01:00"}, true},
		{"window bad time", Schedule{Kind: ScheduleWindow, WindowStart: "25:00", WindowEnd: "23:00"}, false},
		{"window empty", Schedule{Kind: ScheduleWindow, WindowStart: "21:00", WindowEnd: "21:00"}, false},
		{"cron", Schedule{Kind: ScheduleCron, Cron: "30 2 * * 1-5"}, true},
		{"cron bad", Schedule{Kind: ScheduleCron, Cron: "every night"}, false},
		{"once", Schedule{Kind: ScheduleOnce, Once: start}, true},
		{"once without time", Schedule{Kind: ScheduleOnce}, false},
		{"unknown kind", Schedule{Kind: "hourly"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.sc.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate(%+v) = %v, want ok=%v", tt.sc, err, tt.ok)
			}
		})
	}
}

func TestWindowEndAndSlots(t *testing.T) {
	night := Schedule{Kind: ScheduleWindow, WindowStart: "23:00", WindowEnd: "01:00"}
	if got, want := night.windowEnd(at(2, 23, 0)), at(3, 1, 0); !got.Equal(want) {
		t.Errorf("window end of a window crossing midnight = %v, want %v", got, want)
	}
	daily := Schedule{}.withDefaults()
	slots := daily.slotsBetween(at(2, 20, 0), at(12, 9, 0), maxMissedPerJob)
	if len(slots) != maxMissedPerJob || !slots[len(slots)-1].Equal(at(11, 21, 0)) {
		t.Errorf("slots = %v, want the newest %d ending 11 March 21:00", slots, maxMissedPerJob)
	}
}

func TestOnceJobRunsAtItsTimeOrIsMissed(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.CreateJob(f.ctx, f.staff, JobSpec{Name: "late", Sources: []string{f.src}, Repository: t.TempDir(),
		Schedule: Schedule{Kind: ScheduleOnce, Once: start.Add(-time.Minute)}}); err == nil {
		t.Error("a one-off job for a time already passed was accepted")
	}
	// Approved at 20:00 for 21:00; Cadang is off until 22:00.
	past := f.approvedJob(t, "past", Schedule{Kind: ScheduleOnce, Once: start.Add(time.Hour)})
	f.clock.Advance(2 * time.Hour)
	when := f.clock.Now().Add(30 * time.Minute)
	soon := f.approvedJob(t, "soon", Schedule{Kind: ScheduleOnce, Once: when})
	events, stop := f.svc.Subscribe()
	defer stop()
	f.startScheduler(t, 1) // soon; nothing for past
	missed, err := f.svc.MissedRuns(f.ctx, f.staff)
	if err != nil {
		t.Fatal(err)
	}
	if len(missed) != 1 || missed[0].JobID != past.ID {
		t.Fatalf("missed = %+v, want the past one-off", missed)
	}
	f.clock.Advance(30 * time.Minute)
	run := nextFinished(t, events)
	if run.JobID != soon.ID || !run.ScheduledAt.Equal(when) {
		t.Errorf("one-off run = %+v, want %s at %v", run, soon.Name, when)
	}
}
