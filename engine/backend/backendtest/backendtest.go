// Package backendtest is the conformance suite every backend.Backend passes:
// the remote backends (sftp, rclone, s3) run it against their real servers,
// so they all behave like the local folder the engine was written against.
package backendtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"testing"

	"cadang/engine/backend"
)

// Run exercises be, which must be empty, with every scenario of the contract.
func Run(t *testing.T, be backend.Backend) {
	t.Helper()
	ctx := context.Background()
	t.Run("SaveLoadStat", func(t *testing.T) { testSaveLoad(ctx, t, be) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(ctx, t, be) })
	t.Run("List", func(t *testing.T) { testList(ctx, t, be) })
	t.Run("Overwrite", func(t *testing.T) { testOverwrite(ctx, t, be) })
	t.Run("InterruptedSaveInvisible", func(t *testing.T) { testInterrupted(ctx, t, be) })
	t.Run("Remove", func(t *testing.T) { testRemove(ctx, t, be) })
	if be.Location() == "" {
		t.Error("Location() is empty")
	}
}

func testSaveLoad(ctx context.Context, t *testing.T, be backend.Backend) {
	tests := []struct {
		name string
		data []byte
		size int64
	}{
		{"config", []byte("cadang config"), 13},
		{"packs/ab/ab0001", bytes.Repeat([]byte("pack"), 70000), 280000},
		{"empty/file", nil, 0},
		{"snapshots/unknown-size", []byte("size not given"), -1},
	}
	for _, tt := range tests {
		if err := be.Save(ctx, tt.name, bytes.NewReader(tt.data), tt.size); err != nil {
			t.Fatalf("Save(%s): %v", tt.name, err)
		}
		if got := MustLoad(ctx, t, be, tt.name); !bytes.Equal(got, tt.data) {
			t.Errorf("Load(%s) = %d bytes, want %d", tt.name, len(got), len(tt.data))
		}
		fi, err := be.Stat(ctx, tt.name)
		if err != nil {
			t.Fatalf("Stat(%s): %v", tt.name, err)
		}
		if fi.Size != int64(len(tt.data)) || fi.Name != tt.name {
			t.Errorf("Stat(%s) = %+v, want size %d", tt.name, fi, len(tt.data))
		}
	}
	for _, tt := range tests {
		if err := be.Remove(ctx, tt.name); err != nil {
			t.Errorf("Remove(%s): %v", tt.name, err)
		}
	}
}

func testNotFound(ctx context.Context, t *testing.T, be backend.Backend) {
	if rd, err := be.Load(ctx, "missing/file"); !errors.Is(err, backend.ErrNotFound) {
		if rd != nil {
			_ = rd.Close()
		}
		t.Errorf("Load(missing) error = %v, want ErrNotFound", err)
	}
	if _, err := be.Stat(ctx, "missing/file"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("Stat(missing) error = %v, want ErrNotFound", err)
	}
	if err := be.Remove(ctx, "missing/file"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("Remove(missing) error = %v, want ErrNotFound", err)
	}
	n := 0
	if err := be.List(ctx, "nothing-here/", func(backend.FileInfo) error { n++; return nil }); err != nil {
		t.Errorf("List(missing dir): %v", err)
	}
	if n != 0 {
		t.Errorf("List(missing dir) listed %d files, want 0", n)
	}
}

