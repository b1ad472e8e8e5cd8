package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// saveRoot builds the snapshot's root tree: one entry per source, plus the
// directories that hold streams.
func (b *backupRun) saveRoot(ctx context.Context, sources []source, parent *Snapshot) (ID, error) {
	var parentRoot *treeJSON
	if parent != nil {
		id, err := parent.treeID()
		if err == nil {
			parentRoot, err = b.r.loadTree(ctx, id)
		}
		if err != nil && ctx.Err() == nil {
			// Everything is read again; the run says why it took long.
			b.warn(strings.Join(sourcePaths(sources), ", "), parentTreeError(parent, err))
		}
	}
	root := &memDir{}
	var pending []pendingNode
	for _, src := range sources {
		if err := ctx.Err(); err != nil {
			return ID{}, err
		}
		if src.stream != nil {
			job := &fileJob{path: src.name, stream: src.stream, done: make(chan fileResult, 1),
				node: treeNode{Name: path.Base(src.name), Type: NodeStream, Mode: 0o600, ModTime: b.start}}
			b.files <- job
			pending = append(pending, pendingNode{dir: root.dirFor(path.Dir(src.name), b.start), job: job})
			continue
		}
		var pnode *treeNode
		if parentRoot != nil {
			pnode = parentRoot.find(src.name)
		}
		node, ready, job, err := b.saveEntry(ctx, src.path, nil, pnode)
		if err != nil {
			return ID{}, err
		}
		if job != nil {
			pending = append(pending, pendingNode{dir: root, job: job})
		} else if ready {
			root.nodes = append(root.nodes, node)
		}
	}
	for _, p := range pending {
		res := <-p.job.done
		if res.err != nil {
			return ID{}, res.err
		}
		if res.ok {
			p.dir.nodes = append(p.dir.nodes, res.node)
		}
	}
	if err := ctx.Err(); err != nil {
		return ID{}, err
	}
	return b.saveMemDir(ctx, root)
}

// parentTreeError reports a folder listing of the parent snapshot that
// could not be loaded: the backup goes on, reading that folder's files
// again, but the parent snapshot is damaged and verify should be run.
func parentTreeError(parent *Snapshot, err error) error {
	id := ""
	if parent != nil {
		id = parent.ShortID()
	}
	return fmt.Errorf("parent snapshot %s: folder listing could not be loaded, so its files were read again (run cadang verify): %w", id, err)
}

type pendingNode struct {
	dir *memDir
	job *fileJob
}

// memDir is a synthetic directory at the root (for stream paths).
type memDir struct {
	nodes []treeNode
	subs  map[string]*memDir
	mtime time.Time
}

func (d *memDir) dirFor(p string, mtime time.Time) *memDir {
	if p == "." || p == "" || p == "/" {
		return d
	}
	cur := d
	for _, part := range strings.Split(strings.Trim(p, "/"), "/") {
		if cur.subs == nil {
			cur.subs = map[string]*memDir{}
		}
		next, ok := cur.subs[part]
		if !ok {
			next = &memDir{mtime: mtime}
			cur.subs[part] = next
		}
		cur = next
	}
	return cur
}

func (b *backupRun) saveMemDir(ctx context.Context, d *memDir) (ID, error) {
	t := &treeJSON{Nodes: d.nodes}
	for name, sub := range d.subs {
		id, err := b.saveMemDir(ctx, sub)
		if err != nil {
			return ID{}, err
		}
		b.dirs.Add(1)
		t.Nodes = append(t.Nodes, treeNode{Name: name, Type: NodeDir, Mode: uint32(fs.ModeDir | 0o700), ModTime: sub.mtime, Subtree: &id})
	}
	return b.saveTree(ctx, t)
}

// saveTree stores a directory listing as a tree blob.
func (b *backupRun) saveTree(ctx context.Context, t *treeJSON) (ID, error) {
	data, err := encodeTree(t)
	if err != nil {
		return ID{}, err
	}
	enc, _ := b.encoders.Get().(*blobEncoder)
	if enc == nil {
		enc = new(blobEncoder) // 130 KiB of LZ4 state: pooled, not per folder
	}
	id, _, err := b.pk.storeBlob(ctx, blobTree, data, enc)
	b.encoders.Put(enc)
	if err != nil {
		return ID{}, fmt.Errorf("save tree: %w", err)
	}
	return id, nil
}

