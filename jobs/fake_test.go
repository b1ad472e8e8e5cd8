package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"cadang/engine"
	"cadang/store"
)

// fakeEngine is an in-memory engine: a "backup" records the sources' file
// contents as a snapshot; a "restore" writes them back. Hooks let tests
// block a backup, move the clock or damage a restore.
type fakeEngine struct {
	mu      sync.Mutex
	clock   clockwork.Clock
	snaps   []fakeSnap
	backups int
	// onBackup, when set, runs inside Backup (to block, or to advance time).
	onBackup func()
	// damage names files a restore writes wrong (a damaged chunk).
	damage map[string]bool
	// restores counts Restore calls.
	restores int
	// onRestore, when set, runs at the start of Restore (to cancel, say).
	onRestore func()
	// ownersNotRestored is what Restore reports (a restore not run as root).
	ownersNotRestored int64
	// warnings are what every Backup reports (files it could not read).
	warnings []engine.Warning
	// workers and background are each Backup's BackupOptions.Workers
	// and Background, in order.
	workers    []int
	background []bool
	// moreChecks, when set, adds checks to what CheckRestored found (a
	// restore of tens of thousands of files, without the files).
	moreChecks func() []engine.FileCheck
}

type fakeSnap struct {
	snap  engine.Snapshot
	files map[string][]byte
}

func (e *fakeEngine) Open(ctx context.Context, repo, password string, create bool) (Repository, error) {
	return &fakeRepo{e: e}, nil
}

type fakeRepo struct{ e *fakeEngine }

func (r *fakeRepo) Close() error { return nil }

