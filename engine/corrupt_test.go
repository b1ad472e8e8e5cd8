package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cadang/engine/backend"
	"cadang/engine/backend/mem"
)

// memRepo makes an encrypted (or not) repository in memory with two snapshots.
func memRepo(t *testing.T, password string) (*mem.Backend, string) {
	t.Helper()
	ctx := context.Background()
	be := mem.New()
	r, err := Init(ctx, be, InitOptions{Password: password, PackSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "src")
	writeTree(t, src, map[string]string{"small.txt": "small file", "dir/other.txt": strings.Repeat("other ", 1000)})
	if err := os.WriteFile(filepath.Join(src, "big.bin"), randomBytes(3, 2<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
			t.Fatal(err)
		}
		writeTree(t, src, map[string]string{fmt.Sprintf("new%d.txt", i): "new"})
	}
	return be, src
}

func cloneMem(t *testing.T, be *mem.Backend) *mem.Backend {
	t.Helper()
	c := mem.New()
	err := be.List(context.Background(), "", func(fi backend.FileInfo) error {
		c.Put(fi.Name, append([]byte(nil), be.Bytes(fi.Name)...))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCorruptionDetected flips one byte at several places of every
// repository file; opening or verify --read-data must report it.
func TestCorruptionDetected(t *testing.T) {
	for _, pw := range []string{"", "secret"} {
		t.Run("password="+pw, func(t *testing.T) {
			ctx := context.Background()
			pristine, _ := memRepo(t, pw)
			var names []string
			_ = pristine.List(ctx, "", func(fi backend.FileInfo) error {
				names = append(names, fi.Name)
				return nil
			})
			kinds := map[string]bool{}
			for _, name := range names {
				kinds[strings.SplitN(name, "/", 2)[0]] = true
				size := len(pristine.Bytes(name))
				for _, pos := range []int{0, size / 3, size / 2, size - 40, size - 2, size - 1} {
					if pos < 0 || pos >= size {
						continue
					}
					be := cloneMem(t, pristine)
					data := be.Bytes(name)
					data[pos] ^= 0x5a
					if err := damageFound(ctx, be, pw); err != nil {
						t.Errorf("%s byte %d of %d flipped: %v", name, pos, size, err)
					}
				}
			}
			want := []string{"config", "index", "packs", "snapshots"}
			if pw != "" {
				want = append(want, "keys")
			}
			for _, k := range want {
				if !kinds[k] {
					t.Errorf("no %s file in the test repository", k)
				}
			}
		})
	}
}

// damageFound returns nil when the damage in be is reported by Open or Verify.
func damageFound(ctx context.Context, be backend.Backend, pw string) error {
	r, err := Open(ctx, be, pw)
	if err != nil {
		return nil // refused to open: reported
	}
	v, err := r.Verify(ctx, VerifyOptions{ReadData: true})
	if err != nil {
		return nil // verify failed loudly: reported
	}
	if v.OK() {
		return fmt.Errorf("verify --read-data found no damage")
	}
	return nil
}

// TestDamagedChunkRestore damages one chunk of one file: verify names the
// file and its snapshots, restore fails that file and restores the others.
func TestDamagedChunkRestore(t *testing.T) {
	ctx := context.Background()
	be, src := memRepo(t, "pw")
	r, err := Open(ctx, be, "pw")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := r.FindSnapshot(ctx, "latest")
	if err != nil {
		t.Fatal(err)
	}
	var big Node
	var content []ID
	root, _ := snap.treeID()
	_ = r.walkTree(ctx, root, "/", func(dir string, n *treeNode) error {
		if n.Name == "big.bin" {
			big, content = n.public(dir), n.Content
		}
		return nil
	})
	loc, ok := r.idx.Load().lookup(content[len(content)-1])
	if !ok {
		t.Fatal("chunk of big.bin not indexed")
	}
	data := be.Bytes(packName(loc.Pack))
	data[loc.Offset+loc.Length/2] ^= 1

	v, err := r.Verify(ctx, VerifyOptions{ReadData: true})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range v.Damage {
		for _, f := range d.Files {
			if strings.HasSuffix(f, big.Path) && len(d.Snapshots) == 2 {
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("verify damage %+v does not name %s in both snapshots", v.Damage, big.Path)
	}

	target := t.TempDir()
	rr, err := r.Restore(ctx, snap, target, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rr.Failed) != 1 || rr.Failed[0].Path != big.Path {
		t.Fatalf("failed = %+v, want only %s", rr.Failed, big.Path)
	}
	for _, name := range []string{"small.txt", "dir/other.txt", "new0.txt"} {
		want, _ := os.ReadFile(filepath.Join(src, name))
		got, err := os.ReadFile(filepath.Join(target, "src", name))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s not restored intact: %v", name, err)
		}
	}
}
