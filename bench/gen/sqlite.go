package main

// A SQLite database written page by page in SQLite's own file format
// (https://www.sqlite.org/fileformat2.html): one table "orders" stored as a
// table b-tree of leaf pages under interior pages, its schema in
// sqlite_master on page 1. It opens with the sqlite3 tool and passes
// PRAGMA integrity_check, and writing it needs neither cgo nor minutes of
// INSERTs. The mutation rewrites rows in place on scattered pages, as an
// UPDATE does, so a backup sees page-sized changes in the middle of the file.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"time"
)

const (
	sqlitePageSize = 4096
	pageLeafTable  = 0x0D
	pageInterior   = 0x05
	ordersSQL      = "CREATE TABLE orders(id INTEGER PRIMARY KEY, created TEXT, customer TEXT, city TEXT, sku TEXT, qty INTEGER, price INTEGER, note TEXT)"
)

// putVarint appends SQLite's big-endian variable-length integer.
func putVarint(b []byte, v uint64) []byte {
	if v > 0x00ffffffffffffff {
		var tmp [9]byte
		tmp[8] = byte(v)
		v >>= 8
		for i := 7; i >= 0; i-- {
			tmp[i] = byte(v&0x7f) | 0x80
			v >>= 7
		}
		return append(b, tmp[:]...)
	}
	var tmp [8]byte
	i := len(tmp) - 1
	tmp[i] = byte(v & 0x7f)
	for v >>= 7; v > 0; v >>= 7 {
		i--
		tmp[i] = byte(v&0x7f) | 0x80
	}
	return append(b, tmp[i:]...)
}

// getVarint reads a varint; n is 0 when b is too short.
func getVarint(b []byte) (v uint64, n int) {
	for i := 0; i < 9 && i < len(b); i++ {
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

// record builds a SQLite record from values that are nil, int64 or string.
func record(vals ...any) []byte {
	var hdr, body []byte
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
			hdr = putVarint(hdr, 0)
		case string:
			hdr = putVarint(hdr, uint64(13+2*len(x)))
			body = append(body, x...)
		case int64:
			st, n := intSerial(x)
			hdr = putVarint(hdr, st)
			var tmp [8]byte
			binary.BigEndian.PutUint64(tmp[:], uint64(x))
			body = append(body, tmp[8-n:]...)
		}
	}
	// The header size counts itself; below 128 bytes it is one byte.
	out := putVarint(nil, uint64(len(hdr)+1))
	return append(append(out, hdr...), body...)
}

// intSerial picks the smallest integer serial type holding x.
func intSerial(x int64) (serialType uint64, size int) {
	switch {
	case x >= -1<<7 && x < 1<<7:
		return 1, 1
	case x >= -1<<15 && x < 1<<15:
		return 2, 2
	case x >= -1<<23 && x < 1<<23:
		return 3, 3
	case x >= -1<<31 && x < 1<<31:
		return 4, 4
	case x >= -1<<47 && x < 1<<47:
		return 5, 6
	default:
		return 6, 8
	}
}

// orderRow is the record of one row of orders (id is the rowid, stored NULL).
func orderRow(r *rand.Rand, rowid int64) []byte {
	t := &textWriter{r: r}
	t.sentence(2 + r.IntN(10))
	created := baseTime.Add(-time.Duration(1_000_000-rowid) * 97 * time.Second)
	return record(nil,
		created.Format("2006-01-02 15:04:05"),
		names[r.IntN(len(names))],
		cities[r.IntN(len(cities))],
		"SKU-"+strconv.Itoa(10000+r.IntN(90000)),
		int64(1+r.IntN(500)),
		r.Int64N(5_000_000_000),
		string(t.buf),
	)
}

// btreePage lays out one b-tree page: cells are packed from the end, their
// pointers follow the header.
type btreePage struct {
	buf     []byte
	hdrOff  int // 100 on page 1, else 0
	hdrLen  int // 8 for leaves, 12 for interior pages
	ncells  int
	content int // start of the cell content area
}

func newBtreePage(typ byte, hdrOff int) *btreePage {
	p := &btreePage{buf: make([]byte, sqlitePageSize), hdrOff: hdrOff, hdrLen: 8, content: sqlitePageSize}
	if typ == pageInterior {
		p.hdrLen = 12
	}
	p.buf[hdrOff] = typ
	return p
}