func (r *fakeRepo) Backup(ctx context.Context, paths []string, opt engine.BackupOptions) (*engine.BackupResult, error) {
	e := r.e
	if e.onBackup != nil {
		e.onBackup()
	}
	files := map[string][]byte{}
	for _, p := range paths {
		err := filepath.Walk(p, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(filepath.Dir(p), path)
			files[filepath.ToSlash(rel)] = b
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.backups++
	e.workers = append(e.workers, opt.Workers)
	e.background = append(e.background, opt.Background)
	s := engine.Snapshot{ID: fmt.Sprintf("%064x", e.backups), Time: e.clock.Now(), Paths: paths, Tags: opt.Tags, Labels: opt.Labels,
		Summary: engine.Summary{Files: int64(len(files))}}
	e.snaps = append(e.snaps, fakeSnap{snap: s, files: files})
	return &engine.BackupResult{Snapshot: s, FilesNew: int64(len(files)), Warnings: e.warnings}, nil
}

func (r *fakeRepo) Snapshots(ctx context.Context) ([]engine.Snapshot, error) {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	out := make([]engine.Snapshot, len(r.e.snaps))
	for i, s := range r.e.snaps {
		out[i] = s.snap
	}
	return out, nil
}

// List lists the files of a snapshot directly under dir ("/" for the top).
func (r *fakeRepo) List(ctx context.Context, snap engine.Snapshot, dir string) ([]engine.Node, error) {
	prefix := strings.TrimPrefix(path.Clean("/"+dir)+"/", "/")
	var out []engine.Node
	for name, b := range r.find(snap.ID).files {
		if rest, ok := strings.CutPrefix(name, prefix); ok && !strings.Contains(rest, "/") {
			out = append(out, engine.Node{Name: rest, Type: engine.NodeFile, Size: int64(len(b))})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (r *fakeRepo) find(id string) fakeSnap {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	for _, s := range r.e.snaps {
		if s.snap.ID == id {
			return s
		}
	}
	return fakeSnap{}
}

func (r *fakeRepo) Restore(ctx context.Context, snap engine.Snapshot, target string, opt engine.RestoreOptions) (*engine.RestoreResult, error) {
	r.e.mu.Lock()
	r.e.restores++
	hook := r.e.onRestore
	r.e.mu.Unlock()
	if hook != nil {
		hook()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := r.find(snap.ID)
	res := &engine.RestoreResult{Snapshot: snap, OwnersNotRestored: r.e.ownersNotRestored}
	if !opt.Overwrite {
		for name := range s.files {
			if _, err := os.Lstat(filepath.Join(target, filepath.FromSlash(name))); err == nil {
				return nil, fmt.Errorf("restore into %s: %w: e.g. %s", target, engine.ErrTargetExists, name)
			}
		}
	}
	for name, b := range s.files {
		if r.e.damage[name] {
			b = append([]byte("garbage"), b...)
		}
		p := filepath.Join(target, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			return nil, err
		}
		res.Files++
		res.Bytes += int64(len(b))
	}
	return res, nil
}

func (r *fakeRepo) CheckRestored(ctx context.Context, snap engine.Snapshot, target string, opt engine.RestoreOptions) ([]engine.FileCheck, error) {
	s := r.find(snap.ID)
	var out []engine.FileCheck
	for name, want := range s.files {
		got, err := os.ReadFile(filepath.Join(target, filepath.FromSlash(name)))
		c := engine.FileCheck{Path: name, Size: int64(len(want)), Want: sum(want), Got: sum(got)}
		if err != nil {
			c.Err = err.Error()
		}
		c.OK = err == nil && c.Want == c.Got
		out = append(out, c)
	}
	if r.e.moreChecks != nil {
		out = append(out, r.e.moreChecks()...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func (r *fakeRepo) Verify(ctx context.Context, opt engine.VerifyOptions) (*engine.VerifyResult, error) {
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	return &engine.VerifyResult{Snapshots: len(r.e.snaps), ReadData: opt.ReadData}, ctx.Err()
}

func (r *fakeRepo) ForgetWith(ctx context.Context, opt engine.ForgetOptions) (*engine.ForgetResult, error) {
	return &engine.ForgetResult{}, nil
}
func (r *fakeRepo) ID() string      { return "fake-repository" }
func (r *fakeRepo) Encrypted() bool { return false }
func (r *fakeRepo) Prune(ctx context.Context, dry bool) (*engine.PruneResult, error) {
	return &engine.PruneResult{}, nil
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

// fixture is a workspace with one account per role, a fake clock and a fake engine.
type fixture struct {
	svc                           *Service
	clock                         *clockwork.FakeClock
	eng                           *fakeEngine
	admin, staff, mgr, mgr2, dept User
	src                           string
	ctx                           context.Context
}

func storeUser(name, role string) store.User {
	return store.User{Name: name, FullName: "Full " + name, Role: role, PasswordHash: "unused", CreatedAt: start}
}

// start is a Monday 20:00 local time: an hour before the default window.
var start = time.Date(2026, 3, 2, 20, 0, 0, 0, time.Local)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clock := clockwork.NewFakeClockAt(start)
	eng := &fakeEngine{clock: clock}
	f := openFixture(t, clock, Options{Engine: eng})
	f.eng = eng
	return f
}

// newRealFixture is newFixture on the real engine (repositories in
// temporary folders). The engine stamps snapshots with the real time, so
// the clock starts at the real time too.
func newRealFixture(t *testing.T) *fixture {
	t.Helper()
	return openFixture(t, clockwork.NewFakeClockAt(time.Now().Truncate(time.Second)), Options{})
}

// openFixture opens a workspace on clock with opt (the real engine unless
// opt names one) and adds one account per role.
func openFixture(t *testing.T, clock *clockwork.FakeClock, opt Options) *fixture {
	t.Helper()
	ctx := context.Background()
	opt.Clock = clock
	svc, err := OpenWorkspace(ctx, t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	f := &fixture{svc: svc, clock: clock, ctx: ctx}
	// Accounts go straight into the catalog: argon2 per account would only
	// slow the tests; Login has its own test.
	mk := func(name, role, dept string) User {
		id, err := svc.catalog.CreateUser(ctx, store.User{Name: name, FullName: "Full " + name, Role: role, Department: dept, PasswordHash: "unused", CreatedAt: start})
		if err != nil {
			t.Fatal(err)
		}
		return User{ID: id, Name: name, Role: role, Department: dept}
	}
	f.admin, f.staff, f.mgr, f.mgr2, f.dept = mk("admin", RoleAdmin, ""), mk("yoga", RoleStaff, "IT"), mk("gideon", RoleManager, "IT"),
		mk("kezia", RoleManager, "IT"), mk("siti", RoleUser, "Keuangan")
	f.src = filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(f.src, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.src, "laporan.txt"), []byte("laporan keuangan"), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// approvedJob defines, submits (staff) and approves (manager) a job.
func (f *fixture) approvedJob(t *testing.T, name string, sc Schedule) Job {
	t.Helper()
	f.job(t, name, sc)
	if _, err := f.svc.SubmitJob(f.ctx, f.staff, name); err != nil {
		t.Fatal(err)
	}
	j, err := f.svc.ApproveJob(f.ctx, f.mgr, name, f.svc.jobRev(name))
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func (f *fixture) job(t *testing.T, name string, sc Schedule) Job {
	t.Helper()
	j, err := f.svc.CreateJob(f.ctx, f.staff, JobSpec{Name: name, Sources: []string{f.src}, Repository: filepath.Join(t.TempDir(), "repo"), Schedule: sc})
	if err != nil {
		t.Fatal(err)
	}
	return j
}
