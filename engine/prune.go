package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// repackThreshold: a pack whose unused share is above this is rewritten.
const repackThreshold = 0.2

// tempCleaner is offered by backends that keep temporary files of
// interrupted saves (local folders).
type tempCleaner interface {
	CleanTemp(ctx context.Context) (int, error)
}

// Prune removes data no snapshot references and cleans leftovers of crashed
// runs. It holds the exclusive lock; order keeps every step crash-safe: new
// packs, then the new index, then old index files, then old packs.
func (r *Repository) Prune(ctx context.Context, dryRun bool) (*PruneResult, error) {
	r.opMu.Lock()
	defer r.opMu.Unlock()
	lk, err := r.lock(ctx, "prune", true)
	if err != nil {
		return nil, err
	}
	defer lk.release()
	r.ixMu.Lock()
	defer r.ixMu.Unlock()
	if err := r.loadIndex(ctx); err != nil {
		return nil, err
	}
	used, err := r.usedBlobs(ctx)
	if err != nil {
		return nil, err
	}
	plan, err := r.planPrune(ctx, used)
	if err != nil {
		return nil, err
	}
	res := &PruneResult{PacksRemoved: len(plan.remove) - len(plan.repack), PacksRewritten: len(plan.repack)}
	for _, size := range plan.remove {
		res.BytesFreed += size
	}
	if dryRun {
		for _, p := range plan.repack {
			res.BytesFreed += p.unused - plan.remove[p.id]
		}
		return res, nil
	}
	if len(plan.remove) == 0 && len(plan.repack) == 0 {
		return res, r.cleanTemp(ctx)
	}
	added, err := r.executePrune(ctx, plan)
	if err != nil {
		// executePrune replaced the in-memory index with the one it was
		// building: go back to what is stored, for later calls on r.
		if lerr := r.loadIndex(context.WithoutCancel(ctx)); lerr != nil {
			err = errors.Join(err, lerr)
		}
		return nil, err
	}
	res.BytesFreed -= added
	if res.BytesFreed < 0 {
		res.BytesFreed = 0
	}
	return res, r.cleanTemp(ctx)
}

func (r *Repository) cleanTemp(ctx context.Context) error {
	if tc, ok := r.be.(tempCleaner); ok {
		if _, err := tc.CleanTemp(ctx); err != nil {
			return err
		}
	}
	return nil
}

// usedBlobs walks every snapshot and returns the trees and chunks it needs,
// as a set over the index (one bit a blob). Any unreadable snapshot or
// tree, or a needed blob the index lacks, stops prune: it cannot know what
// is used.
func (r *Repository) usedBlobs(ctx context.Context) (*blobSet, error) {
	snaps, bad, err := r.snapshotsWithErrors(ctx)
	if err != nil {
		return nil, err
	}
	for id, err := range bad {
		return nil, fmt.Errorf("prune: snapshot %s is unreadable (%v); run verify and remove it first", id, err)
	}
	var roots []ID
	for _, s := range snaps {
		root, err := s.treeID()
		if err != nil {
			return nil, err
		}
		roots = append(roots, root)
	}
	used := newBlobSet(r.idx.Load())
	var unknown error // a tree the index lacks (enter runs serially)
	enter := func(id ID) bool {
		added, known := used.add(id)
		if !known && unknown == nil {
			unknown = fmt.Errorf("prune: tree %s is used but not in the index; run verify", id)
		}
		return added // identical folders are shared between snapshots: walked once
	}
	err = r.walkTrees(ctx, roots, enter, func(id ID, t *treeJSON, err error) error {
		if err != nil {
			return fmt.Errorf("prune: %w; run verify", err)
		}
		for i := range t.Nodes {
			for _, c := range t.Nodes[i].Content {
				if _, known := used.add(c); !known {
					return fmt.Errorf("prune: blob %s is used but not in the index; run verify", c)
				}
			}
		}
		return nil
	})
	if err == nil {
		err = unknown
	}
	if err != nil {
		return nil, err
	}
	return used, nil
}

type prunePlan struct {
	ix     *index          // the index the plan was made from
	used   *blobSet        // over ix
	keep   map[uint32]bool // packs (numbers in ix) kept as they are
	repack []repackPack
	remove map[ID]int64 // packs to delete (unused, repacked, unindexed) and sizes
	sizes  map[ID]int64 // of every stored pack
}

type repackPack struct {
	id      ID
	entries []packEntry // its used blobs
	unused  int64
}

// planPrune decides for every stored pack: keep it, rewrite its used blobs
// into new packs, or remove it. It counts used bytes per pack number in
// arrays, not maps of entries: memory stays near the index's own.
func (r *Repository) planPrune(ctx context.Context, used *blobSet) (*prunePlan, error) {
	stored, err := r.listPacks(ctx)
	if err != nil {
		return nil, err
	}
	ix := used.ix
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	usedBytes := make([]int64, len(ix.packIDs))
	usedCount := make([]int, len(ix.packIDs))
	for i := range ix.sorted {
		if used.hasPosition(i) {
			rec := &ix.sorted[i]
			usedBytes[rec.pack] += int64(rec.length)
			usedCount[rec.pack]++
		}
	}
	plan := &prunePlan{ix: ix, used: used, keep: map[uint32]bool{}, remove: map[ID]int64{}, sizes: stored}
	repack := map[uint32]*repackPack{}
	for id, size := range stored {
		n, indexed := ix.packNum[id]
		if !indexed || usedCount[n] == 0 {
			plan.remove[id] = size // unused, or a leftover no index lists
			continue
		}
		// What the used blobs need, header included: the rest is garbage.
		unused := size - usedBytes[n] - int64(usedCount[n]*headerEntrySize+5+4+32+gcmNonceSize+gcmTagSize)
		if float64(unused) > repackThreshold*float64(size) {
			repack[n] = &repackPack{id: id, unused: unused}
			plan.remove[id] = size
			continue
		}
		plan.keep[n] = true
	}
	for n, c := range usedCount {
		if _, ok := stored[ix.packIDs[n]]; c > 0 && !ok {
			return nil, fmt.Errorf("prune: pack %s is indexed and used but missing; run verify", ix.packIDs[n])
		}
	}
	if len(repack) > 0 {
		for i := range ix.sorted {
			if rp := repack[ix.sorted[i].pack]; rp != nil && used.hasPosition(i) {
				rp.entries = append(rp.entries, packEntry{ID: ix.sorted[i].id, blobLoc: ix.loc(ix.sorted[i])})
			}
		}
	}
	for _, rp := range repack {
		plan.repack = append(plan.repack, *rp)
	}
	sort.Slice(plan.repack, func(i, j int) bool { return plan.repack[i].id.String() < plan.repack[j].id.String() })
	return plan, nil
}

