package engine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"cadang/engine/backend"
	"cadang/engine/backend/local"
	"cadang/engine/backend/mem"
)

// TestNoPlaintextInEncryptedRepo searches every byte of an encrypted
// repository for a marker that is in file contents and in file names.
func TestNoPlaintextInEncryptedRepo(t *testing.T) {
	ctx := context.Background()
	const marker = "CADANG-PLAINTEXT-MARKER-7f3a"
	r, repoDir := newLocalRepo(t, "pw")
	src := filepath.Join(t.TempDir(), "src")
	writeTree(t, src, map[string]string{
		marker + ".txt":            strings.Repeat(marker+" body\n", 2000),
		"dir-" + marker + "/x.txt": marker,
		"link":                     "->" + marker,
		"compressible/a.csv":       strings.Repeat("a,b,c,"+marker+"\n", 50000),
	})
	if _, err := r.Backup(ctx, []string{src}, BackupOptions{Tags: []string{"tag"}}); err != nil {
		t.Fatal(err)
	}
	all := allBytes(t, repoDir)
	for _, needle := range []string{marker, "CADANG-PLAINTEXT", "compressible", "x.txt", filepath.Base(src) + "/"} {
		if bytes.Contains(all, []byte(needle)) {
			t.Errorf("repository contains plaintext %q", needle)
		}
	}
	// The same data unencrypted does contain the marker: the search works.
	r2, dir2 := newLocalRepo(t, "")
	if _, err := r2.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(allBytes(t, dir2), []byte(marker)) {
		t.Error("unencrypted repository lacks the marker: the search is broken")
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	enc := mem.New()
	if _, err := Init(ctx, enc, InitOptions{Password: "right"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Init(ctx, enc, InitOptions{}); !errors.Is(err, ErrRepositoryExists) {
		t.Errorf("second init: %v, want ErrRepositoryExists", err)
	}
	tests := []struct {
		name string
		be   backend.Backend
		pw   string
		want error
	}{
		{"wrong password", enc, "wrong", ErrWrongPassword},
		{"no password", enc, "", ErrPasswordRequired},
		{"empty folder", mem.New(), "", ErrNotRepository},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(ctx, tt.be, tt.pw)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open: %v, want %v", err, tt.want)
			}
			if strings.Count(err.Error(), "\n") != 0 {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestExcludesAndRoot(t *testing.T) {
	ctx := context.Background()
	r, _ := newLocalRepo(t, "")
	base := t.TempDir()
	src := filepath.Join(base, "src")
	writeTree(t, src, map[string]string{"ok.txt": "ok", "skip.tmp": "x", "cache/a": "x", "sub/keep.tmp.txt": "k"})
	res, err := r.Backup(ctx, []string{src}, BackupOptions{Excludes: []string{"*.tmp", "cache", filepath.Join(src, "sub")}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	_ = r.Walk(ctx, res.Snapshot, func(n Node) error { got = append(got, n.Path); return nil })
	if strings.Join(got, " ") != "/src /src/ok.txt" {
		t.Fatalf("snapshot = %v", got)
	}
	// Two paths with the same base name are refused.
	other := filepath.Join(base, "x", "src")
	writeTree(t, other, map[string]string{"a": "a"})
	if _, err := r.Backup(ctx, []string{src, other}, BackupOptions{}); err == nil || !strings.Contains(err.Error(), "same base name") {
		t.Fatalf("colliding base names: %v", err)
	}
}

func TestIncludeOverwriteAndCheck(t *testing.T) {
	ctx := context.Background()
	r, _ := newLocalRepo(t, "")
	src := filepath.Join(t.TempDir(), "src")
	writeTree(t, src, map[string]string{"a/1.txt": "one", "a/2.txt": "two", "b/3.txt": "three"})
	res, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	target := t.TempDir()
	rr, err := r.Restore(ctx, res.Snapshot, target, RestoreOptions{Include: []string{"/src/a/2.txt", "src/b"}})
	if err != nil {
		t.Fatal(err)
	}
	if rr.Files != 2 {
		t.Fatalf("restored %d files, want 2", rr.Files)
	}
	if _, err := os.Stat(filepath.Join(target, "src/a/1.txt")); err == nil {
		t.Error("a/1.txt restored though not included")
	}
	// Restoring again refuses, before writing anything, to replace files
	// unless Overwrite; folders that exist are merged into.
	before, err := os.Stat(filepath.Join(target, "src/b/3.txt"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Restore(ctx, res.Snapshot, target, RestoreOptions{Include: []string{"/src/b"}})
	if !errors.Is(err, ErrTargetExists) || !strings.Contains(err.Error(), "1 already there") {
		t.Fatalf("second restore without overwrite: %v, want ErrTargetExists naming 1 file", err)
	}
	if after, err := os.Stat(filepath.Join(target, "src/b/3.txt")); err != nil || !after.ModTime().Equal(before.ModTime()) || after.Size() != before.Size() {
		t.Fatalf("a refused restore touched the existing file: %v", err)
	}
	rr, err = r.Restore(ctx, res.Snapshot, target, RestoreOptions{Include: []string{"/src/a/1.txt"}})
	if err != nil || rr.Files != 1 || len(rr.Failed) != 0 {
		t.Fatalf("restore of a new file into an existing folder: %v %+v", err, rr)
	}
	if err := os.WriteFile(filepath.Join(target, "src/b/3.txt"), []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	checks, err := r.CheckRestored(ctx, res.Snapshot, target, RestoreOptions{Include: []string{"/src/b"}})
	if err != nil || len(checks) != 1 || checks[0].OK {
		t.Fatalf("check of a tampered file: %v %+v", err, checks)
	}
	rr, err = r.Restore(ctx, res.Snapshot, target, RestoreOptions{Include: []string{"/src/b"}, Overwrite: true})
	if err != nil || len(rr.Failed) != 0 {
		t.Fatalf("restore with overwrite: %v %+v", err, rr.Failed)
	}
	if _, err := r.Restore(ctx, res.Snapshot, target, RestoreOptions{Include: []string{"/nope"}}); !errors.Is(err, ErrNoSnapshot) {
		t.Errorf("include of a missing path: %v", err)
	}
}

func TestStreams(t *testing.T) {
	ctx := context.Background()
	r, _ := newLocalRepo(t, "pw")
	dump := strings.Repeat("INSERT INTO t VALUES (1);\n", 10000)
	res, err := r.Backup(ctx, nil, BackupOptions{Streams: []Stream{{
		Path: "db/postgres/sales",
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(dump)), nil },
		Meta: func() map[string]string { return map[string]string{"rows.t": "1"} },
	}}})
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := r.List(ctx, res.Snapshot, "/db/postgres")
	if err != nil || len(nodes) != 1 || nodes[0].Type != NodeStream || nodes[0].Meta["rows.t"] != "1" || nodes[0].Size != int64(len(dump)) {
		t.Fatalf("stream node = %+v (err %v)", nodes, err)
	}
	rc, _, err := r.OpenFile(ctx, res.Snapshot, "/db/postgres/sales")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	if err != nil || string(got) != dump {
		t.Fatalf("read stream: %v (%d bytes)", err, len(got))
	}
	if err := rc.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestResumeWithoutReupload: a backup that dies after storing some packs
// leaves them unindexed; the next run (a new process) adopts them.
func TestResumeWithoutReupload(t *testing.T) {
	ctx := context.Background()
	be := mem.New()
	if _, err := Init(ctx, be, InitOptions{PackSize: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 8; i++ {
		if err := os.WriteFile(filepath.Join(src, "f"+strings.Repeat("x", i)), randomBytes(uint64(i), 1<<20), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var packs atomic.Int32
	be.SaveHook = func(name string) error {
		if strings.HasPrefix(name, PacksDir) {
			if packs.Add(1) > 4 {
				return errors.New("disk gone")
			}
		}
		return nil
	}
	r, _ := Open(ctx, be, "")
	if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err == nil {
		t.Fatal("backup with a failing backend succeeded")
	}
	be.SaveHook = nil
	_ = be.List(ctx, LocksDir, func(fi backend.FileInfo) error { return be.Remove(ctx, fi.Name) }) // as if killed
	before := map[string]bool{}
	_ = be.List(ctx, PacksDir, func(fi backend.FileInfo) error { before[fi.Name] = true; return nil })
	if len(before) != 4 {
		t.Fatalf("%d packs stored before the failure, want 4", len(before))
	}
	r2, err := Open(ctx, be, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r2.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	// Every pack of the failed run is used (adopted, not uploaded again),
	// and no blob is stored twice.
	seen := map[ID]string{}
	for name := range before {
		id, _ := parsePackName(name)
		if !r2.idx.Load().hasPack(id) {
			t.Errorf("pack %s of the interrupted run was not adopted", name)
		}
	}
	_ = be.List(ctx, PacksDir, func(fi backend.FileInfo) error {
		id, _ := parsePackName(fi.Name)
		entries, err := r2.parsePack(id, be.Bytes(fi.Name))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if prev, dup := seen[e.ID]; dup {
				t.Errorf("blob %s stored twice (%s and %s)", e.ID, prev, fi.Name)
			}
			seen[e.ID] = fi.Name
		}
		return nil
	})
	if v, err := r2.Verify(ctx, VerifyOptions{ReadData: true}); err != nil || !v.OK() {
		t.Fatalf("verify: %v %+v", err, v)
	}
}

func TestChunkerStableBoundaries(t *testing.T) {
	p := chunkerParam{Min: 4 << 10, Avg: 16 << 10, Max: 64 << 10}
	gear := newGearTable(nil)
	data := randomBytes(42, 2<<20)
	cut := func(b []byte) []string {
		c := newChunker(p, gear)
		c.reset(bytes.NewReader(b))
		var ids []string
		for {
			ch, err := c.next()
			if err == io.EOF {
				return ids
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ch) > p.Max {
				t.Fatalf("chunk of %d bytes > max", len(ch))
			}
			ids = append(ids, string(fileID(ch).String()))
		}
	}
	a := cut(data)
	edited := append(append(append([]byte(nil), data[:1<<20]...), []byte("inserted bytes")...), data[1<<20:]...)
	b := cut(edited)
	shared := map[string]bool{}
	for _, id := range a {
		shared[id] = true
	}
	same := 0
	for _, id := range b {
		if shared[id] {
			same++
		}
	}
	if len(a) < 50 || same < len(a)-3 {
		t.Fatalf("%d chunks, %d unchanged after a 14-byte insert; want all but ~2", len(a), same)
	}
	var total int
	c := newChunker(p, gear)
	c.reset(bytes.NewReader(data))
	var joined []byte
	for {
		ch, err := c.next()
		if err == io.EOF {
			break
		}
		total += len(ch)
		joined = append(joined, ch...)
	}
	if !bytes.Equal(joined, data) {
		t.Fatal("chunks do not reassemble the input")
	}
}

func TestRepositoryInsideSourceIsSkipped(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "src")
	writeTree(t, src, map[string]string{"a.txt": "a"})
	be, err := local.New(filepath.Join(src, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Init(ctx, be, InitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := r.List(ctx, res.Snapshot, "/src")
	if err != nil || len(nodes) != 1 || nodes[0].Name != "a.txt" {
		t.Fatalf("snapshot of the source = %+v (err %v), want only a.txt", nodes, err)
	}
}

func TestOddNamesRoundTrip(t *testing.T) {
	ctx := context.Background()
	r, _ := newLocalRepo(t, "")
	src := filepath.Join(t.TempDir(), "src")
	writeTree(t, src, map[string]string{`back\slash`: "1", "new\nline": "2", " lead space": "3", "-dash": "4", "ünï ☃.txt": "5"})
	res, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil || len(res.Warnings) != 0 {
		t.Fatalf("backup: %v %+v", err, res)
	}
	target := t.TempDir()
	rr, err := r.Restore(ctx, res.Snapshot, target, RestoreOptions{})
	if err != nil || len(rr.Failed) != 0 {
		t.Fatalf("restore: %v %+v", err, rr)
	}
	compareDirs(t, src, filepath.Join(target, "src"))
}
