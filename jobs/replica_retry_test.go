package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"cadang/engine"
	"cadang/store"
)

// flakyReplicator fails its first failures syncs, then succeeds.
type flakyReplicator struct {
	mu       sync.Mutex
	failures int
	calls    int
}

func (f *flakyReplicator) Replicate(ctx context.Context, repo, name string, p engine.Progress) (ReplicaResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls <= f.failures {
		return ReplicaResult{Name: name, Status: ReplicaFailed}, errors.New("dial tcp 10.0.5.9:22: connect: no route to host")
	}
	return ReplicaResult{Name: name, Status: ReplicaOK, LastSync: time.Now(), Lag: &ReplicaLag{}}, nil
}

func (f *flakyReplicator) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// A failed offsite copy is tried again after 30 minutes, 1 hour and 2
// hours (fake clock), stops as soon as one try succeeds, and after the
// last failed try tells the tray. Every try is audited as the scheduler's.
func TestReplicaRetryWithBackoff(t *testing.T) {
	tests := []struct {
		name      string
		failures  int // of the run's sync and the retries after it
		wantCalls int
		wantFinal string
		wantTold  bool // EventReplicaFailed after the last retry
	}{
		{"the second retry succeeds", 2, 3, ReplicaOK, false},
		{"every retry fails", 10, 4, ReplicaFailed, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := clockwork.NewFakeClockAt(start)
			repl := &flakyReplicator{failures: tt.failures}
			ctx := context.Background()
			svc, staff, _ := retryWorkspace(t, clock, repl)
			defer svc.Close()
			events, stop := svc.Subscribe() // the retries' events only
			defer stop()
			told := false
			for i, wait := range DefaultReplicaRetryDelays {
				if repl.count() >= tt.wantCalls {
					break
				}
				// A bound for a loaded machine, not a measure.
				waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
				if err := clock.BlockUntilContext(waitCtx, 1); err != nil {
					t.Fatalf("retry %d was never armed: %v", i+1, err)
				}
				// The dashboard's states say when the retry comes.
				if states, err := svc.ReplicaStates(ctx, staff, "keuangan"); err != nil || len(states) != 1 || !states[0].NextRetry.Equal(clock.Now().Add(wait)) {
					t.Fatalf("before retry %d the states are %+v, %v; want the next retry at %v", i+1, states, err, clock.Now().Add(wait))
				}
				clock.Advance(wait - time.Second)
				if got := repl.count(); got != i+1 {
					t.Fatalf("a second before retry %d: %d syncs, want %d", i+1, got, i+1)
				}
				clock.Advance(time.Second)
				told = awaitReplicaEvent(t, events, i+1 == len(DefaultReplicaRetryDelays) && tt.wantTold) || told
				cancel()
			}
			if got := repl.count(); got != tt.wantCalls {
				t.Errorf("syncs = %d, want %d", got, tt.wantCalls)
			}
			if told != tt.wantTold {
				t.Errorf("tray told of the final failure: %v, want %v", told, tt.wantTold)
			}
			if n := svc.PendingReplicaRetries(); n != 0 {
				t.Errorf("%d retries still wait, want none", n)
			}
			if states, err := svc.ReplicaStates(ctx, staff, "keuangan"); err != nil || len(states) != 1 || !states[0].NextRetry.IsZero() {
				t.Errorf("with no retry pending the states are %+v, %v; want no next retry", states, err)
			}
			states, err := svc.catalog.ReplicaStates(ctx, 1)
			if err != nil || states["gdrive"].Status != tt.wantFinal {
				t.Errorf("recorded state %+v, %v; want %s", states["gdrive"], err, tt.wantFinal)
			}
			audit, err := svc.catalog.Audit(ctx, store.AuditFilter{Object: "replica:gdrive"})
			if err != nil || len(audit) != tt.wantCalls-1 || audit[0].Actor != SchedulerActor {
				t.Errorf("audit %+v, %v; want %d retries by the scheduler", audit, err, tt.wantCalls-1)
			}
		})
	}
}

// awaitReplicaEvent waits for the retry's state change and, with final,
// for the tray's final-failure event too; it reports whether that came.
func awaitReplicaEvent(t *testing.T, events <-chan Event, final bool) bool {
	t.Helper()
	// A bound for a loaded machine, not a measure.
	timeout := time.NewTimer(time.Minute)
	defer timeout.Stop()
	changed := false
	for {
		select {
		case ev := <-events:
			switch ev.Kind {
			case EventReplicaChanged:
				changed = true
			case EventReplicaFailed:
				return true
			}
			if changed && !final {
				return false
			}
		case <-timeout.C:
			t.Fatalf("no replica event after the retry (final %v, changed %v)", final, changed)
		}
	}
}

func retryAccounts(t *testing.T, svc *Service) (staff, mgr User) {
	t.Helper()
	mk := func(name, role string) User {
		id, err := svc.catalog.CreateUser(context.Background(), storeUser(name, role))
		if err != nil {
			t.Fatal(err)
		}
		return User{ID: id, Name: name, Role: role}
	}
	return mk("yoga", RoleStaff), mk("gideon", RoleManager)
}

