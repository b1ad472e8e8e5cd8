package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// restoreFixture has one backup of f.src and an approved restore request.
func restoreFixture(t *testing.T) (*fixture, Request) {
	t.Helper()
	f := newFixture(t)
	f.approvedJob(t, "erp", Schedule{})
	if _, err := f.svc.RunJob(f.ctx, f.staff, "erp", RunOptions{}); err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.CreateRequest(f.ctx, f.dept, NewRequest{Kind: KindRestore, Job: "erp", RequestedAt: start, Target: filepath.Join(t.TempDir(), "out"), Reason: "lost"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitRequest(f.ctx, f.dept, r.ID); err != nil {
		t.Fatal(err)
	}
	if r, err = f.svc.ApproveRequest(f.ctx, f.mgr, r.ID, f.svc.requestRev(r.ID)); err != nil {
		t.Fatal(err)
	}
	return f, r
}

func TestRestoreRetriesBoundedThenFails(t *testing.T) {
	tests := []struct {
		name         string
		damage       map[string]bool
		wantState    string
		wantRestores int
	}{
		{"clean", nil, RequestVerified, 1},
		{"damaged file", map[string]bool{"data/laporan.txt": true}, RequestFailed, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, r := restoreFixture(t)
			f.eng.damage = tt.damage
			got, err := f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{})
			if got.State != tt.wantState || (err == nil) != (tt.wantState == RequestVerified) {
				t.Fatalf("state %s, err %v; want %s", got.State, err, tt.wantState)
			}
			if f.eng.restores != tt.wantRestores || got.Attempts != tt.wantRestores {
				t.Errorf("restores = %d, attempts = %d; want %d", f.eng.restores, got.Attempts, tt.wantRestores)
			}
			if b, err := os.ReadFile(filepath.Join(got.Target, "data", "laporan.txt")); err != nil || (string(b) == "laporan keuangan") != (tt.damage == nil) {
				t.Errorf("restored content %q, %v", b, err)
			}
		})
	}
}

func TestCancelledRestoreStaysApproved(t *testing.T) {
	f, r := restoreFixture(t)
	ctx, cancel := context.WithCancel(f.ctx)
	f.eng.onRestore = cancel
	got, err := f.svc.RunRequest(ctx, f.staff, r.ID, RunRequestOptions{})
	if !errors.Is(err, context.Canceled) || got.State != RequestApproved {
		t.Fatalf("cancelled restore: state %s, err %v; want approved, context.Canceled", got.State, err)
	}
	f.eng.onRestore = nil
	if got, err = f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{}); err != nil || got.State != RequestVerified {
		t.Errorf("restore after the cancelled one: %s, %v; want verified", got.State, err)
	}
}

// TestRestoreOwnersNotRestoredIsInTheHistory: a restore whose files could
// not get their owners (the window runs as a normal user) is verified, and
// the run history says so and what to do.
func TestRestoreOwnersNotRestoredIsInTheHistory(t *testing.T) {
	f, r := restoreFixture(t)
	f.eng.ownersNotRestored = 7
	got, err := f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{})
	if err != nil || got.State != RequestVerified {
		t.Fatalf("restore: %s, %v; want verified", got.State, err)
	}
	runs, err := f.svc.Runs(f.ctx, f.mgr, RunFilter{Job: "erp"})
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range runs {
		if run.Kind != KindRestore {
			continue
		}
		for _, w := range run.Warnings {
			if w.Path == got.Target && strings.Contains(w.Err, "7 files and folders belonged to other users") && strings.Contains(w.Err, "run as root") {
				return
			}
		}
		t.Fatalf("restore run warnings %+v: want the owners note", run.Warnings)
	}
	t.Fatalf("no restore run in %+v", runs)
}
