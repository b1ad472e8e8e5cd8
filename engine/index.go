package engine

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
)

// index maps blob IDs to their place in packs. It is the union of all index
// files plus the packs this process wrote and has not yet saved in an index.
//
// It is compact (52 bytes a blob, ~50 MiB per million blobs; a map of
// structs took 184): the blobs of the index files loaded at open are one
// array sorted by ID, found through a table of where each ID prefix starts
// (IDs are uniformly random, so a few comparisons); pack IDs are stored
// once, blobs refer to them by number. Blobs added later (by a backup, or
// index files written since the open) go to a small map, merged into the
// array once it grows.
type index struct {
	mu sync.RWMutex

	sorted []blobRec // by ID, each ID once
	starts []uint32  // sorted[starts[p]:starts[p+1]] are the IDs whose top prefixBits bits are p
	prefix uint      // prefixBits
	added  map[ID]blobRec

	packIDs  []ID
	packSize []int64
	packNum  map[ID]uint32

	files    []ID        // index files loaded
	pending  map[ID]bool // blobs claimed by a writer, not yet in a pack
	unsaved  []packInfo  // packs written but not yet in an index file
	nUnsaved int         // their blobs

	loading []blobRec // a bulk load (loadPack, finishLoad) in progress
}

// blobRec is one blob in its packed form.
type blobRec struct {
	id     ID
	pack   uint32 // into packIDs
	offset uint32
	length uint32
	raw    uint32
	flags  uint8
}

func newIndex() *index {
	return &index{added: map[ID]blobRec{}, packNum: map[ID]uint32{}, pending: map[ID]bool{}, starts: []uint32{0, 0}}
}

// find returns the record of id (caller holds mu).
func (ix *index) find(id ID) (blobRec, bool) {
	if i, ok := ix.position(id); ok {
		return ix.sorted[i], true
	}
	r, ok := ix.added[id]
	return r, ok
}

func (ix *index) loc(r blobRec) blobLoc {
	return blobLoc{Pack: ix.packIDs[r.pack], Offset: r.offset, Length: r.length, Raw: r.raw, Flags: r.flags}
}

func (ix *index) lookup(id ID) (blobLoc, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	r, ok := ix.find(id)
	if !ok {
		return blobLoc{}, false
	}
	return ix.loc(r), true
}

func (ix *index) has(id ID) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.find(id)
	return ok
}

