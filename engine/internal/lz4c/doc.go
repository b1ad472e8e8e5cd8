// Package lz4c compresses LZ4 blocks with the reference C implementation
// when cgo is available, and with github.com/pierrec/lz4/v4 when it is not.
//
// Both write the same block format, which pierrec's decoder reads, so the
// repository does not depend on which one wrote a blob. The C one is
// twice as fast on the data Cadang stores (about 620 against 300 MB/s a
// core on CSV, log and SQLite files in 256 KiB blocks): compression was a
// third of an initial backup's CPU time (issue 13). Decompression stays
// with pierrec, whose assembly decoder is not what a restore waits for.
//
// csrc holds lz4.c and lz4.h of LZ4 1.10.0 unmodified (github.com/lz4/lz4,
// commit d9c01a3d, BSD-2-Clause, csrc/LICENSE). They sit in a folder of
// their own and are included from the cgo preamble, so that a build
// without cgo does not meet a C file it cannot compile.
package lz4c
