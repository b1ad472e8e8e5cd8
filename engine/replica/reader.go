package replica

import (
	"bytes"
	"context"
	"fmt"
	"hash"
	"io"
	"sync"
	"time"
)

// checkedReader hashes and counts what the backend uploads. When the last
// byte is about to be delivered it checks size and hash first and, on a
// mismatch, fails instead of delivering it: the upload stays short, and
// since every Save is atomic nothing damaged is published under the name.
type checkedReader struct {
	r      io.Reader
	h      hash.Hash
	size   int64
	want   []byte // nil: not a content-named file
	n      int64
	err    error // sticky result of the final check
	onRead func(int)
}

func (c *checkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	if n > 0 {
		c.h.Write(p[:n])
		c.n += int64(n)
		if c.n > c.size {
			c.err = fmt.Errorf("source file grew past %d bytes: %w", c.size, ErrMismatch)
			return 0, c.err
		}
		if c.n == c.size {
			if cerr := c.check(); cerr != nil {
				return 0, cerr
			}
		}
		c.onRead(n)
	}
	if err == io.EOF && c.n < c.size {
		c.err = fmt.Errorf("source file ended after %d of %d bytes: %w", c.n, c.size, ErrMismatch)
		return n, c.err
	}
	return n, err
}

// check compares the hash of everything read with the file's name.
func (c *checkedReader) check() error {
	if c.want != nil && !bytes.Equal(c.h.Sum(nil), c.want) {
		c.err = fmt.Errorf("source content does not match its name (damaged source file): %w", ErrMismatch)
	}
	return c.err
}

// finish returns the hash of the whole file once Save returned. A backend
// that stored the file without reading it to the end (an empty file) is
// checked here.
func (c *checkedReader) finish() ([]byte, error) {
	if c.err != nil {
		return nil, c.err
	}
	if c.n != c.size {
		return nil, fmt.Errorf("the replica took %d of %d bytes: %w", c.n, c.size, ErrMismatch)
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c.h.Sum(nil), nil
}

// tokenBucket limits throughput to rate bytes per second with bursts of at
// most burst bytes; one bucket is shared by every file of a Copy.
type tokenBucket struct {
	mu     sync.Mutex // held while waiting: transfers queue for the shared rate
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
}

func newTokenBucket(rate int64, now func() time.Time, sleep func(context.Context, time.Duration) error) *tokenBucket {
	// A quarter of a second's worth, within bounds: small enough to keep the
	// rate smooth, large enough for efficient reads.
	burst := min(max(float64(rate)/4, 4<<10), 1<<20)
	return &tokenBucket{rate: float64(rate), burst: burst, tokens: burst, last: now(), now: now, sleep: sleep}
}

// take waits until n bytes may pass; n is at most burst.
func (tb *tokenBucket) take(ctx context.Context, n int) error {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	now := tb.now()
	tb.tokens = min(tb.burst, tb.tokens+now.Sub(tb.last).Seconds()*tb.rate)
	tb.last = now
	tb.tokens -= float64(n)
	if tb.tokens >= 0 {
		return nil
	}
	wait := time.Duration(-tb.tokens / tb.rate * float64(time.Second))
	return tb.sleep(ctx, wait)
}

// limitedReader reads no faster than its bucket allows.
type limitedReader struct {
	ctx context.Context
	r   io.Reader
	tb  *tokenBucket
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if len(p) > int(l.tb.burst) {
		p = p[:int(l.tb.burst)]
	}
	n, err := l.r.Read(p)
	if n > 0 {
		if werr := l.tb.take(l.ctx, n); werr != nil {
			return 0, werr
		}
	}
	return n, err
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
