package engine

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sameDecoded reports whether two decoded trees are the same: equal
// fields, and times at the same instant written the same way.
func sameDecoded(a, b treeJSON) error {
	if len(a.Nodes) != len(b.Nodes) || (a.Nodes == nil) != (b.Nodes == nil) {
		return fmt.Errorf("%d nodes (nil %v), want %d (nil %v)", len(a.Nodes), a.Nodes == nil, len(b.Nodes), b.Nodes == nil)
	}
	for i := range a.Nodes {
		x, y := a.Nodes[i], b.Nodes[i]
		if !x.ModTime.Equal(y.ModTime) || x.ModTime.Format(time.RFC3339Nano) != y.ModTime.Format(time.RFC3339Nano) {
			return fmt.Errorf("node %d: mtime %v, want %v", i, x.ModTime, y.ModTime)
		}
		x.ModTime, y.ModTime = time.Time{}, time.Time{}
		if !reflect.DeepEqual(x, y) {
			return fmt.Errorf("node %d:\n%#v\nwant\n%#v", i, x, y)
		}
	}
	return nil
}

// randomTree builds a tree with every member in use, names that need
// escapes, and extreme numbers.
func randomTree(rng *rand.Rand) *treeJSON {
	names := []string{"a", "laporan keuangan 2025.xlsx", "R&D <draft>", "tab\there", "quote\"back\\slash", "caf\u00e9 \u2028 \u2029",
		"ctl\x01\x1f\x7f", "\xff\xfelatin1", "日本語", "line\nbreak\rcr", "\b\f", "emoji 😀"}
	zones := []*time.Location{time.UTC, time.FixedZone("", 7*3600), time.FixedZone("", -(9*3600 + 30*60)), time.Local}
	t := &treeJSON{Nodes: []treeNode{}}
	seen := map[string]bool{}
	for i := range 1 + rng.IntN(12) {
		name := names[rng.IntN(len(names))] + fmt.Sprint(i)
		if seen[name] {
			continue
		}
		seen[name] = true
		n := treeNode{Name: name, Mode: rng.Uint32(), ModTime: time.Unix(rng.Int64N(1<<34)-1<<33, rng.Int64N(1e9)).In(zones[rng.IntN(len(zones))])}
		switch rng.IntN(4) {
		case 0:
			n.Type, n.Subtree = NodeDir, &ID{byte(i), 0xab}
		case 1:
			n.Type, n.LinkTarget = NodeSymlink, names[rng.IntN(len(names))]
		case 2:
			n.Type, n.Rdev = NodeDevice, rng.Uint64()
		default:
			n.Type, n.Size, n.SHA256 = NodeFile, rng.Int64N(math.MaxInt64), strings.Repeat("ab", 32)
			for j := range rng.IntN(4) {
				n.Content = append(n.Content, ID{byte(j), byte(i), 0xcd})
			}
			if rng.IntN(2) == 0 {
				n.Links = rng.Uint32()
			}
		}
		if rng.IntN(2) == 0 {
			n.CTime, n.Inode, n.Device = rng.Int64()-math.MaxInt64/2, rng.Uint64(), math.MaxUint64
			n.UID, n.GID = math.MaxUint32, rng.Uint32()
		}
		if rng.IntN(3) == 0 {
			n.XAttrs = map[string][]byte{"security.NTACL": {4, 0, 0xff, 1}, "user.empty": {}, "user.dos\"attrib": []byte("0x20")}
		}
		if rng.IntN(3) == 0 {
			n.Meta = map[string]string{"db": "inventory", "kind": "sqlite <dump>"}
		}
		t.Nodes = append(t.Nodes, n)
	}
	return t
}

// Every tree encodeTree writes is read by the fast decoder, and read the
// same as json/v2 reads it.
func TestDecodeTreeFastReadsWhatEncodeTreeWrites(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		written, err := encodeTree(randomTree(rng))
		if err != nil {
			t.Fatal(err)
		}
		fast, ok := decodeTreeFast(written)
		if !ok {
			t.Fatalf("tree %d: the fast decoder gave up on what encodeTree wrote:\n%s", i, written)
		}
		var slow treeJSON
		if err := decodeHot(written, &slow); err != nil {
			t.Fatal(err)
		}
		if err := sameDecoded(fast, slow); err != nil {
			t.Fatalf("tree %d: %v\n%s", i, err, written)
		}
	}
	for _, empty := range []string{`{"nodes":[]}`, `{"nodes":null}`} {
		fast, ok := decodeTreeFast([]byte(empty))
		var slow treeJSON
		if err := decodeHot([]byte(empty), &slow); !ok || err != nil {
			t.Fatalf("%s: fast %v, json/v2 %v", empty, ok, err)
		}
		if err := sameDecoded(fast, slow); err != nil {
			t.Errorf("%s: %v", empty, err)
		}
	}
}

