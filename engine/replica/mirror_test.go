package replica

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cadang/engine/backend"
	"cadang/engine/backend/backendtest"
	"cadang/engine/backend/local"
)

// orderRecorder records Remove calls.
type orderRecorder struct {
	backend.Backend
	removed []string
}

func (o *orderRecorder) CleanTemp(ctx context.Context) (int, error) {
	return o.Backend.(tempCleaner).CleanTemp(ctx)
}

func (o *orderRecorder) Remove(ctx context.Context, name string) error {
	o.removed = append(o.removed, name)
	return o.Backend.Remove(ctx, name)
}

func TestMirrorAndCompare(t *testing.T) {
	ctx := context.Background()
	src := newFakeRepo(t, 3)
	dst := &orderRecorder{Backend: newLocal(t)}
	if _, err := Copy(ctx, src.be, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	backendtest.MustSave(ctx, t, dst, RegistryFile, "the replica's own settings")
	backendtest.MustSave(ctx, t, dst, "locks/other-host", "lock")

	// forget + prune on the source: one snapshot, one index and one pack go,
	// a new snapshot arrives.
	var snap, pack, index string
	for _, f := range src.files {
		switch {
		case strings.HasPrefix(f, "snapshots/"):
			snap = f
		case strings.HasPrefix(f, "packs/"):
			pack = f
		case strings.HasPrefix(f, "index/"):
			index = f
		}
	}
	for _, name := range []string{snap, pack, index} {
		if err := src.be.Remove(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	newSnap := putNamed(t, src.be, "snapshots/", "snapshot 2")

	lag, err := Compare(ctx, src.be, dst)
	if err != nil {
		t.Fatal(err)
	}
	want := Lag{MissingFiles: 1, MissingBytes: int64(len("snapshot 2")), MissingSnapshots: 1, ExtraFiles: 3, Snapshots: 1}
	if lag != want {
		t.Errorf("Compare = %+v, want %+v", lag, want)
	}
	if _, err := Copy(ctx, src.be, dst, Options{}); err != nil {
		t.Fatal(err)
	}
	if len(dst.removed) != 0 {
		t.Fatalf("Copy removed %v; only Mirror may delete", dst.removed)
	}
	leftover := filepath.Join(dst.Backend.(*local.Backend).Root(), "packs", ".tmp-interrupted-upload")
	if err := os.WriteFile(leftover, []byte("half a pack"), 0o600); err != nil {
		t.Fatal(err)
	}
	removed, err := Mirror(ctx, src.be, dst)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(removed, " "), strings.Join([]string{snap, index, pack}, " "); got != want {
		t.Errorf("Mirror removed %s, want %s (snapshots first, packs last)", got, want)
	}
	names := strings.Join(backendtest.ListNames(ctx, t, dst, ""), " ")
	for _, keep := range []string{RegistryFile, "locks/other-host", newSnap} {
		if !strings.Contains(names, keep) {
			t.Errorf("%s is gone from the replica; Mirror must keep it", keep)
		}
	}
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("Mirror left the temporary file of an interrupted upload (%v)", err)
	}
	lag, err = Compare(ctx, src.be, dst)
	if err != nil || !lag.UpToDate() || lag.ExtraFiles != 0 {
		t.Errorf("after Mirror Compare = %+v, %v; want up to date, no extras", lag, err)
	}
}

func TestMirrorRefusesNonRepository(t *testing.T) {
	dst := newLocal(t)
	backendtest.MustSave(context.Background(), t, dst, "packs/aa/aa", "precious")
	if _, err := Mirror(context.Background(), newLocal(t), dst); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Mirror from an empty source = %v, want ErrNotRepository", err)
	}
}

func TestRegistry(t *testing.T) {
	dir := t.TempDir()
	reg, err := LoadRegistry(dir)
	if err != nil || len(reg.Replicas) != 0 {
		t.Fatalf("LoadRegistry(empty) = %+v, %v", reg, err)
	}
	tests := []struct {
		rep     Replica
		wantErr string
	}{
		{Replica{Name: "offsite", URL: "/mnt/building-b/cadang"}, ""},
		{Replica{Name: "gdrive", URL: "rclone:gdrive:cadang"}, ""},
		{Replica{Name: "gdrive", URL: "rclone:other:x"}, "already exists"},
		{Replica{Name: "bad name", URL: "/x"}, "use letters"},
		{Replica{Name: "nourl"}, "no URL"},
		{Replica{Name: "pw", URL: "sftp://user:secret@host/x"}, "contains a password"},
	}
	for _, tt := range tests {
		err := reg.Add(tt.rep)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("Add(%+v) = %v, want %q", tt.rep, err, tt.wantErr)
		}
	}
	at := time.Date(2026, 3, 4, 22, 0, 0, 0, time.UTC)
	if err := reg.RecordSync("gdrive", at, &Result{FilesCopied: 7, BytesCopied: 700}, nil); err != nil {
		t.Fatal(err)
	}
	if err := reg.RecordSync("offsite", at, nil, errors.New("share not mounted")); err != nil {
		t.Fatal(err)
	}
	if err := reg.Save(); err != nil {
		t.Fatal(err)
	}
	again, err := LoadRegistry(dir)
	if err != nil {
		t.Fatal(err)
	}
	g, err := again.Get("gdrive")
	if err != nil || !g.LastSync.Equal(at) || g.LastCopied != 7 || g.LastError != "" {
		t.Errorf("gdrive after reload = %+v, %v", g, err)
	}
	o, _ := again.Get("offsite")
	if !o.LastSync.IsZero() || o.LastError != "share not mounted" || !o.LastAttempt.Equal(at) {
		t.Errorf("offsite after reload = %+v", o)
	}
	if err := again.Remove("offsite"); err != nil {
		t.Fatal(err)
	}
	if _, err := again.Get("offsite"); !errors.Is(err, ErrUnknownReplica) {
		t.Errorf("Get(removed) = %v, want ErrUnknownReplica", err)
	}
}