// retryWorkspace is a workspace whose job "keuangan" ran once with its
// offsite copy failing, so that its first retry waits, armed by svc.
func retryWorkspace(t *testing.T, clock *clockwork.FakeClock, repl Replicator) (svc *Service, staff, mgr User) {
	t.Helper()
	ctx := context.Background()
	svc, err := OpenWorkspace(ctx, t.TempDir(), Options{Clock: clock, Engine: &fakeEngine{clock: clock}, Replicator: repl})
	if err != nil {
		t.Fatal(err)
	}
	staff, mgr = retryAccounts(t, svc)
	src := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(src, 0o700); err != nil {
		t.Fatal(err)
	}
	spec := JobSpec{Name: "keuangan", Sources: []string{src}, Repository: filepath.Join(t.TempDir(), "repo"), Replicas: []string{"gdrive"}}
	for _, step := range []func() error{
		func() error { _, err := svc.CreateJob(ctx, staff, spec); return err },
		func() error { _, err := svc.SubmitJob(ctx, staff, "keuangan"); return err },
		func() error { _, err := svc.ApproveJob(ctx, mgr, "keuangan", svc.jobRev("keuangan")); return err },
		func() error { _, err := svc.RunJob(ctx, staff, "keuangan", RunOptions{}); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if svc.PendingReplicaRetries() != 1 {
		t.Fatalf("after the failed sync %d retries wait, want 1", svc.PendingReplicaRetries())
	}
	return svc, staff, mgr
}

// A retry outlives the process that armed it: another workstation sees
// when it comes, and after that process stopped (the window closed, the
// daemon restarted) the leading scheduler runs it once it is overdue,
// exactly once.
func TestReplicaRetryOutlivesItsProcess(t *testing.T) {
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(start)
	first, staff, _ := retryWorkspace(t, clock, &flakyReplicator{failures: 1})
	due := clock.Now().Add(DefaultReplicaRetryDelays[0])

	repl := &flakyReplicator{}
	other, err := OpenWorkspace(ctx, first.Dir(), Options{Clock: clock, Engine: &fakeEngine{clock: clock}, Replicator: repl})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if states, err := other.ReplicaStates(ctx, staff, "keuangan"); err != nil || len(states) != 1 || !states[0].NextRetry.Equal(due) {
		t.Fatalf("another process sees %+v, %v; want the next retry at %v", states, err, due)
	}
	if err := first.Close(); err != nil { // drops its timer
		t.Fatal(err)
	}

	sc, err := other.NewScheduler(ctx, staff)
	if err != nil {
		t.Fatal(err)
	}
	refreshed := make(chan struct{}, 1)
	sc.refreshed = func() { refreshed <- struct{}{} }
	events, stop := other.Subscribe()
	defer stop()
	if err := sc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer sc.Stop()
	// A minute's refresh before the grace has passed leaves it to its owner.
	clock.Advance(DefaultReplicaRetryDelays[0] + replicaRetryGrace - time.Minute)
	settle(t, sc, clock, refreshed)
	if repl.count() != 0 {
		t.Fatalf("%d syncs before the retry was overdue by the grace, want 0", repl.count())
	}
	clock.Advance(2 * time.Minute)
	settle(t, sc, clock, refreshed)
	awaitReplicaEvent(t, events, false)
	if repl.count() != 1 {
		t.Fatalf("the overdue retry ran %d times, want once", repl.count())
	}
	states, err := other.ReplicaStates(ctx, staff, "keuangan")
	if err != nil || len(states) != 1 || states[0].Status != ReplicaOK || !states[0].NextRetry.IsZero() {
		t.Errorf("after the retry the states are %+v, %v; want up to date, no retry pending", states, err)
	}
	audit, err := other.catalog.Audit(ctx, store.AuditFilter{Object: "replica:gdrive"})
	if err != nil || len(audit) != 1 || audit[0].Actor != SchedulerActor || audit[0].Action != "replica.retry" {
		t.Errorf("audit %+v, %v; want one retry by the scheduler", audit, err)
	}
}

// A retry is claimed in the catalog before it runs: once the process that
// armed it has run it, a scheduler looking for overdue retries finds none,
// and a late timer of the same retry elsewhere does not sync again.
func TestReplicaRetryClaimedOnce(t *testing.T) {
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(start)
	firstRepl := &flakyReplicator{failures: 1}
	first, _, _ := retryWorkspace(t, clock, firstRepl)
	defer first.Close()
	due := clock.Now().Add(DefaultReplicaRetryDelays[0])
	otherRepl := &flakyReplicator{}
	other, err := OpenWorkspace(ctx, first.Dir(), Options{Clock: clock, Engine: &fakeEngine{clock: clock}, Replicator: otherRepl})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	events, stop := first.Subscribe()
	defer stop()

	clock.Advance(DefaultReplicaRetryDelays[0])
	awaitReplicaEvent(t, events, false)
	if firstRepl.count() != 2 {
		t.Fatalf("the armed retry ran %d times, want once", firstRepl.count()-1)
	}
	clock.Advance(replicaRetryGrace + time.Second)
	if err := other.resumeReplicaRetries(ctx, func(store.Job) bool { return true }); err != nil {
		t.Fatal(err)
	}
	if n := other.PendingReplicaRetries(); n != 0 {
		t.Errorf("another scheduler took over %d retries already run, want none", n)
	}
	// The same retry's timer firing late in another process.
	other.retryReplica(ctx, retryKey{1, "gdrive"}, 0, due, true)
	if otherRepl.count() != 0 {
		t.Errorf("a retry already claimed synced again (%d times)", otherRepl.count())
	}
	audit, err := other.catalog.Audit(ctx, store.AuditFilter{Object: "replica:gdrive"})
	if err != nil || len(audit) != 1 {
		t.Errorf("audit %+v, %v; want one retry", audit, err)
	}
}
