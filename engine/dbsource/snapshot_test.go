package dbsource

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"cadang/engine"
	"cadang/engine/backend/local"
)

// TestRestoreEntryFromRepository goes through a real repository: streams
// backed up by the engine are listed by Entries and restored by RestoreEntry.
func TestRestoreEntryFromRepository(t *testing.T) {
	ctx := context.Background()
	be, err := local.New(filepath.Join(t.TempDir(), "repo"))
	if err != nil {
		t.Fatal(err)
	}
	repo, err := engine.Init(ctx, be, engine.InitOptions{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	a, b := newSQLiteFixture(t, "wal"), newSQLiteFixture(t, "delete")
	b2 := filepath.Join(filepath.Dir(b), "other.db")
	execSQLite(t, b, "VACUUM INTO '"+b2+"'")
	streams, err := Streams([]string{"sqlite://" + a, "sqlite://" + b2}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := repo.Backup(ctx, nil, engine.BackupOptions{Streams: streams})
	if err != nil || len(res.Warnings) > 0 {
		t.Fatalf("backup: %v %+v", err, res)
	}
	snap := res.Snapshot

	for _, tc := range []struct {
		kind Kind
		want []string
	}{
		{"", []string{"/db/sqlite/app.db", "/db/sqlite/other.db"}},
		{SQLite, []string{"/db/sqlite/app.db", "/db/sqlite/other.db"}},
		{Postgres, nil},
	} {
		got, err := Entries(ctx, repo, snap, tc.kind)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("Entries(%q) = %v, want %v", tc.kind, got, tc.want)
		}
		for i := range got {
			if got[i].Path != tc.want[i] || got[i].Meta[MetaKind] != "sqlite" {
				t.Fatalf("Entries(%q)[%d] = %+v, want %s with figures", tc.kind, i, got[i], tc.want[i])
			}
		}
	}

	target, _ := Parse("sqlite://" + filepath.Join(t.TempDir(), "restored.db"))
	v, err := RestoreEntry(ctx, repo, snap, "db/sqlite/other.db", target, RestoreOptions{})
	if err != nil || !v.OK() || v.Integrity != "ok" {
		t.Fatalf("RestoreEntry: %v %+v", err, v)
	}
	pg, _ := Parse("postgres://u@127.0.0.1:1/x")
	for _, tc := range []struct {
		entry  string
		target Database
		want   error
	}{
		{"db/sqlite/app.db", pg, ErrKindMismatch},
		{"etc/app.db", target, ErrNotDatabaseEntry},
	} {
		if _, err := RestoreEntry(ctx, repo, snap, tc.entry, tc.target, RestoreOptions{}); !errors.Is(err, tc.want) {
			t.Errorf("RestoreEntry(%s, %s) = %v, want %v", tc.entry, tc.target, err, tc.want)
		}
	}
}
