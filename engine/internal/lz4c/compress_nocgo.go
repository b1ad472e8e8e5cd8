//go:build !cgo

package lz4c

import "github.com/pierrec/lz4/v4"

// Compressor holds one goroutine's compression state, reused for every
// block. The zero value is ready to use; it is not safe for concurrent use.
type Compressor struct {
	lz lz4.Compressor
}

// CompressBlock compresses src into dst as one LZ4 block and returns its
// length, or 0 when the block does not fit in dst (so a dst shorter than
// src makes incompressible data come back as 0, quickly).
func (c *Compressor) CompressBlock(src, dst []byte) int {
	if len(src) == 0 || len(dst) == 0 {
		return 0
	}
	n, err := c.lz.CompressBlock(src, dst)
	if err != nil {
		return 0
	}
	return n
}
