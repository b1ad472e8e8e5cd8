package replica_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cadang/engine"
	"cadang/engine/backend"
	"cadang/engine/backend/local"
	"cadang/engine/location"
	"cadang/engine/replica"
)

// marker is plaintext that must never reach a replica of an encrypted repository.
const marker = "CADANG-PLAINTEXT-MARKER-do-not-leak"

const password = "correct horse battery staple"

// replicaTarget is one kind of replica and how to reach its test server.
type replicaTarget struct {
	name string
	env  string                                // the variable its service script exports
	url  func(t *testing.T, run string) string // a fresh location for this run
}

// replicaTargets are every backend kind, on the servers scripts/services/ start.
// rclone's SFTP remote runs the same code as its local one here (the backend
// only talks to rclone) and pays an SSH handshake per call: its conformance
// test in engine/backend/rclone covers it.
var replicaTargets = []replicaTarget{
	{name: "folder", url: func(t *testing.T, run string) string { return filepath.Join(t.TempDir(), "replica") }},
	{name: "sftp", env: "CADANG_TEST_SFTP_URL", url: func(t *testing.T, run string) string {
		t.Setenv("CADANG_SFTP_KEY", os.Getenv("CADANG_TEST_SFTP_KEY"))
		t.Setenv("CADANG_SFTP_KNOWN_HOSTS", os.Getenv("CADANG_TEST_SFTP_KNOWN_HOSTS"))
		return os.Getenv("CADANG_TEST_SFTP_URL") + "/engine-" + run
	}},
	{name: "rclone-local", env: "CADANG_TEST_RCLONE_LOCAL", url: func(t *testing.T, run string) string {
		t.Setenv("RCLONE_CONFIG", os.Getenv("CADANG_TEST_RCLONE_CONFIG"))
		return "rclone:" + os.Getenv("CADANG_TEST_RCLONE_LOCAL") + "/engine-" + run
	}},
	{name: "s3", env: "CADANG_TEST_S3_URL", url: func(t *testing.T, run string) string {
		return os.Getenv("CADANG_TEST_S3_URL") + "/engine-" + run
	}},
}

// openTarget opens a fresh replica location and removes its files afterwards.
func openTarget(t *testing.T, tgt replicaTarget) (backend.Backend, string) {
	t.Helper()
	if tgt.env != "" && os.Getenv(tgt.env) == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: its scripts/services script did not start", tgt.env)
		}
		t.Skipf("%s not set (run scripts/services.sh start)", tgt.env)
	}
	url := tgt.url(t, fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano()))
	be, err := location.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		var names []string
		_ = be.List(ctx, "", func(fi backend.FileInfo) error { names = append(names, fi.Name); return nil })
		for _, n := range names {
			_ = be.Remove(ctx, n)
		}
		_ = be.Close()
	})
	return be, url
}

