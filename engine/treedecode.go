package engine

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeTreeFast parses a tree blob as encoding/json writes it (encodeTree):
// no white space, the members of a node in treeNode's order, strings with
// only the escapes encoding/json makes. It is what every backup, restore,
// verify and prune spends on each folder of the parent or the snapshot,
// and json/v2 took 2.3 µs a node (half of a 300,000-file verify's tree
// walk). Anything else, from a hand-written tree to damage, makes it
// give up (ok false) and decodeTree falls back to json/v2, which decides
// what the input is. FuzzTreeFastDecode checks that whatever this accepts,
// json/v2 accepts and reads the same.
func decodeTreeFast(data []byte) (t treeJSON, ok bool) {
	d := treeDecoder{data: data}
	if !d.literal(`{"nodes":`) {
		return treeJSON{}, false
	}
	if d.literal("null") {
		return treeJSON{}, d.literal("}") && d.pos == len(d.data)
	}
	if !d.literal("[") {
		return treeJSON{}, false
	}
	t.Nodes = make([]treeNode, 0, d.countNodes())
	if !d.literal("]") {
		for {
			var n treeNode
			if !d.node(&n) {
				return treeJSON{}, false
			}
			t.Nodes = append(t.Nodes, n)
			if d.literal("]") {
				break
			}
			if !d.literal(",") {
				return treeJSON{}, false
			}
		}
	}
	return t, d.literal("}") && d.pos == len(d.data)
}

type treeDecoder struct {
	data []byte
	pos  int
}

// countNodes guesses how many nodes follow (each has one "name"), so the
// slice is allocated once; a wrong guess only costs a regrowth.
func (d *treeDecoder) countNodes() int {
	return bytes.Count(d.data[d.pos:], []byte(`{"name":`))
}

func (d *treeDecoder) literal(s string) bool {
	if len(d.data)-d.pos < len(s) || string(d.data[d.pos:d.pos+len(s)]) != s {
		return false
	}
	d.pos += len(s)
	return true
}

// treeNode's members in the order encoding/json writes them.
const (
	memberName = iota
	memberNameRaw
	memberType
	memberMode
	memberMTime
	memberCTime
	memberInode
	memberDevice
	memberUID
	memberGID
	memberXAttrs
	memberSize
	memberLinks
	memberRdev
	memberLinkTarget
	memberLinkRaw
	memberSHA256
	memberContent
	memberSubtree
	memberMeta
	memberCount
)

var memberNames = [memberCount]string{
	"name", "name_raw", "type", "mode", "mtime", "ctime", "inode", "device", "uid", "gid",
	"xattrs", "size", "links", "rdev", "link_target", "link_target_raw", "sha256", "content", "subtree", "meta",
}

func (d *treeDecoder) node(n *treeNode) bool {
	if !d.literal("{") {
		return false
	}
	if d.literal("}") {
		return true
	}
	next := 0 // members must come in order, each at most once
	for {
		key, escaped, ok := d.rawStr() // compared as bytes: no allocation
		if !ok || escaped || !d.literal(":") {
			return false
		}
		m := next
		for m < memberCount && memberNames[m] != string(key) {
			m++
		}
		if m == memberCount {
			return false // unknown, repeated or out of order
		}
		next = m + 1
		if !d.member(n, m) {
			return false
		}
		if d.literal("}") {
			return true
		}
		if !d.literal(",") {
			return false
		}
	}
}

