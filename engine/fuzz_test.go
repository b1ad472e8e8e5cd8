package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"cadang/engine/backend"
	"cadang/engine/backend/mem"
)

// Every decoder of repository data is fuzzed: no input may panic. Seeds
// come from testdata/fuzz (real repository files, regenerated with
// CADANG_WRITE_FUZZ_SEEDS=1 go test -run TestWriteFuzzSeeds) and f.Add.

// fuzzKey is a fixed master key so encrypted seeds decrypt during fuzzing.
var fuzzKey = masterKey{Encrypt: bytes.Repeat([]byte{7}, 32), ID: bytes.Repeat([]byte{9}, 32)}

// fuzzRepos returns an unencrypted and an encrypted repository value.
func fuzzRepos(t testing.TB) []*Repository {
	cfg := repoConfig{Version: 1, Chunker: defaultChunker, PackSize: 1 << 20}
	plain, err := newRepository(mem.New(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := fuzzKey
	enc, err := newRepository(mem.New(), cfg, &k)
	if err != nil {
		t.Fatal(err)
	}
	return []*Repository{plain, enc}
}

func FuzzPackHeader(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("CDPK\x01"))
	rs := fuzzRepos(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, r := range rs {
			entries, err := r.parsePack(ID{}, data)
			if err == nil {
				for _, e := range entries {
					if int(e.Offset)+int(e.Length) > len(data) {
						t.Fatalf("entry %+v outside a pack of %d bytes", e, len(data))
					}
				}
			}
		}
		_, _ = decodePackHeader(data, ID{}, int64(len(data)))
	})
}

func FuzzIndex(f *testing.F) {
	f.Add([]byte(`{"packs":[{"id":"` + strings.Repeat("ab", 32) + `","size":100,"blobs":[{"id":"` + strings.Repeat("cd", 32) + `","type":"data","offset":0,"length":10,"raw_length":10}]}]}`))
	bin, err := encodeIndexBinary(testIndexPacks(7))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(bin)
	rs := fuzzRepos(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		packs, err := decodeIndex(data)
		for _, p := range packs { // what is accepted lies inside its packs
			for _, e := range p.Entries {
				if err == nil && int64(e.Offset)+int64(e.Length) > p.Size-packTrailer {
					t.Fatalf("blob %+v outside its pack of %d bytes", e, p.Size)
				}
			}
		}
		for _, r := range rs {
			if plain, err := r.crypt.open(nil, data); err == nil {
				_, _ = decodeIndex(plain)
			}
		}
	})
}

func FuzzSnapshot(f *testing.F) {
	f.Add([]byte(`{"time":"2026-01-01T00:00:00Z","host":"h","paths":["/a"],"tree":"` + strings.Repeat("00", 32) + `"}`))
	rs := fuzzRepos(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = decodeSnapshot(data)
		for _, r := range rs {
			if plain, err := r.crypt.open(nil, data); err == nil {
				_, _ = decodeSnapshot(plain)
			}
		}
	})
}

