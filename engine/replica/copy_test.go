package replica

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zeebo/blake3"

	"cadang/engine"
	"cadang/engine/backend"
	"cadang/engine/backend/backendtest"
	"cadang/engine/backend/local"
)

func newLocal(t *testing.T) backend.Backend {
	t.Helper()
	be, err := local.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return be
}

// putNamed stores data under dir + its BLAKE3-256, as the engine does.
func putNamed(t *testing.T, be backend.Backend, dir string, data string) string {
	t.Helper()
	sum := blake3.Sum256([]byte(data))
	id := hex.EncodeToString(sum[:])
	name := dir + id
	if dir == "packs/" {
		name = dir + id[:2] + "/" + id
	}
	backendtest.MustSave(context.Background(), t, be, name, data)
	return name
}

// fakeRepo is a repository-shaped source: the files the engine writes, plus
// a lock and the local replica list, which must not be copied.
type fakeRepo struct {
	be    backend.Backend
	files []string // repository files, in no particular order
}

func newFakeRepo(t *testing.T, packs int) *fakeRepo {
	t.Helper()
	r := &fakeRepo{be: newLocal(t)}
	ctx := context.Background()
	backendtest.MustSave(ctx, t, r.be, "config", `{"id":"r1","version":1}`+"\nsum\n")
	r.files = append(r.files, "config", putNamed(t, r.be, "keys/", "key material"))
	for i := range packs {
		r.files = append(r.files, putNamed(t, r.be, "packs/", fmt.Sprintf("pack %d %s", i, strings.Repeat("x", 1000*i))))
	}
	r.files = append(r.files, putNamed(t, r.be, "index/", "index 1"), putNamed(t, r.be, "snapshots/", "snapshot 1"))
	backendtest.MustSave(ctx, t, r.be, "locks/held-by-someone", "lock")
	backendtest.MustSave(ctx, t, r.be, RegistryFile, `{"replicas":[]}`)
	return r
}

// recorder wraps a backend and records Save calls; failAfter > 0 cancels
// the run's context once that many files were saved.
type recorder struct {
	backend.Backend
	mu        sync.Mutex
	saved     []string
	failAfter int
	cancel    context.CancelFunc
	corrupt   bool // flip a byte of every file on its way in
}

func (r *recorder) Save(ctx context.Context, name string, rd io.Reader, size int64) error {
	if r.corrupt {
		data, err := io.ReadAll(rd)
		if err != nil {
			return err
		}
		data[0] ^= 1
		rd = bytes.NewReader(data)
	}
	if err := r.Backend.Save(ctx, name, rd, size); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.saved = append(r.saved, name)
	if r.failAfter > 0 && len(r.saved) == r.failAfter {
		r.cancel()
	}
	return nil
}