func (d *treeDecoder) member(n *treeNode, m int) bool {
	var ok bool
	switch m {
	case memberName:
		n.Name, ok = d.str()
	case memberNameRaw:
		n.NameRaw, ok = d.bytes()
	case memberType:
		n.Type, ok = d.nodeType()
	case memberMode:
		n.Mode, ok = d.uint32()
	case memberMTime:
		ok = d.time(&n.ModTime)
	case memberCTime:
		n.CTime, ok = d.int()
	case memberInode:
		n.Inode, ok = d.uint(64)
	case memberDevice:
		n.Device, ok = d.uint(64)
	case memberUID:
		n.UID, ok = d.uint32()
	case memberGID:
		n.GID, ok = d.uint32()
	case memberXAttrs:
		n.XAttrs, ok = d.bytesMap()
	case memberSize:
		n.Size, ok = d.int()
	case memberLinks:
		n.Links, ok = d.uint32()
	case memberRdev:
		n.Rdev, ok = d.uint(64)
	case memberLinkTarget:
		n.LinkTarget, ok = d.str()
	case memberLinkRaw:
		n.LinkRaw, ok = d.bytes()
	case memberSHA256:
		n.SHA256, ok = d.str()
	case memberContent:
		n.Content, ok = d.ids()
	case memberSubtree:
		var id ID
		if id, ok = d.id(); ok {
			n.Subtree = &id
		}
	case memberMeta:
		n.Meta, ok = d.stringMap()
	}
	return ok
}

// nodeTypes are the types a tree holds, so that reading one allocates
// nothing.
var nodeTypes = []NodeType{NodeFile, NodeDir, NodeSymlink, NodeStream, NodeFIFO, NodeDevice}

func (d *treeDecoder) nodeType() (NodeType, bool) {
	save := d.pos
	if b, escaped, ok := d.rawStr(); ok && !escaped {
		for _, t := range nodeTypes {
			if string(b) == string(t) {
				return t, true
			}
		}
	}
	d.pos = save // another string: decodeTree says what is wrong with it
	s, ok := d.str()
	return NodeType(s), ok
}

// rawStr returns a string's bytes when it has no escapes (nil, true for
// "" as well as the bytes); escaped is true when it has some, and the
// caller decodes it with str.
func (d *treeDecoder) rawStr() (b []byte, escaped, ok bool) {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return nil, false, false
	}
	start := d.pos + 1
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			return d.data[start:i], false, true
		case c == '\\':
			return nil, true, true
		case c < 0x20:
			return nil, false, false
		}
	}
	return nil, false, false
}

// str reads a string: valid UTF-8, and only the escapes encoding/json
// writes (\" \\ \b \f \n \r \t, and \u outside the surrogates: it writes
// one for other control characters, <, >, &, U+2028 and U+2029).
func (d *treeDecoder) str() (string, bool) {
	b, escaped, ok := d.rawStr()
	if !ok {
		return "", false
	}
	if !escaped {
		if !utf8.Valid(b) {
			return "", false
		}
		return string(b), true
	}
	out := make([]byte, 0, 32)
	i := d.pos + 1
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			if !utf8.Valid(out) {
				return "", false
			}
			d.pos = i + 1
			return string(out), true
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(d.data) {
			return "", false
		}
		if b, ok := shortEscapes[d.data[i+1]]; ok {
			out = append(out, b)
			i += 2
			continue
		}
		if d.data[i+1] != 'u' || i+6 > len(d.data) {
			return "", false
		}
		v, err := strconv.ParseUint(string(d.data[i+2:i+6]), 16, 16)
		if err != nil || utf16.IsSurrogate(rune(v)) {
			return "", false
		}
		out = utf8.AppendRune(out, rune(v))
		i += 6
	}
	return "", false
}

