package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"cadang/engine/backend/local"
)

// killRepo is a repository with a few snapshots of a changing source and
// the source's state at each.
type killRepo struct {
	dir, src string
	r        *Repository
	expect   map[string]map[string]fileState
	rng      *rand.Rand
}

func newKillRepo(t *testing.T, seed uint64, snapshots int) *killRepo {
	t.Helper()
	dir := t.TempDir()
	k := &killRepo{dir: filepath.Join(dir, "repo"), src: filepath.Join(dir, "src"),
		expect: map[string]map[string]fileState{}, rng: rand.New(rand.NewPCG(seed, 3))}
	lb, err := local.New(k.dir)
	if err != nil {
		t.Fatal(err)
	}
	if k.r, err = Init(context.Background(), lb, InitOptions{Password: "crash", PackSize: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		mutate(t, k.rng, k.src)
	}
	k.backups(t, snapshots)
	return k
}

// backups takes n more snapshots, changing the source before each.
func (k *killRepo) backups(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		mutate(t, k.rng, k.src)
		state := snapshotDir(t, k.src)
		res, err := k.r.Backup(context.Background(), []string{k.src}, BackupOptions{Host: "crashtest"})
		if err != nil {
			t.Fatal(err)
		}
		k.expect[res.Snapshot.ID] = state
	}
}

// reopen opens the repository afresh, as the next run would.
func (k *killRepo) reopen(t *testing.T) *Repository {
	t.Helper()
	lb, err := local.New(k.dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(context.Background(), lb, "crash")
	if err != nil {
		t.Fatalf("open after kill: %v", err)
	}
	k.r = r
	return r
}

// checkKept verifies the repository with --read-data and restores every
// snapshot it keeps (or a sample) exactly.
func (k *killRepo) checkKept(t *testing.T, what string) {
	t.Helper()
	v, err := k.r.Verify(context.Background(), VerifyOptions{ReadData: true})
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK() {
		t.Fatalf("%s: verify --read-data: %+v", what, v.Damage)
	}
	snaps, err := k.r.Snapshots(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkAllSnapshots(t, k.r, sample(k.rng, snaps), k.expect)
}

// TestKillDuringMaintenance kills (kill -9) a prune, a forget and a restore
// at a random point, again and again: each can be run again to completion,
// the repository verifies, and every kept snapshot restores exactly; a
// restore run again with overwrite gives the exact snapshot. make stress
// runs many iterations, make test a few.
func TestKillDuringMaintenance(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the test binary")
	}
	tests := []struct {
		name string
		// prepare gives the operation work to do; kill runs it in a child
		// killed after n events; rerun completes it in this process.
		prepare func(t *testing.T, k *killRepo)
		kill    func(t *testing.T, k *killRepo, n int) bool
		rerun   func(t *testing.T, k *killRepo)
	}{
		{"prune",
			func(t *testing.T, k *killRepo) {
				k.backups(t, 2)
				if _, err := k.r.Forget(context.Background(), RetentionPolicy{KeepLast: 3}, false); err != nil {
					t.Fatal(err)
				}
			},
			func(t *testing.T, k *killRepo, n int) bool { return runAndKill(t, n, "prune", k.dir) },
			func(t *testing.T, k *killRepo) {
				if _, err := k.r.Prune(context.Background(), false); err != nil {
					t.Fatalf("prune after kill: %v", err)
				}
			}},
		{"forget",
			func(t *testing.T, k *killRepo) { k.backups(t, 3) },
			func(t *testing.T, k *killRepo, n int) bool { return runAndKill(t, n, "forget", k.dir, "2") },
			func(t *testing.T, k *killRepo) {
				res, err := k.r.Forget(context.Background(), RetentionPolicy{KeepLast: 2}, false)
				if err != nil {
					t.Fatalf("forget after kill: %v", err)
				}
				if len(res.Keep) != 2 {
					t.Fatalf("forget after kill keeps %d snapshots, want 2", len(res.Keep))
				}
			}},
		{"restore",
			func(t *testing.T, k *killRepo) { k.backups(t, 1) },
			func(t *testing.T, k *killRepo, n int) bool {
				snap, err := k.r.FindSnapshot(context.Background(), "latest")
				if err != nil {
					t.Fatal(err)
				}
				target := filepath.Join(t.TempDir(), "target")
				done := runAndKill(t, n, "restore", k.dir, snap.ID, target)
				// Run again with overwrite into what the killed one left.
				res, err := k.reopen(t).Restore(context.Background(), snap, target, RestoreOptions{Overwrite: true})
				if err != nil || len(res.Failed) > 0 {
					t.Fatalf("restore again with overwrite: %v %+v", err, res)
				}
				compareStates(t, k.expect[snap.ID], snapshotDir(t, filepath.Join(target, "src")))
				return done
			},
			func(t *testing.T, k *killRepo) {}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKillRepo(t, uint64(i+1), 3)
			for it := 0; it < iterations(3, 40); it++ {
				tt.prepare(t, k)
				n := k.rng.IntN(6)
				completed := tt.kill(t, k, n)
				k.reopen(t)
				tt.rerun(t, k)
				for id := range k.expect { // forget and prune keep only what is listed
					if _, err := k.r.FindSnapshot(context.Background(), id); err != nil {
						delete(k.expect, id)
					}
				}
				what := fmt.Sprintf("iteration %d (killed after %d events, completed %v)", it, n, completed)
				t.Log(what)
				k.checkKept(t, what)
			}
		})
	}
}

// compareStates compares a restored tree with the source state recorded
// at backup time.
func compareStates(t *testing.T, want, got map[string]fileState) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d entries restored, want %d", len(got), len(want))
	}
	for name, w := range want {
		if g, ok := got[name]; !ok || g.content != w.content || g.mode != w.mode || !g.mtime.Equal(w.mtime) {
			t.Fatalf("%s = %+v, want %+v", name, got[name], w)
		}
	}
}
