package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// saveRoot builds the snapshot's root tree: one entry per source, plus the
// directories that hold streams.
func (b *backupRun) saveRoot(ctx context.Context, sources []source, parent *Snapshot) (ID, error) {
	var parentRoot *treeJSON
	if parent != nil {
		if id, err := parent.treeID(); err == nil {
			parentRoot, _ = b.r.loadTree(ctx, id) // no parent tree: everything counts as new
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
		node, job, err := b.saveEntry(ctx, src.path, pnode)
		if err != nil {
			return ID{}, err
		}
		if job != nil {
			pending = append(pending, pendingNode{dir: root, job: job})
		} else if node != nil {
			root.nodes = append(root.nodes, *node)
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

// saveEntry handles one path: unchanged files from the parent directly;
// directories (walked now, stored once their contents are) and other
// regular files (a job for the file workers) as a future. A nil node and
// nil job means the entry was skipped.
func (b *backupRun) saveEntry(ctx context.Context, p string, parent *treeNode) (*treeNode, *fileJob, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		b.warn(p, err)
		return nil, nil, nil
	}
	node := treeNode{Name: fi.Name()}
	if filepath.Dir(p) == p {
		node.Name = filepath.Base(p)
	}
	fillStat(&node, fi)
	switch {
	case fi.IsDir():
		node.Type = NodeDir
		var psub *ID
		if parent != nil && parent.Type == NodeDir {
			psub = parent.Subtree
		}
		job, err := b.saveDir(ctx, p, node, psub)
		if err != nil {
			return nil, nil, err
		}
		return nil, job, nil
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			b.warn(p, err)
			return nil, nil, nil
		}
		node.Type, node.LinkTarget = NodeSymlink, target
		return &node, nil, nil
	case fi.Mode().IsRegular():
		node.Type = NodeFile
		if b.unchanged(&node, parent) {
			reused := *parent
			reused.Name, reused.Mode = node.Name, node.Mode
			b.filesUnmod.Add(1)
			b.filesDone.Add(1)
			b.bytesTotal.Add(reused.Size)
			return &reused, nil, nil
		}
		if parent != nil && parent.Type != NodeFile {
			parent = nil
		}
		job := &fileJob{path: p, node: node, parent: parent, done: make(chan fileResult, 1)}
		select {
		case b.files <- job:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		return nil, job, nil
	default:
		b.warn(p, fmt.Errorf("skipped: special file (%s)", fi.Mode().Type()))
		return nil, nil, nil
	}
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
// and returns a future for the directory's node. The walker never waits for
// file contents: a goroutine per folder collects its entries and stores its
// tree, so folders holding few files still keep every worker busy.
func (b *backupRun) saveDir(ctx context.Context, p string, node treeNode, parentTree *ID) (*fileJob, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var prev *treeJSON
	if parentTree != nil {
		prev, _ = b.r.loadTree(ctx, *parentTree)
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		b.warn(p, err) // an unreadable folder is kept, empty
	}
	var ready []treeNode
	var jobs []*fileJob
	for _, e := range entries {
		full := filepath.Join(p, e.Name())
		if b.excluded(full, e.Name()) {
			continue
		}
		if !validName(e.Name()) {
			b.warn(full, errors.New("skipped: name cannot be stored safely"))
			continue
		}
		var pnode *treeNode
		if prev != nil {
			pnode = prev.find(e.Name())
		}
		n, job, err := b.saveEntry(ctx, full, pnode)
		if err != nil {
			return nil, err
		}
		if job != nil {
			jobs = append(jobs, job)
		} else if n != nil {
			ready = append(ready, *n)
		}
	}
	dir := &fileJob{path: p, done: make(chan fileResult, 1)}
	go func() {
		t := &treeJSON{Nodes: ready}
		for _, job := range jobs {
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
		id, err := b.saveTree(ctx, t)
		if err != nil {
			dir.done <- fileResult{err: err}
			return
		}
		node.Subtree = &id
		b.dirs.Add(1)
		dir.done <- fileResult{node: node, ok: true}
	}()
	return dir, nil
}

// excluded matches the exclude globs against the base name and the full path.
func (b *backupRun) excluded(full, base string) bool {
	if full == b.repoRoot {
		return true
	}
	for _, pat := range b.opt.Excludes {
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
