package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// testIndexPacks returns three packs of five blobs, data and trees, some
// LZ4, with IDs drawn from seed.
func testIndexPacks(seed uint64) []packInfo {
	rng := rand.New(rand.NewPCG(seed, seed))
	var packs []packInfo
	for i := 0; i < 3; i++ {
		p := packInfo{ID: randomID(rng), Size: 1 << 20}
		for j := 0; j < 5; j++ {
			flags := blobData
			if j%2 == 1 {
				flags = blobTree | flagLZ4
			}
			p.Entries = append(p.Entries, packEntry{ID: randomID(rng), blobLoc: blobLoc{Pack: p.ID, Offset: uint32(j * 1000), Length: 900, Raw: 1200, Flags: flags}})
		}
		packs = append(packs, p)
	}
	return packs
}

// TestIndexBinaryCodec: a binary index file decodes to the packs it was
// written from, through the same entry point as JSON ones, and damage of
// every kind the JSON reader refuses is refused here too.
func TestIndexBinaryCodec(t *testing.T) {
	packs := testIndexPacks(7)
	plain, err := encodeIndexBinary(packs)
	if err != nil {
		t.Fatal(err)
	}
	if want := 5 + 3*(indexPackHead+5*headerEntrySize); len(plain) != want {
		t.Errorf("binary index of 15 blobs: %d bytes, want %d", len(plain), want)
	}
	got, err := decodeIndex(plain)
	if err != nil || !reflect.DeepEqual(got, packs) {
		t.Fatalf("round trip: %v\ngot  %+v\nwant %+v", err, got, packs)
	}
	jsonPlain, err := encodeIndex(packs)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeIndex(jsonPlain); err != nil || !reflect.DeepEqual(got, packs) {
		t.Fatalf("the JSON form of the same packs: %v", err)
	}
	if empty, _ := encodeIndexBinary(nil); !mustDecode(t, empty, 0) {
		t.Errorf("an index of no packs did not decode to none")
	}

	firstEntry := 5 + indexPackHead // offset of pack 0's first blob
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(plain)) }
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"truncated in a pack head", plain[:5+indexPackHead-1], errDamaged},
		{"truncated in a blob", plain[:len(plain)-1], errDamaged},
		{"neither the magic nor JSON", edit(func(b []byte) []byte { b[0] = 'X'; return b }), nil},
		{"newer index version", edit(func(b []byte) []byte { b[4] = 9; return b }), ErrNewerFormat},
		{"pack size below the trailer", edit(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[5+32:], 3); return b }), errDamaged},
		{"pack size past 4 GiB", edit(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[5+32:], 1<<40); return b }), errDamaged},
		{"more blobs than bytes", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[5+40:], 6); return b }), errDamaged},
		{"unknown type", edit(func(b []byte) []byte { b[firstEntry] = 2; return b }), errDamaged},
		{"unknown flag", edit(func(b []byte) []byte { b[firstEntry] = 0x40; return b }), errDamaged},
		{"blob past its pack", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[firstEntry+33:], 1<<20); return b }), errDamaged},
		{"raw length past 64 MiB", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[firstEntry+41:], 65<<20); return b }), errDamaged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeIndex(tt.data)
			if err == nil {
				t.Fatal("accepted")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func mustDecode(t *testing.T, plain []byte, packs int) bool {
	t.Helper()
	got, err := decodeIndex(plain)
	if err != nil {
		t.Fatal(err)
	}
	return len(got) == packs
}

// indexFileKinds opens every index file of the repository at dir and counts
// the binary and the JSON ones.
func indexFileKinds(t *testing.T, r *Repository) (binary, json int) {
	t.Helper()
	ctx := context.Background()
	ids, err := listIDs(ctx, r.be, IndexDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		data, err := loadNamed(ctx, r.be, IndexDir+id.String(), id)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := r.crypt.openInPlace(data)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case isBinaryIndex(plain):
			binary++
		case len(plain) > 0 && plain[0] == '{':
			json++
		default:
			t.Fatalf("index %s is neither binary nor JSON", id)
		}
	}
	return binary, json
}

// TestIndexFormatFollowsRepositoryVersion: a new repository is format 2 and
// writes binary index files; a format-1 repository (written by an older
// Cadang) keeps its version and gets JSON index files from this one, so
// the older Cadang still reads it; both back up, restore and verify.
func TestIndexFormatFollowsRepositoryVersion(t *testing.T) {
	tests := []struct {
		name        string
		repo        func(t *testing.T) string
		password    string
		wantVersion int
		wantBinary  bool
	}{
		{"new repository", func(t *testing.T) string { _, dir := newLocalRepo(t, "pw"); return dir }, "pw", 2, true},
		{"new unencrypted repository", func(t *testing.T) string { _, dir := newLocalRepo(t, ""); return dir }, "", 2, true},
		{"format-1 repository", func(t *testing.T) string { return copyRepo(t, legacyEncrypted) }, legacyPassword, 1, false},
		{"format-1 unencrypted repository", func(t *testing.T) string { return copyRepo(t, legacyPlain) }, "", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dir := tt.repo(t)
			src := t.TempDir()
			writeTree(t, src, map[string]string{"a.txt": "alpha\n", "sub/b.bin": string(randomBytes(3, 300<<10))})
			r, err := openDir(t, dir, tt.password)
			if err != nil {
				t.Fatal(err)
			}
			res, err := r.Backup(ctx, []string{src}, BackupOptions{})
			if err != nil {
				t.Fatal(err)
			}
			bin, js := indexFileKinds(t, r)
			if tt.wantBinary && (bin == 0 || js != 0) || !tt.wantBinary && bin != 0 {
				t.Errorf("index files: %d binary, %d JSON; want binary=%v only", bin, js, tt.wantBinary)
			}
			cfg, err := os.ReadFile(filepath.Join(dir, ConfigFile))
			if err != nil {
				t.Fatal(err)
			}
			c, err := decodeConfig(cfg)
			if err != nil || c.Version != tt.wantVersion {
				t.Errorf("config version %d (%v), want %d", c.Version, err, tt.wantVersion)
			}
			// A fresh open reads the index back from the files alone.
			r2, err := openDir(t, dir, tt.password)
			if err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			rr, err := r2.Restore(ctx, res.Snapshot, out, RestoreOptions{})
			if err != nil || len(rr.Failed) > 0 {
				t.Fatalf("restore: %v %+v", err, rr)
			}
			compareDirs(t, src, filepath.Join(out, filepath.Base(src)))
			vr, err := r2.Verify(ctx, VerifyOptions{ReadData: true})
			if err != nil || len(vr.Damage) > 0 {
				t.Fatalf("verify: %v %+v", err, vr)
			}
		})
	}
}

// TestNewerFormatRefused: a config of a version after this code's is refused.
func TestNewerFormatRefused(t *testing.T) {
	_, dir := newLocalRepo(t, "")
	editConfig(t, dir, func(m map[string]any) { m["version"] = formatVersion + 1 })
	if _, err := openDir(t, dir, ""); !errors.Is(err, ErrNewerFormat) {
		t.Fatalf("open: got %v, want ErrNewerFormat", err)
	}
}