func FuzzTree(f *testing.F) {
	f.Add([]byte(`{"nodes":[{"name":"a","type":"file","mode":420,"mtime":"2026-01-01T00:00:00Z","size":3,"content":["` + strings.Repeat("11", 32) + `"]},{"name":"d","type":"dir","subtree":"` + strings.Repeat("22", 32) + `"}]}`))
	f.Add([]byte(`{"nodes":[{"name":"..","type":"dir"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := decodeTree(data)
		if err != nil {
			return
		}
		for _, n := range tr.Nodes {
			if !validName(n.Name) || (n.Type == NodeDir && n.Subtree == nil) {
				t.Fatalf("decodeTree accepted unsafe node %+v", n)
			}
		}
	})
}

// FuzzTreeRoundTrip: every tree that encoding/json reads and writes
// (what this and earlier versions of Cadang stored) decodes through
// decodeHot (json/v2) to the same tree.
func FuzzTreeRoundTrip(f *testing.F) {
	f.Add([]byte(`{"nodes":[{"name":"a","type":"file","mode":420,"mtime":"2026-01-01T00:00:00.5+07:00","ctime":5,"inode":7,"size":3,"sha256":"x","content":["` + strings.Repeat("11", 32) + `"],"meta":{"k":"v"}}]}`))
	f.Add([]byte(`{"nodes":[{"name":"d","type":"dir","subtree":"` + strings.Repeat("22", 32) + `","uid":1201,"gid":3100,"xattrs":{"security.NTACL":"BAAAAP8BUy0xLTUA","user.x":""}}]}`))
	f.Add([]byte(`{"nodes":[{"name":"caf\u00e9","name_raw":"Y2Fm6Q==","type":"symlink","link_target":"\ufffd","link_target_raw":"/w=="}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v1 treeJSON
		if json.Unmarshal(data, &v1) != nil {
			return
		}
		for i := range v1.Nodes {
			v1.Nodes[i].loadRaw()
		}
		written, err := encodeTree(&v1)
		if err != nil {
			return // e.g. a year encoding/json cannot write
		}
		var v2 treeJSON
		if err := decodeHot(written, &v2); err != nil {
			t.Fatalf("json/v2 refuses what encoding/json wrote: %v\n%s", err, written)
		}
		for i := range v2.Nodes {
			v2.Nodes[i].loadRaw()
		}
		again, err := encodeTree(&v2)
		if err != nil || !bytes.Equal(again, written) {
			t.Fatalf("json/v2 read a different tree (%v):\n%s\n%s", err, written, again)
		}
	})
}

func FuzzKeyFile(f *testing.F) {
	f.Add([]byte(`{"kdf":"scrypt","n":1024,"r":8,"p":1,"salt":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","data":"AAAA"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = openKeyFileStructure(data)
		_, _ = openKeyFile(data, "password")
	})
}

func FuzzConfig(f *testing.F) {
	c, _ := encodeConfig(repoConfig{Version: 1, ID: "x", Chunker: defaultChunker, PackSize: defaultPackSize})
	f.Add(c)
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := decodeConfig(data)
		if err == nil && cfg.Chunker.validate() != nil {
			t.Fatalf("decodeConfig accepted bad chunker %+v", cfg.Chunker)
		}
	})
}

// FuzzBlob feeds arbitrary stored bytes (and header fields) to the blob
// decoder: decryption, LZ4 decompression and the ID check.
func FuzzBlob(f *testing.F) {
	f.Add([]byte("hello"), uint32(5), uint8(0))
	f.Add([]byte{0x50, 'h', 'e', 'l', 'l', 'o'}, uint32(5), flagLZ4)
	rs := fuzzRepos(f)
	f.Fuzz(func(t *testing.T, stored []byte, raw uint32, flags uint8) {
		raw %= 4 << 20
		for _, r := range rs {
			loc := blobLoc{Length: uint32(len(stored)), Raw: raw, Flags: flags}
			id := r.crypt.contentID(stored)
			if plain, err := r.decodeBlob(id, loc, stored); err == nil && len(plain) != int(raw) {
				t.Fatalf("decodeBlob returned %d bytes, header says %d", len(plain), raw)
			}
		}
	})
}

// TestWriteFuzzSeeds regenerates testdata/fuzz from a real repository.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("CADANG_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set CADANG_WRITE_FUZZ_SEEDS=1 to regenerate the seed corpus")
	}
	ctx := context.Background()
	for i, r := range fuzzRepos(t) {
		src := filepath.Join(t.TempDir(), "src")
		writeTree(t, src, map[string]string{"a.txt": strings.Repeat("compressible ", 100), "d/b.bin": string(randomBytes(1, 3000)), "l": "->a.txt"})
		if _, err := r.Backup(ctx, []string{src}, BackupOptions{Host: "seed"}); err != nil {
			t.Fatal(err)
		}
		be := r.be.(*mem.Backend)
		_ = be.List(ctx, "", func(fi backend.FileInfo) error {
			data := be.Bytes(fi.Name)
			switch {
			case strings.HasPrefix(fi.Name, PacksDir):
				writeSeed(t, "FuzzPackHeader", i, fi.Name, data)
				entries, _ := r.parsePack(ID{}, data)
				for _, e := range entries {
					stored := data[e.Offset : e.Offset+e.Length]
					writeSeed(t, "FuzzBlob", i, fi.Name+e.ID.String()[:8], stored, e.Raw, e.Flags)
					if plain, err := r.decodeBlob(e.ID, e.blobLoc, stored); err == nil && e.typ() == blobTree {
						writeSeed(t, "FuzzTree", i, e.ID.String(), plain)
					}
				}
			case strings.HasPrefix(fi.Name, IndexDir):
				writeSeed(t, "FuzzIndex", i, fi.Name, data)
			case strings.HasPrefix(fi.Name, SnapshotsDir):
				writeSeed(t, "FuzzSnapshot", i, fi.Name, data)
			}
			return nil
		})
	}
	kf, err := newKeyFile(fuzzKey, "password", "seed")
	if err != nil {
		t.Fatal(err)
	}
	writeSeed(t, "FuzzKeyFile", 0, "key", kf)
	c, _ := encodeConfig(repoConfig{Version: 1, ID: "seed", Encrypted: true, Chunker: defaultChunker, PackSize: defaultPackSize})
	writeSeed(t, "FuzzConfig", 0, "config", c)
}

func writeSeed(t *testing.T, target string, repo int, name string, data []byte, extra ...any) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	b.WriteString("[]byte(" + quoteBytes(data) + ")\n")
	for _, e := range extra {
		switch v := e.(type) {
		case uint32:
			b.WriteString("uint32(" + strconv.FormatUint(uint64(v), 10) + ")\n")
		case uint8:
			b.WriteString("byte(" + strconv.FormatUint(uint64(v), 10) + ")\n")
		}
	}
	kind := strings.SplitN(name, "/", 2)[0]
	file := filepath.Join(dir, fmt.Sprintf("seed-%d-%s-%s", repo, kind, fileID([]byte(b.String())).String()[:16]))
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func quoteBytes(b []byte) string {
	var s strings.Builder
	s.WriteByte('"')
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			s.WriteByte(c)
		} else {
			s.WriteString("\\x")
			s.WriteByte("0123456789abcdef"[c>>4])
			s.WriteByte("0123456789abcdef"[c&15])
		}
	}
	s.WriteByte('"')
	return s.String()
}
