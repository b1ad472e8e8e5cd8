package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type restoreDir struct {
	rel    string
	node   restoreNode
	parent *restoreDir // nil: directly in the target
	depth  int
	ok     bool // created (or an existing real directory); set before any file is written
}

// parentOK reports whether d's folder exists as a real directory.
func parentOK(d *restoreDir) bool { return d == nil || d.ok }

// restoreLink is a symlink, FIFO or device node to create.
type restoreLink struct {
	rel    string
	node   restoreNode
	parent *restoreDir
	typ    NodeType
	target string // a symlink's
	rdev   uint64 // a device node's
}

func newRestoreLink(rel string, n *treeNode, parent *restoreDir) restoreLink {
	return restoreLink{rel: rel, node: newRestoreNode(n), parent: parent, typ: n.Type, target: n.LinkTarget, rdev: n.Rdev}
}

// blobTarget is where one blob goes: every (file, offset) that needs it.
// Most blobs have one target, kept in first: no slice for them.
type blobTarget struct {
	id     ID
	offset uint32 // in its pack (the pack is the key of restorer.packs)
	length uint32
	raw    uint32
	flags  uint8
	first  fileOffset
	more   []fileOffset
}

// loc is where the blob is stored, in pack.
func (bt *blobTarget) loc(pack ID) blobLoc {
	return blobLoc{Pack: pack, Offset: bt.offset, Length: bt.length, Raw: bt.raw, Flags: bt.flags}
}

// each calls fn for every target of the blob.
func (bt *blobTarget) each(fn func(fileOffset)) {
	if bt.first.f != nil {
		fn(bt.first)
	}
	for _, t := range bt.more {
		fn(t)
	}
}

type fileOffset struct {
	f   *restoreFile
	off int64
}

// restorer holds the plan of one restore.
type restorer struct {
	r       *Repository
	opt     RestoreOptions
	target  string
	include []string
	matched []bool
	files   []*restoreFile
	dirs    []*restoreDir
	links   []restoreLink
	// hardLinks are further names of restored files; leaders maps each
	// linked inode to its first restored name (restore_links.go).
	hardLinks []restoreHardLink
	leaders   map[inodeKey]*restoreFile
	specials  []restoreLink // FIFOs and device nodes
	packs     map[ID][]*blobTarget
	blobs     map[ID]*blobTarget // only while planning
	res       *RestoreResult

	owners bool // give entries their recorded owners (restoreOwners)

	direct chan directWrite // small files' chunks, for the create workers (restore_io.go)

	bytesDone, filesDone atomic.Int64
	openFiles            atomic.Int64
	bytesTotal           int64
	start                time.Time
}

// Restore writes snap (or opt.Include of it) under target and verifies every
// file against its recorded SHA-256. It never writes outside target: names
// are single path components, parents must be real directories (not links),
// files are opened with O_NOFOLLOW, and symlinks are created last.
func (r *Repository) Restore(ctx context.Context, snap Snapshot, target string, opt RestoreOptions) (*RestoreResult, error) {
	r.opMu.RLock()
	defer r.opMu.RUnlock()
	if opt.Progress == nil {
		opt.Progress = NopProgress{}
	}
	lk, err := r.lock(ctx, "restore", false)
	if err != nil {
		return nil, err
	}
	defer lk.release()
	if err := r.refreshIndex(ctx); err != nil {
		return nil, err
	}
	rs, err := r.newRestorer(snap, target, opt)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(rs.target, 0o700); err != nil {
		return nil, fmt.Errorf("restore: create target: %w", err)
	}
	root, err := snap.treeID()
	if err != nil {
		return nil, err
	}
	if err := rs.planAll(ctx, root); err != nil {
		return nil, err
	}
	if !opt.Overwrite {
		if err := rs.checkConflicts(); err != nil {
			return nil, err
		}
	}
	rs.createDirs(ctx)
	rs.createFiles(ctx)
	stop := startReporter(opt.Progress, rs.stats)
	err = rs.run(ctx)
	stop()
	if err != nil {
		return nil, err
	}
	rs.res.Duration = time.Since(rs.start)
	return rs.res, nil
}