// fits says whether a cell of n bytes and its pointer still fit.
func (p *btreePage) fits(n int) bool {
	return p.hdrOff+p.hdrLen+2*(p.ncells+1) <= p.content-n
}

func (p *btreePage) add(cell []byte) {
	p.content -= len(cell)
	copy(p.buf[p.content:], cell)
	binary.BigEndian.PutUint16(p.buf[p.hdrOff+p.hdrLen+2*p.ncells:], uint16(p.content))
	p.ncells++
	binary.BigEndian.PutUint16(p.buf[p.hdrOff+3:], uint16(p.ncells))
	binary.BigEndian.PutUint16(p.buf[p.hdrOff+5:], uint16(p.content))
}

// child is a finished subtree: its root page and largest rowid.
type child struct {
	page   uint32
	maxKey int64
}

// writeSQLite writes a database of about size bytes to f.
func writeSQLite(f *os.File, r *rand.Rand, size int64) error {
	leaves := max(size/sqlitePageSize-1, 1)
	leaves -= leaves / 300 // room for the interior pages
	w := &pageWriter{f: f, next: 2}
	level, err := writeLeaves(w, r, leaves)
	if err != nil {
		return err
	}
	for len(level) > 1 {
		if level, err = writeInteriorLevel(w, level); err != nil {
			return err
		}
	}
	return writePageOne(f, level[0].page, w.next-1)
}

// pageWriter writes pages in order from page next.
type pageWriter struct {
	f    *os.File
	next uint32
}

func (w *pageWriter) write(p *btreePage) (uint32, error) {
	n := w.next
	if _, err := w.f.WriteAt(p.buf, int64(n-1)*sqlitePageSize); err != nil {
		return 0, fmt.Errorf("write page %d: %w", n, err)
	}
	w.next++
	return n, nil
}

// writeLeaves writes count leaf pages of rows, each filled to 80–100%.
func writeLeaves(w *pageWriter, r *rand.Rand, count int64) ([]child, error) {
	var out []child
	rowid := int64(1)
	for range count {
		p := newBtreePage(pageLeafTable, 0)
		limit := sqlitePageSize * (r.IntN(20)) / 100 // free space left, as after deletes
		for {
			rec := orderRow(r, rowid)
			cell := putVarint(putVarint(nil, uint64(len(rec))), uint64(rowid))
			cell = append(cell, rec...)
			if !p.fits(len(cell) + limit) {
				break
			}
			p.add(cell)
			rowid++
		}
		n, err := w.write(p)
		if err != nil {
			return nil, err
		}
		out = append(out, child{page: n, maxKey: rowid - 1})
	}
	return out, nil
}

// writeInteriorLevel writes interior pages over children and returns them.
// Children are spread evenly, so no page is left with a single child.
func writeInteriorLevel(w *pageWriter, children []child) ([]child, error) {
	keyLen := len(putVarint(nil, uint64(children[len(children)-1].maxKey)))
	perPage := (sqlitePageSize-12)/(4+keyLen+2) + 1 // cells plus the right pointer
	groups := (len(children) + perPage - 1) / perPage
	var out []child
	for g := range groups {
		group := children[g*len(children)/groups : (g+1)*len(children)/groups]
		p := newBtreePage(pageInterior, 0)
		// Every child but the last becomes a cell; the last is the right pointer.
		for _, c := range group[:len(group)-1] {
			cell := binary.BigEndian.AppendUint32(nil, c.page)
			p.add(putVarint(cell, uint64(c.maxKey)))
		}
		right := group[len(group)-1]
		binary.BigEndian.PutUint32(p.buf[8:], right.page)
		n, err := w.write(p)
		if err != nil {
			return nil, err
		}
		out = append(out, child{page: n, maxKey: right.maxKey})
	}
	return out, nil
}