// newEncryptedRepo backs up a folder holding the marker into a new
// encrypted repository and returns it with its folder and the source.
func newEncryptedRepo(t *testing.T) (*engine.Repository, string, string) {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "repo")
	be, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := engine.Init(ctx, be, engine.InitOptions{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = repo.Close() })
	src := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(src, "secret.txt"), []byte(strings.Repeat(marker+"\n", 1000)))
	noise := make([]byte, 3<<20)
	_, _ = rand.Read(noise)
	write(t, filepath.Join(src, "noise.bin"), noise)
	if _, err := repo.Backup(ctx, []string{src}, engine.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	return repo, dir, src
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A replica of every kind holds only ciphertext, passes verify --read-data
// and restores the data, straight from its URL.
func TestReplicateRestoreFromReplica(t *testing.T) {
	for _, tgt := range replicaTargets {
		t.Run(tgt.name, func(t *testing.T) {
			ctx := context.Background()
			repo, _, src := newEncryptedRepo(t)
			dst, url := openTarget(t, tgt)
			res, err := replica.Copy(ctx, repo.Backend(), dst, replica.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.FilesCopied < 5 || res.FilesSkipped != 0 {
				t.Errorf("Replicate = %+v, want every file copied", res)
			}
			assertNoPlaintext(ctx, t, dst)

			// Open the replica from its URL alone, as `--repo URL` does.
			be, err := location.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := engine.Open(ctx, be, password)
			if err != nil {
				t.Fatalf("open the replica: %v", err)
			}
			defer rep.Close()
			vr, err := rep.Verify(ctx, engine.VerifyOptions{ReadData: true})
			if err != nil || !vr.OK() || vr.Snapshots != 1 {
				t.Fatalf("verify --read-data on the replica = %+v, %v", vr, err)
			}
			snap, err := rep.FindSnapshot(ctx, "latest")
			if err != nil {
				t.Fatal(err)
			}
			target := t.TempDir()
			rr, err := rep.Restore(ctx, snap, target, engine.RestoreOptions{})
			if err != nil || len(rr.Failed) != 0 {
				t.Fatalf("restore from the replica: %v, failed %+v", err, rr)
			}
			for _, f := range []string{"secret.txt", "noise.bin"} {
				got, _ := os.ReadFile(filepath.Join(target, "data", f))
				want, _ := os.ReadFile(filepath.Join(src, f))
				if !bytes.Equal(got, want) {
					t.Errorf("restored %s differs from the original", f)
				}
			}
		})
	}
}

func assertNoPlaintext(ctx context.Context, t *testing.T, be backend.Backend) {
	t.Helper()
	n := 0
	err := be.List(ctx, "", func(fi backend.FileInfo) error {
		rd, err := be.Load(ctx, fi.Name)
		if err != nil {
			return err
		}
		defer rd.Close()
		data, err := io.ReadAll(rd)
		if err != nil {
			return err
		}
		n++
		if bytes.Contains(data, []byte(marker)) || bytes.Contains(data, []byte("secret.txt")) {
			t.Errorf("%s on the replica contains plaintext", fi.Name)
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("read the replica: %d files, %v", n, err)
	}
}

// cancelAfter cancels the run once `after` files were saved on the replica.
type cancelAfter struct {
	backend.Backend
	mu     sync.Mutex
	after  int
	saved  []string
	cancel context.CancelFunc
}

func (c *cancelAfter) Save(ctx context.Context, name string, rd io.Reader, size int64) error {
	if err := c.Backend.Save(ctx, name, rd, size); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.saved = append(c.saved, name)
	if len(c.saved) == c.after && c.cancel != nil {
		c.cancel()
	}
	return nil
}

// Replication interrupted halfway on a real server completes on the next
// run without copying again what had arrived.
func TestReplicateInterruptedResumes(t *testing.T) {
	for _, tgt := range replicaTargets {
		t.Run(tgt.name, func(t *testing.T) {
			repo, _, src := newEncryptedRepo(t)
			dst, _ := openTarget(t, tgt)
			bg := context.Background()
			if _, err := replica.Copy(bg, repo.Backend(), dst, replica.Options{}); err != nil {
				t.Fatal(err)
			}
			// A second backup adds new packs, an index and a snapshot.
			write(t, filepath.Join(src, "new.bin"), bytes.Repeat([]byte("new data "), 300000))
			write(t, filepath.Join(src, "more.bin"), bytes.Repeat([]byte("more data "), 300000))
			if _, err := repo.Backup(bg, []string{src}, engine.BackupOptions{}); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(bg)
			defer cancel()
			first := &cancelAfter{Backend: dst, after: 1, cancel: cancel}
			_, err := replica.Copy(ctx, repo.Backend(), first, replica.Options{})
			if err == nil {
				t.Fatal("interrupted Replicate returned no error")
			}
			if strings.HasPrefix(first.saved[0], "snapshots/") {
				t.Fatalf("the first file copied was a snapshot (%s): snapshots must come last", first.saved[0])
			}
			before := countFiles(t, repo.Backend())
			again := &cancelAfter{Backend: dst}
			res, err := replica.Copy(bg, repo.Backend(), again, replica.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range again.saved {
				if name == first.saved[0] {
					t.Errorf("%s arrived in the interrupted run and was copied again", name)
				}
			}
			if res.FilesCopied+res.FilesSkipped != before || res.FilesCopied == 0 {
				t.Errorf("resumed run copied %d and skipped %d of %d files", res.FilesCopied, res.FilesSkipped, before)
			}
			if last := again.saved[len(again.saved)-1]; !strings.HasPrefix(last, "snapshots/") {
				t.Errorf("the last file copied was %s, want the new snapshot", last)
			}
			rep, err := engine.Open(bg, dst, password)
			if err != nil {
				t.Fatal(err)
			}
			snaps, err := rep.Snapshots(bg)
			if err != nil || len(snaps) != 2 {
				t.Errorf("the replica has %d snapshots (%v), want 2", len(snaps), err)
			}
		})
	}
}

// countFiles counts the files Replicate considers: config and the folders but locks.
func countFiles(t *testing.T, be backend.Backend) int {
	t.Helper()
	n := 0
	err := be.List(context.Background(), "", func(fi backend.FileInfo) error {
		if fi.Name == "config" || strings.Contains(fi.Name, "/") && !strings.HasPrefix(fi.Name, "locks/") {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A second repository synced to the same location is refused, not mixed in.
func TestReplicateRefusesAnotherRepository(t *testing.T) {
	ctx := context.Background()
	first, _, _ := newEncryptedRepo(t)
	second, _, _ := newEncryptedRepo(t)
	dst, err := local.New(filepath.Join(t.TempDir(), "replica"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := replica.Copy(ctx, first.Backend(), dst, replica.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := replica.Copy(ctx, first.Backend(), dst, replica.Options{}); err != nil {
		t.Fatalf("the same repository again: %v", err)
	}
	_, err = replica.Copy(ctx, second.Backend(), dst, replica.Options{})
	if !errors.Is(err, replica.ErrOtherRepository) {
		t.Fatalf("another repository onto the replica = %v, want ErrOtherRepository", err)
	}
}