// shortEscapes are the two-character escapes encoding/json writes, by the
// letter after the backslash.
var shortEscapes = map[byte]byte{'"': '"', '\\': '\\', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// bytes reads base64 (padded, standard alphabet) as encoding/json writes
// a []byte. An empty string is an empty, not a nil, slice, as json/v2
// reads it.
func (d *treeDecoder) bytes() ([]byte, bool) {
	b, escaped, ok := d.rawStr()
	if !ok || escaped {
		return nil, false
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	n, err := base64.StdEncoding.Strict().Decode(out, b)
	if err != nil || len(b)%4 != 0 {
		return nil, false
	}
	return out[:n], true
}

// uint reads a decimal number of at most bits bits: digits only, no
// leading zero, as encoding/json writes one.
func (d *treeDecoder) uint(bits int) (uint64, bool) {
	start := d.pos
	for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
		d.pos++
	}
	digits := d.data[start:d.pos]
	if len(digits) == 0 || (len(digits) > 1 && digits[0] == '0') || len(digits) > 20 {
		return 0, false
	}
	if len(digits) == 20 { // may overflow: let strconv check
		v, err := strconv.ParseUint(string(digits), 10, bits)
		return v, err == nil
	}
	var v uint64 // 19 digits or fewer fit
	for _, c := range digits {
		v = v*10 + uint64(c-'0')
	}
	return v, bits == 64 || v < 1<<bits
}

func (d *treeDecoder) uint32() (uint32, bool) {
	v, ok := d.uint(32)
	return uint32(v), ok
}

func (d *treeDecoder) int() (int64, bool) {
	neg := d.literal("-")
	v, ok := d.uint(64)
	if !ok {
		return 0, false
	}
	if neg {
		if v == 0 || v > 1<<63 {
			return 0, false // encoding/json never writes -0
		}
		return -int64(v-1) - 1, true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// time reads an RFC 3339 time as json/v2 does (time.Time's UnmarshalText
// and its stricter checks); a time it might judge otherwise is left to it.
func (d *treeDecoder) time(t *time.Time) bool {
	b, escaped, ok := d.rawStr()
	if !ok || escaped || len(b) < len("2006-01-02T15:04:05Z") {
		return false
	}
	if b[len("2006-01-02T")+1] == ':' || b[len("2006-01-02T15:04:05")] == ',' {
		return false
	}
	if last := b[len(b)-1]; last != 'Z' {
		if b[len(b)-3] != ':' || b[len(b)-6] != '+' && b[len(b)-6] != '-' ||
			(b[len(b)-5]-'0')*10+(b[len(b)-4]-'0') >= 24 || (b[len(b)-2]-'0')*10+(b[len(b)-1]-'0') >= 60 {
			return false
		}
	}
	return t.UnmarshalText(b) == nil
}

func (d *treeDecoder) id() (ID, bool) {
	b, escaped, ok := d.rawStr()
	if !ok || escaped {
		return ID{}, false
	}
	return hexID(b)
}

// ids reads a list of IDs; "[]" is an empty, not a nil, list.
func (d *treeDecoder) ids() ([]ID, bool) {
	if !d.literal("[") {
		return nil, false
	}
	out := []ID{}
	if d.literal("]") {
		return out, true
	}
	for {
		id, ok := d.id()
		if !ok {
			return nil, false
		}
		out = append(out, id)
		if d.literal("]") {
			return out, true
		}
		if !d.literal(",") {
			return nil, false
		}
	}
}

// object reads {"key":value,...} with keys in increasing order, as
// encoding/json writes a map (so a repeated key is refused), calling
// value for each.
func (d *treeDecoder) object(value func(key string) bool) bool {
	if !d.literal("{") {
		return false
	}
	if d.literal("}") {
		return true
	}
	prev, first := "", true
	for {
		key, ok := d.str()
		if !ok || (!first && key <= prev) || !d.literal(":") || !value(key) {
			return false
		}
		prev, first = key, false
		if d.literal("}") {
			return true
		}
		if !d.literal(",") {
			return false
		}
	}
}

func (d *treeDecoder) bytesMap() (map[string][]byte, bool) {
	m := map[string][]byte{}
	ok := d.object(func(key string) bool {
		v, ok := d.bytes()
		m[key] = v
		return ok
	})
	return m, ok
}

func (d *treeDecoder) stringMap() (map[string]string, bool) {
	m := map[string]string{}
	ok := d.object(func(key string) bool {
		v, ok := d.str()
		m[key] = v
		return ok
	})
	return m, ok
}
