package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"sync"
	"time"
)

// packBufs are one pack worker's buffers for a chunk as stored and as
// plaintext, kept from pack to pack. Allocated afresh for each pack, they
// regrew with its chunks: a restore of /usr/share and /usr/lib (106,315
// files) allocated 1.1 GB that way, and with its plan live the collector
// ran 179 times, a fifth of the restore's CPU.
type packBufs struct {
	stored, plain []byte
}

// restorePack reads the needed blobs of one pack and writes them to their files.
func (rs *restorer) restorePack(ctx context.Context, pack ID, bufs *packBufs) {
	bts := rs.packs[pack]
	sort.Slice(bts, func(i, j int) bool { return bts[i].offset < bts[j].offset })
	failAll := func(err error) {
		for _, bt := range bts {
			rs.deliver(ctx, bt, nil, err)
		}
	}
	rc, err := rs.r.be.Load(ctx, packName(pack))
	if err != nil {
		failAll(fmt.Errorf("pack %s: %w", pack, err))
		return
	}
	defer rc.Close()
	ra, _ := rc.(io.ReaderAt)
	var pos int64
	for _, bt := range bts {
		if ctx.Err() != nil {
			return
		}
		if cap(bufs.stored) < int(bt.length) {
			bufs.stored = make([]byte, bt.length)
		}
		stored := bufs.stored[:bt.length]
		if ra != nil {
			_, err = ra.ReadAt(stored, int64(bt.offset))
		} else {
			if _, err = io.CopyN(io.Discard, rc, int64(bt.offset)-pos); err == nil {
				_, err = io.ReadFull(rc, stored)
			}
			pos = int64(bt.offset) + int64(bt.length)
		}
		var plain []byte
		if err == nil {
			// Not hashed against its ID: each file's SHA-256 checks it (openBlobInto).
			plain, err = rs.r.openBlobInto(bt.id, bt.loc(pack), stored, &bufs.plain, true)
		}
		if err != nil {
			if ra == nil { // the stream position is lost
				failAll(fmt.Errorf("pack %s: %w", pack, err))
				return
			}
			rs.deliver(ctx, bt, nil, fmt.Errorf("chunk %s: %w", bt.id, err))
			continue
		}
		rs.deliver(ctx, bt, plain, nil)
	}
}

// directMax is the largest file that is created by the write of its one
// chunk rather than beforehand (createFiles), its chunk handed to a create
// worker (directWorkers) instead of written by the pack worker.
const directMax = 64 << 10

// directWrite is a small file's chunk on its way to a create worker.
type directWrite struct {
	bt    *blobTarget
	plain *[]byte // from directBufs
}

var directBufs = sync.Pool{New: func() any { b := make([]byte, 0, directMax); return &b }}

// directWorkers create and write small files from their chunks, as many at
// once as createFiles: file creation waits on the kernel, and the pack
// workers go on reading meanwhile. A small file then costs one open
// instead of two (the precreate and the reopen) and no truncate.
func (rs *restorer) directWorkers(ctx context.Context) (wait func()) {
	rs.direct = make(chan directWrite, 2*createWorkers)
	var wg sync.WaitGroup
	for w := 0; w < createWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range rs.direct {
				rs.write(ctx, d.bt, *d.plain, nil)
				directBufs.Put(d.plain)
			}
		}()
	}
	return func() {
		close(rs.direct)
		wg.Wait()
	}
}

// deliver writes plain (or records err) at each target of a blob: a small
// file's chunk through a create worker, others here.
func (rs *restorer) deliver(ctx context.Context, bt *blobTarget, plain []byte, err error) {
	if err == nil && bt.first.f != nil && bt.first.f.direct && len(plain) <= directMax {
		bp := directBufs.Get().(*[]byte)
		*bp = append((*bp)[:0], plain...) // the pack worker reuses plain for its next chunk
		rs.direct <- directWrite{bt: bt, plain: bp}
		return
	}
	rs.write(ctx, bt, plain, err)
}

// write writes plain (or records err) at each target of a blob.
func (rs *restorer) write(ctx context.Context, bt *blobTarget, plain []byte, err error) {
	zero := err == nil && isZero(plain)
	bt.each(func(t fileOffset) {
		if err == nil {
			rs.bytesDone.Add(int64(len(plain)))
		}
		t.f.write(ctx, rs, t.off, plain, zero, err)
	})
}

func isZero(b []byte) bool {
	for len(b) >= 8 {
		if b[0]|b[1]|b[2]|b[3]|b[4]|b[5]|b[6]|b[7] != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// finishFiles finishes files no chunk finished (empty files, and files
// whose chunks could not all be read), in parallel, and collects the checks.
func (rs *restorer) finishFiles(ctx context.Context) {
	work := make(chan *restoreFile)
	var wg sync.WaitGroup
	for w := 0; w < createWorkers; w++ { // empty files are created here
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				f.finishNow(ctx, rs)
			}
		}()
	}
	for _, f := range rs.files {
		if ctx.Err() != nil {
			break
		}
		work <- f
	}
	close(work)
	wg.Wait()
	rs.res.Checks = make([]FileCheck, 0, len(rs.files)+len(rs.hardLinks))
	for _, f := range rs.files {
		c := f.result()
		rs.res.Checks = append(rs.res.Checks, c)
		if c.OK {
			rs.res.Files++
			rs.res.Bytes += c.Size
		} else {
			rs.res.Failed = append(rs.res.Failed, c)
		}
	}
}