// indexFileBlobs bounds the blobs of one index file prune writes, so that
// the plaintext of a repository's whole index never sits in memory at once.
var indexFileBlobs = 50_000 // a variable for tests

// executePrune writes new packs and the new index, then removes old files.
func (r *Repository) executePrune(ctx context.Context, plan *prunePlan) (int64, error) {
	old, err := listIDs(ctx, r.be, IndexDir)
	if err != nil {
		return 0, err
	}
	newIx := newIndex()
	r.idx.Store(newIx) // the packer adds the rewritten packs here
	pk := newPacker(r)
	// Reused for every blob: a new buffer for each blob read, decrypted and
	// decompressed made three times the repacked bytes of garbage, and the
	// prune's peak memory (TestPruneRepackReusesItsBuffers).
	var storedBuf, checkBuf, plainBuf []byte
	for _, rp := range plan.repack {
		for _, e := range rp.entries {
			stored, err := r.readStoredInto(ctx, e.blobLoc, &storedBuf)
			if err == nil { // never copy damage forward; stored itself is copied as it is
				checkBuf = append(checkBuf[:0], stored...)
				_, err = r.decodeBlobInto(e.ID, e.blobLoc, checkBuf, &plainBuf, true)
			}
			if err != nil {
				return 0, fmt.Errorf("prune: repack %s: %w; run verify", rp.id, err)
			}
			if !newIx.claim(e.ID) {
				continue
			}
			if err := pk.add(ctx, e.ID, e.Flags, int(e.Raw), stored); err != nil {
				return 0, err
			}
		}
	}
	if err := pk.flush(ctx); err != nil {
		return 0, err
	}
	final, err := r.writePrunedIndex(ctx, plan, newIx.takeUnsaved())
	if err != nil {
		return 0, err
	}
	fresh := map[ID]bool{}
	for _, id := range final.files {
		fresh[id] = true
	}
	for _, id := range old {
		if fresh[id] { // identical content: the same file is the new index
			continue
		}
		if err := r.be.Remove(ctx, IndexDir+id.String()); err != nil && !isNotFound(err) {
			return 0, err
		}
	}
	r.packs.closeAll() // some systems cannot remove open files
	for id := range plan.remove {
		if err := r.be.Remove(ctx, packName(id)); err != nil && !isNotFound(err) {
			return 0, err
		}
	}
	r.idx.Store(final)
	return pk.added.Load(), nil
}

// writePrunedIndex saves the index after prune, the rewritten packs and the
// used blobs of the kept ones, in files of at most indexFileBlobs blobs,
// and returns it loaded.
func (r *Repository) writePrunedIndex(ctx context.Context, plan *prunePlan, rewritten []packInfo) (*index, error) {
	final := newIndex()
	var batch []packInfo
	var files []ID
	blobs := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		sort.Slice(batch, func(i, j int) bool { return batch[i].ID.String() < batch[j].ID.String() })
		id, _, err := r.saveIndex(ctx, batch)
		if err != nil {
			return err
		}
		files = append(files, id)
		batch, blobs = nil, 0
		return nil
	}
	add := func(p packInfo) error {
		final.loadPack(p)
		batch = append(batch, p)
		if blobs += len(p.Entries); blobs >= indexFileBlobs {
			return flush()
		}
		return nil
	}
	for _, p := range rewritten {
		if err := add(p); err != nil {
			return nil, err
		}
	}
	ix := plan.ix
	ix.mu.RLock()
	kept := map[uint32][]blobRec{}
	for i := range ix.sorted {
		if rec := ix.sorted[i]; plan.keep[rec.pack] && plan.used.hasPosition(i) {
			kept[rec.pack] = append(kept[rec.pack], rec)
		}
	}
	nums := make([]uint32, 0, len(kept))
	for n := range kept {
		nums = append(nums, n)
	}
	sort.Slice(nums, func(i, j int) bool { return ix.packIDs[nums[i]].String() < ix.packIDs[nums[j]].String() })
	var err error
	for _, n := range nums {
		p := packInfo{ID: ix.packIDs[n], Size: plan.sizes[ix.packIDs[n]]}
		for _, rec := range kept[n] {
			p.Entries = append(p.Entries, packEntry{ID: rec.id, blobLoc: ix.loc(rec)})
		}
		delete(kept, n)
		if err = add(p); err != nil {
			break
		}
	}
	ix.mu.RUnlock()
	if err == nil {
		err = flush()
	}
	if err != nil {
		return nil, err
	}
	final.finishLoad()
	final.files = files
	return final, nil
}
