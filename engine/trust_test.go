package engine

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zeebo/blake3"

	"cadang/engine/backend/local"
)

// Fixtures written by the engine at commit 069e68c (before key files
// authenticated the config) by testdata/mkfixture/main.go: one
// snapshot of docs/a.txt ("alpha\n") and b.txt.
const (
	legacyEncrypted = "testdata/repo-v1-encrypted" // password "legacy"
	legacyPlain     = "testdata/repo-v1-plain"
	legacyPassword  = "legacy"
)

// copyRepo copies a repository folder into a fresh temp folder.
func copyRepo(t *testing.T, from string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), "repo")
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// editConfig rewrites a repository's config the way an attacker with the
// published format can: change the JSON, recompute its checksum line.
func editConfig(t *testing.T, dir string, edit func(map[string]any)) {
	t.Helper()
	p := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	line, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	sum := blake3.Sum256(line)
	out := append(line, '\n')
	out = append(out, hex.EncodeToString(sum[:])+"\n"...)
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func openDir(t *testing.T, dir, password string) (*Repository, error) {
	t.Helper()
	be, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(context.Background(), be, password)
	if err != nil {
		be.Close()
		return nil, err
	}
	t.Cleanup(func() { r.Close() })
	return r, nil
}

func keyFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names
}

