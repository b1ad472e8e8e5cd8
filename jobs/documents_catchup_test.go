package jobs

import (
	"strings"
	"testing"
	"time"
)

// Gap: the report of a catch-up run read "Jadwal –" and named neither the
// night it made up for nor that night's report, so the paper trail of a
// missed night ended with the "missed" report. It now cites both.
func TestCatchUpReportCitesTheMissedNightAndItsReport(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "keuangan", Schedule{Kind: ScheduleWindow, WindowStart: "21:00", WindowEnd: "23:00"})
	j, err := f.svc.catalog.JobByName(f.ctx, "keuangan")
	if err != nil {
		t.Fatal(err)
	}
	slot := time.Date(2026, 3, 3, 21, 0, 0, 0, time.Local)
	f.clock.Advance(slot.Add(12 * time.Hour).Sub(f.clock.Now()))
	if err := f.svc.markMissed(f.ctx, j, slot); err != nil {
		t.Fatal(err)
	}
	missed, err := f.svc.MissedRuns(f.ctx, f.staff)
	if err != nil || len(missed) != 1 || missed[0].Report == "" {
		t.Fatalf("missed runs: %+v, %v", missed, err)
	}
	run, err := f.svc.CatchUp(f.ctx, f.staff, missed[0].ID, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reps, err := f.svc.Documents(f.ctx, f.staff, DocumentFilter{RunID: run.ID})
	if err != nil || len(reps) != 1 {
		t.Fatalf("the catch-up's reports: %+v, %v", reps, err)
	}
	want := "Susulan Menyusul jadwal 03/03/2026 21:00 yang terlewat. Catch-up Laporan jadwal itu: " + missed[0].Report
	if text := docText(t, reps[0]); !strings.Contains(text, want) {
		t.Errorf("the catch-up's report lacks %q:\n%s", want, text)
	}
	// A run that catches nothing up says nothing of it.
	manual, err := f.svc.RunJob(f.ctx, f.staff, "keuangan", RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reps, err = f.svc.Documents(f.ctx, f.staff, DocumentFilter{RunID: manual.ID})
	if err != nil || len(reps) != 1 {
		t.Fatalf("the manual run's reports: %+v, %v", reps, err)
	}
	if text := docText(t, reps[0]); strings.Contains(text, "Menyusul jadwal") {
		t.Errorf("a manual run's report speaks of a catch-up:\n%s", text)
	}
}
