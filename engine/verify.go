package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// verifier collects damage found by Verify.
type verifier struct {
	r      *Repository
	opt    VerifyOptions
	ix     *index
	res    *VerifyResult
	mu     sync.Mutex
	bad    map[ID]string // damaged or missing blobs and why
	badIn  map[ID]string // blob -> repository object that holds it
	done   atomic.Int64
	total  int64
	start  time.Time
	treeOK map[ID]bool
	// readTrees holds what readPacks learned from each tree it decoded, so
	// that checkTrees does not load, decrypt and decode them again.
	treesMu   sync.Mutex
	readTrees map[ID]readTree
}

// readTree is a tree as readPacks found it: its folders' trees, and the
// chunks it lists that the index does not have (reported only if a
// snapshot reaches the tree, as when checkTrees loads it).
type readTree struct {
	subtrees []ID
	missing  []ID
}

// Verify checks the repository's structure and, with ReadData, every byte.
func (r *Repository) Verify(ctx context.Context, opt VerifyOptions) (*VerifyResult, error) {
	r.opMu.RLock()
	defer r.opMu.RUnlock()
	if opt.Progress == nil {
		opt.Progress = NopProgress{}
	}
	lk, err := r.lock(ctx, "verify", false)
	if err != nil {
		return nil, err
	}
	defer lk.release()
	v := &verifier{r: r, opt: opt, res: &VerifyResult{ReadData: opt.ReadData}, bad: map[ID]string{}, badIn: map[ID]string{},
		start: time.Now(), treeOK: map[ID]bool{}, readTrees: map[ID]readTree{}}
	if err := v.checkFiles(ctx); err != nil {
		return nil, err
	}
	snaps, err := v.checkSnapshots(ctx)
	if err != nil {
		return nil, err
	}
	if err := v.checkPacks(ctx); err != nil {
		return nil, err
	}
	stop := startReporter(opt.Progress, v.stats)
	if opt.ReadData {
		v.readPacks(ctx)
	}
	stop()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := v.checkTrees(ctx, snaps); err != nil {
		return nil, err
	}
	if err := v.attribute(ctx, snaps); err != nil {
		return nil, err
	}
	sort.Slice(v.res.Damage, func(i, j int) bool { return v.res.Damage[i].Object < v.res.Damage[j].Object })
	return v.res, nil
}

func (v *verifier) stats() ProgressStats {
	return ProgressStats{Phase: "verify", BytesDone: v.done.Load(), BytesTotal: v.total, Started: v.start}
}

func (v *verifier) damage(object string, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.res.Damage = append(v.res.Damage, Damage{Object: object, Err: err.Error()})
}

func (v *verifier) badBlob(id ID, object, why string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.bad[id]; !ok {
		v.bad[id] = why
		v.badIn[id] = object
	}
}

// checkFiles checks the config, key files and index files.
func (v *verifier) checkFiles(ctx context.Context) error {
	data, err := loadAll(ctx, v.r.be, ConfigFile)
	if err == nil {
		_, err = decodeConfig(data)
	}
	if err != nil {
		v.damage(ConfigFile, err)
	}
	keys, err := listIDs(ctx, v.r.be, KeysDir)
	if err != nil {
		return err
	}
	for _, id := range keys {
		if data, err := loadNamed(ctx, v.r.be, KeysDir+id.String(), id); err != nil {
			v.damage(KeysDir+id.String(), err)
		} else if _, err := openKeyFileStructure(data); err != nil {
			v.damage(KeysDir+id.String(), err)
		}
	}
	ix, bad, err := v.r.buildIndex(ctx)
	if err != nil {
		return err
	}
	for id, err := range bad {
		v.damage(IndexDir+id.String(), err)
	}
	v.ix = ix
	// The tree walk reads through the repository's index: this one is what
	// loading it would give (a damaged index file left out), so it is not
	// read a second time.
	v.r.ixMu.Lock()
	v.r.idx.Store(ix)
	v.r.idxReady.Store(true)
	v.r.ixMu.Unlock()
	return nil
}

// checkSnapshots loads every snapshot file.
func (v *verifier) checkSnapshots(ctx context.Context) ([]Snapshot, error) {
	snaps, bad, err := v.r.snapshotsWithErrors(ctx)
	if err != nil {
		return nil, err
	}
	for id, err := range bad {
		v.damage(SnapshotsDir+id.String(), err)
	}
	v.res.Snapshots = len(snaps)
	return snaps, nil
}

