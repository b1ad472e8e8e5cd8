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

// usedBlobs walks every snapshot and returns the trees and chunks it needs.
// Any unreadable snapshot or tree stops prune: it cannot know what is used.
func (r *Repository) usedBlobs(ctx context.Context) (map[ID]bool, error) {
	snaps, bad, err := r.snapshotsWithErrors(ctx)
	if err != nil {
		return nil, err
	}
	for id, err := range bad {
		return nil, fmt.Errorf("prune: snapshot %s is unreadable (%v); run verify and remove it first", id, err)
	}
	used := map[ID]bool{}
	var walk func(id ID) error
	walk = func(id ID) error {
		if used[id] {
			return nil // identical folders are shared between snapshots
		}
		used[id] = true
		t, err := r.loadTree(ctx, id)
		if err != nil {
			return fmt.Errorf("prune: %w; run verify", err)
		}
		for i := range t.Nodes {
			for _, c := range t.Nodes[i].Content {
				used[c] = true
			}
			if t.Nodes[i].Type == NodeDir {
				if err := walk(*t.Nodes[i].Subtree); err != nil {
					return err
				}
			}
		}
		return ctx.Err()
	}
	for _, s := range snaps {
		root, err := s.treeID()
		if err != nil {
			return nil, err
		}
		if err := walk(root); err != nil {
			return nil, err
		}
	}
	return used, nil
}

type prunePlan struct {
	keep   map[ID][]packEntry // packs kept as they are, with their used blobs
	repack []repackPack
	remove map[ID]int64 // packs to delete (unused, repacked, unindexed) and sizes
	sizes  map[ID]int64 // of every stored pack
}

type repackPack struct {
	id      ID
	entries []packEntry
	unused  int64
}

func (r *Repository) planPrune(ctx context.Context, used map[ID]bool) (*prunePlan, error) {
	stored, err := r.listPacks(ctx)
	if err != nil {
		return nil, err
	}
	byPack := map[ID][]packEntry{}
	ix := r.idx.Load()
	ix.mu.RLock()
	for id, loc := range ix.blobs {
		if used[id] {
			byPack[loc.Pack] = append(byPack[loc.Pack], packEntry{ID: id, blobLoc: loc})
		}
	}
	ix.mu.RUnlock()
	for id := range used {
		if _, ok := r.idx.Load().lookup(id); !ok {
			return nil, fmt.Errorf("prune: blob %s is used but not in the index; run verify", id)
		}
	}
	plan := &prunePlan{keep: map[ID][]packEntry{}, remove: map[ID]int64{}, sizes: stored}
	for id, size := range stored {
		entries := byPack[id]
		if len(entries) == 0 {
			plan.remove[id] = size // unused, or a leftover no index lists
			continue
		}
		var usedBytes int64
		for _, e := range entries {
			usedBytes += int64(e.Length)
		}
		// What the used blobs need, header included: the rest is garbage.
		unused := size - usedBytes - int64(len(entries)*headerEntrySize+5+4+32+gcmNonceSize+gcmTagSize)
		if float64(unused) > repackThreshold*float64(size) {
			plan.repack = append(plan.repack, repackPack{id: id, entries: entries, unused: unused})
			plan.remove[id] = size
			continue
		}
		plan.keep[id] = entries
	}
	for id := range byPack {
		if _, ok := stored[id]; !ok {
			return nil, fmt.Errorf("prune: pack %s is indexed and used but missing; run verify", id)
		}
	}
	sort.Slice(plan.repack, func(i, j int) bool { return plan.repack[i].id.String() < plan.repack[j].id.String() })
	return plan, nil
}

// executePrune writes new packs and the new index, then removes old files.
func (r *Repository) executePrune(ctx context.Context, plan *prunePlan) (int64, error) {
	old, err := listIDs(ctx, r.be, IndexDir)
	if err != nil {
		return 0, err
	}
	newIx := newIndex()
	r.idx.Store(newIx) // the packer adds the rewritten packs here
	pk := newPacker(r)
	for _, rp := range plan.repack {
		for _, e := range rp.entries {
			stored, err := r.readStored(ctx, e.blobLoc)
			if err == nil {
				_, err = r.decodeBlob(e.ID, e.blobLoc, stored) // never copy damage forward
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
	all := newIx.takeUnsaved()
	for id, entries := range plan.keep {
		p := packInfo{ID: id, Size: plan.sizes[id], Entries: entries}
		newIx.addPack(p, true)
		all = append(all, p)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID.String() < all[j].ID.String() })
	if len(all) > 0 {
		if _, _, err := r.saveIndex(ctx, all); err != nil {
			return 0, err
		}
	}
	newFiles := newIx.files
	fresh := map[ID]bool{}
	for _, id := range newFiles {
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
	newIx.files = newFiles
	return pk.added.Load(), nil
}
