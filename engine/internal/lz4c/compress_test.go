package lz4c

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pierrec/lz4/v4"
)

// text returns n bytes of log-like lines: compressible, not trivially.
func text(rng *rand.Rand, n int) []byte {
	var b bytes.Buffer
	for b.Len() < n {
		fmt.Fprintf(&b, "2026-12-%02d 21:%02d:%02d INFO backup job %d wrote %d bytes to pack %x\n",
			rng.IntN(28)+1, rng.IntN(60), rng.IntN(60), rng.IntN(40), rng.Int64N(1<<30), rng.Uint64())
	}
	return b.Bytes()[:n]
}

func random(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestRoundTrip compresses blocks of every kind and size the engine stores
// and decodes them with pierrec's decoder, the one restore and verify use.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name         string
		data         []byte
		compressible bool
	}{
		{"one byte", []byte{7}, false},
		{"tiny text", text(rng, 100), false},
		{"4 KiB text", text(rng, 4<<10), true},
		{"64 KiB + 1 text", text(rng, 64<<10+1), true},
		{"256 KiB text", text(rng, 256<<10), true},
		{"2 MiB text", text(rng, 2<<20), true},
		{"256 KiB zeros", make([]byte, 256<<10), true},
		{"256 KiB random", random(rng, 256<<10), false},
		{"random then text", append(random(rng, 128<<10), text(rng, 128<<10)...), true},
	}
	var c Compressor // one state for all, as a worker reuses it
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dst := make([]byte, lz4.CompressBlockBound(len(tc.data)))
			n := c.CompressBlock(tc.data, dst)
			if n <= 0 {
				t.Fatalf("CompressBlock into a buffer of the bound = %d", n)
			}
			if limit := len(tc.data) - len(tc.data)/16; tc.compressible && n >= limit {
				t.Errorf("compressed %d bytes to %d: expected less than %d, the engine's limit", len(tc.data), n, limit)
			}
			got := make([]byte, len(tc.data))
			m, err := lz4.UncompressBlock(dst[:n], got)
			if err != nil || m != len(tc.data) || !bytes.Equal(got, tc.data) {
				t.Fatalf("round trip: %d bytes, err %v, equal %v", m, err, bytes.Equal(got[:max(m, 0)], tc.data[:max(m, 0)]))
			}
		})
	}
}

// TestDoesNotFit: a destination shorter than the output gives 0, which the
// engine reads as "store the blob uncompressed", never a partial block.
func TestDoesNotFit(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var c Compressor
	for _, tc := range []struct {
		name string
		src  []byte
		dst  int
	}{
		{"random into 15/16", random(rng, 256<<10), 256<<10 - 256<<10/16},
		{"text into 10 bytes", text(rng, 64<<10), 10},
		{"empty source", nil, 100},
		{"empty destination", text(rng, 1000), 0},
	} {
		if n := c.CompressBlock(tc.src, make([]byte, tc.dst)); n != 0 {
			t.Errorf("%s: CompressBlock = %d, want 0", tc.name, n)
		}
	}
}

// FuzzRoundTrip: whatever the input, a block that fits decodes to it.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 40)
	f.Add([]byte("abcdefghijklmnopqrstuvwxyz0123456789"), 1000)
	var c Compressor
	f.Fuzz(func(t *testing.T, src []byte, dstLen int) {
		dstLen = min(max(dstLen, 0), 1<<20)
		dst := make([]byte, dstLen)
		n := c.CompressBlock(src, dst)
		if n < 0 || n > dstLen {
			t.Fatalf("CompressBlock = %d for a destination of %d", n, dstLen)
		}
		if n == 0 {
			return
		}
		got := make([]byte, len(src))
		m, err := lz4.UncompressBlock(dst[:n], got)
		if err != nil || m != len(src) || !bytes.Equal(got, src) {
			t.Fatalf("round trip of %d bytes: %d, %v", len(src), m, err)
		}
	})
}

func BenchmarkCompressBlock(b *testing.B) {
	src := text(rand.New(rand.NewPCG(5, 6)), 256<<10)
	dst := make([]byte, len(src)-len(src)/16)
	var c Compressor
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if c.CompressBlock(src, dst) == 0 {
			b.Fatal("did not compress")
		}
	}
}
