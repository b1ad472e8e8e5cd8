package engine

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
)

// Index files are JSON (docs/FORMAT.md §8). They are written and read here
// without a document of structs in between: a 300,000-file repository's
// index is 50 MB of JSON, which as Go strings and structs took three times
// that while the repository opened.

// encodeIndex renders packs as an index file's plaintext.
func encodeIndex(packs []packInfo) ([]byte, error) {
	n := 0
	for _, p := range packs {
		n += 100 + 170*len(p.Entries)
	}
	b := make([]byte, 0, n)
	b = append(b, `{"packs":[`...)
	for i, p := range packs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":"`...)
		b = hex.AppendEncode(b, p.ID[:])
		b = append(b, `","size":`...)
		b = strconv.AppendInt(b, p.Size, 10)
		b = append(b, `,"blobs":[`...)
		for j, e := range p.Entries {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":"`...)
			b = hex.AppendEncode(b, e.ID[:])
			switch e.typ() {
			case blobData:
				b = append(b, `","type":"data"`...)
			case blobTree:
				b = append(b, `","type":"tree"`...)
			default:
				return nil, fmt.Errorf("index: blob %s has type %d", e.ID, e.typ())
			}
			if e.Flags&flagLZ4 != 0 {
				b = append(b, `,"lz4":true`...)
			}
			b = append(b, `,"offset":`...)
			b = strconv.AppendUint(b, uint64(e.Offset), 10)
			b = append(b, `,"length":`...)
			b = strconv.AppendUint(b, uint64(e.Length), 10)
			b = append(b, `,"raw_length":`...)
			b = strconv.AppendUint(b, uint64(e.Raw), 10)
			b = append(b, '}')
		}
		b = append(b, "]}"...)
	}
	return append(b, "]}"...), nil
}

// decodeIndex parses an index file's plaintext.
func decodeIndex(plain []byte) ([]packInfo, error) {
	var out []packInfo
	err := decodeIndexTo(plain, func(p packInfo) error {
		p.Entries = slices.Clone(p.Entries)
		out = append(out, p)
		return nil
	})
	return out, err
}

// indexDecoder reads an index file token by token.
type indexDecoder struct {
	dec     *jsontext.Decoder
	scratch []byte
	entries []packEntry // reused for every pack
}

// decodeIndexTo parses an index file's plaintext and hands each pack to
// fn as soon as it is read, checked: unknown members are skipped, as the
// format asks of readers; anything else out of place is an error. The
// pack's Entries are reused for the next pack: fn copies what it keeps.
func decodeIndexTo(plain []byte, fn func(packInfo) error) error {
	if isBinaryIndex(plain) {
		return decodeIndexBinaryTo(plain, nil, fn)
	}
	d := &indexDecoder{dec: jsontext.NewDecoder(bytes.NewBuffer(plain))} // parsed in place, not copied
	if err := d.decode(fn); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}

