package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"cadang/engine/backend"
	"cadang/engine/backend/local"
)

// quotaBackend is a local folder that runs out of space: a Save that would
// take the bytes written past limit fails as a full disk does (the local
// backend's own mapping of ENOSPC is tested on a real tmpfs in
// TestNoSpaceOnRealFileSystem). Raising limit is freeing space.
type quotaBackend struct {
	*local.Backend
	mu    sync.Mutex
	limit int64
	used  int64
}

func (q *quotaBackend) Save(ctx context.Context, name string, rd io.Reader, size int64) error {
	data, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	q.mu.Lock()
	full := q.used+int64(len(data)) > q.limit
	if !full {
		q.used += int64(len(data))
	}
	q.mu.Unlock()
	if full {
		return &backend.NoSpaceError{Location: q.Location(), Name: name, Err: syscall.ENOSPC}
	}
	return q.Backend.Save(ctx, name, bytes.NewReader(data), size)
}

func (q *quotaBackend) setLimit(n int64) {
	q.mu.Lock()
	q.limit = n
	q.mu.Unlock()
}

// spaceUsed is what a run may still write: the bytes in dir now plus extra.
func spaceUsed(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// noSpaceCase is an operation that meets a full disk: setup prepares the
// repository, run is the operation, run again once space is freed; extra
// is what it may write before the disk is full.
type noSpaceCase struct {
	name  string
	setup func(t *testing.T, r *Repository, src string)
	run   func(ctx context.Context, r *Repository, src string) error
	extra int64
}

var noSpaceCases = []noSpaceCase{
	{"backup", func(t *testing.T, r *Repository, src string) {},
		func(ctx context.Context, r *Repository, src string) error {
			_, err := r.Backup(ctx, []string{src}, BackupOptions{})
			return err
		}, 512 << 10},
	{"prune", func(t *testing.T, r *Repository, src string) {
		ctx := context.Background()
		if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
			t.Fatal(err)
		}
		// The second snapshot keeps every other file: packs are half used.
		for i := 0; i < 8; i += 2 {
			if err := os.Remove(filepath.Join(src, fmt.Sprintf("f%d.bin", i))); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Forget(ctx, RetentionPolicy{KeepLast: 1}, false); err != nil {
			t.Fatal(err)
		}
	}, func(ctx context.Context, r *Repository, src string) error {
		_, err := r.Prune(ctx, false)
		return err
	}, 16 << 10},
}

// writeNoSpaceSource writes the eight incompressible files the cases back up.
func writeNoSpaceSource(t *testing.T) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "src")
	files := map[string]string{}
	for i := 0; i < 8; i++ {
		files[fmt.Sprintf("f%d.bin", i)] = string(randomBytes(uint64(i), 200<<10))
	}
	writeTree(t, src, files)
	return src
}

// checkNoSpace checks the error of an operation that met a full disk at
// dir: ErrNoSpace saying where and what, not a cancellation; and that the
// repository still verifies.
func checkNoSpace(t *testing.T, op, dir string, err error) {
	t.Helper()
	if !errors.Is(err, ErrNoSpace) || errors.Is(err, context.Canceled) {
		t.Fatalf("%s on a full disk: got %v, want ErrNoSpace and not context.Canceled", op, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "no space left on "+dir+" while writing ") {
		t.Errorf("error = %q, want it to say where and what", msg)
	}
	t.Logf("%s on a full disk: %v", op, err)
	verifyClean(t, dir, "pw")
}

// TestNoSpace: a full disk during backup or prune is one clear error (not
// an interruption), the repository still verifies, and the same run
// succeeds once space is freed; every kept snapshot restores exactly.
func TestNoSpace(t *testing.T) {
	for _, tt := range noSpaceCases {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dir := filepath.Join(t.TempDir(), "repo")
			lb, err := local.New(dir)
			if err != nil {
				t.Fatal(err)
			}
			q := &quotaBackend{Backend: lb, limit: 1 << 40}
			r, err := Init(ctx, q, InitOptions{Password: "pw", PackSize: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			src := writeNoSpaceSource(t)
			tt.setup(t, r, src)
			q.setLimit(spaceUsed(t, dir) + tt.extra)

			checkNoSpace(t, tt.name, dir, tt.run(ctx, r, src))

			q.setLimit(1 << 40)
			if err := tt.run(ctx, r, src); err != nil {
				t.Fatalf("%s after freeing space: %v", tt.name, err)
			}
			verifyClean(t, dir, "pw")
			restoreLatestEquals(t, dir, "pw", src)
		})
	}
}

// verifyClean opens the repository afresh and runs verify --read-data.
func verifyClean(t *testing.T, dir, password string) {
	t.Helper()
	r, err := openDir(t, dir, password)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Verify(context.Background(), VerifyOptions{ReadData: true})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !res.OK() {
		t.Fatalf("verify found damage: %+v", res.Damage)
	}
}

// restoreLatestEquals restores the newest snapshot and compares it with src.
func restoreLatestEquals(t *testing.T, dir, password, src string) {
	t.Helper()
	ctx := context.Background()
	r, err := openDir(t, dir, password)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := r.FindSnapshot(ctx, "latest")
	if err != nil {
		t.Fatal(err)
	}
	target := t.TempDir()
	res, err := r.Restore(ctx, snap, target, RestoreOptions{})
	if err != nil || len(res.Failed) > 0 {
		t.Fatalf("restore: %v %+v", err, res.Failed)
	}
	compareDirs(t, src, filepath.Join(target, filepath.Base(src)))
}
