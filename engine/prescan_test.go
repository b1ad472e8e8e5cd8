package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A backup that takes a prescan's listings stores the same snapshot as one
// that lists everything itself, whatever part of the tree the prescan got
// to, and leaves none of the prescan's listings behind.
func TestPrescanGivesTheSameSnapshot(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "src")
	files := map[string]string{
		"top.txt": "top", "link": "->top.txt", "empty/": "",
		"cache/big.bin": "skipped", "skip.tmp": "skipped", "deep/a/b/c/d.txt": "d",
	}
	for i := range 30 {
		files[fmt.Sprintf("many/%02d/f%d.txt", i%7, i)] = strings.Repeat("x", i)
	}
	writeTree(t, src, files)
	excludes := []string{"cache", "*.tmp"}
	tests := []struct {
		name  string
		paths []string // what the prescan is given
		limit int
		stop  bool // stopped before the backup, with what it had
	}{
		{name: "whole tree", paths: []string{src}, limit: prescanMaxEntries},
		{name: "entry limit reached part-way", paths: []string{src}, limit: 12},
		{name: "stopped early", paths: []string{src}, limit: prescanMaxEntries, stop: true},
		{name: "other paths than the backup's", paths: []string{filepath.Join(src, "many"), "no-such-folder"}, limit: prescanMaxEntries},
		{name: "a file, not a folder", paths: []string{filepath.Join(src, "top.txt")}, limit: prescanMaxEntries},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newLocalRepo(t, "")
			plain, err := r.Backup(ctx, []string{src}, BackupOptions{Excludes: excludes})
			if err != nil {
				t.Fatal(err)
			}
			pre := startPrescan(ctx, tt.paths, excludes, tt.limit)
			if tt.stop {
				pre.Stop()
			} else {
				<-pre.done // all it will find, before the backup begins
			}
			scanned := pre.entries
			got, err := r.Backup(ctx, []string{src}, BackupOptions{Excludes: excludes, Prescan: pre})
			if err != nil {
				t.Fatal(err)
			}
			if got.Snapshot.Tree != plain.Snapshot.Tree {
				t.Errorf("tree with the prescan %s, without %s:\n%s\n%s", got.Snapshot.Tree, plain.Snapshot.Tree,
					listSnapshot(t, r, got.Snapshot), listSnapshot(t, r, plain.Snapshot))
			}
			if left := len(pre.dirs); left != 0 {
				t.Errorf("%d prescanned folders were not taken by the walk", left)
			}
			if tt.name == "whole tree" && scanned < len(files) {
				t.Errorf("the prescan found %d entries, want at least %d", scanned, len(files))
			}
			if tt.limit < prescanMaxEntries && (scanned < tt.limit || scanned > 2*tt.limit) {
				t.Errorf("the prescan stopped at %d entries, its limit is %d", scanned, tt.limit)
			}
		})
	}
}

func listSnapshot(t *testing.T, r *Repository, s Snapshot) string {
	t.Helper()
	var b strings.Builder
	err := r.Walk(context.Background(), s, func(n Node) error {
		fmt.Fprintf(&b, "%s %s %d %v\n", n.Path, n.Type, n.Size, n.ModTime)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A folder the prescan listed and that changed before the walk got to it
// is stored as the prescan saw it, and the next backup sees the change.
func TestPrescannedFolderChangedBeforeTheWalk(t *testing.T) {
	ctx := context.Background()
	r, _ := newLocalRepo(t, "")
	src := filepath.Join(t.TempDir(), "src")
	writeTree(t, src, map[string]string{"a.txt": "a"})
	pre := startPrescan(ctx, []string{src}, nil, prescanMaxEntries)
	<-pre.done
	if err := os.WriteFile(filepath.Join(src, "b.txt"), []byte("b"), 0o644); err != nil {
		t.Fatal(err)
	}
	first, err := r.Backup(ctx, []string{src}, BackupOptions{Prescan: pre})
	if err != nil {
		t.Fatal(err)
	}
	second, err := r.Backup(ctx, []string{src}, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		snap Snapshot
		want string
	}{{first.Snapshot, "/src /src/a.txt"}, {second.Snapshot, "/src /src/a.txt /src/b.txt"}} {
		var got []string
		_ = r.Walk(ctx, c.snap, func(n Node) error { got = append(got, n.Path); return nil })
		if strings.Join(got, " ") != c.want {
			t.Errorf("snapshot %s = %v, want %s", c.snap.ShortID(), got, c.want)
		}
	}
}
