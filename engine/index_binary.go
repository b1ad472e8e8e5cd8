package engine

import (
	"encoding/binary"
	"fmt"
)

// Index files of format version 2 are binary (docs/FORMAT.md §8): the
// magic, a version byte, then each pack as its ID, size and blob count
// followed by its blobs in the pack header's 45-byte layout (§7). A
// 300,000-file repository's index is ~18 MB of that instead of ~50 MB of
// JSON, and reading it is a copy per blob instead of a JSON parse: the
// open of such a repository spent most of its second decoding JSON.
//
// Repositories of format version 1 keep JSON index files (an older Cadang
// reading them would take a binary one for damage); readers of either
// version accept both, told apart by the first bytes ('{' or the magic).

const (
	indexMagic      = "CDIX"
	indexBinVersion = 1
	indexPackHead   = 32 + 8 + 4 // pack ID, size, blob count
)

// isBinaryIndex reports whether plain is a binary index file.
func isBinaryIndex(plain []byte) bool {
	return len(plain) >= len(indexMagic) && string(plain[:len(indexMagic)]) == indexMagic
}

// encodeIndexBinary renders packs as a binary index file's plaintext.
func encodeIndexBinary(packs []packInfo) ([]byte, error) {
	n := len(indexMagic) + 1
	for _, p := range packs {
		n += indexPackHead + headerEntrySize*len(p.Entries)
	}
	b := make([]byte, 0, n)
	b = append(b, indexMagic...)
	b = append(b, indexBinVersion)
	for _, p := range packs {
		if p.Size < 0 || len(p.Entries) > 1<<31 {
			return nil, fmt.Errorf("index: pack %s: size %d, %d blobs", p.ID, p.Size, len(p.Entries))
		}
		b = append(b, p.ID[:]...)
		b = binary.LittleEndian.AppendUint64(b, uint64(p.Size))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p.Entries)))
		for _, e := range p.Entries {
			if e.typ() > blobTree || e.Flags&^(typeMask|flagLZ4) != 0 {
				return nil, fmt.Errorf("index: blob %s has flags %#x", e.ID, e.Flags)
			}
			b = append(b, e.Flags)
			b = append(b, e.ID[:]...)
			b = binary.LittleEndian.AppendUint32(b, e.Offset)
			b = binary.LittleEndian.AppendUint32(b, e.Length)
			b = binary.LittleEndian.AppendUint32(b, e.Raw)
		}
	}
	return b, nil
}

// decodeIndexBinaryTo parses a binary index file and hands each pack to fn
// as it is read, with the same checks as the JSON reader: a pack's size in
// range, every blob inside its pack, known types and flags. The pack's
// Entries are reused for the next pack: fn copies what it keeps.
func decodeIndexBinaryTo(plain []byte, entries []packEntry, fn func(packInfo) error) error {
	if !isBinaryIndex(plain) || len(plain) < len(indexMagic)+1 {
		return fmt.Errorf("index: %w: bad magic", errDamaged)
	}
	if v := plain[len(indexMagic)]; v != indexBinVersion {
		return fmt.Errorf("index version %d: %w", v, ErrNewerFormat)
	}
	rest := plain[len(indexMagic)+1:]
	for len(rest) > 0 {
		if len(rest) < indexPackHead {
			return fmt.Errorf("index: %w: truncated pack", errDamaged)
		}
		var p packInfo
		copy(p.ID[:], rest[:32])
		size := binary.LittleEndian.Uint64(rest[32:])
		count := uint64(binary.LittleEndian.Uint32(rest[40:]))
		rest = rest[indexPackHead:]
		if size < packTrailer || size > maxPackSize {
			return fmt.Errorf("index: pack %s: %w: size %d out of range", p.ID, errDamaged, size)
		}
		p.Size = int64(size)
		if count*headerEntrySize > uint64(len(rest)) {
			return fmt.Errorf("index: pack %s: %w: %d blobs, truncated", p.ID, errDamaged, count)
		}
		entries = entries[:0]
		end := p.Size - packTrailer
		for i := uint64(0); i < count; i++ {
			q := rest[:headerEntrySize]
			rest = rest[headerEntrySize:]
			e := packEntry{ID: ID(q[1:33])}
			e.Pack = p.ID
			e.Flags = q[0]
			e.Offset = binary.LittleEndian.Uint32(q[33:])
			e.Length = binary.LittleEndian.Uint32(q[37:])
			e.Raw = binary.LittleEndian.Uint32(q[41:])
			if e.typ() > blobTree || e.Flags&^(typeMask|flagLZ4) != 0 {
				return fmt.Errorf("index: blob %s: %w: flags %#x", e.ID, errDamaged, e.Flags)
			}
			if e.Raw > maxBlobSize || e.Length > maxStoredBlob || int64(e.Offset)+int64(e.Length) > end {
				return fmt.Errorf("index: blob %s: %w: out of range", e.ID, errDamaged)
			}
			entries = append(entries, e)
		}
		p.Entries = entries
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}
