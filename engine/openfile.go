package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"strings"
)

// ErrNotFile is returned (wrapped) by OpenFile for a path that is not a
// file or stream entry.
var ErrNotFile = errors.New("not a file or stream entry")

// OpenFile opens the content of one file or stream entry of snap (a slash
// path such as "db/postgres/sales") as a stream, without writing it
// anywhere: database restores pipe it into their tools. Each chunk is
// checked as it is loaded and, at the end, the whole content against the
// recorded size and SHA-256; a mismatch is returned by Read instead of
// io.EOF. The repository stays locked (shared) until Close.
func (r *Repository) OpenFile(ctx context.Context, snap Snapshot, p string) (io.ReadCloser, Node, error) {
	r.opMu.RLock()
	lk, err := r.lock(ctx, "read", false)
	if err != nil {
		r.opMu.RUnlock()
		return nil, Node{}, err
	}
	release := func() {
		lk.release()
		r.opMu.RUnlock()
	}
	n, dir, err := r.entryNode(ctx, snap, p)
	if err != nil {
		release()
		return nil, Node{}, err
	}
	if n.Type != NodeFile && n.Type != NodeStream {
		release()
		return nil, Node{}, fmt.Errorf("open %s in snapshot %s: %w", p, snap.ShortID(), ErrNotFile)
	}
	fr := &fileReader{ctx: ctx, r: r, node: n, path: path.Join(dir, n.Name), h: sha256.New(), release: release}
	return fr, n.public(dir), nil
}

// entryNode walks from snap's root to the entry at p.
func (r *Repository) entryNode(ctx context.Context, snap Snapshot, p string) (*treeNode, string, error) {
	if err := r.refreshIndex(ctx); err != nil {
		return nil, "", err
	}
	id, err := snap.treeID()
	if err != nil {
		return nil, "", err
	}
	clean := path.Clean("/" + p)
	names := strings.Split(strings.Trim(clean, "/"), "/")
	dir := "/"
	for i, name := range names {
		t, err := r.loadTree(ctx, id)
		if err != nil {
			return nil, "", err
		}
		n := t.find(name)
		if n == nil {
			return nil, "", fmt.Errorf("open %s in snapshot %s: no such entry", clean, snap.ShortID())
		}
		if i == len(names)-1 {
			return n, dir, nil
		}
		if n.Type != NodeDir || n.Subtree == nil {
			return nil, "", fmt.Errorf("open %s in snapshot %s: %s is not a directory", clean, snap.ShortID(), path.Join(dir, name))
		}
		id, dir = *n.Subtree, path.Join(dir, name)
	}
	return nil, "", fmt.Errorf("open %s in snapshot %s: %w", clean, snap.ShortID(), ErrNotFile)
}

// fileReader streams one entry's chunks in order.
type fileReader struct {
	ctx     context.Context
	r       *Repository
	node    *treeNode
	path    string
	next    int    // index of the next chunk in node.Content
	buf     []byte // unread part of the current chunk
	size    int64
	h       hash.Hash
	err     error // sticky: io.EOF or a failure
	release func()
}

func (f *fileReader) Read(p []byte) (int, error) {
	for len(f.buf) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		if f.next == len(f.node.Content) {
			f.err = f.finish()
			continue
		}
		if err := f.ctx.Err(); err != nil {
			return 0, err
		}
		chunk, err := f.r.loadBlob(f.ctx, f.node.Content[f.next])
		if err != nil {
			f.err = fmt.Errorf("read %s: %w", f.path, err)
			return 0, f.err
		}
		f.next++
		f.buf = chunk
		f.h.Write(chunk)
		f.size += int64(len(chunk))
	}
	n := copy(p, f.buf)
	f.buf = f.buf[n:]
	return n, nil
}

// finish checks the whole content; io.EOF when it matches the record.
func (f *fileReader) finish() error {
	if f.size != f.node.Size {
		return fmt.Errorf("read %s: %d bytes, the snapshot records %d", f.path, f.size, f.node.Size)
	}
	if got := hex.EncodeToString(f.h.Sum(nil)); f.node.SHA256 != "" && got != f.node.SHA256 {
		return fmt.Errorf("read %s: content SHA-256 %s, the snapshot records %s", f.path, got, f.node.SHA256)
	}
	return io.EOF
}

// Close releases the repository lock; calling it again does nothing.
func (f *fileReader) Close() error {
	if f.release != nil {
		f.release()
		f.release = nil
	}
	return nil
}
