package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// A background backup lowers each of its long-lived workers (issue 12: the
// window's UI thread must win the CPU while the window runs a backup), and
// only a background one does. Not parallel: it replaces a package variable.
func TestBackupBackgroundLowersItsWorkers(t *testing.T) {
	tests := []struct {
		background bool
		workers    int
		want       int64 // calls: a file worker and a blob worker per worker
	}{
		{false, 2, 0},
		{true, 1, 2},
		{true, 3, 6},
	}
	saved := lowerThreadPriority
	t.Cleanup(func() { lowerThreadPriority = saved })
	var calls atomic.Int64
	lowerThreadPriority = func() { calls.Add(1) }
	for _, tt := range tests {
		t.Run(fmt.Sprintf("background=%v,workers=%d", tt.background, tt.workers), func(t *testing.T) {
			calls.Store(0)
			r, _ := newLocalRepo(t, "")
			src := filepath.Join(t.TempDir(), "data")
			writeTree(t, src, map[string]string{"a.txt": "one", "b/c.txt": "two"})
			res, err := r.Backup(context.Background(), []string{src}, BackupOptions{Workers: tt.workers, Background: tt.background})
			if err != nil || res.FilesNew != 2 {
				t.Fatalf("backup = %+v, %v; want 2 new files", res, err)
			}
			if got := calls.Load(); got != tt.want {
				t.Errorf("lowerThreadPriority called %d times, want %d", got, tt.want)
			}
		})
	}
}
