package engine

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"testing"
)

// A source that cannot be read at all (a folder that is gone, a database
// dump that fails to start) leaves a snapshot of the rest that says which
// sources it lacks; one unreadable file inside a folder does not.
func TestBackupMarksUnreadSourcesPartial(t *testing.T) {
	ctx := context.Background()
	r, _ := newLocalRepo(t, "")
	ok := t.TempDir()
	writeTree(t, ok, map[string]string{"a.txt": "kept"})
	gone := filepath.Join(t.TempDir(), "unmounted-share")
	failing := Stream{Path: "db/postgres/sales", Open: func(context.Context) (io.ReadCloser, error) {
		return nil, errors.New("connection refused")
	}}
	res, err := r.Backup(ctx, []string{ok, gone}, BackupOptions{Streams: []Stream{failing}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{gone, "db/postgres/sales"}; !slices.Equal(res.Snapshot.Partial, want) {
		t.Errorf("Partial = %q, want %q", res.Snapshot.Partial, want)
	}
	snaps, err := r.Snapshots(ctx)
	if err != nil || len(snaps) != 1 || len(snaps[0].Partial) != 2 {
		t.Fatalf("stored snapshot Partial = %v (err %v), want it kept in the repository", snaps, err)
	}

	res, err = r.Backup(ctx, []string{ok}, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Snapshot.Partial) != 0 {
		t.Errorf("complete backup marked partial: %q", res.Snapshot.Partial)
	}
}
