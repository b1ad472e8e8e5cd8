package engine

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cadang/engine/backend/local"
)

// TestLockTwoProcesses: a second writer is refused with the holder's
// details; once the holder is killed its lock is stale, ignored by the next
// writer and removed by Unlock.
func TestLockTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the test binary")
	}
	ctx := context.Background()
	dir := t.TempDir()
	repoDir, src := filepath.Join(dir, "repo"), filepath.Join(dir, "src")
	writeTree(t, src, map[string]string{"a.txt": "a"})
	lb, _ := local.New(repoDir)
	r, err := Init(ctx, lb, InitOptions{Password: "crash"})
	if err != nil {
		t.Fatal(err)
	}
	cmd := helperCmd(t, "lock", repoDir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "locked" {
	}
	if sc.Text() != "locked" {
		t.Fatalf("helper did not take the lock: %q", sc.Text())
	}

	_, err = r.Backup(ctx, []string{src}, BackupOptions{})
	var le *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &le) {
		t.Fatalf("backup while locked: err = %v, want ErrLocked", err)
	}
	host, _ := os.Hostname()
	if le.Holder.PID != cmd.Process.Pid || le.Holder.Host != host || le.Holder.Operation != "test holder" || le.Holder.Stale {
		t.Errorf("holder = %+v, want PID %d on %s, not stale", le.Holder, cmd.Process.Pid, host)
	}
	if time.Since(le.Holder.Since) > time.Hour {
		t.Errorf("holder since %v, want recent", le.Holder.Since)
	}
	// Readers are refused too while a writer holds it.
	if _, err := r.Verify(ctx, VerifyOptions{}); !errors.Is(err, ErrLocked) {
		t.Errorf("verify while locked: %v, want ErrLocked", err)
	}
	if removed, err := r.Unlock(ctx, false); err != nil || len(removed) != 0 {
		t.Fatalf("unlock of a live lock removed %v (err %v)", removed, err)
	}

	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	_ = stdin.Close()
	locks, err := r.Locks(ctx)
	if err != nil || len(locks) != 1 || !locks[0].Stale {
		t.Fatalf("locks after kill = %+v (err %v), want one stale", locks, err)
	}
	if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
		t.Fatalf("backup with a stale lock present: %v", err)
	}
	removed, err := r.Unlock(ctx, false)
	if err != nil || len(removed) != 1 || removed[0].PID != cmd.Process.Pid {
		t.Fatalf("unlock removed %+v (err %v), want the dead holder", removed, err)
	}
	if locks, _ := r.Locks(ctx); len(locks) != 0 {
		t.Fatalf("locks left: %+v", locks)
	}
}

func TestLockStaleByAge(t *testing.T) {
	old := lockJSON{Host: "elsewhere", PID: 1, Time: time.Now().Add(-StaleLockAge - time.Minute)}
	if !old.info(time.Now()).Stale {
		t.Error("a lock not refreshed for longer than StaleLockAge is not stale")
	}
	fresh := lockJSON{Host: "elsewhere", PID: 1, Time: time.Now()}
	if fresh.info(time.Now()).Stale {
		t.Error("a fresh lock of another host is stale")
	}
}