// saveEntry handles one path, given its lstat when the prescan has it.
// An unchanged file (from the parent), a symlink or a special file is
// ready: its node is returned by value, which spares an allocation for
// each of a big tree's entries. A directory (walked now, stored once its
// contents are) or a file to read (a job for the file workers) comes back
// as a job, a future. Neither ready nor a job means the entry was skipped.
func (b *backupRun) saveEntry(ctx context.Context, p string, fi fs.FileInfo, parent *treeNode) (treeNode, bool, *fileJob, error) {
	if fi == nil { // not prescanned
		var err error
		if fi, err = os.Lstat(p); err != nil {
			b.warn(p, err)
			return treeNode{}, false, nil, nil
		}
	}
	node := treeNode{Name: fi.Name()}
	if filepath.Dir(p) == p {
		node.Name = filepath.Base(p)
	}
	fillStat(&node, fi)
	special := recordSpecials && fi.Mode()&(fs.ModeNamedPipe|fs.ModeDevice) != 0
	if fi.IsDir() || fi.Mode()&fs.ModeSymlink != 0 || special { // a file's are read through its descriptor (readFile)
		if sameInodeState(&node, parent) {
			// Setting or removing an extended attribute moves the ctime: with
			// the same ctime the parent's are still the ones (one system
			// call less for each folder of an unchanged tree).
			node.XAttrs = parent.XAttrs
		} else {
			var err error
			if node.XAttrs, err = pathXattrs(p); err != nil {
				b.warn(p, err)
			}
		}
	}
	switch {
	case fi.IsDir():
		node.Type = NodeDir
		var psub *ID
		if parent != nil && parent.Type == NodeDir {
			psub = parent.Subtree
		}
		job, err := b.saveDir(ctx, p, node, psub)
		if err != nil {
			return treeNode{}, false, nil, err
		}
		return treeNode{}, false, job, nil
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			b.warn(p, err)
			return treeNode{}, false, nil, nil
		}
		node.Type, node.LinkTarget = NodeSymlink, target
		return node, true, nil, nil
	case special: // recorded, never opened: a FIFO's open would block
		node.Type, node.Size = NodeDevice, 0
		if fi.Mode()&fs.ModeNamedPipe != 0 {
			node.Type = NodeFIFO
		}
		return node, true, nil, nil
	case fi.Mode().IsRegular():
		node.Type = NodeFile
		if b.unchanged(&node, parent) {
			reused := *parent
			reused.Name, reused.Mode, reused.UID, reused.GID = node.Name, node.Mode, node.UID, node.GID
			reused.Links = node.Links
			b.filesUnmod.Add(1)
			b.filesDone.Add(1)
			b.bytesTotal.Add(reused.Size)
			return reused, true, nil, nil
		}
		if parent != nil && parent.Type != NodeFile {
			parent = nil
		}
		job := &fileJob{path: p, node: node, parent: parent, done: make(chan fileResult, 1)}
		select {
		case b.files <- job:
		case <-ctx.Done():
			return treeNode{}, false, nil, ctx.Err()
		}
		return treeNode{}, false, job, nil
	default:
		b.warn(p, fmt.Errorf("skipped: special file (%s)", fi.Mode().Type()))
		return treeNode{}, false, nil, nil
	}
}

// sameInodeState reports whether cur (stat filled in, type not yet) is the
// parent snapshot's entry with nothing changed since, not even its
// metadata: same inode, same type and the same ctime, which the kernel
// moves on any change to the inode (owner, mode, extended attributes,
// links, contents).
func sameInodeState(cur, parent *treeNode) bool {
	if parent == nil || cur.CTime == 0 || parent.CTime != cur.CTime || parent.Inode != cur.Inode || parent.Device != cur.Device {
		return false
	}
	switch mode := fs.FileMode(cur.Mode); {
	case mode.IsDir():
		return parent.Type == NodeDir
	case mode&fs.ModeSymlink != 0:
		return parent.Type == NodeSymlink
	case mode&fs.ModeNamedPipe != 0:
		return parent.Type == NodeFIFO
	case mode&fs.ModeDevice != 0:
		return parent.Type == NodeDevice
	}
	return false
}

