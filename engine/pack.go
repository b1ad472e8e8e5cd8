package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/pierrec/lz4/v4"
	"github.com/zeebo/blake3"

	"cadang/engine/internal/lz4c"
)

// Blob types stored in packs.
const (
	blobData uint8 = 0 // a chunk of file or stream content
	blobTree uint8 = 1 // a directory listing (JSON)

	flagLZ4  uint8 = 0x80 // the stored payload is an LZ4 block
	typeMask uint8 = 0x0f
)

const (
	packMagic       = "CDPK"
	packVersion     = 1
	headerEntrySize = 1 + 32 + 4 + 4 + 4
	maxBlobSize     = 64 << 20
	// maxStoredBlob bounds a blob's stored length: LZ4 is kept only when
	// it shrinks the blob, and sealing adds a nonce and a tag.
	maxStoredBlob = maxBlobSize + gcmNonceSize + gcmTagSize
	packTrailer   = 4                   // the header length at the end of a pack
	maxPackSize   = 1<<32 + packTrailer // offsets and lengths are 32-bit
)

// blobLoc says where a blob is stored.
type blobLoc struct {
	Pack   ID
	Offset uint32 // of the stored bytes in the pack
	Length uint32 // stored bytes (after compression and encryption)
	Raw    uint32 // plaintext length
	Flags  uint8  // type | flagLZ4
}

func (l blobLoc) typ() uint8 { return l.Flags & typeMask }

// packEntry is one header line: a blob and where it is in its pack.
type packEntry struct {
	ID ID
	blobLoc
}

func packName(id ID) string {
	s := id.String()
	return PacksDir + s[:2] + "/" + s
}

// parsePackName returns the ID of "packs/xx/<hex>" names.
func parsePackName(name string) (ID, bool) {
	if len(name) != len(PacksDir)+3+64 || name[:len(PacksDir)] != PacksDir {
		return ID{}, false
	}
	id, err := parseID(name[len(PacksDir)+3:])
	if err != nil || name[len(PacksDir):len(PacksDir)+2] != id.String()[:2] {
		return ID{}, false
	}
	return id, true
}

// blobEncoder holds one worker's compression state, reused for every blob.
type blobEncoder struct {
	lz      lz4c.Compressor
	scratch []byte
}

// compress returns the payload to store for plain: its LZ4 block when that
// saves at least 1/16, else plain itself (decompressing barely-smaller data
// would cost more than it saves).
func (e *blobEncoder) compress(plain []byte) ([]byte, uint8) {
	if len(plain) < 64 {
		return plain, 0
	}
	limit := len(plain) - len(plain)/16
	if cap(e.scratch) < limit {
		e.scratch = make([]byte, lz4.CompressBlockBound(len(plain)))
	}
	// A destination smaller than the bound makes LZ4 give up as soon as the
	// output would not fit, which is quick on incompressible data.
	n := e.lz.CompressBlock(plain, e.scratch[:limit])
	if n == 0 || n >= limit {
		return plain, 0
	}
	return e.scratch[:n], flagLZ4
}

// decodeBlob opens stored and returns the plaintext, checking it against id.
func (r *Repository) decodeBlob(id ID, loc blobLoc, stored []byte) ([]byte, error) {
	return r.decodeBlobInto(id, loc, stored, nil, false)
}

// decodeBlobInto is decodeBlob reusing buffers: with inPlace, stored is
// decrypted over itself (the caller owns it); an LZ4 payload is
// decompressed into *out, grown as needed. The result aliases one of them.
func (r *Repository) decodeBlobInto(id ID, loc blobLoc, stored []byte, out *[]byte, inPlace bool) ([]byte, error) {
	plain, err := r.openBlobInto(id, loc, stored, out, inPlace)
	if err != nil {
		return nil, err
	}
	if r.crypt.contentID(plain) != id {
		return nil, fmt.Errorf("blob %s: %w: content does not match its ID", id, errDamaged)
	}
	return plain, nil
}

