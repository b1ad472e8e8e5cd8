package engine

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Backup stores paths (and opt.Streams) as a new snapshot. Each path appears
// at the snapshot root under its base name; two paths with the same base
// name are refused. Unreadable or vanished files become warnings.
func (r *Repository) Backup(ctx context.Context, paths []string, opt BackupOptions) (*BackupResult, error) {
	defer opt.Prescan.Stop()
	r.opMu.RLock()
	defer r.opMu.RUnlock()
	start := time.Now()
	opt = opt.withDefaults()
	sources, err := backupSources(paths, opt.Streams)
	if err != nil {
		return nil, err
	}
	lk, err := r.lock(ctx, "backup", true)
	if err != nil {
		return nil, err
	}
	defer lk.release()
	if err := r.refreshIndex(ctx); err != nil {
		return nil, err
	}
	r.idx.Load().resetPending() // claims of an earlier failed run in this process are void
	if err := r.adoptUnindexedPacks(ctx); err != nil {
		return nil, err
	}
	b := newBackupRun(r, opt, start)
	b.pk.indexEvery = indexFileBlobs // a big backup's index is not held to the end
	if rt, ok := r.be.(interface{ Root() string }); ok {
		b.repoRoot = rt.Root() // never back up the repository into itself
	}
	parent, err := r.findParent(ctx, opt, sources)
	if err != nil {
		return nil, err
	}
	b.parent = parent
	b.stopProgress = startReporter(opt.Progress, b.progressStats)
	res, err := b.run(ctx, sources, parent)
	b.stopProgress()
	return res, err
}

func (o BackupOptions) withDefaults() BackupOptions {
	if o.Progress == nil {
		o.Progress = NopProgress{}
	}
	if o.Host == "" {
		o.Host, _ = os.Hostname()
	}
	return o
}

// source is one top-level entry of a snapshot.
type source struct {
	name   string // base name at the snapshot root
	path   string // absolute path ("" for streams)
	stream *Stream
}

// backupSources checks the paths and assigns each its root name.
func backupSources(paths []string, streams []Stream) ([]source, error) {
	if len(paths) == 0 && len(streams) == 0 {
		return nil, errors.New("backup: nothing to back up (no paths and no streams)")
	}
	seen := map[string]string{}
	var out []source
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("backup: path %s: %w", p, err)
		}
		name := filepath.Base(abs)
		if !validName(name) {
			return nil, fmt.Errorf("backup: cannot back up %s as a whole; name its sub-folders instead", abs)
		}
		if prev, ok := seen[name]; ok {
			return nil, fmt.Errorf("backup: %s and %s have the same base name %q and would collide under the restore target; back them up in separate snapshots or from a common parent", prev, abs, name)
		}
		seen[name] = abs
		out = append(out, source{name: name, path: abs})
	}
	for i := range streams {
		s := &streams[i]
		parts := strings.Split(strings.Trim(s.Path, "/"), "/")
		for _, part := range parts {
			if !validName(part) {
				return nil, fmt.Errorf("backup: stream path %q is not a clean relative path", s.Path)
			}
		}
		if prev, ok := seen[parts[0]]; ok && (len(parts) == 1 || prev != "stream") {
			return nil, fmt.Errorf("backup: stream %q collides with %s at the snapshot root", s.Path, prev)
		}
		seen[parts[0]] = "stream"
		out = append(out, source{name: s.Path, stream: s})
	}
	return out, nil
}

func sourcePaths(sources []source) []string {
	var ps []string
	for _, s := range sources {
		if s.stream == nil {
			ps = append(ps, s.path)
		}
	}
	return ps
}