// claim reports whether the caller should store blob id: true the first time
// an unknown ID is claimed, so concurrent workers store each blob once.
func (ix *index) claim(id ID) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if _, ok := ix.find(id); ok || ix.pending[id] {
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

// packNumber returns the number of pack id, adding it (caller holds mu).
func (ix *index) packNumber(id ID, size int64) uint32 {
	n, ok := ix.packNum[id]
	if !ok {
		n = uint32(len(ix.packIDs))
		ix.packNum[id] = n
		ix.packIDs = append(ix.packIDs, id)
		ix.packSize = append(ix.packSize, size)
	} else if size > 0 {
		ix.packSize[n] = size
	}
	return n
}

// addPack records a pack written by this process (or found unindexed, or
// in an index file written since the open).
func (ix *index) addPack(p packInfo, saved bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	n := ix.packNumber(p.ID, p.Size)
	for _, e := range p.Entries {
		if _, ok := ix.find(e.ID); !ok {
			ix.added[e.ID] = blobRec{id: e.ID, pack: n, offset: e.Offset, length: e.Length, raw: e.Raw, flags: e.Flags}
		}
		delete(ix.pending, e.ID)
	}
	if !saved {
		ix.unsaved = append(ix.unsaved, p)
		ix.nUnsaved += len(p.Entries)
	}
	if len(ix.added) > max(1<<16, len(ix.sorted)/4) {
		ix.mergeAdded()
	}
}

// loadPack adds the blobs of an index file's pack during a bulk load,
// before the index is shared; finishLoad makes them searchable.
func (ix *index) loadPack(p packInfo) {
	n := ix.packNumber(p.ID, p.Size)
	for _, e := range p.Entries {
		ix.loading = append(ix.loading, blobRec{id: e.ID, pack: n, offset: e.Offset, length: e.Length, raw: e.Raw, flags: e.Flags})
	}
}

// loadFile adds one decoded index file to a bulk load.
func (ix *index) loadFile(f indexFileRecs) {
	nums := make([]uint32, len(f.packs))
	for i, p := range f.packs {
		nums[i] = ix.packNumber(p.ID, p.Size)
	}
	for _, rec := range f.recs {
		rec.pack = nums[rec.pack]
		ix.loading = append(ix.loading, rec)
	}
}

// finishLoad sorts what loadPack added into the searchable array. Of blobs
// listed more than once, the one loaded first is kept.
func (ix *index) finishLoad() {
	recs := sortRecs(ix.loading)
	ix.loading = nil
	recs = slices.CompactFunc(recs, func(a, b blobRec) bool { return a.id == b.id })
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.sorted = mergeRecs(ix.sorted, slices.Clip(recs))
	ix.buildStarts()
}

// mergeAdded moves the added blobs into the sorted array (caller holds mu).
func (ix *index) mergeAdded() {
	recs := make([]blobRec, 0, len(ix.added))
	for _, r := range ix.added {
		recs = append(recs, r)
	}
	ix.sorted = mergeRecs(ix.sorted, sortRecs(recs))
	ix.added = map[ID]blobRec{}
	ix.buildStarts()
}

// cmpRec orders records by ID, then by pack number: the pack loaded first
// comes first, and so is the copy CompactFunc keeps.
func cmpRec(a, b *blobRec) int {
	// The first eight bytes decide but for equal IDs: compare them as one word.
	if x, y := binary.BigEndian.Uint64(a.id[:8]), binary.BigEndian.Uint64(b.id[:8]); x != y {
		if x < y {
			return -1
		}
		return 1
	}
	if c := bytes.Compare(a.id[8:], b.id[8:]); c != 0 {
		return c
	}
	return int(a.pack) - int(b.pack)
}

// sortRecs returns recs sorted by cmpRec, in a new slice when that is
// faster. IDs are uniformly random, so one stable counting pass on the top
// bits into a second array leaves buckets of a few records, which
// insertion sort finishes: a fraction of a second for a million records.
// (In place, an American flag sort waited on one cache miss after another
// for three times as long; a comparison sort of 52-byte records took
// seconds.) The second array doubles the index's memory while it loads.
func sortRecs(recs []blobRec) []blobRec {
	n := len(recs)
	if n < 64 {
		insertionSort(recs)
		return recs
	}
	shift := 64 - uint(min(bits.Len(uint(n))-3, 20))
	top := func(r *blobRec) int { return int(binary.BigEndian.Uint64(r.id[:8]) >> shift) }
	next := make([]int, 1<<(64-shift)+1)
	for i := range recs {
		next[top(&recs[i])+1]++
	}
	for b := 1; b < len(next); b++ {
		next[b] += next[b-1]
	}
	starts := slices.Clone(next)
	out := make([]blobRec, n)
	for i := range recs {
		b := top(&recs[i])
		out[next[b]] = recs[i]
		next[b]++
	}
	for b := 0; b+1 < len(starts); b++ {
		insertionSort(out[starts[b]:starts[b+1]])
	}
	return out
}

func insertionSort(recs []blobRec) {
	for i := 1; i < len(recs); i++ {
		for j := i; j > 0 && cmpRec(&recs[j], &recs[j-1]) < 0; j-- {
			recs[j], recs[j-1] = recs[j-1], recs[j]
		}
	}
}

// mergeRecs merges two sorted runs; an ID in both keeps a's record.
func mergeRecs(a, b []blobRec) []blobRec {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make([]blobRec, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch c := bytes.Compare(a[i].id[:], b[j].id[:]); {
		case c < 0:
			out = append(out, a[i])
			i++
		case c > 0:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// buildStarts indexes the sorted array by ID prefix: about eight blobs a
// prefix, so a lookup is a jump and three or four comparisons.
func (ix *index) buildStarts() {
	n := len(ix.sorted)
	ix.prefix = 0
	if n >= 16 {
		ix.prefix = uint(min(bits.Len(uint(n))-3, 24))
	}
	ix.starts = make([]uint32, 1<<ix.prefix+1)
	p := 0
	for i, r := range ix.sorted {
		q := 0
		if ix.prefix > 0 {
			q = int(binary.BigEndian.Uint64(r.id[:8]) >> (64 - ix.prefix))
		}
		for p < q {
			p++
			ix.starts[p] = uint32(i)
		}
	}
	for p < len(ix.starts)-1 {
		p++
		ix.starts[p] = uint32(n)
	}
}

// takeUnsaved returns the packs not yet in an index file and forgets them.
func (ix *index) takeUnsaved() []packInfo { return ix.takeUnsavedFrom(0) }

// takeUnsavedFrom is takeUnsaved once they hold at least n blobs, else nil.
func (ix *index) takeUnsavedFrom(n int) []packInfo {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.nUnsaved < n || len(ix.unsaved) == 0 {
		return nil
	}
	u := ix.unsaved
	ix.unsaved, ix.nUnsaved = nil, 0
	return u
}

// blobCount is how many blobs the index holds.
func (ix *index) blobCount() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.sorted) + len(ix.added)
}

// eachBlob calls fn for every blob (under the read lock: fn must not
// call back into the index).
func (ix *index) eachBlob(fn func(id ID, loc blobLoc)) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ix.eachRec(func(r blobRec) { fn(r.id, ix.loc(r)) })
}

// eachRec calls fn for every blob's record, the sorted ones first (caller
// holds mu).
func (ix *index) eachRec(fn func(r blobRec)) {
	for _, r := range ix.sorted {
		fn(r)
	}
	for _, r := range ix.added {
		fn(r)
	}
}

// indexedPack is one indexed pack and the blobs the index places in it.
type indexedPack struct {
	id    ID
	size  int64
	blobs []packEntry
}

// packsWithBlobs returns every indexed pack with its blobs, in one
// allocation: counted per pack number, then placed. Grouping them through
// a map of growing slices took verify a quarter of a second on one core
// at 300,000 files, before its workers could start.
func (ix *index) packsWithBlobs() []indexedPack {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	counts := make([]int, len(ix.packIDs)+1)
	ix.eachRec(func(r blobRec) { counts[r.pack+1]++ })
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	all := make([]packEntry, counts[len(counts)-1])
	next := slices.Clone(counts[:len(ix.packIDs)])
	ix.eachRec(func(r blobRec) {
		all[next[r.pack]] = packEntry{ID: r.id, blobLoc: ix.loc(r)}
		next[r.pack]++
	})
	packs := make([]indexedPack, len(ix.packIDs))
	for i, id := range ix.packIDs {
		packs[i] = indexedPack{id: id, size: ix.packSize[i], blobs: all[counts[i]:counts[i+1]:counts[i+1]]}
	}
	return packs
}

// hasPack reports whether pack id is indexed.
func (ix *index) hasPack(id ID) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.packNum[id]
	return ok
}

