package engine

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestIndexLookups: blobs are found wherever they were added (loaded from
// index files, added by a backup, merged once the additions grew), a blob
// listed twice keeps the copy loaded first, and unknown IDs are absent.
func TestIndexLookups(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	packA, packB := randomID(rng), randomID(rng)
	loaded := make([]ID, 3000)
	for i := range loaded {
		loaded[i] = randomID(rng)
	}
	ix := newIndex()
	var a packInfo
	a.ID, a.Size = packA, 1<<20
	for i, id := range loaded {
		a.Entries = append(a.Entries, packEntry{ID: id, blobLoc: blobLoc{Pack: packA, Offset: uint32(i), Length: 10, Raw: 20, Flags: blobTree}})
	}
	ix.loadPack(a)
	// The same first blob again in a later pack: the first copy stays.
	ix.loadPack(packInfo{ID: packB, Size: 2 << 20, Entries: []packEntry{{ID: loaded[0], blobLoc: blobLoc{Pack: packB, Offset: 99, Length: 10, Raw: 20}}}})
	ix.finishLoad()

	var added []ID
	for round := 0; round < 3; round++ { // enough to pass the merge threshold
		p := packInfo{ID: randomID(rng), Size: 3 << 20}
		for i := 0; i < 30000; i++ {
			id := randomID(rng)
			added = append(added, id)
			p.Entries = append(p.Entries, packEntry{ID: id, blobLoc: blobLoc{Pack: p.ID, Offset: uint32(i), Length: 7, Raw: 7}})
		}
		ix.addPack(p, false)
	}
	tests := []struct {
		name string
		id   ID
		want bool
		pack ID
		off  uint32
	}{
		{"loaded", loaded[1234], true, packA, 1234},
		{"loaded twice keeps the first", loaded[0], true, packA, 0},
		{"added by a backup", added[5], true, ID{}, 5},
		{"added last", added[len(added)-1], true, ID{}, 29999},
		{"unknown", randomID(rng), false, ID{}, 0},
	}
	for _, tt := range tests {
		loc, ok := ix.lookup(tt.id)
		if ok != tt.want {
			t.Errorf("%s: found %v, want %v", tt.name, ok, tt.want)
			continue
		}
		if ok && (loc.Offset != tt.off || tt.pack != (ID{}) && loc.Pack != tt.pack) {
			t.Errorf("%s: at %s+%d, want %s+%d", tt.name, loc.Pack, loc.Offset, tt.pack, tt.off)
		}
	}
	if got, want := ix.blobCount(), len(loaded)+len(added); got != want {
		t.Errorf("blobCount = %d, want %d", got, want)
	}
	if got := ix.packCount(); got != 5 {
		t.Errorf("packCount = %d, want 5", got)
	}
	if got := len(ix.takeUnsaved()); got != 3 {
		t.Errorf("unsaved packs = %d, want 3", got)
	}
	n := 0
	ix.eachBlob(func(ID, blobLoc) { n++ })
	if n != len(loaded)+len(added) {
		t.Errorf("eachBlob visited %d, want %d", n, len(loaded)+len(added))
	}
	if id := randomID(rng); !ix.claim(id) || ix.claim(id) {
		t.Errorf("claim of a new blob: want true once, then false")
	}
	if ix.claim(loaded[7]) {
		t.Errorf("claim of a stored blob: want false")
	}
}

// TestPacksWithBlobsGroupsEveryBlob: the grouping verify reads packs by
// is the one eachBlob gives, blob for blob, for blobs loaded from index files and blobs added since, and a pack whose
// only blob is indexed in an earlier pack has none.
func TestPacksWithBlobsGroupsEveryBlob(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	ix := newIndex()
	var first ID
	for p := range 4 {
		info := packInfo{ID: randomID(rng), Size: int64(p+1) << 20}
		for i := range 500 * (p + 1) {
			id := randomID(rng)
			if p == 0 && i == 0 {
				first = id
			}
			info.Entries = append(info.Entries, packEntry{ID: id, blobLoc: blobLoc{Pack: info.ID, Offset: uint32(i * 10), Length: 10, Raw: 12, Flags: uint8(i % 2)}})
		}
		ix.loadPack(info)
	}
	dupOnly := randomID(rng)
	ix.loadPack(packInfo{ID: dupOnly, Size: 1 << 20, Entries: []packEntry{{ID: first, blobLoc: blobLoc{Pack: dupOnly, Offset: 5, Length: 10, Raw: 12}}}})
	ix.finishLoad()
	for range 2 {
		info := packInfo{ID: randomID(rng), Size: 7 << 20}
		for i := range 300 {
			info.Entries = append(info.Entries, packEntry{ID: randomID(rng), blobLoc: blobLoc{Pack: info.ID, Offset: uint32(i), Length: 1, Raw: 1}})
		}
		ix.addPack(info, false)
	}

	want := map[ID][]packEntry{}
	ix.eachBlob(func(id ID, loc blobLoc) { want[loc.Pack] = append(want[loc.Pack], packEntry{ID: id, blobLoc: loc}) })
	sizes := map[ID]int64{}
	ix.eachPack(func(id ID, size int64) { sizes[id] = size })

	got := ix.packsWithBlobs()
	if len(got) != len(sizes) {
		t.Fatalf("%d packs, want %d", len(got), len(sizes))
	}
	total := 0
	for _, p := range got {
		if p.size != sizes[p.id] {
			t.Errorf("pack %s: size %d, want %d", p.id, p.size, sizes[p.id])
		}
		byID := func(a, b packEntry) int { return bytes.Compare(a.ID[:], b.ID[:]) }
		gotBlobs := slices.SortedFunc(slices.Values(p.blobs), byID)
		if !slices.Equal(gotBlobs, slices.SortedFunc(slices.Values(want[p.id]), byID)) {
			t.Errorf("pack %s: %d blobs, want %d, or not the same", p.id, len(p.blobs), len(want[p.id]))
		}
		total += len(p.blobs)
		if p.id == dupOnly && len(p.blobs) != 0 {
			t.Errorf("pack holding only a blob indexed earlier: %d blobs, want 0", len(p.blobs))
		}
	}
	if n := ix.blobCount(); total != n || n != 500+1000+1500+2000+600 {
		t.Errorf("%d blobs grouped, index has %d, want 5600", total, n)
	}
}