// hashFile returns the hex SHA-256 of the file at p (not following links).
func hashFile(ctx context.Context, p string) (string, error) {
	f, err := openFileNoFollow(p, os.O_RDONLY, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return hashOpen(ctx, f)
}

// emptySHA256 is the SHA-256 of no bytes.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// sha256Hex is the hex SHA-256 of b.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

var hashBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// hashOpen hashes an open file from its start, producing holes' zeros
// without reading them.
func hashOpen(ctx context.Context, f *os.File) (string, error) {
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	rd := newSparseReader(f, st)
	h := sha256.New()
	bp := hashBufs.Get().(*[]byte) // 20,000 small files must not mean 5 GB of garbage
	defer hashBufs.Put(bp)
	buf := *bp
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := rd.Read(buf)
		h.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// restoredMode is the mode a restore sets: the permission bits, and
// setuid, setgid and sticky only along with the recorded owner (a setgid
// department folder keeps giving new files its group; a restore that
// cannot set owners must not make a setuid program of its own user's).
func restoredMode(m uint32, owners bool) fs.FileMode {
	mode := fs.FileMode(m)
	if owners {
		return mode.Perm() | mode&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)
	}
	return mode.Perm()
}

func setMeta(dst string, n *restoreNode, owners bool) error {
	if owners {
		if err := ownerErr(os.Lchown(dst, int(n.uid), int(n.gid))); err != nil {
			return fmt.Errorf("set owner: %w", err)
		}
	}
	if err := os.Chmod(dst, restoredMode(n.mode, owners)); err != nil {
		return fmt.Errorf("set permissions: %w", err)
	}
	if err := setPathXattrs(dst, n.xattrs); err != nil {
		return err
	}
	if err := os.Chtimes(dst, time.Time{}, n.modTime()); err != nil {
		return fmt.Errorf("set modification time: %w", err)
	}
	return nil
}

// finishLinks creates symlinks as links, after all files, so nothing is ever
// written through one.
func (rs *restorer) finishLinks() {
	for i := range rs.links {
		l := &rs.links[i]
		if !parentOK(l.parent) {
			rs.failPath(l.rel, &l.node, errors.New("its folder could not be restored"))
			continue
		}
		dst := rs.dst(l.rel)
		if rs.opt.Overwrite {
			if fi, err := os.Lstat(dst); err == nil && !fi.IsDir() {
				_ = os.Remove(dst)
			}
		}
		if err := os.Symlink(l.target, dst); err != nil {
			rs.failPath(l.rel, &l.node, err)
			continue
		}
		if rs.owners {
			if err := ownerErr(os.Lchown(dst, int(l.node.uid), int(l.node.gid))); err != nil {
				rs.failPath(l.rel, &l.node, fmt.Errorf("set owner: %w", err))
				continue
			}
		}
		if err := setPathXattrs(dst, l.node.xattrs); err != nil {
			rs.failPath(l.rel, &l.node, err)
			continue
		}
		_ = lchtimes(dst, l.node.modTime()) // best effort: not every system can
	}
}

// finishDirs sets directory modes and times deepest first, after their
// contents, so writing a file does not change its folder's restored mtime.
func (rs *restorer) finishDirs() {
	for i := len(rs.dirs) - 1; i >= 0; i-- {
		d := rs.dirs[i]
		if !d.ok {
			continue
		}
		if err := setMeta(rs.dst(d.rel), &d.node, rs.owners); err != nil {
			rs.failPath(d.rel, &d.node, err)
		}
	}
}

// CheckRestored re-hashes files already restored under target against snap,
// without writing anything (the SOP's "check the restored data").
func (r *Repository) CheckRestored(ctx context.Context, snap Snapshot, target string, opt RestoreOptions) ([]FileCheck, error) {
	rs, err := r.newRestorer(snap, target, opt)
	if err != nil {
		return nil, err
	}
	root, err := snap.treeID()
	if err != nil {
		return nil, err
	}
	var checks []FileCheck
	err = r.walkTree(ctx, root, "/", func(dir string, n *treeNode) error {
		rel := path.Join(dir, n.Name)
		if in, _ := rs.selected(rel); !in || (n.Type != NodeFile && n.Type != NodeStream) {
			return nil
		}
		c := FileCheck{Path: rel, Size: n.Size, Want: n.SHA256}
		got, err := hashFile(ctx, rs.dst(rel))
		c.Got = got
		switch {
		case err != nil:
			c.Err = err.Error()
		case got != n.SHA256:
			c.Err = "content does not match the snapshot's SHA-256"
		default:
			c.OK = true
		}
		checks = append(checks, c)
		return ctx.Err()
	})
	if err != nil {
		return checks, err
	}
	return checks, rs.checkIncludes()
}