func TestCopyIncremental(t *testing.T) {
	ctx := context.Background()
	src := newFakeRepo(t, 3)
	dst := newLocal(t)
	res, err := Copy(ctx, src.be, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.FilesCopied, len(src.files); got != want || res.FilesSkipped != 0 {
		t.Errorf("first copy: copied %d skipped %d, want %d and 0", got, res.FilesSkipped, want)
	}
	for _, name := range src.files {
		if got, want := backendtest.MustLoad(ctx, t, dst, name), backendtest.MustLoad(ctx, t, src.be, name); !bytes.Equal(got, want) {
			t.Errorf("%s differs on the replica", name)
		}
	}
	if got := backendtest.ListNames(ctx, t, dst, ""); len(got) != len(src.files) {
		t.Errorf("replica holds %v; locks and %s must not be copied", got, RegistryFile)
	}

	res, err = Copy(ctx, src.be, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.FilesCopied != 0 || res.FilesSkipped != len(src.files) {
		t.Errorf("second copy: copied %d skipped %d, want 0 and %d", res.FilesCopied, res.FilesSkipped, len(src.files))
	}

	putNamed(t, src.be, "packs/", "a new pack")
	putNamed(t, src.be, "snapshots/", "a new snapshot")
	res, err = Copy(ctx, src.be, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.FilesCopied != 2 {
		t.Errorf("after a backup: copied %d, want 2 (pack, snapshot)", res.FilesCopied)
	}
}

// A config is written once: a source whose config changed (an attacker
// who can write the primary repository, say) must not overwrite the
// replica's, whatever its size.
func TestCopyRefusesChangedConfig(t *testing.T) {
	tests := []struct{ name, config string }{
		{"same size", `{"id":"r1","version":2}` + "\nsum\n"},
		{"other size", `{"id":"r1","version":1,"encrypted":false}` + "\nsum\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			src := newFakeRepo(t, 1)
			dst := newLocal(t)
			if _, err := Copy(ctx, src.be, dst, Options{}); err != nil {
				t.Fatal(err)
			}
			before := string(backendtest.MustLoad(ctx, t, dst, "config"))
			backendtest.MustSave(ctx, t, src.be, "config", tt.config)
			putNamed(t, src.be, "snapshots/", "a new snapshot")
			_, err := Copy(ctx, src.be, dst, Options{})
			if !errors.Is(err, ErrConfigChanged) {
				t.Fatalf("Copy with a changed config = %v, want ErrConfigChanged", err)
			}
			if got := string(backendtest.MustLoad(ctx, t, dst, "config")); got != before {
				t.Errorf("config on the replica = %q, want it untouched (%q)", got, before)
			}
		})
	}
}

func TestCopySnapshotsLast(t *testing.T) {
	src := newFakeRepo(t, 4)
	putNamed(t, src.be, "snapshots/", "snapshot 0 sorts anywhere")
	dst := &recorder{Backend: newLocal(t)}
	if _, err := Copy(context.Background(), src.be, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	seenSnapshot := false
	for _, name := range dst.saved {
		isSnap := strings.HasPrefix(name, engine.SnapshotsDir)
		if seenSnapshot && !isSnap {
			t.Fatalf("%s was copied after a snapshot; order %v", name, dst.saved)
		}
		seenSnapshot = seenSnapshot || isSnap
	}
}

// An interrupted copy leaves only whole files; the next run copies only the
// rest and never publishes a snapshot before its data.
func TestCopyInterruptedResumes(t *testing.T) {
	tests := []struct {
		name       string
		failAfter  int  // cancel after this many whole files
		breakWhile bool // or break the source in the middle of a file
	}{
		{name: "cancel after 1 file", failAfter: 1},
		{name: "cancel after 3 files", failAfter: 3},
		{name: "cancel halfway through a pack", breakWhile: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newFakeRepo(t, 5)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			dst := &recorder{Backend: newLocal(t), failAfter: tt.failAfter, cancel: cancel}
			var from backend.Backend = src.be
			if tt.breakWhile {
				from = &breakingSource{Backend: src.be, cancel: cancel, after: 2000}
			}
			_, err := Copy(ctx, from, dst, Options{})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted Copy = %v, want context.Canceled", err)
			}
			arrived := backendtest.ListNames(context.Background(), t, dst, "")
			for _, name := range arrived {
				if strings.HasPrefix(name, engine.SnapshotsDir) {
					t.Errorf("snapshot %s arrived although the copy stopped before the end", name)
				}
				if got, want := backendtest.MustLoad(context.Background(), t, dst, name), backendtest.MustLoad(context.Background(), t, src.be, name); !bytes.Equal(got, want) {
					t.Errorf("%s is on the replica but incomplete", name)
				}
			}
			// Transfers running in parallel may complete after the cancel.
			if tt.failAfter > 0 && (len(arrived) < tt.failAfter || len(arrived) >= len(src.files)) {
				t.Errorf("arrived %v, want at least %d files and not all", arrived, tt.failAfter)
			}

			again := &recorder{Backend: dst.Backend}
			res, err := Copy(context.Background(), src.be, again, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := res.FilesCopied, len(src.files)-len(arrived); got != want {
				t.Errorf("resumed copy copied %d files, want %d", got, want)
			}
			if res.FilesSkipped != len(arrived) {
				t.Errorf("resumed copy skipped %d files, want %d", res.FilesSkipped, len(arrived))
			}
			for _, name := range again.saved {
				for _, a := range arrived {
					if name == a {
						t.Errorf("%s was copied again although it had arrived", name)
					}
				}
			}
			if got := backendtest.ListNames(context.Background(), t, dst, ""); len(got) != len(src.files) {
				t.Errorf("after resuming the replica holds %d files, want %d", len(got), len(src.files))
			}
		})
	}
}

// breakingSource cancels the run after delivering `after` bytes of the
// largest pack, in the middle of its upload.
type breakingSource struct {
	backend.Backend
	cancel context.CancelFunc
	after  int
}

func (b *breakingSource) Load(ctx context.Context, name string) (io.ReadCloser, error) {
	rc, err := b.Backend.Load(ctx, name)
	if err != nil || !strings.HasPrefix(name, engine.PacksDir) {
		return rc, err
	}
	fi, err := b.Stat(ctx, name)
	if err != nil || fi.Size < int64(b.after)*2 {
		return rc, err
	}
	return &cancellingReader{ReadCloser: rc, left: b.after, cancel: b.cancel}, nil
}

type cancellingReader struct {
	io.ReadCloser
	left   int
	cancel context.CancelFunc
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		c.cancel()
		return 0, context.Canceled
	}
	if len(p) > c.left {
		p = p[:c.left]
	}
	n, err := c.ReadCloser.Read(p)
	c.left -= n
	return n, err
}

func TestCopyRefusesDamage(t *testing.T) {
	tests := []struct {
		name    string
		damage  func(t *testing.T, src backend.Backend) // damages the source
		corrupt bool                                    // the replica corrupts what it stores
	}{
		{name: "source pack does not match its name", damage: func(t *testing.T, src backend.Backend) {
			backendtest.MustSave(context.Background(), t, src, "packs/00/"+strings.Repeat("0", 64), "not the content that hashes to zeros")
		}},
		{name: "replica stores other bytes", corrupt: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newFakeRepo(t, 2)
			if tt.damage != nil {
				tt.damage(t, src.be)
			}
			dst := &recorder{Backend: newLocal(t), corrupt: tt.corrupt}
			_, err := Copy(context.Background(), src.be, dst, Options{})
			if !errors.Is(err, ErrMismatch) {
				t.Fatalf("Copy = %v, want ErrMismatch", err)
			}
			for _, name := range backendtest.ListNames(context.Background(), t, dst, "") {
				if strings.HasPrefix(name, engine.SnapshotsDir) {
					t.Errorf("snapshot %s copied although its data was damaged", name)
				}
				if !bytes.Equal(backendtest.MustLoad(context.Background(), t, dst, name), backendtest.MustLoad(context.Background(), t, src.be, name)) {
					t.Errorf("damaged %s left on the replica", name)
				}
			}
		})
	}
}

