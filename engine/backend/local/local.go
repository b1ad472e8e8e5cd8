// Package local stores a repository in a folder of the local file system (or
// a mounted share). Every Save goes to a temporary file in the destination
// directory, is fsynced, renamed into place and the directory fsynced, so a
// crash leaves either the whole file or nothing under its final name.
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"cadang/engine/backend"
)

// tempPrefix marks files being written; List hides them and CleanTemp removes them.
const tempPrefix = ".tmp-"

// Backend is a repository folder.
type Backend struct {
	root string
}

var _ backend.Backend = (*Backend)(nil)

// New opens the folder root; it need not exist yet (Save creates directories).
func New(root string) (*Backend, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("local backend %s: %w", root, err)
	}
	return &Backend{root: abs}, nil
}

// Root is the absolute folder.
func (b *Backend) Root() string { return b.root }

func (b *Backend) path(name string) (string, error) {
	clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(name)))
	if name == "" || clean != name || strings.HasPrefix(name, "/") || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("invalid repository file name %q", name)
	}
	return filepath.Join(b.root, filepath.FromSlash(name)), nil
}

// Save writes rd to name atomically and durably. A full file system is a
// *backend.NoSpaceError naming the folder and the file.
func (b *Backend) Save(ctx context.Context, name string, rd io.Reader, size int64) error {
	return b.save(ctx, name, rd, size, true)
}

// SaveVolatile writes rd to name atomically, without the fsyncs
// (backend.VolatileSaver).
func (b *Backend) SaveVolatile(ctx context.Context, name string, rd io.Reader, size int64) error {
	return b.save(ctx, name, rd, size, false)
}

func (b *Backend) save(ctx context.Context, name string, rd io.Reader, size int64, durable bool) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	final, err := b.path(name)
	if err != nil {
		return err
	}
	defer func() {
		if isNoSpace(err) {
			err = &backend.NoSpaceError{Location: b.root, Name: name, Err: err}
		}
	}()
	dir := filepath.Dir(final)
	if err := b.mkdirAll(dir); err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	f, err := os.CreateTemp(dir, tempPrefix+filepath.Base(final)+"-")
	if err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	n, err := io.Copy(f, ctxReader{ctx, rd})
	if err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	if size >= 0 && n != size {
		return fmt.Errorf("save %s: wrote %d bytes, expected %d", name, n, size)
	}
	if durable {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err != nil { // close before rename: Windows
		return fmt.Errorf("save %s: %w", name, err)
	}
	if err = os.Rename(f.Name(), final); err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	if !durable {
		return nil
	}
	if err = syncDir(dir); err != nil { // makes the rename durable
		return fmt.Errorf("save %s: sync directory: %w", name, err)
	}
	return nil
}

// mkdirAll creates dir and fsyncs the parents of every directory it made, so
// the new directory entries survive a crash too.
func (b *Backend) mkdirAll(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := b.mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return syncDir(parent)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	// Some file systems (and mounted shares) cannot fsync a directory; the
	// rename itself already happened, so that is not a failure.
	if errors.Is(err, os.ErrInvalid) || errors.Is(err, errNotSupported) {
		return nil
	}
	return err
}

// Load opens name. The returned *os.File also implements io.ReaderAt, which
// the engine uses to read single blobs out of a pack.
func (b *Backend) Load(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := b.path(name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, wrapNotFound("load", name, err)
	}
	return f, nil
}

// Stat returns the size of name.
func (b *Backend) Stat(ctx context.Context, name string) (backend.FileInfo, error) {
	p, err := b.path(name)
	if err != nil {
		return backend.FileInfo{}, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return backend.FileInfo{}, wrapNotFound("stat", name, err)
	}
	return backend.FileInfo{Name: name, Size: st.Size()}, nil
}

// List calls fn for every stored file whose name starts with prefix, in
// lexical order; temporary files are not listed.
func (b *Backend) List(ctx context.Context, prefix string, fn func(backend.FileInfo) error) error {
	start := b.root
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		start = filepath.Join(b.root, filepath.FromSlash(prefix[:i]))
	}
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), tempPrefix) || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(b.root, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if !strings.HasPrefix(name, prefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) { // removed meanwhile
				return nil
			}
			return err
		}
		return fn(backend.FileInfo{Name: name, Size: info.Size()})
	})
	if err != nil {
		return fmt.Errorf("list %s%s: %w", b.root, "/"+prefix, err)
	}
	return nil
}

// Remove deletes name.
func (b *Backend) Remove(ctx context.Context, name string) error {
	p, err := b.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil {
		return wrapNotFound("remove", name, err)
	}
	return nil
}

// CleanTemp removes temporary files left by interrupted saves. Only call it
// while holding the repository's exclusive lock.
func (b *Backend) CleanTemp(ctx context.Context) (int, error) {
	n := 0
	err := filepath.WalkDir(b.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), tempPrefix) {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("remove temporary files in %s: %w", b.root, err)
	}
	return n, nil
}

// Location is the folder path.
func (b *Backend) Location() string { return b.root }

// Close releases nothing; the backend holds no open files.
func (b *Backend) Close() error { return nil }

func wrapNotFound(op, name string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s %s: %w", op, name, backend.ErrNotFound)
	}
	return fmt.Errorf("%s %s: %w", op, name, err)
}

// ctxReader stops a long copy when the context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