// unchanged reports whether the parent snapshot's node can be reused
// without reading the file: same size, mtime, ctime and inode, and all its
// chunks still in the repository.
func (b *backupRun) unchanged(cur, parent *treeNode) bool {
	if parent == nil || parent.Type != NodeFile || parent.SHA256 == "" {
		return false
	}
	if parent.Size != cur.Size || !parent.ModTime.Equal(cur.ModTime) || parent.CTime != cur.CTime ||
		parent.Inode != cur.Inode || parent.Device != cur.Device {
		return false
	}
	for _, id := range parent.Content {
		if !b.r.idx.Load().has(id) {
			return false
		}
	}
	return true
}

// saveDir walks directory p, queueing its files and walking its folders,
// and returns a future for the directory's node. Nothing here waits for
// file contents: a goroutine per folder collects its entries and stores its
// tree. Sub-folders are walked in parallel while a walker slot is free (on
// an unchanged tree the walk itself — listing, lstat, loading the parent's
// trees — is the work).
func (b *backupRun) saveDir(ctx context.Context, p string, node treeNode, parentTree *ID) (*fileJob, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir := &fileJob{path: p, done: make(chan fileResult, 1)}
	select {
	case b.walkers <- struct{}{}:
		go func() {
			w := b.walkDir(ctx, p, parentTree)
			<-b.walkers
			b.finishDir(ctx, dir, node, parentTree, w)
		}()
	default:
		w := b.walkDir(ctx, p, parentTree)
		go b.finishDir(ctx, dir, node, parentTree, w)
	}
	return dir, nil
}

// dirWalk is what walking one folder found.
type dirWalk struct {
	prev  *treeJSON  // the parent snapshot's listing, if any
	ready []treeNode // entries known now (unchanged files, links)
	jobs  []*fileJob // entries still being stored
	err   error
}

func (b *backupRun) walkDir(ctx context.Context, p string, parentTree *ID) (w dirWalk) {
	var prevByName map[string]*treeNode
	if parentTree != nil {
		prev, err := b.r.loadTree(ctx, *parentTree)
		switch {
		case err == nil:
			w.prev = prev
			prevByName = make(map[string]*treeNode, len(prev.Nodes))
			for i := range prev.Nodes {
				prevByName[prev.Nodes[i].Name] = &prev.Nodes[i]
			}
		case ctx.Err() == nil:
			b.warn(p, parentTreeError(b.parent, err))
		}
	}
	var names []string
	var infos []fs.FileInfo // nil, or the prescan's lstat of each name
	if found := b.opt.Prescan.take(p); found != nil {
		names, infos = found.names, found.infos
	} else {
		entries, err := os.ReadDir(p)
		if err != nil {
			b.warn(p, err) // an unreadable folder is kept, empty
		}
		names = make([]string, len(entries))
		for i, e := range entries {
			names[i] = e.Name()
		}
	}
	w.ready = make([]treeNode, 0, len(names)) // also room for the folders and changed files, in finishDir
	for i, name := range names {
		full := filepath.Join(p, name)
		if b.excluded(full, name) {
			continue
		}
		if !validName(name) {
			b.warn(full, errors.New("skipped: name cannot be stored safely"))
			continue
		}
		var fi fs.FileInfo
		if infos != nil {
			fi = infos[i]
		}
		n, ready, job, err := b.saveEntry(ctx, full, fi, prevByName[name])
		if err != nil {
			w.err = err
			return w
		}
		if job != nil {
			w.jobs = append(w.jobs, job)
		} else if ready {
			w.ready = append(w.ready, n)
		}
	}
	return w
}

