// Package backend defines where a repository's files live. The engine only
// ever sees this interface; implementations live in sub-packages (local, mem,
// sftp, rclone, s3) and engine/location opens one from a URL or path.
package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrNotFound is returned (wrapped) by Load, Stat and Remove for a missing file.
var ErrNotFound = errors.New("not found")

// ErrNoSpace is returned (wrapped, by a *NoSpaceError) by Save when the
// storage is full.
var ErrNoSpace = errors.New("no space left")

// NoSpaceError says where storage ran out and what was being written: the
// one line a person needs ("no space left on /srv/repo while writing
// packs/ab/ab12…"), not a cancelled run. errors.Is(err, ErrNoSpace) holds,
// and so does errors.Is with the system's own error (ENOSPC, EDQUOT).
type NoSpaceError struct {
	Location string // the backend's Location()
	Name     string // the file being written
	Err      error  // the system's error
}

func (e *NoSpaceError) Error() string {
	cause := e.Err // the system's own words ("disk quota exceeded"), not its wrappers
	for u := errors.Unwrap(cause); u != nil; u = errors.Unwrap(cause) {
		cause = u
	}
	return fmt.Sprintf("no space left on %s while writing %s (%v)", e.Location, e.Name, cause)
}

func (e *NoSpaceError) Unwrap() []error { return []error{ErrNoSpace, e.Err} }

// FileInfo describes one stored file.
type FileInfo struct {
	Name string // slash-separated, relative to the repository root, e.g. "packs/ab/ab12…"
	Size int64
}

// Backend stores immutable named files. Names are slash-separated paths
// relative to the repository root.
type Backend interface {
	// Save stores the whole content of rd under name atomically: after a
	// crash either the complete file exists or nothing does. size is the
	// content length, or -1 when unknown.
	Save(ctx context.Context, name string, rd io.Reader, size int64) error
	// Load opens name for reading; the error wraps ErrNotFound when missing.
	Load(ctx context.Context, name string) (io.ReadCloser, error)
	// Stat returns the size of name; the error wraps ErrNotFound when missing.
	Stat(ctx context.Context, name string) (FileInfo, error)
	// List calls fn for every file whose name starts with prefix (e.g. "packs/").
	List(ctx context.Context, prefix string, fn func(FileInfo) error) error
	// Remove deletes name; removing a missing file wraps ErrNotFound.
	Remove(ctx context.Context, name string) error
	// Location is a human-readable description (path or URL without secrets).
	Location() string
	Close() error
}

// A VolatileSaver saves a file as Save does but does not wait for it to
// reach the disk (no fsync): for a file whose loss in a crash does no
// harm, such as a lock file, which the crash releases anyway. Waiting for
// the disk twice (the file, then its folder) for each lock was on the
// path of every command.
type VolatileSaver interface {
	SaveVolatile(ctx context.Context, name string, rd io.Reader, size int64) error
}
