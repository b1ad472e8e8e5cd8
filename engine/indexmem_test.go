package engine

import (
	"encoding/binary"
	"math/rand/v2"
	"runtime"
	"testing"
)

// randomID fills an ID from rng.
func randomID(rng *rand.Rand) ID {
	var id ID
	for i := 0; i < len(id); i += 8 {
		binary.LittleEndian.PutUint64(id[i:], rng.Uint64())
	}
	return id
}

// loadedIndex builds an index of n blobs in packs of 4,000 as opening a
// repository does, and returns it with the heap it holds.
func loadedIndex(n int) (*index, uint64) {
	rng := rand.New(rand.NewPCG(1, 2))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ix := newIndex()
	for done := 0; done < n; {
		p := packInfo{ID: randomID(rng), Size: 16 << 20}
		for j := 0; j < 4000 && done < n; j++ {
			p.Entries = append(p.Entries, packEntry{ID: randomID(rng),
				blobLoc: blobLoc{Pack: p.ID, Offset: uint32(j * 4096), Length: 4096, Raw: 4096}})
			done++
		}
		ix.loadPack(p)
	}
	ix.finishLoad()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return ix, after.HeapAlloc - before.HeapAlloc
}

// TestIndexMemoryPerMillion states what the in-memory index costs: 52
// bytes a blob (184 with the map of structs it replaced), so ~50 MiB per
// million blobs, a million blobs being ~250 GB of data at 256 KiB chunks
// or a million small files.
func TestIndexMemoryPerMillion(t *testing.T) {
	const n = 1_000_000
	ix, heap := loadedIndex(n)
	perBlob := float64(heap) / n
	t.Logf("index of %d blobs: %.1f MiB, %.1f bytes a blob", n, float64(heap)/(1<<20), perBlob)
	if perBlob > 60 {
		t.Errorf("index holds %.1f bytes a blob, want at most 60", perBlob)
	}
	if got := ix.blobCount(); got != n {
		t.Errorf("blobCount = %d, want %d", got, n)
	}
}

func BenchmarkIndexLookup(b *testing.B) {
	ix, _ := loadedIndex(1_000_000)
	rng := rand.New(rand.NewPCG(1, 2))
	ids := make([]ID, 0, 4096)
	for len(ids) < cap(ids) { // the same IDs as loadedIndex, interleaved with pack IDs
		if id := randomID(rng); ix.has(id) {
			ids = append(ids, id)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !ix.has(ids[i%len(ids)]) {
			b.Fatal("missing")
		}
	}
}