// unreadSources lists the sources that a warning names at their root: a
// folder that was missing or unreadable, a stream that failed to open or
// ended in an error. Nothing of them is in the snapshot.
func unreadSources(sources []source, warnings []Warning) []string {
	var out []string
	for _, s := range sources {
		name := s.path
		if s.stream != nil {
			name = s.name
		}
		for _, w := range warnings {
			if w.Path == name {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

// findParent picks the snapshot to compare with: opt.Parent, else the newest
// one of the same host and the same set of paths.
func (r *Repository) findParent(ctx context.Context, opt BackupOptions, sources []source) (*Snapshot, error) {
	if opt.Parent != "" {
		s, err := r.FindSnapshot(ctx, opt.Parent)
		if err != nil {
			return nil, fmt.Errorf("backup: parent: %w", err)
		}
		return &s, nil
	}
	snaps, err := r.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	want := sortedJoin(sourcePaths(sources))
	for i := len(snaps) - 1; i >= 0; i-- {
		if snaps[i].Host == opt.Host && sortedJoin(snaps[i].Paths) == want {
			return &snaps[i], nil
		}
	}
	return nil, nil
}

// sortedJoin keys a set of paths. A stored snapshot's paths went through
// JSON, which replaced bytes that are not UTF-8; the same replacement on
// both sides still finds the parent of a path with such bytes.
func sortedJoin(s []string) string {
	c := make([]string, len(s))
	for i, p := range s {
		c[i] = strings.ToValidUTF8(p, "\uFFFD")
	}
	sort.Strings(c)
	return strings.Join(c, "\x00")
}

// adoptUnindexedPacks indexes packs that a crashed run saved but never put
// in an index, so their blobs are not uploaded again. Called under the
// exclusive lock, so no other writer's packs are in flight.
func (r *Repository) adoptUnindexedPacks(ctx context.Context) error {
	orphans, err := r.unindexedPacks(ctx)
	if err != nil {
		return err
	}
	for id, size := range orphans {
		entries, err := r.loadPackHeader(ctx, id, size)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue // damaged leftover: prune removes it
		}
		r.idx.Load().addPack(packInfo{ID: id, Size: size, Entries: entries}, false)
	}
	return nil
}

// unindexedPacks lists stored packs missing from the in-memory index.
func (r *Repository) unindexedPacks(ctx context.Context) (map[ID]int64, error) {
	stored, err := r.listPacks(ctx)
	if err != nil {
		return nil, err
	}
	ix := r.idx.Load()
	out := map[ID]int64{}
	for id, size := range stored {
		if !ix.hasPack(id) {
			out[id] = size
		}
	}
	return out, nil
}

// backupRun is the state of one backup: a walker goroutine (the caller)
// hands regular files to fileWorkers (read, chunk, hash) which hand new
// chunks to blobWorkers (compress, seal, pack).
type backupRun struct {
	r        *Repository
	opt      BackupOptions
	start    time.Time
	pk       *packer
	repoRoot string    // local repository folder, skipped
	parent   *Snapshot // compared with; nil when there is none

	files    chan *fileJob
	blobs    chan *blobJob
	walkers  chan struct{} // slots for walking folders in parallel
	bufs     sync.Pool     // chunk copies handed to blob workers
	encoders sync.Pool     // *blobEncoder for folder trees

	mu       sync.Mutex
	warnings []Warning
	blobErr  error

	filesNew, filesChanged, filesUnmod, dirs atomic.Int64
	bytesRead, bytesTotal, filesDone         atomic.Int64
	scanFiles, scanBytes                     atomic.Int64
	current                                  atomic.Value
	stopProgress                             func()
}

type fileJob struct {
	path   string
	node   treeNode // from Lstat
	parent *treeNode
	done   chan fileResult
	stream *Stream
}

type fileResult struct {
	node treeNode
	ok   bool  // false: skipped with a warning
	err  error // fatal: the backup cannot complete
}

type blobJob struct {
	id   ID
	typ  uint8
	data *[]byte
}

// workers is how many file and blob workers a backup runs. By default
// there is one blob worker more than file workers: the blob worker that
// closes a pack waits for it to reach the disk (fsync), and with one per
// CPU the file workers stalled behind it on the full queue, a core idle
// (the extra one made the initial backup of the benchmark 0.97x the time
// and the backup after its mutation 0.94x; twice as many were no faster).
// A caller that sets Workers gets that many of each: it is keeping cores
// for something else.
func (o BackupOptions) workers() (files, blobs int) {
	if o.Workers > 0 {
		return o.Workers, o.Workers
	}
	n := runtime.GOMAXPROCS(0)
	return n, n + 1
}

func newBackupRun(r *Repository, opt BackupOptions, start time.Time) *backupRun {
	n, _ := opt.workers()
	return &backupRun{
		r: r, opt: opt, start: start, pk: newPacker(r),
		files:   make(chan *fileJob, 64*n),
		blobs:   make(chan *blobJob, n), // each queued chunk holds up to Max bytes
		walkers: make(chan struct{}, n),
	}
}

func (b *backupRun) warn(path string, err error) {
	b.mu.Lock()
	b.warnings = append(b.warnings, Warning{Path: path, Err: err.Error()})
	b.mu.Unlock()
	b.opt.Progress.Warn(path, err)
}

func (b *backupRun) progressStats() ProgressStats {
	cur, _ := b.current.Load().(string)
	return ProgressStats{
		Phase: "backup", FilesDone: b.filesDone.Load(), FilesTotal: b.scanFiles.Load(),
		BytesDone: b.bytesTotal.Load(), BytesTotal: b.scanBytes.Load(), CurrentPath: cur, Started: b.start,
	}
}

// run drives the pipeline and commits: packs, then index, then snapshot.
func (b *backupRun) run(ctx context.Context, sources []source, parent *Snapshot) (*BackupResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	files, blobs := b.opt.workers()
	var fileWG, blobWG sync.WaitGroup
	for range files {
		fileWG.Add(1)
		go func() { defer fileWG.Done(); b.fileWorker(ctx) }()
	}
	for range blobs {
		blobWG.Add(1)
		go func() { defer blobWG.Done(); b.blobWorker(ctx, cancel) }()
	}
	b.opt.Prescan.Stop() // from here the walk keeps both cores busy itself
	go b.scan(ctx, sources)
	rootID, walkErr := b.saveRoot(ctx, sources, parent)
	close(b.files)
	fileWG.Wait()
	close(b.blobs)
	blobWG.Wait()
	b.mu.Lock()
	blobErr := b.blobErr
	b.mu.Unlock()
	if blobErr != nil {
		// The cause: the walk only stopped because blobErr cancelled it, so
		// its context.Canceled must not make a full disk look like a Ctrl-C.
		return nil, blobErr
	}
	if walkErr != nil {
		return nil, walkErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return b.commit(ctx, rootID, sources, parent)
}

// commit flushes the last pack, writes the index, then the snapshot.
func (b *backupRun) commit(ctx context.Context, rootID ID, sources []source, parent *Snapshot) (*BackupResult, error) {
	if err := b.pk.flush(ctx); err != nil {
		return nil, err
	}
	added := b.pk.added.Load()
	if unsaved := b.r.idx.Load().takeUnsaved(); len(unsaved) > 0 {
		_, n, err := b.r.saveIndexes(ctx, unsaved)
		if err != nil {
			return nil, err
		}
		added += n
	}
	added += b.pk.indexBytes.Load() // index files written while the backup ran
	snap := Snapshot{
		Time: cmp.Or(b.opt.Time, b.start), Host: b.opt.Host, Paths: sourcePaths(sources), Tags: b.opt.Tags, Labels: b.opt.Labels, Tree: rootID.String(),
		Summary: Summary{Files: b.filesNew.Load() + b.filesChanged.Load() + b.filesUnmod.Load(), Dirs: b.dirs.Load(), TotalBytes: b.bytesTotal.Load()},
	}
	if parent != nil {
		snap.Parent = parent.ID
	}
	snap.Partial = unreadSources(sources, b.warnings)
	snap.Summary.AddedBytes = added // without the snapshot file itself, which records it
	n, err := b.r.saveSnapshot(ctx, &snap)
	if err != nil {
		return nil, err
	}
	return &BackupResult{
		Snapshot: snap, FilesNew: b.filesNew.Load(), FilesChanged: b.filesChanged.Load(),
		FilesUnmodified: b.filesUnmod.Load(), DirsTotal: b.dirs.Load(), BytesRead: b.bytesRead.Load(),
		BytesAdded: added + n, Duration: time.Since(b.start), Warnings: b.warnings,
	}, nil
}

// fileWorker reads, chunks and hashes files.
func (b *backupRun) fileWorker(ctx context.Context) {
	if b.opt.Background {
		lowerThreadPriority()
	}
	ch := newChunker(b.r.cfg.Chunker, b.r.gear)
	for job := range b.files {
		if ctx.Err() != nil {
			job.done <- fileResult{}
			continue
		}
		b.current.Store(job.path)
		node, err := b.readFile(ctx, ch, job)
		if err != nil {
			if ctx.Err() == nil {
				b.warn(job.path, err)
			}
			job.done <- fileResult{}
			continue
		}
		job.done <- fileResult{node: node, ok: true}
	}
}

// readFile produces the node of one regular file or stream.
func (b *backupRun) readFile(ctx context.Context, ch *chunker, job *fileJob) (treeNode, error) {
	node := job.node
	var rd io.ReadCloser
	if job.stream != nil {
		var err error
		if rd, err = job.stream.Open(ctx); err != nil {
			return node, fmt.Errorf("open stream: %w", err)
		}
	} else {
		f, err := openNoFollow(job.path)
		if err != nil {
			return node, err
		}
		st, err := f.Stat() // the file may have changed since Lstat
		if err != nil {
			f.Close()
			return node, err
		}
		fillStat(&node, st)
		if node.XAttrs, err = fileXattrs(f); err != nil {
			b.warn(job.path, err) // the content is still worth saving
		}
		rd = readCloser{newSparseReader(f, st), f}
	}
	defer rd.Close()
	h := sha256.New()
	ch.reset(rd)
	node.Content = node.Content[:0]
	var size int64
	for {
		if err := ctx.Err(); err != nil {
			return node, err
		}
		chunk, err := ch.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return node, fmt.Errorf("read: %w", err)
		}
		h.Write(chunk)
		size += int64(len(chunk))
		b.bytesRead.Add(int64(len(chunk)))
		b.bytesTotal.Add(int64(len(chunk)))
		id := b.r.crypt.contentID(chunk)
		node.Content = append(node.Content, id)
		if b.r.idx.Load().claim(id) {
			b.blobs <- &blobJob{id: id, typ: blobData, data: b.copyBuf(chunk)}
		}
	}
	if job.stream != nil {
		if err := rd.Close(); err != nil {
			return node, fmt.Errorf("stream: %w", err)
		}
		if job.stream.Meta != nil {
			node.Meta = job.stream.Meta()
		}
	}
	node.Size = size
	node.SHA256 = hex.EncodeToString(h.Sum(nil))
	b.countFile(job.parent, &node)
	return node, nil
}

func (b *backupRun) countFile(parent *treeNode, node *treeNode) {
	b.filesDone.Add(1)
	if parent == nil {
		b.filesNew.Add(1)
	} else {
		b.filesChanged.Add(1)
	}
}

func (b *backupRun) copyBuf(p []byte) *[]byte {
	bp, _ := b.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	*bp = append((*bp)[:0], p...)
	return bp
}

// blobWorker compresses, seals and packs new chunks.
func (b *backupRun) blobWorker(ctx context.Context, cancel context.CancelFunc) {
	if b.opt.Background {
		lowerThreadPriority()
	}
	enc := new(blobEncoder)
	for job := range b.blobs {
		if ctx.Err() == nil {
			if err := b.pk.storeClaimed(ctx, job.id, job.typ, *job.data, enc); err != nil {
				b.mu.Lock()
				if b.blobErr == nil {
					b.blobErr = err
				}
				b.mu.Unlock()
				cancel() // a repository write failed: the snapshot cannot be committed
			}
		}
		b.bufs.Put(job.data)
	}
}

type readCloser struct {
	io.Reader
	io.Closer
}
