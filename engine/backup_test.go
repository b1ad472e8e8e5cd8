package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestBackupRestoreRoundTrip(t *testing.T) {
	for _, pw := range []string{"", "correct horse"} {
		t.Run("password="+pw, func(t *testing.T) {
			ctx := context.Background()
			r, _ := newLocalRepo(t, pw)
			src := filepath.Join(t.TempDir(), "data")
			writeTree(t, src, map[string]string{
				"a.txt":             "hello world",
				"empty.txt":         "",
				"emptydir/":         "",
				"sub/deep/b.csv":    strings.Repeat("x,y,z\n", 100000),
				"sub/link":          "->../a.txt",
				"unicode/日本語 ü.txt": "unicode name",
			})
			if err := os.WriteFile(filepath.Join(src, "big.bin"), randomBytes(1, 5<<20), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(src, "sub"), 0o750); err != nil {
				t.Fatal(err)
			}
			old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
			if err := os.Chtimes(filepath.Join(src, "sub", "deep"), old, old); err != nil {
				t.Fatal(err)
			}
			res, err := r.Backup(ctx, []string{src}, BackupOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.FilesNew != 5 || len(res.Warnings) != 0 {
				t.Fatalf("backup result = %+v, want 5 new files and no warnings", res)
			}
			target := t.TempDir()
			rr, err := r.Restore(ctx, res.Snapshot, target, RestoreOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(rr.Failed) != 0 || rr.Files != 5 {
				t.Fatalf("restore: files=%d failed=%+v", rr.Files, rr.Failed)
			}
			compareDirs(t, src, filepath.Join(target, "data"))

			// A second backup reads nothing.
			res2, err := r.Backup(ctx, []string{src}, BackupOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res2.FilesUnmodified != 5 || res2.BytesRead != 0 || res2.Snapshot.Parent != res.Snapshot.ID {
				t.Fatalf("second backup = %+v, want 5 unmodified, 0 bytes read, parent %s", res2, res.Snapshot.ID)
			}
		})
	}
}

// BackupOptions.Time stamps the snapshot (rebuilding a history); without
// it the snapshot has the time its backup started.
func TestBackupTimeOption(t *testing.T) {
	ctx := context.Background()
	r, _ := newLocalRepo(t, "")
	src := filepath.Join(t.TempDir(), "data")
	writeTree(t, src, map[string]string{"a.txt": "a"})
	night := time.Date(2026, 11, 17, 21, 4, 0, 0, time.UTC)
	before := time.Now()
	for _, at := range []time.Time{night, {}} {
		res, err := r.Backup(ctx, []string{src}, BackupOptions{Time: at})
		if err != nil {
			t.Fatal(err)
		}
		got := res.Snapshot.Time
		if !at.IsZero() && !got.Equal(at) || at.IsZero() && got.Before(before) {
			t.Errorf("Time %v: snapshot time %v", at, got)
		}
	}
	snaps, err := r.Snapshots(ctx)
	if err != nil || len(snaps) != 2 || !snaps[0].Time.Equal(night) {
		t.Errorf("snapshots %v, %v; want the one of %v first", snaps, err, night)
	}
}

// BackupOptions.Workers sets how many files are read and chunks sealed at
// once (zero: a file worker per CPU and one chunk worker more); whatever
// the count, the backup holds every file and restores to the same tree.
func TestBackupWorkersOption(t *testing.T) {
	cpus := runtime.GOMAXPROCS(0)
	tests := []struct {
		workers, wantFiles, wantBlobs int
	}{
		{0, cpus, cpus + 1},
		{-1, cpus, cpus + 1},
		{1, 1, 1},
		{3, 3, 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("workers=%d", tt.workers), func(t *testing.T) {
			opt := BackupOptions{Workers: tt.workers}
			if files, blobs := opt.workers(); files != tt.wantFiles || blobs != tt.wantBlobs {
				t.Errorf("workers() = %d, %d, want %d, %d", files, blobs, tt.wantFiles, tt.wantBlobs)
			}
			ctx := context.Background()
			r, _ := newLocalRepo(t, "")
			src := filepath.Join(t.TempDir(), "data")
			files := map[string]string{}
			for i := range 12 {
				files[fmt.Sprintf("d%d/f%02d.txt", i%3, i)] = strings.Repeat(fmt.Sprintf("row %d\n", i), 20000*(i+1))
			}
			writeTree(t, src, files)
			res, err := r.Backup(ctx, []string{src}, opt)
			if err != nil {
				t.Fatal(err)
			}
			if res.FilesNew != int64(len(files)) || len(res.Warnings) != 0 {
				t.Fatalf("backup = %+v, want %d new files and no warnings", res, len(files))
			}
			target := t.TempDir()
			if rr, err := r.Restore(ctx, res.Snapshot, target, RestoreOptions{}); err != nil || len(rr.Failed) != 0 {
				t.Fatalf("restore: %+v, %v", rr, err)
			}
			compareDirs(t, src, filepath.Join(target, "data"))
		})
	}
}
