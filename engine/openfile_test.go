package engine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cadang/engine/backend"
)

func TestOpenFileStreamsEntries(t *testing.T) {
	ctx := context.Background()
	r, repoDir := newLocalRepo(t, "pw")
	src := t.TempDir()
	big := randomBytes(7, 3<<20) // several chunks
	writeTree(t, src, map[string]string{"docs/a.txt": "hello", "docs/big.bin": string(big)})
	dump := randomBytes(8, 1<<20)
	res, err := r.Backup(ctx, []string{filepath.Join(src, "docs")}, BackupOptions{Streams: []Stream{{
		Path: "db/postgres/sales",
		Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(dump)), nil },
		Meta: func() map[string]string { return map[string]string{"rows:t": "3"} },
	}}})
	if err != nil {
		t.Fatal(err)
	}
	snap := res.Snapshot
	for _, tc := range []struct {
		path string
		want []byte
		typ  NodeType
	}{
		{"db/postgres/sales", dump, NodeStream},
		{"/docs/big.bin", big, NodeFile},
		{"docs/a.txt", []byte("hello"), NodeFile},
	} {
		t.Run(tc.path, func(t *testing.T) {
			rc, n, err := r.OpenFile(ctx, snap, tc.path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			if cerr := rc.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) || n.Type != tc.typ || n.Size != int64(len(tc.want)) {
				t.Fatalf("got %d bytes of %s (node %+v), want %d of %s", len(got), n.Type, n, len(tc.want), tc.typ)
			}
			if tc.typ == NodeStream && n.Meta["rows:t"] != "3" {
				t.Fatalf("stream meta %v", n.Meta)
			}
		})
	}

	for _, tc := range []struct{ path, msg string }{
		{"db/postgres/nope", "no such entry"},
		{"db/postgres", ErrNotFile.Error()},
		{"docs/a.txt/x", "is not a directory"},
	} {
		if _, _, err := r.OpenFile(ctx, snap, tc.path); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("OpenFile(%q) = %v, want %q", tc.path, err, tc.msg)
		}
	}

	// A damaged pack is an error from Read, never silently short content.
	var packs []string
	_ = r.Backend().List(ctx, "packs/", func(fi backend.FileInfo) error { packs = append(packs, fi.Name); return nil })
	for _, p := range packs {
		name := filepath.Join(repoDir, filepath.FromSlash(p))
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(data); i += 4096 {
			data[i] ^= 0xff
		}
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rc, _, err := r.OpenFile(ctx, snap, "db/postgres/sales")
	if err == nil {
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	if err == nil {
		t.Fatal("damaged repository read without error")
	}
	if errors.Is(err, io.EOF) {
		t.Fatalf("got %v", err)
	}
}
