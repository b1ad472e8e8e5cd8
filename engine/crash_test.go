package engine

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"cadang/engine/backend/local"
)

// crashIterations is a few in `make test`, many with CADANG_STRESS=1.
func crashIterations() int {
	return iterations(4, 40)
}

// iterations is few in `make test`, many with CADANG_STRESS=1 (make stress).
func iterations(few, many int) int {
	if os.Getenv("CADANG_STRESS") == "1" {
		return many
	}
	return few
}

// helperCmd runs this test binary as a helper (see runHelper).
func helperCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CADANG_ENGINE_HELPER="+strings.Join(args, "\x1f"), "CADANG_PASSWORD=crash")
	return cmd
}

// mutate changes the source a little: edits, appends, new and deleted files.
func mutate(t *testing.T, rng *rand.Rand, src string) {
	t.Helper()
	for i := 0; i < 3; i++ {
		name := filepath.Join(src, fmt.Sprintf("dir%d", rng.IntN(4)), fmt.Sprintf("f%d.bin", rng.IntN(12)))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		switch rng.IntN(3) {
		case 0:
			_ = os.Remove(name)
		default:
			data := randomBytes(rng.Uint64(), 64<<10+rng.IntN(700<<10))
			if err := os.WriteFile(name, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestCrashAnywhere kills a backup child process (kill -9) after a random
// number of stored files, then checks that every earlier snapshot still
// restores exactly and that the next backup leaves verify --read-data clean.
func TestCrashAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test re-runs the test binary")
	}
	ctx := context.Background()
	dir := t.TempDir()
	repoDir, src := filepath.Join(dir, "repo"), filepath.Join(dir, "src")
	lb, _ := local.New(repoDir)
	r, err := Init(ctx, lb, InitOptions{Password: "crash", PackSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 6; i++ {
		mutate(t, rng, src)
	}
	expect := map[string]map[string]fileState{} // snapshot ID -> source state
	state := snapshotDir(t, src)
	res, err := r.Backup(ctx, []string{src}, BackupOptions{Host: "crashtest"})
	if err != nil {
		t.Fatal(err)
	}
	expect[res.Snapshot.ID] = state

	for it := 0; it < crashIterations(); it++ {
		mutate(t, rng, src)
		state := snapshotDir(t, src)
		killAfter := rng.IntN(8)
		completed := runAndKill(t, killAfter, "backup", repoDir, src)
		r2, err := Open(ctx, lb, "crash")
		if err != nil {
			t.Fatalf("iteration %d: open after kill: %v", it, err)
		}
		snaps, err := r2.Snapshots(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range snaps {
			if _, ok := expect[s.ID]; !ok {
				expect[s.ID] = state // the child committed before the kill
			}
		}
		if completed && len(snaps) != len(expect) {
			t.Fatalf("iteration %d: child completed but snapshots = %d, want %d", it, len(snaps), len(expect))
		}
		checkAllSnapshots(t, r2, sample(rng, snaps), expect)
		// The next backup (in this process) resumes and leaves the repository clean.
		res, err := r2.Backup(ctx, []string{src}, BackupOptions{Host: "crashtest"})
		if err != nil {
			t.Fatalf("iteration %d: backup after kill: %v", it, err)
		}
		expect[res.Snapshot.ID] = state
		v, err := r2.Verify(ctx, VerifyOptions{ReadData: true})
		if err != nil {
			t.Fatal(err)
		}
		if !v.OK() {
			t.Fatalf("iteration %d (killed after %d saves): verify --read-data: %+v", it, killAfter, v.Damage)
		}
	}
	// Prune removes the leftovers and keeps everything restorable.
	r3, err := Open(ctx, lb, "crash")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r3.Prune(ctx, false); err != nil {
		t.Fatal(err)
	}
	snaps, _ := r3.Snapshots(ctx)
	checkAllSnapshots(t, r3, snaps, expect)
	if v, err := r3.Verify(ctx, VerifyOptions{ReadData: true}); err != nil || !v.OK() {
		t.Fatalf("verify after prune: %v %+v", err, v)
	}
}

// runAndKill starts a helper and kills it with SIGKILL after it announced n
// saved or removed files or read packs; it reports whether the helper
// finished first.
func runAndKill(t *testing.T, n int, args ...string) bool {
	t.Helper()
	cmd := helperCmd(t, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	saves, done := 0, false
	for sc.Scan() {
		line := sc.Text()
		if line == "done" {
			done = true
			break
		}
		if strings.HasPrefix(line, "saved ") || strings.HasPrefix(line, "removed ") || strings.HasPrefix(line, "loaded ") {
			saves++
			if saves > n {
				break
			}
		}
	}
	_ = cmd.Process.Kill()
	err = cmd.Wait() // reaps the child, so its PID is dead for the lock check
	// A child that exited 0 finished its backup in the moment between our
	// last read and the kill: its snapshot is committed, so it completed.
	return done || err == nil
}

// checkAllSnapshots restores every snapshot and compares it with the state
// recorded when it was taken.
func checkAllSnapshots(t *testing.T, r *Repository, snaps []Snapshot, expect map[string]map[string]fileState) {
	t.Helper()
	for _, s := range snaps {
		want, ok := expect[s.ID]
		if !ok {
			t.Fatalf("unexpected snapshot %s", s.ShortID())
		}
		target := t.TempDir()
		rr, err := r.Restore(context.Background(), s, target, RestoreOptions{})
		if err != nil {
			t.Fatalf("restore %s: %v", s.ShortID(), err)
		}
		if len(rr.Failed) > 0 {
			t.Fatalf("restore %s: failed %+v", s.ShortID(), rr.Failed)
		}
		got := snapshotDir(t, filepath.Join(target, "src"))
		if len(got) != len(want) {
			t.Fatalf("snapshot %s: %d entries restored, want %d", s.ShortID(), len(got), len(want))
		}
		for name, w := range want {
			if g := got[name]; g.content != w.content || g.mode != w.mode {
				t.Fatalf("snapshot %s: %s = %+v, want %+v", s.ShortID(), name, g, w)
			}
		}
	}
}

// sample picks the newest two snapshots and one random older one, to keep
// the check linear in the number of iterations.
func sample(rng *rand.Rand, snaps []Snapshot) []Snapshot {
	if len(snaps) <= 3 {
		return snaps
	}
	return []Snapshot{snaps[rng.IntN(len(snaps)-2)], snaps[len(snaps)-2], snaps[len(snaps)-1]}
}
