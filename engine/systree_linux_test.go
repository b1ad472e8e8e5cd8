package engine

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// systemTrees are real trees of this machine: zoneinfo and terminfo (many
// small files and symlinks), Mesa's DRI drivers (one 25 MB file under 13
// hard-linked names), git's helpers (symlinks). With CADANG_STRESS=1 (make
// stress) or CADANG_SYSTREE=full: all of /usr/share and /usr/lib.
func systemTrees() []string {
	if os.Getenv("CADANG_STRESS") == "1" || os.Getenv("CADANG_SYSTREE") == "full" {
		return []string{"/usr/share", "/usr/lib"}
	}
	return []string{"/usr/share/zoneinfo", "/usr/share/terminfo", "/usr/lib/x86_64-linux-gnu/dri", "/usr/lib/git-core"}
}

// entryState is what an exact copy keeps of an entry.
type entryState struct {
	mode  fs.FileMode
	size  int64 // files and links
	mtime int64 // ns
	link  string
	uid   uint32
	gid   uint32
	names int // a file's names within the backed-up trees (its expected link count)
}

// treeStates records every entry below the roots by slash path from the
// roots' base names, with each file's names counted per inode.
func treeStates(t *testing.T, roots []string, base string) map[string]entryState {
	t.Helper()
	out := map[string]entryState{}
	names := map[[2]uint64][]string{}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(filepath.Dir(root), p)
			if base != "" {
				rel, _ = filepath.Rel(base, p)
			}
			var st syscall.Stat_t
			if err := syscall.Lstat(p, &st); err != nil {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			e := entryState{mode: fi.Mode(), mtime: st.Mtim.Nano(), uid: st.Uid, gid: st.Gid}
			switch {
			case fi.Mode()&fs.ModeSymlink != 0:
				e.link, _ = os.Readlink(p)
				e.size = fi.Size()
			case fi.Mode().IsRegular():
				e.size = fi.Size()
				key := [2]uint64{st.Dev, st.Ino}
				names[key] = append(names[key], rel)
			}
			out[rel] = e
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, group := range names {
		for _, rel := range group {
			e := out[rel]
			e.names = len(group)
			out[rel] = e
		}
	}
	return out
}

// TestSystemTreeRestoredExactly backs up real system folders and restores
// them: names, types, modes, sizes, times, link targets, owners and link
// counts are equal, and diff -r --no-dereference finds no difference.
func TestSystemTreeRestoredExactly(t *testing.T) {
	if testing.Short() {
		t.Skip("reads system folders")
	}
	var roots []string
	for _, r := range systemTrees() {
		if fi, err := os.Stat(r); err == nil && fi.IsDir() {
			roots = append(roots, r)
		}
	}
	if len(roots) == 0 {
		t.Skip("none of the system folders exist here")
	}
	ctx := context.Background()
	r, _ := newLocalRepo(t, "system tree")
	res, err := r.Backup(ctx, roots, BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) > 0 {
		t.Fatalf("backup warnings: %+v", res.Warnings[:min(5, len(res.Warnings))])
	}
	target := t.TempDir()
	rr, err := r.Restore(ctx, res.Snapshot, target, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rr.Failed) > 0 || len(rr.Warnings) > 0 {
		t.Fatalf("restore: %d failed (%+v), warnings %+v", len(rr.Failed), rr.Failed[:min(5, len(rr.Failed))], rr.Warnings)
	}
	want := treeStates(t, roots, "")
	var restored []string
	for _, root := range roots {
		restored = append(restored, filepath.Join(target, filepath.Base(root)))
	}
	got := treeStates(t, restored, target)
	asRoot := os.Geteuid() == 0
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s: missing after restore", name)
			continue
		}
		if !asRoot {
			w.uid, w.gid, g.uid, g.gid = 0, 0, 0, 0
			w.mode &^= fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
		}
		if g != w {
			t.Errorf("%s: restored %+v, source %+v", name, g, w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: restored but not in the source", name)
		}
	}
	t.Logf("%d entries of %v restored equal (%d files, %d hard links)", len(want), roots, rr.Files, rr.HardLinks)
	for i, root := range roots {
		out, err := exec.Command("diff", "-r", "--no-dereference", root, restored[i]).CombinedOutput()
		if err != nil {
			t.Errorf("diff -r --no-dereference %s %s: %v\n%.2000s", root, restored[i], err, out)
		}
	}
}