// checkPacks compares the index with the stored packs.
func (v *verifier) checkPacks(ctx context.Context) error {
	stored, err := v.r.listPacks(ctx)
	if err != nil {
		return err
	}
	v.res.Packs = v.ix.packCount()
	v.res.Chunks = v.ix.blobCount()
	missing := map[ID]bool{}
	v.ix.eachPack(func(id ID, size int64) {
		got, ok := stored[id]
		switch {
		case !ok:
			missing[id] = true
			v.damage(packName(id), fmt.Errorf("pack is missing"))
		case got != size:
			v.damage(packName(id), fmt.Errorf("pack has %d bytes, the index says %d", got, size))
		default:
			v.total += got
		}
	})
	if len(missing) == 0 {
		return nil
	}
	v.ix.eachBlob(func(id ID, loc blobLoc) {
		if missing[loc.Pack] {
			v.bad[id] = "its pack is missing"
			v.badIn[id] = packName(loc.Pack)
		}
	})
	return nil
}

// readPacks reads every indexed pack in full (in parallel) and checks it.
// Each worker reads into one pack buffer and decodes into one plaintext
// buffer for the whole run: a new buffer per pack and per blob made verify
// the step with the highest peak memory of all (issue 13).
func (v *verifier) readPacks(ctx context.Context) {
	packs := v.ix.packsWithBlobs()
	sort.Slice(packs, func(i, j int) bool { return bytes.Compare(packs[i].id[:], packs[j].id[:]) < 0 })
	work := make(chan indexedPack)
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var bufs verifyBuffers
			for p := range work {
				v.readPack(ctx, p.id, p.size, p.blobs, &bufs)
			}
		}()
	}
	for _, p := range packs {
		if ctx.Err() != nil {
			break
		}
		work <- p
	}
	close(work)
	wg.Wait()
}

// verifyBuffers are one verify worker's buffers, reused for every pack.
type verifyBuffers struct {
	pack  []byte
	plain []byte
}

// readAll reads a pack the index says has size bytes. A pack of a usual
// size is read into the reused buffer; a larger one (the index claims up
// to 4 GiB) is read as it comes, so a damaged index cannot make verify
// allocate what the file does not have.
func (b *verifyBuffers) readAll(rc io.Reader, size, usual int64) ([]byte, error) {
	if size > usual {
		return io.ReadAll(rc)
	}
	if int64(cap(b.pack)) < size {
		// With room to spare: packs differ in size by a few percent, and
		// growing to each larger one cleared and faulted in 17 MB anew.
		b.pack = make([]byte, size, min(usual, size+size/8))
	}
	data := b.pack[:size]
	n, err := io.ReadFull(rc, data)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return data[:n], nil // shorter than indexed: the pack's ID check reports it
	}
	return data, err
}

func (v *verifier) readPack(ctx context.Context, id ID, size int64, indexed []packEntry, bufs *verifyBuffers) {
	name := packName(id)
	rc, err := v.r.be.Load(ctx, name)
	if err != nil {
		if !isNotFound(err) { // missing packs were reported by checkPacks
			v.damage(name, err)
		}
		return
	}
	data, err := bufs.readAll(rc, size, 2*int64(v.r.cfg.PackSize)+maxBlobSize)
	rc.Close()
	if err != nil {
		v.damage(name, err)
		return
	}
	v.done.Add(int64(len(data)))
	if fileID(data) != id {
		v.damage(name, fmt.Errorf("%w: pack content does not match its name", errDamaged))
	}
	header, err := v.r.parsePack(id, data)
	if err != nil {
		v.damage(name, err)
	} else if !sameEntries(header, indexed) {
		v.damage(name, fmt.Errorf("pack header and index disagree"))
	}
	for _, e := range indexed {
		end := int64(e.Offset) + int64(e.Length)
		if end > int64(len(data)) {
			v.badBlob(e.ID, name, "outside its pack")
			continue
		}
		// Decrypted over the pack's own bytes (nothing reads them again)
		// and decompressed into the worker's plaintext buffer.
		plain, err := v.r.decodeBlobInto(e.ID, e.blobLoc, data[e.Offset:end], &bufs.plain, true)
		if err != nil {
			v.badBlob(e.ID, name, err.Error())
		} else if e.typ() == blobTree {
			v.noteTree(e.ID, plain)
		}
	}
}

// noteTree decodes a tree read with its pack and keeps what checkTrees
// needs of it. A tree that does not decode is left for checkTrees, which
// loads it again and reports why.
func (v *verifier) noteTree(id ID, plain []byte) {
	t, err := decodeTree(plain)
	if err != nil {
		return
	}
	rt := readTree{missing: v.unindexedChunks(t)}
	for i := range t.Nodes {
		if n := &t.Nodes[i]; n.Type == NodeDir {
			rt.subtrees = append(rt.subtrees, *n.Subtree)
		}
	}
	v.treesMu.Lock()
	v.readTrees[id] = rt
	v.treesMu.Unlock()
}

// sameEntries reports whether every indexed blob is in the header at the same place.
func sameEntries(header, indexed []packEntry) bool {
	h := make(map[ID]blobLoc, len(header))
	for _, e := range header {
		h[e.ID] = e.blobLoc
	}
	for _, e := range indexed {
		if loc, ok := h[e.ID]; !ok || loc != e.blobLoc {
			return false
		}
	}
	return true
}