func (r *Repository) newRestorer(snap Snapshot, target string, opt RestoreOptions) (*restorer, error) {
	if strings.TrimSpace(target) == "" {
		return nil, errors.New("restore: no target folder given")
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		return nil, fmt.Errorf("restore: target %s: %w", target, err)
	}
	rs := &restorer{
		r: r, opt: opt, target: abs, packs: map[ID][]*blobTarget{}, blobs: map[ID]*blobTarget{}, leaders: map[inodeKey]*restoreFile{},
		res: &RestoreResult{Snapshot: snap}, start: time.Now(), owners: restoreOwners(),
	}
	for _, inc := range opt.Include {
		rs.include = append(rs.include, path.Clean("/"+filepath.ToSlash(inc)))
	}
	rs.matched = make([]bool, len(rs.include))
	return rs, nil
}

func (rs *restorer) stats() ProgressStats {
	return ProgressStats{Phase: "restore", FilesDone: rs.filesDone.Load(), FilesTotal: int64(len(rs.files)),
		BytesDone: rs.bytesDone.Load(), BytesTotal: rs.bytesTotal, Started: rs.start}
}

// selected says whether rel is restored whole (in) or only as a parent
// directory of an included path (ancestor).
func (rs *restorer) selected(rel string) (in, ancestor bool) {
	if len(rs.include) == 0 {
		return true, false
	}
	for i, inc := range rs.include {
		if inc == "/" || rel == inc || strings.HasPrefix(rel, inc+"/") {
			rs.matched[i] = true
			return true, false
		}
		if strings.HasPrefix(inc, rel+"/") {
			ancestor = true
		}
	}
	return false, ancestor
}

func (rs *restorer) checkIncludes() error {
	for i, ok := range rs.matched {
		if !ok {
			return fmt.Errorf("restore: %s is not in snapshot %s: %w", rs.include[i], rs.res.Snapshot.ShortID(), ErrNoSnapshot)
		}
	}
	return nil
}

// planAll plans the restore of the snapshot tree root (or of its included
// paths) and keeps of the snapshot's trees only what restoring needs.
func (rs *restorer) planAll(ctx context.Context, root ID) error {
	if err := rs.plan(ctx, root, "/", false, nil); err != nil {
		return err
	}
	rs.blobs = nil
	return rs.checkIncludes()
}

// plan walks tree id (at snapshot path dir) below folder parent, recording
// folders, files, links and the blobs to fetch.
func (rs *restorer) plan(ctx context.Context, id ID, dir string, all bool, parent *restoreDir) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t, err := rs.r.loadTree(ctx, id)
	if err != nil {
		return fmt.Errorf("restore %s: %w", dir, err)
	}
	depth := 0
	if parent != nil {
		depth = parent.depth + 1
	}
	for i := range t.Nodes {
		n := &t.Nodes[i]
		rel := path.Join(dir, n.Name)
		in, anc := all, false
		if !all {
			in, anc = rs.selected(rel)
		}
		if !in && !anc {
			continue
		}
		if in && !rs.owners && n.Type != NodeStream && ownedByOther(n) {
			rs.res.OwnersNotRestored++
		}
		switch n.Type {
		case NodeDir:
			rd := &restoreDir{rel: rel, node: newRestoreNode(n), parent: parent, depth: depth}
			rs.dirs = append(rs.dirs, rd)
			if err := rs.plan(ctx, *n.Subtree, rel, in, rd); err != nil {
				return err
			}
		case NodeFile, NodeStream:
			if !in {
				continue
			}
			if lead := rs.linkLeader(n); lead != nil {
				rs.hardLinks = append(rs.hardLinks, restoreHardLink{rel: rel, node: newRestoreNode(n), parent: parent, leader: lead})
			} else {
				rs.noteLeader(rs.planFile(rel, n, parent), n)
			}
		case NodeSymlink:
			if in {
				rs.links = append(rs.links, newRestoreLink(rel, n, parent))
			}
		case NodeFIFO, NodeDevice:
			if in {
				rs.specials = append(rs.specials, newRestoreLink(rel, n, parent))
			}
		}
	}
	return nil
}

