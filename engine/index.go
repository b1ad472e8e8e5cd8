package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"cadang/engine/backend"
)

// index maps blob IDs to their place in packs. It is the union of all index
// files plus the packs this process wrote and has not yet saved in an index.
type index struct {
	mu      sync.RWMutex
	blobs   map[ID]blobLoc
	packs   map[ID]int64 // indexed packs and their sizes
	files   []ID         // index files loaded
	pending map[ID]bool  // blobs claimed by a writer, not yet in a pack
	unsaved []packInfo   // packs written but not yet in an index file
}

func newIndex() *index {
	return &index{blobs: map[ID]blobLoc{}, packs: map[ID]int64{}, pending: map[ID]bool{}}
}

func (ix *index) lookup(id ID) (blobLoc, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	loc, ok := ix.blobs[id]
	return loc, ok
}

func (ix *index) has(id ID) bool {
	_, ok := ix.lookup(id)
	return ok
}

// claim reports whether the caller should store blob id: true the first time
// an unknown ID is claimed, so concurrent workers store each blob once.
func (ix *index) claim(id ID) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if _, ok := ix.blobs[id]; ok || ix.pending[id] {
		return false
	}
	ix.pending[id] = true
	return true
}

func (ix *index) resetPending() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.pending = map[ID]bool{}
}

// unclaim releases a claim whose blob could not be stored.
func (ix *index) unclaim(id ID) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	delete(ix.pending, id)
}

// packInfo is one pack and its blobs, the unit of index files.
type packInfo struct {
	ID      ID
	Size    int64
	Entries []packEntry
}

// addPack records a pack written by this process (or found unindexed).
func (ix *index) addPack(p packInfo, saved bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, e := range p.Entries {
		if _, ok := ix.blobs[e.ID]; !ok {
			ix.blobs[e.ID] = e.blobLoc
		}
		delete(ix.pending, e.ID)
	}
	ix.packs[p.ID] = p.Size
	if !saved {
		ix.unsaved = append(ix.unsaved, p)
	}
}

// takeUnsaved returns the packs not yet in an index file and forgets them.
func (ix *index) takeUnsaved() []packInfo {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	u := ix.unsaved
	ix.unsaved = nil
	return u
}

// indexJSON is the plaintext of an index file.
type indexJSON struct {
	Packs []indexPackJSON `json:"packs"`
}

type indexPackJSON struct {
	ID    string          `json:"id"`
	Size  int64           `json:"size"`
	Blobs []indexBlobJSON `json:"blobs"`
}

type indexBlobJSON struct {
	ID     string `json:"id"`
	Type   string `json:"type"` // "data" or "tree"
	LZ4    bool   `json:"lz4,omitempty"`
	Offset uint32 `json:"offset"`
	Length uint32 `json:"length"`
	Raw    uint32 `json:"raw_length"`
}

var typeNames = map[uint8]string{blobData: "data", blobTree: "tree"}

func encodeIndex(packs []packInfo) ([]byte, error) {
	var ij indexJSON
	for _, p := range packs {
		pj := indexPackJSON{ID: p.ID.String(), Size: p.Size}
		for _, e := range p.Entries {
			pj.Blobs = append(pj.Blobs, indexBlobJSON{
				ID: e.ID.String(), Type: typeNames[e.typ()], LZ4: e.Flags&flagLZ4 != 0,
				Offset: e.Offset, Length: e.Length, Raw: e.Raw,
			})
		}
		ij.Packs = append(ij.Packs, pj)
	}
	return json.Marshal(ij)
}