// finishDir waits for a folder's entries and stores its tree, or reuses
// the parent snapshot's tree when every entry is the same.
func (b *backupRun) finishDir(ctx context.Context, dir *fileJob, node treeNode, parentTree *ID, w dirWalk) {
	if w.err != nil {
		dir.done <- fileResult{err: w.err}
		return
	}
	t := &treeJSON{Nodes: w.ready}
	for _, job := range w.jobs {
		res := <-job.done
		if res.err != nil {
			dir.done <- res
			return
		}
		if res.ok {
			t.Nodes = append(t.Nodes, res.node)
		}
	}
	if err := ctx.Err(); err != nil {
		dir.done <- fileResult{err: err}
		return
	}
	var id ID
	if parentTree != nil && w.prev != nil && sameNodes(t.Nodes, w.prev.Nodes) && b.r.idx.Load().has(*parentTree) {
		id = *parentTree // unchanged folder: no need to encode and hash it again
	} else {
		var err error
		if id, err = b.saveTree(ctx, t); err != nil {
			dir.done <- fileResult{err: err}
			return
		}
	}
	node.Subtree = &id
	b.dirs.Add(1)
	dir.done <- fileResult{node: node, ok: true}
}

// sameNodes reports whether a folder's new entries equal the parent's
// (which are sorted by name).
func sameNodes(cur, prev []treeNode) bool {
	if len(cur) != len(prev) {
		return false
	}
	sort.Slice(cur, func(i, j int) bool { return cur[i].Name < cur[j].Name })
	for i := range cur {
		if !sameNode(&cur[i], &prev[i]) {
			return false
		}
	}
	return true
}

func sameNode(a, b *treeNode) bool {
	if a.Name != b.Name || a.Type != b.Type || a.Mode != b.Mode || !a.ModTime.Equal(b.ModTime) || a.CTime != b.CTime ||
		a.Inode != b.Inode || a.Device != b.Device || a.Size != b.Size || a.LinkTarget != b.LinkTarget ||
		a.Links != b.Links || a.Rdev != b.Rdev ||
		a.UID != b.UID || a.GID != b.GID ||
		a.SHA256 != b.SHA256 || len(a.Content) != len(b.Content) || len(a.Meta) != len(b.Meta) ||
		(a.Subtree == nil) != (b.Subtree == nil) || (a.Subtree != nil && *a.Subtree != *b.Subtree) {
		return false
	}
	for i := range a.Content {
		if a.Content[i] != b.Content[i] {
			return false
		}
	}
	for k, v := range a.Meta {
		if bv, ok := b.Meta[k]; !ok || bv != v {
			return false
		}
	}
	if len(a.XAttrs) != len(b.XAttrs) {
		return false
	}
	for k, v := range a.XAttrs {
		if bv, ok := b.XAttrs[k]; !ok || !bytes.Equal(bv, v) {
			return false
		}
	}
	return true
}

// excluded matches the exclude globs against the base name and the full path.
func (b *backupRun) excluded(full, base string) bool {
	return full == b.repoRoot || excludedBy(b.opt.Excludes, full, base)
}

// excludedBy matches exclude globs against a base name and a full path.
func excludedBy(excludes []string, full, base string) bool {
	for _, pat := range excludes {
		if ok, _ := filepath.Match(pat, base); ok {
			return true
		}
		if ok, _ := filepath.Match(pat, full); ok {
			return true
		}
		if strings.HasSuffix(pat, string(filepath.Separator)) {
			if ok, _ := filepath.Match(strings.TrimSuffix(pat, string(filepath.Separator)), base); ok {
				return true
			}
		}
	}
	return false
}

// scan counts files and bytes ahead of the backup, for the progress ETA.
func (b *backupRun) scan(ctx context.Context, sources []source) {
	if _, nop := b.opt.Progress.(NopProgress); nop {
		return
	}
	for _, src := range sources {
		if src.stream != nil {
			continue
		}
		_ = filepath.WalkDir(src.path, func(p string, d fs.DirEntry, err error) error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil || b.excluded(p, d.Name()) {
				if d != nil && d.IsDir() && err == nil {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				if fi, err := d.Info(); err == nil {
					b.scanFiles.Add(1)
					b.scanBytes.Add(fi.Size())
				}
			}
			return nil
		})
	}
}
