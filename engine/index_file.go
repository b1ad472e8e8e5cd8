package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"cadang/engine/backend"
)

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
			ix.loadPack(p)
		}
		ix.files = append(ix.files, id)
	}
	ix.finishLoad()
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