// checkTrees walks every snapshot: each tree must load and every chunk
// must be indexed. Trees already checked are not walked again. Trees that
// readPacks decoded are walked from what it kept; the others are loaded
// (a worker per core).
func (v *verifier) checkTrees(ctx context.Context, snaps []Snapshot) error {
	var roots []ID
	for _, s := range snaps {
		root, err := s.treeID()
		if err != nil {
			v.damage(SnapshotsDir+s.ID, err)
			continue
		}
		roots = append(roots, root)
	}
	enter := func(id ID) bool { // serial: treeOK needs no lock
		if v.treeOK[id] {
			return false
		}
		v.treeOK[id] = true
		if _, ok := v.ix.lookup(id); !ok {
			v.badBlob(id, "index", "tree is not in the index")
			return false
		}
		return true
	}
	// The trees read with their packs are walked here, from memory; the
	// others (not read: no --read-data, or damaged) are loaded by walkTrees,
	// which enters them itself.
	var load []ID
	stack := slices.Clone(roots)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		rt, ok := v.readTrees[id]
		if !ok {
			load = append(load, id)
			continue
		}
		if !enter(id) {
			continue
		}
		v.reportUnindexed(rt.missing)
		stack = append(stack, rt.subtrees...)
	}
	return v.r.walkTrees(ctx, load, enter, func(id ID, t *treeJSON, err error) error {
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			v.badBlob(id, v.packOf(id), err.Error())
			return nil
		}
		v.reportUnindexed(v.unindexedChunks(t))
		return nil
	})
}

// unindexedChunks lists the chunks of tree t that the index does not have.
func (v *verifier) unindexedChunks(t *treeJSON) []ID {
	var missing []ID
	for i := range t.Nodes {
		for _, c := range t.Nodes[i].Content {
			if _, ok := v.ix.lookup(c); !ok {
				missing = append(missing, c)
			}
		}
	}
	return missing
}

func (v *verifier) reportUnindexed(chunks []ID) {
	for _, c := range chunks {
		v.badBlob(c, "index", "chunk is not in the index")
	}
}

func (v *verifier) packOf(id ID) string {
	if loc, ok := v.ix.lookup(id); ok {
		return packName(loc.Pack)
	}
	return "index"
}

// attribute turns bad blobs into damage entries naming the snapshots and
// files that need them.
func (v *verifier) attribute(ctx context.Context, snaps []Snapshot) error {
	if len(v.bad) == 0 {
		return nil
	}
	type hit struct {
		snaps map[string]bool
		files map[string]bool
	}
	byObject := map[string]*hit{}
	used := map[ID]bool{}
	note := func(blob ID, snap, file string) {
		used[blob] = true
		obj := v.badIn[blob] + ": " + v.bad[blob]
		h := byObject[obj]
		if h == nil {
			h = &hit{snaps: map[string]bool{}, files: map[string]bool{}}
			byObject[obj] = h
		}
		h.snaps[snap] = true
		h.files[snap[:8]+":"+file] = true
	}
	for _, s := range snaps {
		root, err := s.treeID()
		if err != nil {
			continue
		}
		if _, bad := v.bad[root]; bad {
			note(root, s.ID, "/")
			continue
		}
		v.walkForDamage(ctx, s.ID, root, "/", note)
	}
	for obj, h := range byObject {
		d := Damage{Object: obj, Err: "damaged or missing data"}
		if i := indexOfColon(obj); i > 0 {
			d.Object, d.Err = obj[:i], obj[i+2:]
		}
		d.Snapshots = sortedKeys(h.snaps)
		d.Files = sortedKeys(h.files)
		v.res.Damage = append(v.res.Damage, d)
	}
	for id, why := range v.bad { // damaged data no snapshot needs
		if !used[id] {
			v.res.Damage = append(v.res.Damage, Damage{Object: v.badIn[id], Err: fmt.Sprintf("blob %s: %s (not used by any snapshot)", id, why)})
		}
	}
	return nil
}

func indexOfColon(s string) int {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == ':' && s[i+1] == ' ' {
			return i
		}
	}
	return -1
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// walkForDamage visits the readable trees of one snapshot and notes every
// file or folder that needs a bad blob.
func (v *verifier) walkForDamage(ctx context.Context, snap string, id ID, dir string, note func(ID, string, string)) {
	if ctx.Err() != nil {
		return
	}
	t, err := v.r.loadTree(ctx, id)
	if err != nil {
		return
	}
	for i := range t.Nodes {
		n := &t.Nodes[i]
		p := path.Join(dir, n.Name)
		for _, c := range n.Content {
			if _, bad := v.bad[c]; bad {
				note(c, snap, p)
			}
		}
		if n.Type == NodeDir {
			if _, bad := v.bad[*n.Subtree]; bad {
				note(*n.Subtree, snap, p+"/")
				continue
			}
			v.walkForDamage(ctx, snap, *n.Subtree, p, note)
		}
	}
}
