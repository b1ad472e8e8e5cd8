package engine

import (
	"context"
	"io"
	"path/filepath"
	"sync"
	"testing"

	"cadang/engine/backend/local"
)

// savesRecordingBackend records which files were saved durably and which
// without the fsyncs.
type savesRecordingBackend struct {
	*local.Backend
	mu       sync.Mutex
	durable  map[FileKind]int
	volatile map[FileKind]int
}

func (s *savesRecordingBackend) Save(ctx context.Context, name string, rd io.Reader, size int64) error {
	s.mu.Lock()
	s.durable[KindOf(name)]++
	s.mu.Unlock()
	return s.Backend.Save(ctx, name, rd, size)
}

func (s *savesRecordingBackend) SaveVolatile(ctx context.Context, name string, rd io.Reader, size int64) error {
	s.mu.Lock()
	s.volatile[KindOf(name)]++
	s.mu.Unlock()
	return s.Backend.SaveVolatile(ctx, name, rd, size)
}

// Only lock files are saved without waiting for the disk: a crash ends
// their holder too. Packs, index files and snapshots are saved durably.
func TestOnlyLocksAreSavedVolatile(t *testing.T) {
	ctx := context.Background()
	_, dir := newLocalRepo(t, "pw")
	be, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	rec := &savesRecordingBackend{Backend: be, durable: map[FileKind]int{}, volatile: map[FileKind]int{}}
	r, err := Open(ctx, rec, "pw")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	src := filepath.Join(t.TempDir(), "src")
	writeTree(t, src, map[string]string{"a.txt": "one", "b/c.txt": "two"})
	if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Verify(ctx, VerifyOptions{ReadData: true}); err != nil {
		t.Fatal(err)
	}
	if rec.volatile[KindLock] < 2 || rec.durable[KindLock] != 0 {
		t.Errorf("lock files: %d saved volatile, %d durably; want all volatile", rec.volatile[KindLock], rec.durable[KindLock])
	}
	for _, kind := range []FileKind{KindPack, KindIndex, KindSnapshot} {
		if rec.durable[kind] == 0 || rec.volatile[kind] != 0 {
			t.Errorf("%v files: %d saved durably, %d volatile; want all durable", kind, rec.durable[kind], rec.volatile[kind])
		}
	}
}