// createWorkers is how many folders or files are created at once. Creating
// is slow in the kernel (~0.3 ms each on this project's virtual disks) but
// scales with concurrency: 16 at once is ~10x faster than one by one.
const createWorkers = 16

// createFiles creates every planned file of several chunks (or of one big
// chunk) at its final size, in parallel; the pack workers then only reopen
// them (cheap) to write. Small files of one chunk are created when their
// chunk is read (directWorkers), and empty ones when they are finished:
// one open each instead of two.
func (rs *restorer) createFiles(ctx context.Context) {
	work := make(chan *restoreFile)
	var wg sync.WaitGroup
	for w := 0; w < createWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				f.precreate(rs)
			}
		}()
	}
	for _, f := range rs.files {
		if ctx.Err() != nil {
			break
		}
		if !f.direct && f.targets > 0 {
			work <- f
		}
	}
	close(work)
	wg.Wait()
}

// createDirs makes the planned folders level by level (parents first), each
// level in parallel: folder creation is slow on some file systems. A folder
// whose parent failed, or that exists as something other than a real
// directory, fails with everything below it.
func (rs *restorer) createDirs(ctx context.Context) {
	var levels [][]*restoreDir
	for _, d := range rs.dirs {
		for len(levels) <= d.depth {
			levels = append(levels, nil)
		}
		levels[d.depth] = append(levels[d.depth], d)
	}
	var mu sync.Mutex
	for _, level := range levels {
		work := make(chan *restoreDir)
		var wg sync.WaitGroup
		for w := 0; w < createWorkers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for d := range work {
					var err error
					if !parentOK(d.parent) {
						err = errors.New("its folder could not be restored")
					} else {
						err = rs.makeDir(rs.dst(d.rel))
					}
					mu.Lock()
					if err != nil {
						rs.failPath(d.rel, &d.node, err)
					} else {
						d.ok = true
						rs.res.Dirs++
					}
					mu.Unlock()
				}
			}()
		}
		for _, d := range level {
			if ctx.Err() != nil {
				break
			}
			work <- d
		}
		close(work)
		wg.Wait()
	}
}

func (rs *restorer) failPath(rel string, n *restoreNode, err error) {
	rs.res.Failed = append(rs.res.Failed, FileCheck{Path: rel, Size: n.size, Want: n.sha256, Err: err.Error()})
}

// dst is where the snapshot path rel is restored. Paths on disk are not
// kept in the plan (they are the target's path and rel): a restore of
// 300,000 files would hold 300,000 more strings for the whole restore.
func (rs *restorer) dst(rel string) string {
	return filepath.Join(rs.target, filepath.FromSlash(rel)) // every name in rel is one safe component (decodeTree)
}

// makeDir creates d, or accepts an existing real directory (never a link to one).
func (rs *restorer) makeDir(d string) error {
	err := os.Mkdir(d, 0o700)
	if err == nil {
		return nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return err
	}
	fi, lerr := os.Lstat(d)
	if lerr != nil {
		return lerr
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s exists and is not a directory (a link or file); refusing to restore through it", d)
	}
	return nil
}

