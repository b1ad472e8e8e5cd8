package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cadang/engine/backend/local"
)

// writeTree creates files under dir from a map of slash paths to contents;
// a value starting with "->" makes a symlink, a path ending in "/" a folder.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if name[len(name)-1] == '/' {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if len(content) > 2 && content[:2] == "->" {
			if err := os.Symlink(content[2:], p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// randomBytes returns deterministic pseudo-random data.
func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := rng.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n - n%8; i < n; i++ {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// newLocalRepo creates a repository in a temp folder.
func newLocalRepo(t *testing.T, password string) (*Repository, string) {
	t.Helper()
	return newLocalRepoTB(t, password)
}

func newLocalRepoTB(t testing.TB, password string) (*Repository, string) {
	t.Helper()
	return newLocalRepoWith(t, InitOptions{Password: password})
}

// newLocalRepoWith creates a repository with opt in a temp folder.
func newLocalRepoWith(t testing.TB, opt InitOptions) (*Repository, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	be, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Init(context.Background(), be, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r, dir
}

type fileState struct {
	mode    fs.FileMode
	mtime   time.Time
	content string // sha256 for files, target for links
}

// snapshotDir records the state of every entry below dir.
func snapshotDir(t *testing.T, dir string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fileState{mode: fi.Mode()}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			st.content, _ = os.Readlink(p)
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			st.content = hex.EncodeToString(sum[:])
			st.mtime = fi.ModTime()
		case fi.IsDir():
			if rel != "." {
				st.mtime = fi.ModTime()
			}
		}
		out[filepath.ToSlash(rel)] = st
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func compareDirs(t *testing.T, want, got string) {
	t.Helper()
	w, g := snapshotDir(t, want), snapshotDir(t, got)
	for name, ws := range w {
		gs, ok := g[name]
		if !ok {
			t.Errorf("%s: missing after restore", name)
			continue
		}
		if ws.mode != gs.mode || ws.content != gs.content || !ws.mtime.Equal(gs.mtime) {
			t.Errorf("%s: got %+v, want %+v", name, gs, ws)
		}
	}
	for name := range g {
		if _, ok := w[name]; !ok {
			t.Errorf("%s: restored but not in the source", name)
		}
	}
}

// allBytes concatenates every file below dir.
func allBytes(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		buf.Write(data)
		buf.WriteString(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