// openBlobInto is decodeBlobInto without the check of the plaintext
// against its ID: decrypted (authenticated, when the repository is
// encrypted), decompressed and of the indexed length, but not hashed. Only
// restore uses it, for chunks whose every byte its check of each file's
// SHA-256 covers, as it covers their order: a chunk whose content is not
// its ID's fails the files made of it. Hashing every chunk as well took
// an eighth of a restore's time (issue 13).
func (r *Repository) openBlobInto(id ID, loc blobLoc, stored []byte, out *[]byte, inPlace bool) ([]byte, error) {
	if loc.Raw > maxBlobSize {
		return nil, fmt.Errorf("blob %s: %w: length %d", id, errDamaged, loc.Raw)
	}
	payload := stored // unencrypted: the stored bytes are the payload
	if r.crypt.encrypted() {
		var dst []byte
		if inPlace && len(stored) >= gcmNonceSize {
			dst = stored[gcmNonceSize:gcmNonceSize] // GCM may decrypt over its own ciphertext
		}
		var err error
		if payload, err = r.crypt.open(dst, stored); err != nil {
			return nil, fmt.Errorf("blob %s: %w", id, err)
		}
	}
	plain := payload
	if loc.Flags&flagLZ4 != 0 {
		// The encoder never compresses an empty blob, and lz4's assembly
		// decoder faults on an empty destination: zero is damage.
		if loc.Raw == 0 || len(payload) == 0 {
			return nil, fmt.Errorf("blob %s: %w: empty LZ4 block", id, errDamaged)
		}
		if out == nil {
			out = new([]byte)
		}
		if cap(*out) < int(loc.Raw) {
			*out = make([]byte, loc.Raw)
		}
		plain = (*out)[:loc.Raw]
		n, err := lz4.UncompressBlock(payload, plain)
		if err != nil || n != int(loc.Raw) {
			return nil, fmt.Errorf("blob %s: %w: lz4", id, errDamaged)
		}
	}
	if len(plain) != int(loc.Raw) {
		return nil, fmt.Errorf("blob %s: %w: %d bytes, the index says %d", id, errDamaged, len(plain), loc.Raw)
	}
	return plain, nil
}

// encodePackHeader renders the header plaintext: magic, version, entries.
func encodePackHeader(entries []packEntry) []byte {
	buf := make([]byte, 0, 5+len(entries)*headerEntrySize)
	buf = append(buf, packMagic...)
	buf = append(buf, packVersion)
	for _, e := range entries {
		buf = append(buf, e.Flags)
		buf = append(buf, e.ID[:]...)
		buf = binary.LittleEndian.AppendUint32(buf, e.Offset)
		buf = binary.LittleEndian.AppendUint32(buf, e.Length)
		buf = binary.LittleEndian.AppendUint32(buf, e.Raw)
	}
	return buf
}