// eachPack calls fn for every indexed pack and its size.
func (ix *index) eachPack(fn func(id ID, size int64)) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for i, id := range ix.packIDs {
		fn(id, ix.packSize[i])
	}
}

// packCount is how many packs are indexed.
func (ix *index) packCount() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.packIDs)
}

// position returns where id is in the sorted array (caller holds mu; blobs
// still in added have no position: see mergeAll).
func (ix *index) position(id ID) (int, bool) {
	p := uint64(0)
	if ix.prefix > 0 {
		p = binary.BigEndian.Uint64(id[:8]) >> (64 - ix.prefix)
	}
	lo, hi := int(ix.starts[p]), int(ix.starts[p+1])
	key := binary.BigEndian.Uint64(id[:8])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		// The first eight bytes, as one word, decide all but equal IDs.
		var c int
		switch k := binary.BigEndian.Uint64(ix.sorted[m].id[:8]); {
		case k < key:
			c = -1
		case k > key:
			c = 1
		default:
			c = bytes.Compare(ix.sorted[m].id[8:], id[8:])
		}
		switch {
		case c == 0:
			return m, true
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return 0, false
}

// mergeAll moves every added blob into the sorted array, so that every
// blob has a position (for a blobSet).
func (ix *index) mergeAll() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if len(ix.added) > 0 {
		ix.mergeAdded()
	}
}

// blobSet is a set of the blobs of an index that does not change while the
// set is used (prune holds the repository exclusively): one bit a blob,
// where a map of IDs took ~60 bytes. Safe for concurrent use.
type blobSet struct {
	ix    *index
	words []atomic.Uint64
}

// newBlobSet returns an empty set over ix, whose blobs all have positions.
func newBlobSet(ix *index) *blobSet {
	ix.mergeAll()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return &blobSet{ix: ix, words: make([]atomic.Uint64, (len(ix.sorted)+63)/64)}
}

// add puts id in the set; added is false when it was there already, known
// false when the index does not have it (nothing is added then).
func (s *blobSet) add(id ID) (added, known bool) {
	s.ix.mu.RLock()
	i, ok := s.ix.position(id)
	s.ix.mu.RUnlock()
	if !ok {
		return false, false
	}
	bit := uint64(1) << (i % 64)
	return s.words[i/64].Or(bit)&bit == 0, true
}

// hasPosition reports whether the blob at position i is in the set.
func (s *blobSet) hasPosition(i int) bool { return s.words[i/64].Load()&(1<<(i%64)) != 0 }
