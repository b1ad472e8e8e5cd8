package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
)

// packer collects sealed blobs into pack files of about the configured size.
// Blobs are compressed and sealed by the caller's goroutine; only the append
// happens under the lock, and a full pack is saved by the goroutine that
// filled it while the others carry on with a fresh one.
type packer struct {
	r     *Repository
	mu    sync.Mutex
	cur   *packBuf
	added atomic.Int64 // bytes of packs saved
	packs atomic.Int64
}

type packBuf struct {
	buf     []byte
	entries []packEntry
}

func newPacker(r *Repository) *packer { return &packer{r: r} }

// add appends one sealed blob; when that fills the pack, the pack is saved.
func (p *packer) add(ctx context.Context, id ID, flags uint8, raw int, stored []byte) error {
	p.mu.Lock()
	if p.cur == nil {
		// Room for the largest blob that can overflow the target and the
		// header, so the buffer never regrows (which would double memory).
		room := p.r.cfg.PackSize + p.r.cfg.Chunker.Max + p.r.crypt.sealOverhead() + 64<<10
		p.cur = &packBuf{buf: make([]byte, 0, max(room, len(stored)+64<<10))}
	}
	c := p.cur
	c.entries = append(c.entries, packEntry{ID: id, blobLoc: blobLoc{
		Offset: uint32(len(c.buf)), Length: uint32(len(stored)), Raw: uint32(raw), Flags: flags,
	}})
	c.buf = append(c.buf, stored...)
	var full *packBuf
	if len(c.buf) >= p.r.cfg.PackSize {
		full, p.cur = c, nil
	}
	p.mu.Unlock()
	if full != nil {
		return p.save(ctx, full)
	}
	return nil
}

// flush saves the partly filled pack, if any.
func (p *packer) flush(ctx context.Context) error {
	p.mu.Lock()
	c := p.cur
	p.cur = nil
	p.mu.Unlock()
	if c == nil || len(c.entries) == 0 {
		return nil
	}
	return p.save(ctx, c)
}

// save finishes a pack (header, length), names it by its BLAKE3 and stores
// it; only then do its blobs enter the in-memory index.
func (p *packer) save(ctx context.Context, c *packBuf) error {
	hdr, err := p.r.sealHeader(encodePackHeader(c.entries))
	if err != nil {
		return err
	}
	c.buf = append(c.buf, hdr...)
	c.buf = binary.LittleEndian.AppendUint32(c.buf, uint32(len(hdr)))
	id := fileID(c.buf)
	for i := range c.entries {
		c.entries[i].Pack = id
	}
	if err := p.r.be.Save(ctx, packName(id), bytes.NewReader(c.buf), int64(len(c.buf))); err != nil {
		for _, e := range c.entries {
			p.r.idx.Load().unclaim(e.ID)
		}
		return fmt.Errorf("save pack %s: %w", id, err)
	}
	p.r.idx.Load().addPack(packInfo{ID: id, Size: int64(len(c.buf)), Entries: c.entries}, false)
	p.added.Add(int64(len(c.buf)))
	p.packs.Add(1)
	return nil
}

// storeBlob compresses, seals and packs plain unless the repository already
// has it; it reports whether it was new.
func (p *packer) storeBlob(ctx context.Context, typ uint8, plain []byte, scratch *[]byte, sealed *[]byte) (ID, bool, error) {
	id := p.r.crypt.contentID(plain)
	if !p.r.idx.Load().claim(id) {
		return id, false, nil
	}
	return id, true, p.storeClaimed(ctx, id, typ, plain, scratch, sealed)
}

// storeClaimed packs a blob the caller has claimed.
func (p *packer) storeClaimed(ctx context.Context, id ID, typ uint8, plain []byte, scratch *[]byte, sealed *[]byte) error {
	out, flags, err := p.r.encodeBlob((*sealed)[:0], plain, scratch)
	if err != nil {
		p.r.idx.Load().unclaim(id)
		return err
	}
	*sealed = out
	if err := p.add(ctx, id, typ|flags, len(plain), out); err != nil {
		p.r.idx.Load().unclaim(id)
		return err
	}
	return nil
}
