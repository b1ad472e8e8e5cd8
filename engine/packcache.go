package engine

import (
	"context"
	"io"
	"sync"
)

// packCache keeps a few packs open for random access, so reading many
// small blobs (the trees of a restore or of a backup's parent) does not
// open a pack file per blob. Packs are immutable, so a cached handle never
// returns stale data; prune empties the cache before removing packs.
type packCache struct {
	mu    sync.Mutex
	open  map[ID]*cachedPack
	order []ID // oldest first
}

type cachedPack struct {
	rc      io.ReadCloser
	ra      io.ReaderAt
	refs    int  // readers using it now
	evicted bool // close when refs drops to zero
}

const packCacheSize = 16

// readAt fills buf from offset off of pack id; ok is false when the backend
// offers no random access (the caller then streams the pack).
func (c *packCache) readAt(ctx context.Context, r *Repository, id ID, off int64, buf []byte) (ok bool, err error) {
	e, err := c.acquire(ctx, r, id)
	if e == nil {
		return err != nil, err
	}
	_, err = e.ra.ReadAt(buf, off)
	c.release(e)
	return true, err
}

func (c *packCache) acquire(ctx context.Context, r *Repository, id ID) (*cachedPack, error) {
	c.mu.Lock()
	if e, ok := c.open[id]; ok {
		e.refs++
		c.mu.Unlock()
		return e, nil
	}
	c.mu.Unlock()
	rc, err := r.be.Load(ctx, packName(id))
	if err != nil {
		return nil, err
	}
	ra, isRA := rc.(io.ReaderAt)
	if !isRA {
		rc.Close()
		return nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.open[id]; ok { // another reader cached it meanwhile
		rc.Close()
		e.refs++
		return e, nil
	}
	if c.open == nil {
		c.open = map[ID]*cachedPack{}
	}
	if len(c.order) >= packCacheSize {
		c.evictLocked(c.order[0])
	}
	e := &cachedPack{rc: rc, ra: ra, refs: 1}
	c.open[id] = e
	c.order = append(c.order, id)
	return e, nil
}

func (c *packCache) release(e *cachedPack) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.refs--
	if e.evicted && e.refs == 0 {
		e.rc.Close()
	}
}

func (c *packCache) evictLocked(id ID) {
	e := c.open[id]
	delete(c.open, id)
	for i, o := range c.order {
		if o == id {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	if e != nil {
		e.evicted = true
		if e.refs == 0 {
			e.rc.Close()
		}
	}
}

// closeAll closes every cached handle (those in use close when released).
func (c *packCache) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id := range c.open {
		c.evictLocked(id)
	}
}