// What the fast decoder leaves to json/v2: anything encoding/json does not
// write. Each must make it give up, not read something else.
func TestDecodeTreeFastGivesUp(t *testing.T) {
	id := strings.Repeat("11", 32)
	for _, in := range []string{
		` {"nodes":[]}`, `{"nodes":[] }`, `{"nodes":[],"x":1}`, `{"nodes":[{"name":"a","name":"b"}]}`,
		`{"nodes":[{"type":"file","name":"a"}]}`, `{"nodes":[{"name":"a","unknown":1}]}`,
		`{"nodes":[{"name":"a\/b"}]}`, `{"nodes":[{"name":"\ud83d\ude00"}]}`, `{"nodes":[{"name":"\u00zz"}]}`,
		`{"nodes":[{"name":"a","mode":-1}]}`, `{"nodes":[{"name":"a","mode":4294967296}]}`, `{"nodes":[{"name":"a","mode":01}]}`,
		`{"nodes":[{"name":"a","mode":1.5}]}`, `{"nodes":[{"name":"a","ctime":-0}]}`, `{"nodes":[{"name":"a","size":9223372036854775808}]}`,
		`{"nodes":[{"name":"a","mtime":"2026-01-01T00:00:00+24:00"}]}`, `{"nodes":[{"name":"a","mtime":"2026-01-01T0:00:00Z"}]}`,
		`{"nodes":[{"name":"a","mtime":"2026-01-01T00:00:00,5Z"}]}`, `{"nodes":[{"name":"a","mtime":"yesterday"}]}`,
		`{"nodes":[{"name":"a","content":["` + id + `",]}]}`, `{"nodes":[{"name":"a","content":["zz"]}]}`,
		`{"nodes":[{"name":"a","subtree":null}]}`, `{"nodes":[{"name":"a","xattrs":{"b":"","a":""}}]}`,
		`{"nodes":[{"name":"a","xattrs":{"a":"QQ"}}]}`, `{"nodes":[{"name":"a","meta":{"k":1}}]}`,
		"{\"nodes\":[{\"name\":\"a\xff\"}]}", "{\"nodes\":[{\"name\":\"a\x01\"}]}", `{"nodes":[{"name":"a"}]}x`, `{"nodes":[{"name":"a"}`,
	} {
		if got, ok := decodeTreeFast([]byte(in)); ok {
			t.Errorf("the fast decoder read %s as %+v", in, got)
		}
	}
}

// FuzzTreeFastDecode: whatever the fast decoder reads, json/v2 reads too,
// and the same.
func FuzzTreeFastDecode(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		written, _ := encodeTree(randomTree(rng))
		f.Add(written)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := decodeTreeFast(data)
		if !ok {
			return
		}
		var slow treeJSON
		if err := decodeHot(data, &slow); err != nil {
			t.Fatalf("the fast decoder read what json/v2 refuses (%v):\n%q", err, data)
		}
		if err := sameDecoded(fast, slow); err != nil {
			t.Fatalf("%v\n%q", err, data)
		}
		var v1 treeJSON
		if err := json.Unmarshal(data, &v1); err != nil {
			t.Fatalf("the fast decoder read what encoding/json refuses (%v):\n%q", err, data)
		}
	})
}

// BenchmarkDecodeTreeFast decodes a folder as a backup stores it: 40
// files and 5 sub-folders, with times in the machine's zone.
func BenchmarkDecodeTreeFast(b *testing.B) {
	t := &treeJSON{}
	mtime := time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.Local)
	for i := range 45 {
		n := treeNode{Name: fmt.Sprintf("laporan-%03d.xlsx", i), Type: NodeFile, Mode: 0o644, ModTime: mtime,
			CTime: mtime.UnixNano(), Inode: 1_000_000 + uint64(i), Device: 2049, UID: 1201, GID: 3100, Size: 48_213,
			SHA256: strings.Repeat("ab", 32), Content: []ID{{byte(i)}}}
		if i >= 40 {
			n = treeNode{Name: fmt.Sprintf("bagian-%d", i), Type: NodeDir, Mode: uint32(0o755 | fs.ModeDir), ModTime: mtime,
				CTime: mtime.UnixNano(), Inode: 2_000_000 + uint64(i), Device: 2049, Subtree: &ID{byte(i)}}
		}
		t.Nodes = append(t.Nodes, n)
	}
	written, err := encodeTree(t)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(written)))
		for range b.N {
			if _, ok := decodeTreeFast(written); !ok {
				b.Fatal("gave up")
			}
		}
	})
	b.Run("json-v2", func(b *testing.B) {
		b.SetBytes(int64(len(written)))
		for range b.N {
			var t treeJSON
			if err := decodeHot(written, &t); err != nil {
				b.Fatal(err)
			}
		}
	})
}
