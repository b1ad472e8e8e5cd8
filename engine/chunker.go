package engine

import (
	"errors"
	"io"
	"math/bits"

	"github.com/zeebo/blake3"
)

// gearTable is FastCDC's table of 256 pseudo-random 64-bit values. It is
// derived from a seed so encrypted repositories (seeded from the master key)
// do not reveal chunk boundaries of known files.
type gearTable [256]uint64

func newGearTable(seed []byte) *gearTable {
	var g gearTable
	var buf [256 * 8]byte
	h := blake3.New()
	_, _ = h.Write([]byte("cadang fastcdc gear v1"))
	_, _ = h.Write(seed)
	_, _ = h.Digest().Read(buf[:])
	for i := range g {
		var v uint64
		for j := 0; j < 8; j++ {
			v |= uint64(buf[i*8+j]) << (8 * j)
		}
		g[i] = v
	}
	return &g
}

// chunker splits a stream with normalized FastCDC (level 2): below the
// average size a boundary needs more zero bits (maskS), above it fewer
// (maskL), which narrows the size distribution around Avg. The masks test the
// high bits of the rolling hash because those depend on the most input bytes.
type chunker struct {
	p            chunkerParam
	gear         *gearTable
	maskS, maskL uint64
	rd           io.Reader
	buf          []byte
	start, end   int // unread window buf[start:end]
	eof          bool
	err          error
}

func newChunker(p chunkerParam, gear *gearTable) *chunker {
	b := bits.TrailingZeros(uint(p.Avg))
	return &chunker{
		p:     p,
		gear:  gear,
		maskS: topBits(b + 2),
		maskL: topBits(b - 2),
		buf:   make([]byte, p.Max+chunkerReadAhead),
	}
}

// chunkerReadAhead is how much the buffer holds beyond one maximal chunk:
// each refill moves at most Max bytes and reads at least this much, so
// memmove stays below Max/chunkerReadAhead bytes per input byte.
const chunkerReadAhead = 2 << 20

func topBits(n int) uint64 { return ^uint64(0) << (64 - n) }

// reset starts a new stream, keeping the buffer.
func (c *chunker) reset(rd io.Reader) {
	c.rd, c.start, c.end, c.eof, c.err = rd, 0, 0, false, nil
}

// next returns the next chunk, valid until the following call, or io.EOF.
func (c *chunker) next() ([]byte, error) {
	if c.end-c.start < c.p.Max && !c.eof {
		c.fill()
	}
	if c.err != nil {
		return nil, c.err
	}
	if c.start == c.end {
		return nil, io.EOF
	}
	n := c.cut(c.buf[c.start:c.end])
	chunk := c.buf[c.start : c.start+n]
	c.start += n
	return chunk, nil
}

// fill moves the unread bytes (fewer than Max) to the front and reads until
// the buffer is full or the stream ends; reads are large.
func (c *chunker) fill() {
	if c.start > 0 {
		c.end = copy(c.buf, c.buf[c.start:c.end])
		c.start = 0
	}
	for c.end < len(c.buf) && !c.eof {
		n, err := c.rd.Read(c.buf[c.end:])
		c.end += n
		if errors.Is(err, io.EOF) {
			c.eof = true
		} else if err != nil {
			c.err = err
			return
		}
	}
}

// cut returns the length of the first chunk of data.
func (c *chunker) cut(data []byte) int {
	n := len(data)
	if n <= c.p.Min {
		return n
	}
	if n > c.p.Max {
		n = c.p.Max
	}
	normal := c.p.Avg
	if normal > n {
		normal = n
	}
	g := c.gear
	var fp uint64
	i := c.p.Min
	for ; i < normal; i++ {
		fp = fp<<1 + g[data[i]]
		if fp&c.maskS == 0 {
			return i + 1
		}
	}
	for ; i < n; i++ {
		fp = fp<<1 + g[data[i]]
		if fp&c.maskL == 0 {
			return i + 1
		}
	}
	return n
}
