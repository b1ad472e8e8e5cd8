package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// treeHash hashes names, types, contents, link targets and file mtimes.
func treeHash(t *testing.T, root string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(h, "%s %v\n", rel, d.Type())
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			fmt.Fprintln(h, target)
			return err
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			fmt.Fprintln(h, info.ModTime().UnixNano())
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(h, f)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func generate(t *testing.T, size int64, seed uint64) (string, Stats) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	st, err := Generate(context.Background(), dir, size, seed, 0)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return dir, st
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"2G", 2 << 30, false},
		{"200M", 200 << 20, false},
		{"1.5g", 3 << 29, false},
		{"2GiB", 2 << 30, false},
		{"4096K", 4 << 20, false},
		{"1048576", 1 << 20, false},
		{"", 0, true},
		{"-1G", 0, true},
		{"12X", 0, true},
		{"100K", 0, true}, // below the 1M minimum
		{"2T", 0, true},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, _ := generate(t, 6<<20, 7)
	b, _ := generate(t, 6<<20, 7)
	c, _ := generate(t, 6<<20, 8)
	ha, hb, hc := treeHash(t, a), treeHash(t, b), treeHash(t, c)
	if ha != hb {
		t.Errorf("same seed gave different trees: %s vs %s", ha, hb)
	}
	if ha == hc {
		t.Errorf("seeds 7 and 8 gave the same tree")
	}
}

func TestGenerateShape(t *testing.T) {
	const size = 24 << 20
	dir, st := generate(t, size, 1)
	if st.Bytes < size*9/10 || st.Bytes > size*11/10 {
		t.Errorf("generated %d bytes, want within 10%% of %d", st.Bytes, size)
	}
	for _, k := range kindNames {
		if k != "empty" && st.ByKind[k] == 0 {
			t.Errorf("no bytes of kind %s: %v", k, st.ByKind)
		}
	}
	if want := 20000 * size / fullScale; st.Files < want {
		t.Errorf("%d files, want at least %d small ones", st.Files, want)
	}
	for _, p := range []string{"share/it/arsip-kosong", "share/it/kosong.txt", "documents/marketing/资料.txt"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("missing %s: %v", p, err)
		}
	}
	if target, err := os.Readlink(filepath.Join(dir, "db/current.sqlite")); err != nil || target != "inventory.sqlite" {
		t.Errorf("symlink db/current.sqlite -> %q, %v", target, err)
	}
}

func TestGenerateRefusesNonEmptyDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Generate(context.Background(), dir, 4<<20, 1, 0)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("Generate into a non-empty dir: err = %v, want 'not empty'", err)
	}
}

// countRows walks the table b-tree from page, checking that rowids ascend
// and interior keys bound their subtrees; it returns the rows and max rowid.
func countRows(t *testing.T, db []byte, page uint32, after int64) (rows, maxKey int64) {
	t.Helper()
	p := db[int(page-1)*sqlitePageSize : int(page)*sqlitePageSize]
	ncells := int(binary.BigEndian.Uint16(p[3:]))
	switch p[0] {
	case pageLeafTable:
		maxKey = after
		for i := range ncells {
			ptr := binary.BigEndian.Uint16(p[8+2*i:])
			_, n := getVarint(p[ptr:])
			rowid, _ := getVarint(p[int(ptr)+n:])
			if int64(rowid) <= maxKey {
				t.Fatalf("page %d: rowid %d after %d", page, rowid, maxKey)
			}
			maxKey = int64(rowid)
		}
		return int64(ncells), maxKey
	case pageInterior:
		maxKey = after
		for i := range ncells {
			ptr := binary.BigEndian.Uint16(p[12+2*i:])
			key, _ := getVarint(p[ptr+4:])
			n, m := countRows(t, db, binary.BigEndian.Uint32(p[ptr:]), maxKey)
			if m != int64(key) {
				t.Fatalf("page %d: cell key %d, subtree max %d", page, key, m)
			}
			rows, maxKey = rows+n, m
		}
		n, m := countRows(t, db, binary.BigEndian.Uint32(p[8:]), maxKey)
		return rows + n, m
	}
	t.Fatalf("page %d: type %#x is not a table b-tree page", page, p[0])
	return 0, 0
}

func TestSQLiteFileStructure(t *testing.T) {
	dir, _ := generate(t, 40<<20, 3)
	name := filepath.Join(dir, "db/inventory.sqlite")
	db, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(db, []byte("SQLite format 3\x00")) {
		t.Fatalf("no SQLite header")
	}
	if pages := binary.BigEndian.Uint32(db[28:]); int(pages)*sqlitePageSize != len(db) {
		t.Fatalf("header says %d pages, file has %d bytes", pages, len(db))
	}
	root := rootPage(t, db)
	rows, maxKey := countRows(t, db, root, 0)
	if rows == 0 || rows != maxKey {
		t.Fatalf("%d rows with max rowid %d, want 1..n", rows, maxKey)
	}

	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := updateSQLite(f, newRand(1, "test"), 64<<10); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(after, db) || len(after) != len(db) {
		t.Fatalf("update changed nothing or the size (%d -> %d)", len(db), len(after))
	}
	if rows2, _ := countRows(t, after, root, 0); rows2 != rows {
		t.Fatalf("after update %d rows, want %d", rows2, rows)
	}
}

