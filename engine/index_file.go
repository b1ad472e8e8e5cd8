package engine

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"

	"cadang/engine/backend"
)

// saveIndex writes one index file for packs (sealed, named by its hash).
func (r *Repository) saveIndex(ctx context.Context, packs []packInfo) (ID, int64, error) {
	plain, err := r.encodeIndexFile(packs)
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

// encodeIndexFile renders packs in the index file format of the
// repository's version: binary from version 2, JSON before (§8).
func (r *Repository) encodeIndexFile(packs []packInfo) ([]byte, error) {
	if r.cfg.Version >= binaryIndexVersion {
		return encodeIndexBinary(packs)
	}
	return encodeIndex(packs)
}

// saveIndexes writes packs in index files of at most about indexFileBlobs
// blobs each (a pack is never split), and returns their IDs and bytes.
func (r *Repository) saveIndexes(ctx context.Context, packs []packInfo) ([]ID, int64, error) {
	var ids []ID
	var written int64
	for len(packs) > 0 {
		n, blobs := 0, 0
		for n < len(packs) && (n == 0 || blobs+len(packs[n].Entries) <= indexFileBlobs) {
			blobs += len(packs[n].Entries)
			n++
		}
		id, size, err := r.saveIndex(ctx, packs[:n])
		if err != nil {
			return ids, written, err
		}
		ids, written, packs = append(ids, id), written+size, packs[n:]
	}
	return ids, written, nil
}

// loadIndexFile reads and decodes one index file.
func (r *Repository) loadIndexFile(ctx context.Context, id ID) ([]packInfo, error) {
	var packs []packInfo
	err := r.loadIndexFileTo(ctx, id, func(p packInfo) error {
		p.Entries = slices.Clone(p.Entries)
		packs = append(packs, p)
		return nil
	})
	return packs, err
}

// loadIndexFileTo reads one index file and hands its packs to fn as they
// are decoded; on an error, fn may have had some of them.
func (r *Repository) loadIndexFileTo(ctx context.Context, id ID, fn func(packInfo) error) error {
	data, err := loadNamed(ctx, r.be, IndexDir+id.String(), id)
	if err != nil {
		return err
	}
	plain, err := r.crypt.openInPlace(data)
	if err != nil {
		return fmt.Errorf("index %s: %w", id, err)
	}
	if err := decodeIndexTo(plain, fn); err != nil {
		return fmt.Errorf("index %s: %w", id, err)
	}
	return nil
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
	var ids []ID
	var total int64
	sizes := map[ID]int64{}
	err := r.be.List(ctx, IndexDir, func(fi backend.FileInfo) error {
		if id, err := parseID(strings.TrimPrefix(fi.Name, IndexDir)); err == nil {
			ids = append(ids, id)
			sizes[id] = fi.Size
			total += fi.Size
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list index files: %w", err)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].String() < ids[j].String() })
	ix := newIndex()
	// A JSON index file spends about 165 bytes on a blob, a binary one 45:
	// room for all of them at once, instead of growing (and copying) the
	// array twenty times.
	perBlob := int64(150)
	if r.cfg.Version >= binaryIndexVersion {
		perBlob = headerEntrySize
	}
	ix.loading = make([]blobRec, 0, total/perBlob)
	// The files are read, decrypted and decoded on every core, and added in
	// name order, so the index is the one reading them one by one builds.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	decoded := make([]chan indexFileRecs, len(ids))
	for i := range decoded {
		decoded[i] = make(chan indexFileRecs, 1)
	}
	ahead := make(chan struct{}, runtime.GOMAXPROCS(0)) // files decoded and not added yet, at most
	go func() {
		for i, id := range ids {
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() { decoded[i] <- r.decodeIndexFileRecs(ctx, id, int(sizes[id]/perBlob)) }()
		}
	}()
	bad := map[ID]error{}
	for i, id := range ids {
		var f indexFileRecs
		select {
		case f = <-decoded[i]:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		<-ahead
		if f.err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			bad[id] = f.err // nothing of a damaged file is added
			continue
		}
		ix.loadFile(f)
		ix.files = append(ix.files, id)
	}
	ix.finishLoad()
	return ix, bad, nil
}

// indexFileRecs is one index file, decoded: its packs, and its blobs as the
// index keeps them, each naming its pack by its place in packs.
type indexFileRecs struct {
	packs []packInfo // without Entries: they are in recs
	recs  []blobRec
	err   error
}

func (r *Repository) decodeIndexFileRecs(ctx context.Context, id ID, blobs int) indexFileRecs {
	f := indexFileRecs{recs: make([]blobRec, 0, blobs)}
	f.err = r.loadIndexFileTo(ctx, id, func(p packInfo) error {
		n := uint32(len(f.packs))
		f.packs = append(f.packs, packInfo{ID: p.ID, Size: p.Size})
		for _, e := range p.Entries {
			f.recs = append(f.recs, blobRec{id: e.ID, pack: n, offset: e.Offset, length: e.Length, raw: e.Raw, flags: e.Flags})
		}
		return nil
	})
	return f
}

// loadIndex replaces the in-memory index with the stored one (caller holds ixMu).
func (r *Repository) loadIndex(ctx context.Context) error {
	ix, _, err := r.buildIndex(ctx)
	if err != nil {
		return err
	}
	r.idx.Store(ix)
	r.idxReady.Store(true) // before prune's tree walk, which must not refresh (it holds ixMu)
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