// Two repositories must never be mixed in one replica location.
func TestCopyRefusesOtherRepository(t *testing.T) {
	ctx := context.Background()
	src := newFakeRepo(t, 1)
	dst := newLocal(t)
	backendtest.MustSave(ctx, t, dst, "config", `{"id":"r2","version":1}`+"\nsum\n")
	_, err := Copy(ctx, src.be, dst, Options{})
	if !errors.Is(err, ErrOtherRepository) {
		t.Fatalf("Copy onto another repository = %v, want ErrOtherRepository", err)
	}
	if got := backendtest.ListNames(ctx, t, dst, ""); len(got) != 1 {
		t.Errorf("Copy wrote to another repository's location: %v", got)
	}
}

func TestCopyNotRepository(t *testing.T) {
	src := newLocal(t)
	backendtest.MustSave(context.Background(), t, src, "packs/aa/x", "no config")
	if _, err := Copy(context.Background(), src, newLocal(t), Options{}); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Copy from a folder without config = %v, want ErrNotRepository", err)
	}
}

// fakeClock is time that moves only when the limiter sleeps.
type fakeClock struct {
	t     time.Time
	slept time.Duration
}

func (c *fakeClock) now() time.Time { return c.t }
func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.t = c.t.Add(d)
	c.slept += d
	return ctx.Err()
}

func TestCopyBandwidthLimit(t *testing.T) {
	ctx := context.Background()
	src := newLocal(t)
	backendtest.MustSave(ctx, t, src, "config", "c")
	big := strings.Repeat("b", 100*1024)
	putNamed(t, src, "packs/", big)
	clock := &fakeClock{t: time.Date(2026, 1, 1, 21, 0, 0, 0, time.UTC)}
	const rate = 10 * 1024
	var reports []Stats
	opt := Options{BandwidthLimit: rate, Parallel: 1, now: clock.now, sleep: clock.sleep, Progress: progressFunc(func(s Stats) { reports = append(reports, s) })}
	res, err := Copy(ctx, src, newLocal(t), opt)
	if err != nil {
		t.Fatal(err)
	}
	// 4 KiB burst may pass at once; the rest at 10 KiB/s.
	want := float64(len(big)+1-4096) / rate
	if got := clock.slept.Seconds(); got < want-0.01 || got > want+0.01 {
		t.Errorf("limiter waited %.3f s for %d bytes at %d B/s, want %.3f s", got, res.BytesCopied, rate, want)
	}
	last := reports[len(reports)-1]
	if last.FilesDone != 2 || last.FilesTotal != 2 || last.BytesDone != last.BytesTotal {
		t.Errorf("final progress %+v, want all files and bytes done", last)
	}
	if len(reports) < 10 {
		t.Errorf("%d progress reports over 10 simulated seconds, want about ten a second", len(reports))
	}
}

type progressFunc func(Stats)

func (f progressFunc) Report(s Stats) { f(s) }