func decodeIndex(plain []byte) ([]packInfo, error) {
	var ij indexJSON
	if err := decodeHot(plain, &ij); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	out := make([]packInfo, 0, len(ij.Packs))
	for _, pj := range ij.Packs {
		pid, err := parseID(pj.ID)
		if err != nil {
			return nil, fmt.Errorf("index: pack: %w", err)
		}
		// Every pack ends with its header and the header's length, and its
		// offsets are 32-bit: a size outside that range is damage, and the
		// bounds below hold for every entry only with a real size.
		if pj.Size < packTrailer || pj.Size > maxPackSize {
			return nil, fmt.Errorf("index: pack %s: %w: size %d out of range", pj.ID, errDamaged, pj.Size)
		}
		p := packInfo{ID: pid, Size: pj.Size}
		for _, bj := range pj.Blobs {
			id, err := parseID(bj.ID)
			if err != nil {
				return nil, fmt.Errorf("index: blob: %w", err)
			}
			var flags uint8
			switch bj.Type {
			case "data":
				flags = blobData
			case "tree":
				flags = blobTree
			default:
				return nil, fmt.Errorf("index: blob %s: unknown type %q", bj.ID, bj.Type)
			}
			if bj.LZ4 {
				flags |= flagLZ4
			}
			if bj.Raw > maxBlobSize || bj.Length > maxStoredBlob ||
				int64(bj.Offset)+int64(bj.Length) > pj.Size-packTrailer {
				return nil, fmt.Errorf("index: blob %s: %w: out of range", bj.ID, errDamaged)
			}
			p.Entries = append(p.Entries, packEntry{ID: id, blobLoc: blobLoc{Pack: pid, Offset: bj.Offset, Length: bj.Length, Raw: bj.Raw, Flags: flags}})
		}
		out = append(out, p)
	}
	return out, nil
}

// saveIndex writes one index file for packs (sealed, named by its hash).
func (r *Repository) saveIndex(ctx context.Context, packs []packInfo) (ID, int64, error) {
	plain, err := encodeIndex(packs)
	if err != nil {
		return ID{}, 0, err
	}
	stored, err := r.crypt.seal(nil, plain)
	if err != nil {
		return ID{}, 0, err
	}
	id, err := saveNamed(ctx, r.be, IndexDir, stored)
	if err != nil {
		return id, 0, fmt.Errorf("save index: %w", err)
	}
	ix := r.idx.Load()
	ix.mu.Lock()
	ix.files = append(ix.files, id)
	ix.mu.Unlock()
	return id, int64(len(stored)), nil
}

// loadIndexFile reads and decodes one index file.
func (r *Repository) loadIndexFile(ctx context.Context, id ID) ([]packInfo, error) {
	data, err := loadNamed(ctx, r.be, IndexDir+id.String(), id)
	if err != nil {
		return nil, err
	}
	plain, err := r.crypt.open(nil, data)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", id, err)
	}
	packs, err := decodeIndex(plain)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", id, err)
	}
	return packs, nil
}

// listIDs lists the files of dir named by a 64-digit hex ID.
func listIDs(ctx context.Context, be backend.Backend, dir string) ([]ID, error) {
	var ids []ID
	err := be.List(ctx, dir, func(fi backend.FileInfo) error {
		id, err := parseID(strings.TrimPrefix(fi.Name, dir))
		if err == nil {
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].String() < ids[j].String() })
	return ids, nil
}

// buildIndex reads every index file into a new index; a damaged one is
// returned in bad rather than failing, so restore and verify can still use
// the rest.
func (r *Repository) buildIndex(ctx context.Context) (*index, map[ID]error, error) {
	ids, err := listIDs(ctx, r.be, IndexDir)
	if err != nil {
		return nil, nil, fmt.Errorf("list index files: %w", err)
	}
	ix := newIndex()
	bad := map[ID]error{}
	for _, id := range ids {
		packs, err := r.loadIndexFile(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			bad[id] = err
			continue
		}
		for _, p := range packs {
			ix.addPack(p, true)
		}
		ix.files = append(ix.files, id)
	}
	return ix, bad, nil
}

// loadIndex replaces the in-memory index with the stored one (caller holds ixMu).
func (r *Repository) loadIndex(ctx context.Context) error {
	ix, _, err := r.buildIndex(ctx)
	if err != nil {
		return err
	}
	r.idx.Store(ix)
	return nil
}

// listPacks returns every stored pack with its size.
func (r *Repository) listPacks(ctx context.Context) (map[ID]int64, error) {
	out := map[ID]int64{}
	err := r.be.List(ctx, PacksDir, func(fi backend.FileInfo) error {
		if id, ok := parsePackName(fi.Name); ok {
			out[id] = fi.Size
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list packs: %w", err)
	}
	return out, nil
}