// decodePackHeader parses a header plaintext; packSize bounds the offsets.
func decodePackHeader(plain []byte, pack ID, headerStart int64) ([]packEntry, error) {
	if len(plain) < 5 || string(plain[:4]) != packMagic {
		return nil, fmt.Errorf("pack header: %w: bad magic", errDamaged)
	}
	if plain[4] != packVersion {
		return nil, fmt.Errorf("pack header version %d: %w", plain[4], ErrNewerFormat)
	}
	body := plain[5:]
	if len(body)%headerEntrySize != 0 {
		return nil, fmt.Errorf("pack header: %w: bad length", errDamaged)
	}
	entries := make([]packEntry, 0, len(body)/headerEntrySize)
	for p := body; len(p) > 0; p = p[headerEntrySize:] {
		var e packEntry
		e.Pack = pack
		e.Flags = p[0]
		copy(e.ID[:], p[1:33])
		e.Offset = binary.LittleEndian.Uint32(p[33:])
		e.Length = binary.LittleEndian.Uint32(p[37:])
		e.Raw = binary.LittleEndian.Uint32(p[41:])
		if int64(e.Offset)+int64(e.Length) > headerStart || e.Length > maxStoredBlob ||
			e.Raw > maxBlobSize || e.typ() > blobTree || e.Flags&^(typeMask|flagLZ4) != 0 {
			return nil, fmt.Errorf("pack header: %w: entry out of range", errDamaged)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// sealHeader adds integrity to a pack header: AEAD when encrypted, else a
// trailing BLAKE3-256 of the plaintext.
func (r *Repository) sealHeader(plain []byte) ([]byte, error) {
	if r.crypt.encrypted() {
		return r.crypt.seal(nil, plain)
	}
	sum := blake3.Sum256(plain)
	return append(append([]byte(nil), plain...), sum[:]...), nil
}

func (r *Repository) openHeader(stored []byte) ([]byte, error) {
	if r.crypt.encrypted() {
		return r.crypt.open(nil, stored)
	}
	if len(stored) < 32 {
		return nil, fmt.Errorf("pack header: %w: too short", errDamaged)
	}
	plain := stored[:len(stored)-32]
	if sum := blake3.Sum256(plain); !bytes.Equal(sum[:], stored[len(plain):]) {
		return nil, fmt.Errorf("pack header: %w", errDamaged)
	}
	return plain, nil
}

// parsePack reads the header at the end of a whole pack held in memory.
func (r *Repository) parsePack(id ID, data []byte) ([]packEntry, error) {
	if len(data) < 4 {
		return nil, fmt.Errorf("pack %s: %w: too short", id, errDamaged)
	}
	hl := int64(binary.LittleEndian.Uint32(data[len(data)-4:]))
	start := int64(len(data)) - 4 - hl
	if hl == 0 || start < 0 {
		return nil, fmt.Errorf("pack %s: %w: bad header length", id, errDamaged)
	}
	plain, err := r.openHeader(data[start : len(data)-4])
	if err != nil {
		return nil, fmt.Errorf("pack %s: %w", id, err)
	}
	return decodePackHeader(plain, id, start)
}

// loadPackHeader reads only the header of a stored pack when the backend
// allows random access, else the whole pack.
func (r *Repository) loadPackHeader(ctx context.Context, id ID, size int64) ([]packEntry, error) {
	rc, err := r.be.Load(ctx, packName(id))
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	ra, ok := rc.(io.ReaderAt)
	if !ok || size < 4 {
		data, err := io.ReadAll(rc)
		if err != nil {
			return nil, fmt.Errorf("read pack %s: %w", id, err)
		}
		return r.parsePack(id, data)
	}
	var tail [4]byte
	if _, err := ra.ReadAt(tail[:], size-4); err != nil {
		return nil, fmt.Errorf("read pack %s: %w", id, err)
	}
	hl := int64(binary.LittleEndian.Uint32(tail[:]))
	start := size - 4 - hl
	if hl == 0 || start < 0 || hl > 64<<20 {
		return nil, fmt.Errorf("pack %s: %w: bad header length", id, errDamaged)
	}
	stored := make([]byte, hl)
	if _, err := ra.ReadAt(stored, start); err != nil {
		return nil, fmt.Errorf("read pack %s: %w", id, err)
	}
	plain, err := r.openHeader(stored)
	if err != nil {
		return nil, fmt.Errorf("pack %s: %w", id, err)
	}
	return decodePackHeader(plain, id, start)
}

// readStored reads the stored bytes of one blob.
func (r *Repository) readStored(ctx context.Context, loc blobLoc) ([]byte, error) {
	return r.readStoredInto(ctx, loc, nil)
}

// readStoredInto is readStored into *reuse (grown as needed) when reuse is
// not nil.
func (r *Repository) readStoredInto(ctx context.Context, loc blobLoc, reuse *[]byte) ([]byte, error) {
	var buf []byte
	switch {
	case reuse == nil:
		buf = make([]byte, loc.Length)
	case cap(*reuse) < int(loc.Length):
		*reuse = make([]byte, loc.Length)
		buf = *reuse
	default:
		buf = (*reuse)[:loc.Length]
	}
	if ok, err := r.packs.readAt(ctx, r, loc.Pack, int64(loc.Offset), buf); ok {
		if err != nil {
			return nil, fmt.Errorf("read pack %s at %d: %w", loc.Pack, loc.Offset, err)
		}
		return buf, nil
	}
	rc, err := r.be.Load(ctx, packName(loc.Pack))
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if _, err = io.CopyN(io.Discard, rc, int64(loc.Offset)); err == nil {
		_, err = io.ReadFull(rc, buf)
	}
	if err != nil {
		return nil, fmt.Errorf("read pack %s at %d: %w", loc.Pack, loc.Offset, err)
	}
	return buf, nil
}

// loadBlob reads, decrypts, decompresses and checks one blob.
func (r *Repository) loadBlob(ctx context.Context, id ID) ([]byte, error) {
	if !r.idxReady.Load() { // the first tree read after Open
		if err := r.refreshIndex(ctx); err != nil {
			return nil, err
		}
	}
	loc, ok := r.idx.Load().lookup(id)
	if !ok {
		return nil, fmt.Errorf("blob %s: not in the index", id)
	}
	stored, err := r.readStored(ctx, loc)
	if err != nil {
		return nil, err
	}
	return r.decodeBlob(id, loc, stored)
}
