package jobs

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jonboulle/clockwork"

	"cadang/engine"
	"cadang/engine/dbsource"
	"cadang/store"
)

// streamEngine wraps the fake engine and reads every stream a backup is
// given, as the real engine does, recording the entries and their Meta.
type streamEngine struct {
	*fakeEngine
	entries map[string]map[string]string
}

func (e *streamEngine) Open(ctx context.Context, repo, password string, create bool) (Repository, error) {
	r, err := e.fakeEngine.Open(ctx, repo, password, create)
	return &streamRepo{Repository: r, e: e}, err
}

type streamRepo struct {
	Repository
	e *streamEngine
}

func (r *streamRepo) Backup(ctx context.Context, paths []string, opt engine.BackupOptions) (*engine.BackupResult, error) {
	for _, s := range opt.Streams {
		rc, err := s.Open(ctx)
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(io.Discard, rc)
		if err = errors.Join(err, rc.Close()); err != nil {
			return nil, err
		}
		r.e.entries[s.Path] = s.Meta()
	}
	return r.Repository.Backup(ctx, paths, opt)
}

// TestJobBacksUpDatabaseSources: a job's sources may be database URLs; they
// are kept as given (not made absolute) and backed up as db/<kind>/<name>.
func TestJobBacksUpDatabaseSources(t *testing.T) {
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(start)
	eng := &streamEngine{fakeEngine: &fakeEngine{clock: clock}, entries: map[string]map[string]string{}}
	svc, err := OpenWorkspace(ctx, t.TempDir(), Options{Clock: clock, Engine: eng})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	mk := func(name, role string) User {
		id, err := svc.catalog.CreateUser(ctx, store.User{Name: name, FullName: name, Role: role, Department: "IT", PasswordHash: "unused", CreatedAt: start})
		if err != nil {
			t.Fatal(err)
		}
		return User{ID: id, Name: name, Role: role, Department: "IT"}
	}
	staff, mgr := mk("yoga", RoleStaff), mk("gideon", RoleManager)

	dir := t.TempDir()
	dbPath := filepath.Join(dir, "erp.db")
	db, err := sql.Open("sqlite3", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (1), (2)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	dbURL := "sqlite://" + dbPath

	_, err = svc.CreateJob(ctx, staff, JobSpec{Name: "bad", Sources: []string{"postgres://erp:secret@db/erp"}, Repository: filepath.Join(dir, "repo")})
	if !errors.Is(err, dbsource.ErrPasswordInURL) || strings.Contains(err.Error(), "secret") {
		t.Fatalf("job with a password in a database URL: %v", err)
	}
	j, err := svc.CreateJob(ctx, staff, JobSpec{Name: "erp", Sources: []string{dir, dbURL}, Repository: filepath.Join(dir, "repo")})
	if err != nil {
		t.Fatal(err)
	}
	if j.Sources[1] != dbURL {
		t.Fatalf("database source stored as %q, want %q", j.Sources[1], dbURL)
	}
	if _, err := svc.SubmitJob(ctx, staff, "erp"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveJob(ctx, mgr, "erp", svc.jobRev("erp")); err != nil {
		t.Fatal(err)
	}
	run, err := svc.RunJob(ctx, staff, "erp", RunOptions{})
	if err != nil || run.Status != RunSuccess {
		t.Fatalf("run: %v %+v", err, run)
	}
	meta, ok := eng.entries["db/sqlite/erp.db"]
	if !ok || meta["rows:invoices"] != "2" {
		t.Fatalf("database entries backed up: %v", eng.entries)
	}
}