// rootPage reads the orders table's root page from sqlite_master on page 1.
func rootPage(t *testing.T, db []byte) uint32 {
	t.Helper()
	ptr := int(binary.BigEndian.Uint16(db[108:]))
	_, n1 := getVarint(db[ptr:])
	_, n2 := getVarint(db[ptr+n1:])
	rec := db[ptr+n1+n2:]
	// Header: size, then "table", "orders", "orders" as text, then the int.
	hs, _ := getVarint(rec)
	body := int(hs)
	pos := 1
	for range 3 {
		st, k := getVarint(rec[pos:])
		pos += k
		body += serialSize(st)
	}
	st, _ := getVarint(rec[pos:])
	var v uint32
	for _, b := range rec[body : body+serialSize(st)] {
		v = v<<8 | uint32(b)
	}
	return v
}

func TestVarintRoundTrip(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 128, 16383, 16384, 1 << 40, 1<<56 - 1, 1 << 56, 1<<64 - 1} {
		b := putVarint(nil, v)
		got, n := getVarint(b)
		if got != v || n != len(b) {
			t.Errorf("varint %d: encoded %x, decoded %d (%d bytes)", v, b, got, n)
		}
	}
}

func TestMutate(t *testing.T) {
	const size = 24 << 20
	a, _ := generate(t, size, 5)
	b, _ := generate(t, size, 5)
	before := treeHash(t, a)
	st, err := Mutate(context.Background(), a, 5, 1)
	if err != nil {
		t.Fatalf("Mutate: %v", err)
	}
	if pct := 100 * float64(st.Changed()) / float64(st.Total); pct < 0.5 || pct > 2 {
		t.Errorf("changed %.2f%% (%v), want about 1%%", pct, st)
	}
	if st.Appended == 0 || st.Overwritten == 0 || st.FilesNew == 0 || st.FilesDeleted == 0 {
		t.Errorf("a kind of change is missing: %+v", st)
	}
	mutated := treeHash(t, a)
	if mutated == before {
		t.Fatal("mutation changed nothing")
	}
	if _, err := Mutate(context.Background(), b, 5, 1); err != nil {
		t.Fatal(err)
	}
	if got := treeHash(t, b); got != mutated {
		t.Errorf("same mutation on the same data gave different trees")
	}

	_, err = Mutate(context.Background(), a, 5, 1)
	if err == nil || !strings.Contains(err.Error(), "already applied") {
		t.Errorf("second round 1: err = %v, want 'already applied'", err)
	}
	if got := treeHash(t, a); got != mutated {
		t.Errorf("a refused mutation changed the tree")
	}
	if _, err := Mutate(context.Background(), a, 5, 2); err != nil {
		t.Errorf("round 2: %v", err)
	}
}

func TestMutateEmptyDir(t *testing.T) {
	if _, err := Mutate(context.Background(), t.TempDir(), 1, 1); err == nil {
		t.Fatal("Mutate of an empty dir succeeded")
	}
}

// TestScaleAddsSmallFiles: -scale N adds N files of 1–8 KiB below many/ and
// leaves the rest of the data set as it is without them.
func TestScaleAddsSmallFiles(t *testing.T) {
	base, _ := generate(t, 4<<20, 3)
	dir := filepath.Join(t.TempDir(), "data")
	if _, err := Generate(context.Background(), dir, 4<<20, 3, 500); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := filepath.WalkDir(filepath.Join(dir, "many"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err == nil && (info.Size() < 1<<10 || info.Size() > 8<<10+200) {
			t.Errorf("%s: %d bytes, want 1–8 KiB", p, info.Size())
		}
		n++
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 500 {
		t.Errorf("many/ holds %d files, want 500", n)
	}
	if err := os.RemoveAll(filepath.Join(dir, "many")); err != nil {
		t.Fatal(err)
	}
	if got, want := treeHash(t, dir), treeHash(t, base); got != want {
		t.Errorf("the data set besides many/ changed with -scale")
	}
}

func TestParseCount(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "300k": 300000, "1m": 1000000, "42": 42} {
		if got, err := parseCount(in); err != nil || got != want {
			t.Errorf("parseCount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := parseCount("lots"); err == nil {
		t.Errorf("parseCount(lots) accepted")
	}
}
