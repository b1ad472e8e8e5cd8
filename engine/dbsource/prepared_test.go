package dbsource

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreparedSQLiteIsTheStateAtPreparation: rows written after
// PrepareSQLite returned are not in the stream, and the stream restores
// and verifies against the figures recorded at preparation.
func TestPreparedSQLiteIsTheStateAtPreparation(t *testing.T) {
	ctx := context.Background()
	src := newSQLiteFixture(t, "wal")
	d, err := Parse("sqlite://" + src)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	p, err := PrepareSQLite(ctx, d, Options{TempDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	execSQLite(t, src, "INSERT INTO items (name) VALUES ('after the copy')")
	s := p.Stream()
	if got, want := s.Path, "db/sqlite/app.db"; got != want {
		t.Fatalf("entry path %q, want %q", got, want)
	}
	dump := readStream(ctx, t, s.Open)
	assertEmptyDir(t, tmp) // the engine closing the stream removes the copy
	if _, err := s.Open(ctx); err == nil || !strings.Contains(err.Error(), "already read") {
		t.Fatalf("second open: %v, want a refusal", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("close after the stream was read: %v", err)
	}
	if got, want := p.Figures().Tables["items"].Rows, int64(2); got != want {
		t.Fatalf("figures count %d items, want %d (the rows at preparation)", got, want)
	}
	target, _ := Parse("sqlite://" + filepath.Join(t.TempDir(), "restored.db"))
	v, err := Restore(ctx, nodeFor(s.Path, s.Meta()), bytes.NewReader(dump), target, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK() || v.Integrity != "ok" {
		t.Fatalf("verification failed: %+v", v)
	}
	if got, want := countRows(t, target.File, "items"), int64(2); got != want {
		t.Fatalf("restored %d items, want %d", got, want)
	}
}

func TestPreparedSQLiteCloseWithoutReadingRemovesTheCopy(t *testing.T) {
	ctx := context.Background()
	src := newSQLiteFixture(t, "delete")
	d, _ := Parse("sqlite://" + src)
	tmp := t.TempDir()
	p, err := PrepareSQLite(ctx, d, Options{TempDir: tmp})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	assertEmptyDir(t, tmp)
	if _, err := PrepareSQLite(ctx, Database{Kind: Postgres, Name: "x"}, Options{}); err == nil {
		t.Fatal("a PostgreSQL database was accepted for a prepared copy")
	}
}