func testList(ctx context.Context, t *testing.T, be backend.Backend) {
	files := map[string]string{
		"config":           "c",
		"keys/k1":          "key",
		"packs/00/00aa":    "p1",
		"packs/01/01bb":    "pack2",
		"packs/01/01cc":    "pack33",
		"snapshots/s1":     "snap",
		"snapshots-x/file": "not a snapshot",
	}
	for name, data := range files {
		MustSave(ctx, t, be, name, data)
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"config", "keys/k1", "packs/00/00aa", "packs/01/01bb", "packs/01/01cc", "snapshots-x/file", "snapshots/s1"}},
		{"packs/", []string{"packs/00/00aa", "packs/01/01bb", "packs/01/01cc"}},
		{"packs/01/", []string{"packs/01/01bb", "packs/01/01cc"}},
		{"packs/01/01c", []string{"packs/01/01cc"}},
		{"snapshots/", []string{"snapshots/s1"}},
	}
	for _, tt := range tests {
		got := ListNames(ctx, t, be, tt.prefix)
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("List(%q) = %v, want %v", tt.prefix, got, tt.want)
		}
	}
	var sizes []int64
	if err := be.List(ctx, "packs/01/", func(fi backend.FileInfo) error { sizes = append(sizes, fi.Size); return nil }); err != nil {
		t.Fatal(err)
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	if len(sizes) != 2 || sizes[0] != 5 || sizes[1] != 6 {
		t.Errorf("List sizes = %v, want [5 6]", sizes)
	}
	stop := errors.New("stop")
	if err := be.List(ctx, "", func(backend.FileInfo) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("List with failing callback = %v, want the callback's error", err)
	}
	for name := range files {
		if err := be.Remove(ctx, name); err != nil {
			t.Errorf("Remove(%s): %v", name, err)
		}
	}
}

func testOverwrite(ctx context.Context, t *testing.T, be backend.Backend) {
	MustSave(ctx, t, be, "index/i1", "first version")
	MustSave(ctx, t, be, "index/i1", "second")
	if got := string(MustLoad(ctx, t, be, "index/i1")); got != "second" {
		t.Errorf("after overwrite Load = %q, want %q", got, "second")
	}
	if err := be.Remove(ctx, "index/i1"); err != nil {
		t.Fatal(err)
	}
}

// failingReader delivers some bytes, then fails, like a source that breaks
// (or a context cancelled) in the middle of an upload.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("source broke")
	}
	if len(p) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = 'x'
	}
	r.n -= len(p)
	return len(p), nil
}

func testInterrupted(ctx context.Context, t *testing.T, be backend.Backend) {
	err := be.Save(ctx, "packs/ff/ffpartial", &failingReader{n: 100000}, 200000)
	if err == nil {
		t.Fatal("Save from a failing reader succeeded")
	}
	if _, err := be.Stat(ctx, "packs/ff/ffpartial"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("after a failed Save, Stat = %v, want ErrNotFound", err)
	}
	if got := ListNames(ctx, t, be, ""); len(got) != 0 {
		t.Errorf("after a failed Save, List = %v, want nothing (temporary files must stay hidden)", got)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := be.Save(cctx, "packs/ff/ffcancel", strings.NewReader("x"), 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Save with a cancelled context = %v, want context.Canceled", err)
	}
}

func testRemove(ctx context.Context, t *testing.T, be backend.Backend) {
	MustSave(ctx, t, be, "locks/l1", "lock")
	if err := be.Remove(ctx, "locks/l1"); err != nil {
		t.Fatal(err)
	}
	if _, err := be.Stat(ctx, "locks/l1"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("after Remove, Stat = %v, want ErrNotFound", err)
	}
}

// MustSave stores data under name or fails the test.
func MustSave(ctx context.Context, t testing.TB, be backend.Backend, name, data string) {
	t.Helper()
	if err := be.Save(ctx, name, strings.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("Save(%s): %v", name, err)
	}
}

// MustLoad reads name completely or fails the test.
func MustLoad(ctx context.Context, t testing.TB, be backend.Backend, name string) []byte {
	t.Helper()
	rd, err := be.Load(ctx, name)
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return data
}

// ListNames returns the sorted names under prefix.
func ListNames(ctx context.Context, t testing.TB, be backend.Backend, prefix string) []string {
	t.Helper()
	var names []string
	if err := be.List(ctx, prefix, func(fi backend.FileInfo) error { names = append(names, fi.Name); return nil }); err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	sort.Strings(names)
	return names
}