func (d *indexDecoder) decode(fn func(packInfo) error) error {
	if err := d.expect('{'); err != nil {
		return err
	}
	for d.dec.PeekKind() != '}' {
		name, err := d.name()
		if err != nil {
			return err
		}
		if name != "packs" {
			if err := d.dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		if d.dec.PeekKind() == 'n' { // "packs":null
			if _, err := d.dec.ReadToken(); err != nil {
				return err
			}
			continue
		}
		if err := d.expect('['); err != nil {
			return err
		}
		for d.dec.PeekKind() == '{' {
			p, err := d.pack()
			if err != nil {
				return err
			}
			if err := fn(p); err != nil {
				return err
			}
		}
		if err := d.expect(']'); err != nil {
			return err
		}
	}
	if err := d.expect('}'); err != nil {
		return err
	}
	if _, err := d.dec.ReadToken(); err == nil {
		return errors.New("data after the index")
	}
	return nil
}

// pack reads one {"id","size","blobs"} object and checks its bounds (the
// size may come after the blobs).
func (d *indexDecoder) pack() (packInfo, error) {
	var p packInfo
	haveID, haveSize := false, false
	if err := d.expect('{'); err != nil {
		return p, err
	}
	for d.dec.PeekKind() != '}' {
		name, err := d.name()
		if err != nil {
			return p, err
		}
		switch name {
		case "id":
			if p.ID, err = d.id(); err != nil {
				return p, fmt.Errorf("pack: %w", err)
			}
			haveID = true
		case "size":
			if p.Size, err = d.int(); err != nil {
				return p, fmt.Errorf("pack size: %w", err)
			}
			haveSize = true
		case "blobs":
			if p.Entries, err = d.blobs(); err != nil {
				return p, err
			}
		default:
			if err := d.dec.SkipValue(); err != nil {
				return p, err
			}
		}
	}
	if err := d.expect('}'); err != nil {
		return p, err
	}
	if !haveID {
		return p, errors.New("pack without id")
	}
	// Every pack ends with its header and the header's length, and its
	// offsets are 32-bit: a size outside that range is damage, and the
	// bounds below hold for every entry only with a real size.
	if !haveSize || p.Size < packTrailer || p.Size > maxPackSize {
		return p, fmt.Errorf("pack %s: %w: size %d out of range", p.ID, errDamaged, p.Size)
	}
	for i := range p.Entries {
		e := &p.Entries[i]
		e.Pack = p.ID
		if e.Raw > maxBlobSize || e.Length > maxStoredBlob || int64(e.Offset)+int64(e.Length) > p.Size-packTrailer {
			return p, fmt.Errorf("blob %s: %w: out of range", e.ID, errDamaged)
		}
	}
	return p, nil
}

func (d *indexDecoder) blobs() ([]packEntry, error) {
	if d.dec.PeekKind() == 'n' {
		_, err := d.dec.ReadToken()
		return nil, err
	}
	if err := d.expect('['); err != nil {
		return nil, err
	}
	d.entries = d.entries[:0]
	for d.dec.PeekKind() == '{' {
		e, err := d.blob()
		if err != nil {
			return nil, err
		}
		d.entries = append(d.entries, e)
	}
	return d.entries, d.expect(']')
}

func (d *indexDecoder) blob() (packEntry, error) {
	var e packEntry
	haveID, haveType := false, false
	if err := d.expect('{'); err != nil {
		return e, err
	}
	for d.dec.PeekKind() != '}' {
		name, err := d.name()
		if err != nil {
			return e, err
		}
		switch name {
		case "id":
			e.ID, err = d.id()
			haveID = err == nil
		case "type":
			var v []byte
			if v, err = d.str(); err == nil {
				haveType = true
				switch string(v) {
				case "data":
					e.Flags |= blobData
				case "tree":
					e.Flags |= blobTree
				default:
					err = fmt.Errorf("unknown type %q", v)
				}
			}
		case "lz4":
			var tok jsontext.Token
			if tok, err = d.dec.ReadToken(); err == nil {
				switch tok.Kind() {
				case 't':
					e.Flags |= flagLZ4
				case 'f':
				default:
					err = errors.New("lz4 is not true or false")
				}
			}
		case "offset":
			e.Offset, err = d.uint32()
		case "length":
			e.Length, err = d.uint32()
		case "raw_length":
			e.Raw, err = d.uint32()
		default:
			err = d.dec.SkipValue()
		}
		if err != nil {
			return e, fmt.Errorf("blob %s: %s: %w", e.ID, name, err)
		}
	}
	if !haveID || !haveType {
		return e, errors.New("blob without id or type")
	}
	return e, d.expect('}')
}

func (d *indexDecoder) expect(k jsontext.Kind) error {
	tok, err := d.dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != k {
		return fmt.Errorf("%w: found %v where %v belongs", errDamaged, tok.Kind(), k)
	}
	return nil
}

// name reads an object member's name; the known names are constants, so
// they cost no allocation.
func (d *indexDecoder) name() (string, error) {
	v, err := d.str()
	if err != nil {
		return "", err
	}
	for _, known := range [...]string{"id", "size", "blobs", "type", "lz4", "offset", "length", "raw_length", "packs"} {
		if string(v) == known {
			return known, nil
		}
	}
	return string(v), nil
}

// str reads a string (or a name) and returns its content, valid until the
// next read.
func (d *indexDecoder) str() ([]byte, error) {
	v, err := d.dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if v.Kind() != '"' {
		return nil, fmt.Errorf("%w: %v where a string belongs", errDamaged, v.Kind())
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return v[1 : len(v)-1], nil
	}
	d.scratch, err = jsontext.AppendUnquote(d.scratch[:0], v)
	return d.scratch, err
}

func (d *indexDecoder) id() (ID, error) {
	var id ID
	v, err := d.str()
	if err != nil {
		return id, err
	}
	if len(v) != 64 {
		return id, fmt.Errorf("invalid ID %q: want 64 hex digits", v)
	}
	for i := 0; i < 32; i++ {
		hi, ok1 := unhex(v[2*i])
		lo, ok2 := unhex(v[2*i+1])
		if !ok1 || !ok2 {
			return id, fmt.Errorf("invalid ID %q: not hex", v)
		}
		id[i] = hi<<4 | lo
	}
	return id, nil
}

// int reads a non-negative integer written in plain digits.
func (d *indexDecoder) int() (int64, error) {
	v, err := d.dec.ReadValue()
	if err != nil {
		return 0, err
	}
	if v.Kind() != '0' || len(v) > 19 {
		return 0, fmt.Errorf("%w: %q is not a count", errDamaged, v)
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: %q is not a count", errDamaged, v)
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

func (d *indexDecoder) uint32() (uint32, error) {
	n, err := d.int()
	if err == nil && n > 1<<32-1 {
		err = fmt.Errorf("%w: %d out of range", errDamaged, n)
	}
	return uint32(n), err
}
