package replica

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"cadang/engine"
	"cadang/engine/backend"
	"cadang/engine/backend/local"
)

// TestMain lets TestKillDuringSync re-run this test binary as a child that
// syncs one folder to another (CADANG_REPLICA_HELPER="SRC\x1fDST"),
// printing "saved NAME" after each file it stores on the replica.
func TestMain(m *testing.M) {
	if args := os.Getenv("CADANG_REPLICA_HELPER"); args != "" {
		os.Exit(runSyncHelper(strings.Split(args, "\x1f")))
	}
	os.Exit(m.Run())
}

func runSyncHelper(args []string) int {
	src, err := local.New(args[0])
	if err == nil {
		var dst *local.Backend
		if dst, err = local.New(args[1]); err == nil {
			_, err = Copy(context.Background(), src, announcing{dst}, Options{Parallel: 2})
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("done")
	return 0
}

type announcing struct{ *local.Backend }

func (a announcing) Save(ctx context.Context, name string, rd io.Reader, size int64) error {
	err := a.Backend.Save(ctx, name, rd, size)
	if err == nil {
		fmt.Println("saved " + name)
	}
	return err
}

var _ backend.Backend = announcing{}

// killSync starts a sync child and kills it (SIGKILL) after n saved files;
// it reports whether the child finished first.
func killSync(t *testing.T, n int, src, dst string) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CADANG_REPLICA_HELPER="+src+"\x1f"+dst)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	saves, done := 0, false
	for sc.Scan() {
		if sc.Text() == "done" {
			done = true
			break
		}
		if strings.HasPrefix(sc.Text(), "saved ") {
			if saves++; saves > n {
				break
			}
		}
	}
	_ = cmd.Process.Kill()
	return cmd.Wait() == nil || done
}

// TestKillDuringSync kills a replica sync at a random point, again and
// again while the repository grows: the replica opens at every instant
// (no snapshot without its data), the next sync completes, and then the
// replica verifies with --read-data and restores every snapshot exactly.
func TestKillDuringSync(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the test binary")
	}
	ctx := context.Background()
	dir := t.TempDir()
	repoDir, replicaDir, src := filepath.Join(dir, "repo"), filepath.Join(dir, "replica"), filepath.Join(dir, "src")
	lb, err := local.New(repoDir)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := engine.Init(ctx, lb, engine.InitOptions{Password: "pw", PackSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 8))
	want := map[string]map[string]string{} // snapshot ID -> file -> content
	iterations := 3
	if os.Getenv("CADANG_STRESS") == "1" {
		iterations = 40
	}
	for it := 0; it < iterations; it++ {
		state := map[string]string{}
		for i := 0; i < 4; i++ {
			name := fmt.Sprintf("f%d.bin", rng.IntN(10))
			data := make([]byte, 100<<10+rng.IntN(900<<10))
			for j := range data {
				data[j] = byte(rng.Uint32())
			}
			if err := os.MkdirAll(src, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(src, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		ents, _ := os.ReadDir(src)
		for _, e := range ents {
			data, _ := os.ReadFile(filepath.Join(src, e.Name()))
			state[e.Name()] = string(data)
		}
		res, err := repo.Backup(ctx, []string{src}, engine.BackupOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want[res.Snapshot.ID] = state

		n := rng.IntN(6)
		completed := killSync(t, n, repoDir, replicaDir)
		if it > 0 || completed { // the first kill may precede the replica's config
			checkReplica(t, replicaDir, want, false)
		}
		dst, err := local.New(replicaDir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Copy(ctx, lb, dst, Options{}); err != nil {
			t.Fatalf("iteration %d: sync after a kill after %d files: %v", it, n, err)
		}
		checkReplica(t, replicaDir, want, true)
	}
}

// checkReplica opens the replica and restores its snapshots (all of them
// present when complete); complete also runs verify --read-data.
func checkReplica(t *testing.T, dir string, want map[string]map[string]string, complete bool) {
	t.Helper()
	ctx := context.Background()
	be, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := engine.Open(ctx, be, "pw")
	if err != nil {
		t.Fatalf("open the replica: %v", err)
	}
	defer r.Close()
	snaps, err := r.Snapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if complete {
		if len(snaps) != len(want) {
			t.Fatalf("replica has %d snapshots, want %d", len(snaps), len(want))
		}
		v, err := r.Verify(ctx, engine.VerifyOptions{ReadData: true})
		if err != nil || !v.OK() {
			t.Fatalf("verify the replica: %v %+v", err, v)
		}
	}
	for _, s := range snaps {
		target := t.TempDir()
		res, err := r.Restore(ctx, s, target, engine.RestoreOptions{})
		if err != nil || len(res.Failed) > 0 {
			t.Fatalf("restore %s from the replica: %v %+v", s.ShortID(), err, res)
		}
		for name, content := range want[s.ID] {
			got, err := os.ReadFile(filepath.Join(target, "src", name))
			if err != nil || string(got) != content {
				t.Fatalf("snapshot %s: %s differs on the replica (%v)", s.ShortID(), name, err)
			}
		}
	}
}
