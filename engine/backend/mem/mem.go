// Package mem is an in-memory backend for tests. It is safe for concurrent
// use and offers hooks to inject faults around the real behaviour.
package mem

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"cadang/engine/backend"
)

// Backend keeps files in a map.
type Backend struct {
	mu    sync.Mutex
	files map[string][]byte
	// SaveHook, when set, is called before each Save; a non-nil error fails it.
	SaveHook func(name string) error
}

var _ backend.Backend = (*Backend)(nil)

// New returns an empty backend.
func New() *Backend { return &Backend{files: map[string][]byte{}} }

// Save stores a copy of rd's content.
func (b *Backend) Save(ctx context.Context, name string, rd io.Reader, size int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.SaveHook != nil {
		if err := b.SaveHook(name); err != nil {
			return fmt.Errorf("save %s: %w", name, err)
		}
	}
	data, err := io.ReadAll(rd)
	if err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	if size >= 0 && int64(len(data)) != size {
		return fmt.Errorf("save %s: got %d bytes, expected %d", name, len(data), size)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.files[name] = data
	return nil
}

// Load returns a reader over a copy-free view of name (bytes.Reader is an io.ReaderAt).
func (b *Backend) Load(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.files[name]
	if !ok {
		return nil, fmt.Errorf("load %s: %w", name, backend.ErrNotFound)
	}
	return readCloser{bytes.NewReader(data)}, nil
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// Stat returns name's size.
func (b *Backend) Stat(ctx context.Context, name string) (backend.FileInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, ok := b.files[name]
	if !ok {
		return backend.FileInfo{}, fmt.Errorf("stat %s: %w", name, backend.ErrNotFound)
	}
	return backend.FileInfo{Name: name, Size: int64(len(data))}, nil
}

// List calls fn for each file under prefix in lexical order.
func (b *Backend) List(ctx context.Context, prefix string, fn func(backend.FileInfo) error) error {
	b.mu.Lock()
	var infos []backend.FileInfo
	for name, data := range b.files {
		if strings.HasPrefix(name, prefix) {
			infos = append(infos, backend.FileInfo{Name: name, Size: int64(len(data))})
		}
	}
	b.mu.Unlock()
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name < infos[j].Name })
	for _, fi := range infos {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(fi); err != nil {
			return err
		}
	}
	return nil
}

// Remove deletes name.
func (b *Backend) Remove(ctx context.Context, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.files[name]; !ok {
		return fmt.Errorf("remove %s: %w", name, backend.ErrNotFound)
	}
	delete(b.files, name)
	return nil
}

// Bytes returns the stored content of name (nil when missing), for tests.
func (b *Backend) Bytes(name string) []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.files[name]
}

// Put replaces name's content, for tests that damage a repository.
func (b *Backend) Put(name string, data []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.files[name] = data
}

// Location names the backend.
func (b *Backend) Location() string { return "mem:" }

// Close does nothing.
func (b *Backend) Close() error { return nil }
