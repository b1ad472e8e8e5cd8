package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// maxOpenFiles bounds the files kept open between chunks; past it a file
// is closed after each write and reopened for the next.
const maxOpenFiles = 256

// restoreFile is one file being restored. A file of several chunks is
// created beforehand (createFiles), reopened by its first chunk and kept
// open until its last, which then hashes it through the same descriptor; a
// small file of one chunk is created by that chunk's write (directWorkers).
type restoreFile struct {
	rel     string // slash path inside the snapshot (on disk: restorer.dst)
	node    restoreNode
	parent  *restoreDir
	targets int32 // chunk writes planned

	mu       sync.Mutex
	pending  int32 // chunk writes still to come
	created  bool
	finished bool
	direct   bool // one small chunk: created by its write (directWorkers), not beforehand
	f        *os.File
	failed   error
	// got is the content's hex SHA-256: before finish, of the one chunk
	// that is the whole file as it was written; once finished, of the file
	// (the recorded string itself when they match).
	got      string
	checkErr string // why the check failed, once finished
}

func (f *restoreFile) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failed == nil {
		f.failed = err
	}
}

// write stores one chunk (or records why it cannot) and finishes the file
// after its last chunk.
func (f *restoreFile) write(ctx context.Context, rs *restorer, off int64, plain []byte, zero bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending--
	if err != nil && f.failed == nil {
		f.failed = err
	}
	if f.failed == nil {
		// Zeros are not written: the file was created at full size, all
		// holes, and zero blocks stay holes (writeSparse).
		if oerr := f.open(rs); oerr != nil {
			f.failed = oerr
		} else if !zero {
			if werr := writeSparse(f.f, plain, off); werr != nil {
				f.failed = werr
			}
		}
		// A direct file is created empty; if its chunk ends in zeros that
		// were left a hole, only the size puts them back.
		if f.failed == nil && f.direct && len(plain) > 0 && (zero || plain[len(plain)-1] == 0) {
			if terr := f.f.Truncate(f.node.size); terr != nil {
				f.failed = terr
			}
		}
		if f.failed == nil && f.targets == 1 && off == 0 && int64(len(plain)) == f.node.size {
			f.got = sha256Hex(plain)
		}
	}
	if f.pending <= 0 {
		f.finish(ctx, rs)
	} else if rs.openFiles.Load() > maxOpenFiles {
		f.close(rs)
	}
}

// open creates the file the first time, reopens it later (never through a link).
func (f *restoreFile) open(rs *restorer) error {
	if f.f != nil {
		return nil
	}
	if !parentOK(f.parent) {
		return errors.New("its folder could not be restored")
	}
	var err error
	if !f.created {
		size := f.node.size
		if f.direct {
			size = 0 // its one write gives it its size (write sets it for a hole at the end)
		}
		f.f, err = rs.createFile(rs.dst(f.rel), size)
		f.created = err == nil
	} else {
		f.f, err = openFileNoFollow(rs.dst(f.rel), os.O_RDWR, 0)
	}
	if err == nil {
		rs.openFiles.Add(1)
	}
	return err
}

func (f *restoreFile) close(rs *restorer) error {
	if f.f == nil {
		return nil
	}
	err := f.f.Close()
	f.f = nil
	rs.openFiles.Add(-1)
	return err
}

// precreate creates the file (closed again at once) before any chunk
// arrives; failures are recorded for its check.
func (f *restoreFile) precreate(rs *restorer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.created || f.failed != nil {
		return
	}
	if err := f.open(rs); err != nil {
		f.failed = err
		return
	}
	if err := f.close(rs); err != nil {
		f.failed = err
	}
}

// finishNow finishes a file that no chunk finished.
func (f *restoreFile) finishNow(ctx context.Context, rs *restorer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.finished {
		if f.pending > 0 && f.failed == nil {
			f.failed = errors.New("not all chunks could be read")
		}
		f.finish(ctx, rs)
	}
}

// finish verifies the written content against the snapshot's SHA-256 and
// applies mode and modification time (after the last write).
func (f *restoreFile) finish(ctx context.Context, rs *restorer) {
	defer func() {
		f.finished = true
		rs.filesDone.Add(1)
	}()
	if f.failed == nil {
		f.failed = f.open(rs) // empty files have no chunk that created them
	}
	if f.failed != nil {
		_ = f.close(rs)
		f.checkErr = f.failed.Error()
		return
	}
	// A file that is one chunk (most small files) is checked against the
	// bytes written to it, an empty one as empty; others are read back. A
	// read-back of a just-written file reads the page cache, not the disk,
	// so for a single write it checks nothing the written bytes do not,
	// and it cost four system calls and a read of every small file.
	var got string
	var err error
	switch {
	case f.got != "":
		got = f.got
	case f.targets == 0 && f.node.size == 0:
		got = emptySHA256
	default:
		got, err = hashOpen(ctx, f.f)
	}
	match := err == nil && got == f.node.sha256
	if match {
		got = f.node.sha256 // one string for both in the report
		err = f.setMeta(rs)
	}
	f.got = got
	if cerr := f.close(rs); err == nil {
		err = cerr
	}
	if err == nil && match && timesByPath {
		if err = os.Chtimes(rs.dst(f.rel), time.Time{}, f.node.modTime()); err != nil {
			err = fmt.Errorf("set metadata: set modification time: %w", err)
		}
	}
	switch {
	case err != nil:
		f.checkErr = err.Error()
	case !match:
		f.checkErr = "restored content does not match the snapshot's SHA-256"
	}
}

// setMeta gives the verified file its owner, mode and time through the
// open descriptor: no more path lookups for this file.
func (f *restoreFile) setMeta(rs *restorer) error {
	if rs.owners { // first: chown clears the setuid and setgid bits
		if err := ownerErr(f.f.Chown(int(f.node.uid), int(f.node.gid))); err != nil {
			return fmt.Errorf("set metadata: set owner: %w", err)
		}
	}
	if err := f.f.Chmod(restoredMode(f.node.mode, rs.owners)); err != nil {
		return fmt.Errorf("set metadata: set permissions: %w", err)
	}
	if err := setFileXattrs(f.f, f.node.xattrs); err != nil { // after the mode: an ACL sets the group bits
		return fmt.Errorf("set metadata: %w", err)
	}
	if err := setFileTimes(f.f, f.node.modTime()); err != nil {
		return fmt.Errorf("set metadata: set modification time: %w", err)
	}
	return nil
}

// result is the file's check (finished by finishFiles at the latest).
func (f *restoreFile) result() FileCheck {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := FileCheck{Path: f.rel, Size: f.node.size, Want: f.node.sha256, Got: f.got, Err: f.checkErr}
	if !f.finished {
		c.Err = "restore interrupted"
	}
	c.OK = c.Err == ""
	return c
}
