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
// Blobs are compressed by the caller's goroutine and sealed into the pack
// under the lock; a full pack is saved by the goroutine that closed it while
// the others carry on with a fresh one.
type packer struct {
	r     *Repository
	mu    sync.Mutex
	cur   *packBuf
	added atomic.Int64 // bytes of packs saved
	packs atomic.Int64
	pool  sync.Pool // of *[]byte pack buffers
}

type packBuf struct {
	buf     []byte
	entries []packEntry
}

func newPacker(r *Repository) *packer { return &packer{r: r} }

// add appends one sealed blob. A pack is closed before a blob that would
// take it past the target size, so pack buffers never regrow; the
// goroutine that closes a pack saves it.
func (p *packer) add(ctx context.Context, id ID, flags uint8, raw int, stored []byte) error {
	p.mu.Lock()
	full := p.reserveLocked(len(stored))
	c := p.cur
	c.entries = append(c.entries, packEntry{ID: id, blobLoc: blobLoc{
		Offset: uint32(len(c.buf)), Length: uint32(len(stored)), Raw: uint32(raw), Flags: flags,
	}})
	c.buf = append(c.buf, stored...)
	p.mu.Unlock()
	if full != nil {
		return p.save(ctx, full)
	}
	return nil
}

// reserveLocked makes room for size more bytes: it closes the current pack
// (returned, for the caller to save) when they would take it past the target.
func (p *packer) reserveLocked(size int) (full *packBuf) {
	if c := p.cur; c != nil && len(c.entries) > 0 && len(c.buf)+size > p.r.cfg.PackSize {
		full, p.cur = c, nil
	}
	if p.cur == nil {
		p.cur = p.newBuf(size)
	}
	return full
}

// packHeaderRoom is reserved at the end of a pack buffer for the header.
const packHeaderRoom = 64 << 10

// newBuf takes a pack buffer from the pool (saved packs return theirs).
func (p *packer) newBuf(first int) *packBuf {
	size := max(p.r.cfg.PackSize, first) + packHeaderRoom
	if b, ok := p.pool.Get().(*[]byte); ok && cap(*b) >= size {
		return &packBuf{buf: (*b)[:0]}
	}
	return &packBuf{buf: make([]byte, 0, size)}
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
	buf := c.buf[:0]
	p.pool.Put(&buf)
	return nil
}

// storeBlob compresses, seals and packs plain unless the repository already
// has it; it reports whether it was new.
func (p *packer) storeBlob(ctx context.Context, typ uint8, plain []byte, enc *blobEncoder) (ID, bool, error) {
	id := p.r.crypt.contentID(plain)
	if !p.r.idx.Load().claim(id) {
		return id, false, nil
	}
	return id, true, p.storeClaimed(ctx, id, typ, plain, enc)
}

// storeClaimed packs a blob the caller has claimed: compressed by the
// caller's goroutine, sealed straight into the pack buffer.
func (p *packer) storeClaimed(ctx context.Context, id ID, typ uint8, plain []byte, enc *blobEncoder) error {
	payload, flags := enc.compress(plain)
	if err := p.addPayload(ctx, id, typ|flags, len(plain), payload); err != nil {
		p.r.idx.Load().unclaim(id)
		return err
	}
	return nil
}

// addPayload seals payload into the current pack under the lock (AES-GCM
// runs at several GB/s, cheaper than copying a sealed buffer).
func (p *packer) addPayload(ctx context.Context, id ID, flags uint8, raw int, payload []byte) error {
	size := len(payload) + p.r.crypt.sealOverhead()
	p.mu.Lock()
	full := p.reserveLocked(size)
	c := p.cur
	off := len(c.buf)
	var err error
	c.buf, err = p.r.crypt.seal(c.buf, payload)
	if err == nil {
		c.entries = append(c.entries, packEntry{ID: id, blobLoc: blobLoc{
			Offset: uint32(off), Length: uint32(len(c.buf) - off), Raw: uint32(raw), Flags: flags,
		}})
	} else {
		c.buf = c.buf[:off]
	}
	p.mu.Unlock()
	if full != nil {
		if serr := p.save(ctx, full); err == nil {
			err = serr
		}
	}
	return err
}
