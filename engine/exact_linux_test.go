package engine

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func lstatT(t *testing.T, p string) *syscall.Stat_t {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	return &st
}

// backupAndRestore backs src up (twice: the second backup reuses every
// unchanged file's node, which must keep what the first one recorded) and
// restores the last snapshot, or the included paths of it, into a new folder.
func backupAndRestore(t *testing.T, src string, opt RestoreOptions) (string, *RestoreResult) {
	t.Helper()
	ctx := context.Background()
	r, _ := newLocalRepo(t, "")
	var snap Snapshot
	for i := 0; i < 2; i++ {
		res, err := r.Backup(ctx, []string{src}, BackupOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Warnings) > 0 {
			t.Fatalf("backup warnings: %+v", res.Warnings)
		}
		snap = res.Snapshot
	}
	target := t.TempDir()
	res, err := r.Restore(ctx, snap, target, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failed) > 0 {
		t.Fatalf("restore failed: %+v", res.Failed)
	}
	return filepath.Join(target, filepath.Base(src)), res
}

// TestHardLinksRestored: names of one file come back as hard links of one
// file, in a full restore and in a partial one that includes only some of
// the names (those are linked among themselves).
func TestHardLinksRestored(t *testing.T) {
	src := filepath.Join(t.TempDir(), "share")
	writeTree(t, src, map[string]string{"a/x": "shared content", "d/w": "another file", "d/solo": "one name"})
	for _, l := range [][2]string{{"a/x", "b/y"}, {"a/x", "c/z"}, {"d/w", "d/w2"}} {
		if err := os.MkdirAll(filepath.Join(src, filepath.Dir(l[1])), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(filepath.Join(src, l[0]), filepath.Join(src, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		include []string
		groups  [][]string // names that must be one inode, with that many links
		absent  []string
		links   int64 // names restored as links
	}{
		{"full restore", nil, [][]string{{"a/x", "b/y", "c/z"}, {"d/w", "d/w2"}, {"d/solo"}}, nil, 3},
		{"two of three names", []string{"/share/b", "/share/c"}, [][]string{{"b/y", "c/z"}}, []string{"a/x", "d/w"}, 1},
		{"one name", []string{"/share/c/z"}, [][]string{{"c/z"}}, []string{"a/x", "b/y"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, res := backupAndRestore(t, src, RestoreOptions{Include: tt.include})
			if res.HardLinks != tt.links {
				t.Errorf("HardLinks = %d, want %d", res.HardLinks, tt.links)
			}
			for _, g := range tt.groups {
				first := lstatT(t, filepath.Join(got, g[0]))
				for _, name := range g {
					st := lstatT(t, filepath.Join(got, name))
					if st.Ino != first.Ino || int(st.Nlink) != len(g) {
						t.Errorf("%s: inode %d with %d links, want inode %d (as %s) with %d", name, st.Ino, st.Nlink, first.Ino, g[0], len(g))
					}
					want, _ := os.ReadFile(filepath.Join(src, name))
					if data, err := os.ReadFile(filepath.Join(got, name)); err != nil || string(data) != string(want) {
						t.Errorf("%s = %q, %v; want %q", name, data, err, want)
					}
				}
			}
			for _, name := range tt.absent {
				if _, err := os.Lstat(filepath.Join(got, name)); err == nil {
					t.Errorf("%s restored, but not included", name)
				}
			}
		})
	}
}

// allocated is the bytes a file occupies on disk (what du reports).
func allocated(t *testing.T, p string) int64 { return lstatT(t, p).Blocks * 512 }

// TestSparseFilesStaySparse: a file with holes (a VM disk image, a database
// file) is restored without filling them: it allocates no more blocks than
// its source, even where data and holes share a chunk.
func TestSparseFilesStaySparse(t *testing.T) {
	tests := []struct {
		name   string
		size   int64
		writes map[int64]int // offset: bytes of random data
	}{
		{"small data in a big hole", 64 << 20, map[int64]int{0: 4096, 10 << 20: 100 << 10, 64<<20 - 4096: 4096}},
		{"data between holes inside one chunk", 8 << 20, map[int64]int{1 << 20: 8192, 1<<20 + 64<<10: 4096}},
		{"all hole", 32 << 20, nil},
		{"unaligned data", 16 << 20, map[int64]int{12345: 777, 5<<20 + 3: 10000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := filepath.Join(t.TempDir(), "images")
			if err := os.MkdirAll(src, 0o755); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(src, "disk.img")
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(tt.size); err != nil {
				t.Fatal(err)
			}
			for off, n := range tt.writes {
				if _, err := f.WriteAt(randomBytes(uint64(off), n), off); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			got, _ := backupAndRestore(t, src, RestoreOptions{})
			compareDirs(t, src, got)
			if a, b := allocated(t, filepath.Join(got, "disk.img")), allocated(t, p); a > b {
				t.Errorf("restored file allocates %d bytes, its source %d (apparent size %d)", a, b, tt.size)
			}
		})
	}
}

// TestSpecialFilesRestored: FIFOs and device nodes come back with their
// type, device number, mode and owner when the restore runs as root; run
// as anyone else, a device node is skipped with a warning (a FIFO needs no
// privilege and is restored).
func TestSpecialFilesRestored(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("creating a device node to back up needs root")
	}
	src := filepath.Join(t.TempDir(), "dev")
	writeTree(t, src, map[string]string{"readme": "specials"})
	if err := unix.Mkfifo(filepath.Join(src, "pipe"), 0o620); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(filepath.Join(src, "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(filepath.Join(src, "loop9"), unix.S_IFBLK|0o640, int(unix.Mkdev(7, 9))); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(filepath.Join(src, "loop9"), 0, 6); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(src, "pipe"), 0o620); err != nil { // past the umask
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		asRoot  bool
		present []string
		skipped []string
	}{
		{"as root", true, []string{"pipe", "null", "loop9"}, nil},
		{"as another user", false, []string{"pipe"}, []string{"null", "loop9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func(old func() bool) { restoreOwners = old }(restoreOwners)
			restoreOwners = func() bool { return tt.asRoot }
			got, res := backupAndRestore(t, src, RestoreOptions{})
			for _, name := range tt.present {
				want, have := lstatT(t, filepath.Join(src, name)), lstatT(t, filepath.Join(got, name))
				if tt.asRoot && (have.Mode != want.Mode || have.Rdev != want.Rdev || have.Uid != want.Uid || have.Gid != want.Gid) {
					t.Errorf("%s: mode %o rdev %d owner %d:%d, want %o %d %d:%d", name, have.Mode, have.Rdev, have.Uid, have.Gid, want.Mode, want.Rdev, want.Uid, want.Gid)
				}
				if have.Mode&unix.S_IFMT != want.Mode&unix.S_IFMT || have.Mtim != want.Mtim {
					t.Errorf("%s: type %o mtime %v, want %o %v", name, have.Mode&unix.S_IFMT, have.Mtim, want.Mode&unix.S_IFMT, want.Mtim)
				}
			}
			warned := map[string]bool{}
			for _, w := range res.Warnings {
				warned[filepath.Base(w.Path)] = true
			}
			for _, name := range tt.skipped {
				if _, err := os.Lstat(filepath.Join(got, name)); err == nil || !warned[name] {
					t.Errorf("%s: restored or not warned about (warnings %+v)", name, res.Warnings)
				}
			}
			if len(res.Warnings) != len(tt.skipped) {
				t.Errorf("warnings = %+v, want %d", res.Warnings, len(tt.skipped))
			}
		})
	}
}