// writePageOne writes the database header and sqlite_master.
func writePageOne(f *os.File, root, pages uint32) error {
	p := newBtreePage(pageLeafTable, 100)
	rec := record("table", "orders", "orders", int64(root), ordersSQL)
	cell := putVarint(putVarint(nil, uint64(len(rec))), 1)
	p.add(append(cell, rec...))
	h := p.buf[:100]
	copy(h, "SQLite format 3\x00")
	binary.BigEndian.PutUint16(h[16:], sqlitePageSize)
	h[18], h[19] = 1, 1 // legacy journal mode
	h[21], h[22], h[23] = 64, 32, 32
	binary.BigEndian.PutUint32(h[24:], 1) // file change counter
	binary.BigEndian.PutUint32(h[28:], pages)
	binary.BigEndian.PutUint32(h[40:], 1) // schema cookie
	binary.BigEndian.PutUint32(h[44:], 4) // schema format
	binary.BigEndian.PutUint32(h[56:], 1) // UTF-8
	binary.BigEndian.PutUint32(h[92:], 1) // version-valid-for = change counter
	binary.BigEndian.PutUint32(h[96:], 3040001)
	if _, err := f.WriteAt(p.buf, 0); err != nil {
		return fmt.Errorf("write page 1: %w", err)
	}
	return nil
}

// updateSQLite rewrites the note of every row on leaf pages chosen by r
// until at least quota bytes of pages were rewritten, and bumps the change
// counter as SQLite does. It returns the bytes of pages written.
func updateSQLite(f *os.File, r *rand.Rand, quota int64) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	pages := st.Size() / sqlitePageSize
	if pages < 2 {
		return 0, errors.New("database has no data pages")
	}
	page := make([]byte, sqlitePageSize)
	var done int64
	for tries := 0; done < quota && tries < 100*int(pages); tries++ {
		off := (1 + r.Int64N(pages-1)) * sqlitePageSize
		if _, err := f.ReadAt(page, off); err != nil && !errors.Is(err, io.EOF) {
			return done, fmt.Errorf("read page at %d: %w", off, err)
		}
		if page[0] != pageLeafTable {
			continue
		}
		rewriteNotes(page, r)
		if _, err := f.WriteAt(page, off); err != nil {
			return done, fmt.Errorf("write page at %d: %w", off, err)
		}
		done += sqlitePageSize
	}
	return done + sqlitePageSize, bumpChangeCounter(f)
}

// rewriteNotes replaces the text of each row's last column with new words
// of the same length, keeping every record valid.
func rewriteNotes(page []byte, r *rand.Rand) {
	ncells := int(binary.BigEndian.Uint16(page[3:]))
	t := &textWriter{r: r}
	for i := range ncells {
		ptr := int(binary.BigEndian.Uint16(page[8+2*i:]))
		if ptr >= len(page) {
			return
		}
		start, end, ok := lastTextColumn(page[ptr:])
		if !ok {
			continue
		}
		t.buf = t.buf[:0]
		for len(t.buf) < end-start {
			t.sentence(4)
			t.buf = append(t.buf, ' ')
		}
		copy(page[ptr+start:ptr+end], t.buf)
	}
}

// lastTextColumn finds the byte range of the last column of a leaf cell's
// record when it is text.
func lastTextColumn(cell []byte) (start, end int, ok bool) {
	plen, n1 := getVarint(cell)
	_, n2 := getVarint(cell[n1:])
	if n1 == 0 || n2 == 0 {
		return 0, 0, false
	}
	rec := cell[n1+n2:]
	if uint64(len(rec)) < plen {
		return 0, 0, false
	}
	hs, n := getVarint(rec)
	if n == 0 || hs > plen {
		return 0, 0, false
	}
	pos, body := n, int(hs)
	var st uint64
	for pos < int(hs) {
		var k int
		if st, k = getVarint(rec[pos:int(hs)]); k == 0 {
			return 0, 0, false
		}
		pos += k
		body += serialSize(st)
	}
	if st < 13 || st%2 == 0 {
		return 0, 0, false
	}
	size := int((st - 13) / 2)
	return n1 + n2 + body - size, n1 + n2 + body, body <= int(plen)
}

// serialSize is the body size of a serial type.
func serialSize(st uint64) int {
	switch {
	case st >= 12:
		return int((st - 12) / 2)
	case st == 7:
		return 8
	case st >= 1 && st <= 4:
		return int(st)
	case st == 5:
		return 6
	case st == 6:
		return 8
	}
	return 0
}

func bumpChangeCounter(f *os.File) error {
	var h [4]byte
	if _, err := f.ReadAt(h[:], 24); err != nil {
		return fmt.Errorf("read header: %w", err)
	}
	binary.BigEndian.PutUint32(h[:], binary.BigEndian.Uint32(h[:])+1)
	for _, off := range []int64{24, 92} {
		if _, err := f.WriteAt(h[:], off); err != nil {
			return fmt.Errorf("write header: %w", err)
		}
	}
	return nil
}