// planFile records a file to create at its final size (sparse) and its chunks.
func (rs *restorer) planFile(rel string, n *treeNode, parent *restoreDir) *restoreFile {
	f := &restoreFile{rel: rel, node: newRestoreNode(n), parent: parent}
	rs.files = append(rs.files, f)
	rs.bytesTotal += n.Size
	defer func() {
		f.pending = f.targets
		f.direct = f.targets == 1 && n.Size <= directMax && f.failed == nil
	}()
	var off int64
	for _, id := range n.Content {
		bt := rs.blobs[id]
		if bt == nil {
			loc, ok := rs.r.idx.Load().lookup(id)
			if !ok {
				f.fail(fmt.Errorf("chunk %s is missing from the repository", id))
				return f
			}
			bt = &blobTarget{id: id, offset: loc.Offset, length: loc.Length, raw: loc.Raw, flags: loc.Flags}
			rs.blobs[id] = bt
			rs.packs[loc.Pack] = append(rs.packs[loc.Pack], bt)
		}
		if t := (fileOffset{f: f, off: off}); bt.first.f == nil {
			bt.first = t
		} else {
			bt.more = append(bt.more, t)
		}
		f.targets++
		off += int64(bt.raw)
	}
	if off != n.Size {
		f.fail(fmt.Errorf("chunks add up to %d bytes, the snapshot says %d", off, n.Size))
	}
	return f
}

// createFile makes an empty file of size bytes without following links
// and returns it open for reading and writing.
func (rs *restorer) createFile(dst string, size int64) (*os.File, error) {
	if rs.opt.Overwrite {
		if fi, err := os.Lstat(dst); err == nil {
			if fi.IsDir() {
				return nil, fmt.Errorf("%s exists and is a directory", dst)
			}
			if err := os.Remove(dst); err != nil { // also replaces a symlink instead of writing through it
				return nil, err
			}
		}
	}
	f, err := openFileNoFollow(dst, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%s already exists (use overwrite to replace it)", dst)
		}
		return nil, err
	}
	if size > 0 {
		if err := f.Truncate(size); err != nil { // sparse: unwritten zero chunks stay holes
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

// run fetches the blobs pack by pack, then verifies and finishes metadata.
func (rs *restorer) run(ctx context.Context) error {
	ids := make([]ID, 0, len(rs.packs))
	for id := range rs.packs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].String() < ids[j].String() })
	waitDirect := rs.directWorkers(ctx)
	work := make(chan ID)
	var wg sync.WaitGroup
	for i := 0; i < max(4, 2*runtime.GOMAXPROCS(0)); i++ { // file creation waits on the kernel
		wg.Add(1)
		go func() {
			defer wg.Done()
			var bufs packBufs
			for id := range work {
				rs.restorePack(ctx, id, &bufs)
			}
		}()
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		work <- id
	}
	close(work)
	wg.Wait()
	waitDirect()
	if err := ctx.Err(); err != nil {
		return err
	}
	rs.finishFiles(ctx)
	rs.finishHardLinks(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	rs.finishSpecials()
	rs.finishLinks()
	rs.finishDirs()
	return nil
}

// isEmptyDir reports whether dir is a directory with nothing in it.
func isEmptyDir(dir string) bool {
	d, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer d.Close()
	names, err := d.Readdirnames(1)
	return len(names) == 0 && err == io.EOF
}

// checkConflicts refuses, before anything is written, a restore that would
// replace files already in the target: a person asked for a copy, not an
// overwrite, and learns it in one line instead of one failure per file.
// Existing folders are merged into and are no conflict.
func (rs *restorer) checkConflicts() error {
	if isEmptyDir(rs.target) {
		// Nothing can be in the way (the common case: a new folder), and
		// asking for every name cost one failing lstat per file: 320,000
		// of them at scale.
		return nil
	}
	var n int
	var first string
	note := func(dst string) {
		if _, err := os.Lstat(dst); err == nil {
			if n == 0 {
				first = dst
			}
			n++
		}
	}
	for _, f := range rs.files {
		note(rs.dst(f.rel))
	}
	for _, l := range rs.links {
		note(rs.dst(l.rel))
	}
	for _, h := range rs.hardLinks {
		note(rs.dst(h.rel))
	}
	for _, l := range rs.specials {
		note(rs.dst(l.rel))
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("restore into %s: %w: %d already there, e.g. %s", rs.target, ErrTargetExists, n, first)
}
