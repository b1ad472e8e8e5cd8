//go:build cgo

package lz4c

/*
#cgo CFLAGS: -O3 -DLZ4_STATIC_LINKING_ONLY
#cgo noescape LZ4_compress_fast_extState_fastReset
#cgo nocallback LZ4_compress_fast_extState_fastReset
#include "csrc/lz4.c"
*/
import "C"

import "unsafe"

// Compressor holds one goroutine's compression state, reused for every
// block. The zero value is ready to use; it is not safe for concurrent use.
type Compressor struct {
	// state is LZ4_stream_t, allocated as uint64s for its alignment. It
	// holds no Go pointers, so C may be given it.
	state []uint64
}

// CompressBlock compresses src into dst as one LZ4 block and returns its
// length, or 0 when the block does not fit in dst (so a dst shorter than
// src makes incompressible data come back as 0, quickly).
func (c *Compressor) CompressBlock(src, dst []byte) int {
	if len(src) == 0 || len(dst) == 0 || len(src) > C.LZ4_MAX_INPUT_SIZE {
		return 0
	}
	if c.state == nil {
		size := int(C.LZ4_sizeofState())
		state := make([]uint64, (size+7)/8)
		if C.LZ4_initStream(unsafe.Pointer(&state[0]), C.size_t(size)) == nil {
			return 0 // misaligned, which a []uint64 is not: store uncompressed
		}
		c.state = state
	}
	dstLen := min(len(dst), C.LZ4_MAX_INPUT_SIZE)
	n := C.LZ4_compress_fast_extState_fastReset(unsafe.Pointer(&c.state[0]),
		(*C.char)(unsafe.Pointer(&src[0])), (*C.char)(unsafe.Pointer(&dst[0])),
		C.int(len(src)), C.int(dstLen), 1)
	return int(n)
}