func removeKeys(t *testing.T, dir string) {
	t.Helper()
	for _, k := range keyFiles(t, dir) {
		if err := os.Remove(filepath.Join(dir, "keys", k)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRepositoryTrust: an edited config never makes Cadang treat an
// encrypted repository as a plaintext one, and a password is never ignored.
func TestRepositoryTrust(t *testing.T) {
	newEncrypted := func(t *testing.T) string {
		_, dir := newLocalRepo(t, "secret")
		return dir
	}
	newPlain := func(t *testing.T) string {
		_, dir := newLocalRepo(t, "")
		return dir
	}
	notEncrypted := func(m map[string]any) { m["encrypted"] = false }
	tests := []struct {
		name     string
		repo     func(t *testing.T) string
		tamper   func(t *testing.T, dir string)
		password string
		want     error // nil: opens
	}{
		{"config edited to unencrypted, opened with the password", newEncrypted,
			func(t *testing.T, dir string) { editConfig(t, dir, notEncrypted) }, "secret", ErrTampered},
		{"config edited to unencrypted, opened without a password", newEncrypted,
			func(t *testing.T, dir string) { editConfig(t, dir, notEncrypted) }, "", ErrTampered},
		{"config edited to unencrypted and key files removed", newEncrypted,
			func(t *testing.T, dir string) { editConfig(t, dir, notEncrypted); removeKeys(t, dir) }, "secret", ErrNotEncrypted},
		{"unencrypted repository opened with a password", newPlain, nil, "secret", ErrNotEncrypted},
		{"unencrypted repository opened without a password", newPlain, nil, "", nil},
		{"chunker edited", newEncrypted,
			func(t *testing.T, dir string) {
				editConfig(t, dir, func(m map[string]any) { m["chunker"] = map[string]any{"min": 4096, "avg": 8192, "max": 65536} })
			}, "secret", ErrTampered},
		{"pack size edited", newEncrypted,
			func(t *testing.T, dir string) {
				editConfig(t, dir, func(m map[string]any) { m["pack_size"] = 1 << 21 })
			}, "secret", ErrTampered},
		{"identity edited", newEncrypted,
			func(t *testing.T, dir string) {
				editConfig(t, dir, func(m map[string]any) { m["id"] = strings.Repeat("ab", 32) })
			}, "secret", ErrTampered},
		{"untouched encrypted repository", newEncrypted, nil, "secret", nil},
		{"legacy repository (format 1 of 069e68c)", func(t *testing.T) string { return copyRepo(t, legacyEncrypted) }, nil, legacyPassword, nil},
		{"legacy unencrypted repository", func(t *testing.T) string { return copyRepo(t, legacyPlain) }, nil, "", nil},
		{"legacy repository, config edited to unencrypted", func(t *testing.T) string { return copyRepo(t, legacyEncrypted) },
			func(t *testing.T, dir string) { editConfig(t, dir, notEncrypted) }, legacyPassword, ErrTampered},
		{"legacy unencrypted repository opened with a password", func(t *testing.T) string { return copyRepo(t, legacyPlain) },
			nil, "secret", ErrNotEncrypted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.repo(t)
			if tt.tamper != nil {
				tt.tamper(t, dir)
			}
			r, err := openDir(t, dir, tt.password)
			if !errors.Is(err, tt.want) {
				t.Fatalf("open: got %v, want %v", err, tt.want)
			}
			if tt.want != nil {
				return
			}
			if got, want := r.Encrypted(), tt.password != ""; got != want {
				t.Errorf("Encrypted() = %v, want %v", got, want)
			}
			if len(r.ID()) != 64 {
				t.Errorf("ID() = %q, want 64 hex digits", r.ID())
			}
		})
	}
}

// TestLegacyRepositoryGetsAuthenticatedConfig: a repository written before
// key files authenticated the config restores as before; its first backup
// replaces the key file by one that authenticates the config, after which
// an edit of the config is refused.
func TestLegacyRepositoryGetsAuthenticatedConfig(t *testing.T) {
	ctx := context.Background()
	dir := copyRepo(t, legacyEncrypted)
	oldKeys := keyFiles(t, dir)
	oldKey, err := os.ReadFile(filepath.Join(dir, "keys", oldKeys[0]))
	if err != nil {
		t.Fatal(err)
	}
	r, err := openDir(t, dir, legacyPassword)
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := r.Snapshots(ctx)
	if err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots: %v, %v; want one", snaps, err)
	}
	target := t.TempDir()
	res, err := r.Restore(ctx, snaps[0], target, RestoreOptions{})
	if err != nil || len(res.Failed) > 0 {
		t.Fatalf("restore: %v %+v", err, res)
	}
	got, err := os.ReadFile(filepath.Join(target, "mkfixture-src", "docs", "a.txt"))
	if err != nil || string(got) != "alpha\n" {
		t.Fatalf("restored a.txt = %q, %v; want %q", got, err, "alpha\n")
	}
	if k := keyFiles(t, dir); len(k) != 1 || k[0] != oldKeys[0] {
		t.Fatalf("a restore changed the key files: %v, was %v", k, oldKeys)
	}
	src := t.TempDir()
	writeTree(t, src, map[string]string{"c.txt": "charlie"})
	if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	newKeys := keyFiles(t, dir)
	if len(newKeys) != 1 || newKeys[0] == oldKeys[0] {
		t.Fatalf("after the first backup: key files %v, want one replacing %v", newKeys, oldKeys)
	}
	// The old key file put back next to the new one (a replica keeps both
	// until sync --delete) must not let an edited config through.
	if err := os.WriteFile(filepath.Join(dir, "keys", oldKeys[0]), oldKey, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := openDir(t, dir, legacyPassword); err != nil {
		t.Fatalf("open after the upgrade: %v", err)
	}
	editConfig(t, dir, func(m map[string]any) { m["pack_size"] = 1 << 22 })
	if _, err := openDir(t, dir, legacyPassword); !errors.Is(err, ErrTampered) {
		t.Fatalf("open with an edited config after the upgrade: got %v, want ErrTampered", err)
	}
}

// TestInitAfterInterruptedInit: the key file of an init that stopped before
// writing the config is not kept next to the new repository's key.
func TestInitAfterInterruptedInit(t *testing.T) {
	ctx := context.Background()
	_, dir := newLocalRepo(t, "first")
	if err := os.Remove(filepath.Join(dir, ConfigFile)); err != nil {
		t.Fatal(err)
	}
	be, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Init(ctx, be, InitOptions{Password: "second"})
	if err != nil {
		t.Fatalf("init over an interrupted init: %v", err)
	}
	r.Close()
	if k := keyFiles(t, dir); len(k) != 1 {
		t.Fatalf("key files after re-init: %v, want one", k)
	}
	if _, err := openDir(t, dir, "second"); err != nil {
		t.Fatalf("open: %v", err)
	}

	// A repository with data whose config was lost is not re-initialised.
	dir2 := copyRepo(t, legacyEncrypted)
	if err := os.Remove(filepath.Join(dir2, ConfigFile)); err != nil {
		t.Fatal(err)
	}
	be2, err := local.New(dir2)
	if err != nil {
		t.Fatal(err)
	}
	defer be2.Close()
	if _, err := Init(ctx, be2, InitOptions{Password: "x"}); !errors.Is(err, ErrRepositoryExists) {
		t.Fatalf("init over a repository without config: got %v, want ErrRepositoryExists", err)
	}
}
