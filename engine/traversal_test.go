package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// craft stores hand-made trees as a snapshot, the way a malicious or broken
// writer could, bypassing Backup's checks.
type crafter struct {
	t  *testing.T
	r  *Repository
	pk *packer
}

func (c *crafter) file(name, content string) treeNode {
	id, _, err := c.pk.storeBlob(context.Background(), blobData, []byte(content), new(blobEncoder))
	if err != nil {
		c.t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(content))
	return treeNode{Name: name, Type: NodeFile, Mode: 0o644, ModTime: time.Now(), Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), Content: []ID{id}}
}

func (c *crafter) dir(name string, nodes ...treeNode) treeNode {
	id := c.tree(nodes...)
	return treeNode{Name: name, Type: NodeDir, Mode: uint32(os.ModeDir | 0o755), ModTime: time.Now(), Subtree: &id}
}

// tree stores nodes as-is (no sorting, no validation).
func (c *crafter) tree(nodes ...treeNode) ID {
	data, err := jsonMarshal(&treeJSON{Nodes: nodes})
	if err != nil {
		c.t.Fatal(err)
	}
	id, _, err := c.pk.storeBlob(context.Background(), blobTree, data, new(blobEncoder))
	if err != nil {
		c.t.Fatal(err)
	}
	return id
}

func (c *crafter) snapshot(nodes ...treeNode) Snapshot {
	ctx := context.Background()
	root := c.tree(nodes...)
	if err := c.pk.flush(ctx); err != nil {
		c.t.Fatal(err)
	}
	if _, _, err := c.r.saveIndex(ctx, c.r.idx.Load().takeUnsaved()); err != nil {
		c.t.Fatal(err)
	}
	s := Snapshot{Time: time.Now(), Host: "evil", Paths: []string{"/x"}, Tree: root.String()}
	if _, err := c.r.saveSnapshot(ctx, &s); err != nil {
		c.t.Fatal(err)
	}
	return s
}

// TestRestoreNeverEscapesTarget restores hand-crafted malicious snapshots
// and checks nothing appears outside the target.
func TestRestoreNeverEscapesTarget(t *testing.T) {
	ctx := context.Background()
	r, _ := newLocalRepo(t, "")
	c := &crafter{t: t, r: r, pk: newPacker(r)}
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	if err := os.Mkdir(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	link := treeNode{Name: "esc", Type: NodeSymlink, LinkTarget: outside, Mode: uint32(os.ModeSymlink | 0o777)}
	tests := []struct {
		name    string
		nodes   []treeNode
		prepare func(target string)
		wantErr bool // the whole restore is refused
		failed  bool // some entries reported failed
	}{
		{name: "dotdot dir", nodes: []treeNode{c.dir("..", c.file("evil.txt", "x"))}, wantErr: true},
		{name: "dotdot in name", nodes: []treeNode{c.file("../evil.txt", "x")}, wantErr: true},
		{name: "absolute name", nodes: []treeNode{c.file(outside+"/evil.txt", "x")}, wantErr: true},
		{name: "slash in name", nodes: []treeNode{c.dir("a", c.file("b/../../../evil.txt", "x"))}, wantErr: true},
		{name: "dot name", nodes: []treeNode{c.dir(".", c.file("evil.txt", "x"))}, wantErr: true},
		{name: "symlink and dir of the same name", nodes: []treeNode{link, c.dir("esc", c.file("evil.txt", "x"))}, wantErr: true},
		{name: "symlink then file through it", nodes: []treeNode{link, c.file("esc2", "x")}},
		{
			name:    "existing link in target",
			nodes:   []treeNode{c.dir("esc", c.file("evil.txt", "x"))},
			prepare: func(target string) { _ = os.Symlink(outside, filepath.Join(target, "esc")) },
			failed:  true,
		},
		{
			name:  "existing link replaced with overwrite",
			nodes: []treeNode{c.file("evil.txt", "x")},
			prepare: func(target string) {
				_ = os.Symlink(filepath.Join(outside, "evil.txt"), filepath.Join(target, "evil.txt"))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := c.snapshot(tt.nodes...)
			target := filepath.Join(base, "target-"+strings.ReplaceAll(tt.name, " ", "-"))
			if err := os.MkdirAll(target, 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.prepare != nil {
				tt.prepare(target)
			}
			res, err := r.Restore(ctx, snap, target, RestoreOptions{Overwrite: true})
			if tt.wantErr != (err != nil) {
				t.Fatalf("restore error = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && tt.failed != (len(res.Failed) > 0) {
				t.Errorf("failed = %+v, want failures %v", res.Failed, tt.failed)
			}
			entries, _ := os.ReadDir(outside)
			if len(entries) != 0 {
				t.Fatalf("restore wrote outside the target: %v", entries)
			}
			for _, p := range []string{filepath.Join(base, "evil.txt"), filepath.Join(filepath.Dir(base), "evil.txt")} {
				if _, err := os.Lstat(p); err == nil {
					t.Fatalf("restore wrote %s", p)
				}
			}
		})
	}
}
