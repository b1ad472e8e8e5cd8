package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/zeebo/blake3"
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
	// Pack buffers: at most maxPackBufs exist (one filling, one saving);
	// closing a pack waits for a free one, which bounds memory and slows
	// the workers down to what the backend can store.
	free  chan []byte
	nbufs int // allocated so far, under mu
	// indexEvery > 0 writes an index file whenever that many blobs are in
	// saved packs without one (backups; prune writes its index itself).
	indexEvery int
	indexBytes atomic.Int64 // of the index files written so far
}

const maxPackBufs = 2

type packBuf struct {
	buf     []byte
	entries []packEntry
}

func newPacker(r *Repository) *packer {
	return &packer{r: r, free: make(chan []byte, maxPackBufs)}
}

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

// packHeaderRoom is spare capacity in a pack buffer (the header is sent separately).
const packHeaderRoom = 4 << 10

// newBuf returns a free pack buffer, allocating up to maxPackBufs and then
// waiting for a save to return one (saves always return theirs). Called
// with mu held; savers never take mu, so this cannot deadlock.
func (p *packer) newBuf(first int) *packBuf {
	size := max(p.r.cfg.PackSize, first) + packHeaderRoom
	var b []byte
	select {
	case b = <-p.free:
	default:
		if p.nbufs < maxPackBufs {
			p.nbufs++
			b = make([]byte, 0, size)
		} else {
			b = <-p.free
		}
	}
	if cap(b) < size {
		b = make([]byte, 0, size)
	}
	return &packBuf{buf: b[:0]}
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
	defer func() { p.free <- c.buf[:0] }() // also on failure: a waiting newBuf needs it
	hdr, err := p.r.sealHeader(encodePackHeader(c.entries))
	if err != nil {
		return err
	}
	// The header goes out as a second piece, so a big header never makes
	// the pack buffer regrow (a transient doubling of memory).
	trailer := binary.LittleEndian.AppendUint32(hdr, uint32(len(hdr)))
	h := blake3.New()
	_, _ = h.Write(c.buf)
	_, _ = h.Write(trailer)
	var id ID
	h.Sum(id[:0])
	for i := range c.entries {
		c.entries[i].Pack = id
	}
	size := int64(len(c.buf) + len(trailer))
	rd := io.MultiReader(bytes.NewReader(c.buf), bytes.NewReader(trailer))
	if err := p.r.be.Save(ctx, packName(id), rd, size); err != nil {
		for _, e := range c.entries {
			p.r.idx.Load().unclaim(e.ID)
		}
		return fmt.Errorf("save pack %s: %w", id.String()[:8], err)
	}
	ix := p.r.idx.Load()
	ix.addPack(packInfo{ID: id, Size: size, Entries: c.entries}, false)
	p.added.Add(size)
	p.packs.Add(1)
	if p.indexEvery > 0 {
		if u := ix.takeUnsavedFrom(p.indexEvery); u != nil {
			_, n, err := p.r.saveIndexes(ctx, u)
			p.indexBytes.Add(n)
			return err
		}
	}
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
