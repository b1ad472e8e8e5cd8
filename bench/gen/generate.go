package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Stats summarise a generated data set.
type Stats struct {
	Files, Dirs, Symlinks int
	Bytes                 int64
	ByKind                map[string]int64
	Duration              time.Duration
}

func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "generated %d files, %d dirs, %d symlinks, %s in %s (",
		s.Files, s.Dirs, s.Symlinks, formatBytes(s.Bytes), s.Duration.Round(time.Millisecond))
	for i, k := range kindNames {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %s", k, formatBytes(s.ByKind[k]))
	}
	b.WriteString(")")
	return b.String()
}

var kindNames = [...]string{"csv", "log", "doc", "sqlite", "binary", "copy", "small-text", "small-bin", "empty"}

func (k kind) String() string { return kindNames[k] }

// fileTime is the modification time of the i-th planned file.
func fileTime(i int) time.Time { return baseTime.Add(time.Duration(i) * 37 * time.Second) }

// Generate writes the data set of about size bytes for seed into dir,
// which must not exist or be empty; many > 0 adds that many small files in
// a deep tree (the scale case of make bench).
func Generate(ctx context.Context, dir string, size int64, seed uint64, many int) (Stats, error) {
	start := time.Now()
	if err := ensureEmptyDir(dir); err != nil {
		return Stats{}, err
	}
	p := makePlan(size, seed)
	p.addMany(newRand(seed, "many"), many)
	st := Stats{ByKind: map[string]int64{}}
	for i, f := range p.Files {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		n, err := writeFile(dir, f, seed, fileTime(i))
		if err != nil {
			return st, fmt.Errorf("write %s: %w", f.Path, err)
		}
		st.Files++
		st.Bytes += n
		st.ByKind[f.Kind.String()] += n
	}
	for _, d := range p.EmptyDirs {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
			return st, err
		}
	}
	for _, l := range p.Symlinks {
		if err := os.Symlink(l[1], filepath.Join(dir, filepath.FromSlash(l[0]))); err != nil {
			return st, fmt.Errorf("symlink %s: %w", l[0], err)
		}
		st.Symlinks++
	}
	dirs, err := setDirTimes(dir)
	st.Dirs = dirs
	st.Duration = time.Since(start)
	return st, err
}

func ensureEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return os.MkdirAll(dir, 0o755)
	case err != nil:
		return fmt.Errorf("read %s: %w", dir, err)
	case len(entries) > 0:
		return fmt.Errorf("%s is not empty: remove it or pick another -out", dir)
	}
	return nil
}

// writeFile creates one planned file with its content and time.
func writeFile(dir string, f fileSpec, seed uint64, mtime time.Time) (int64, error) {
	name := filepath.Join(dir, filepath.FromSlash(f.Path))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return 0, err
	}
	out, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	werr := writeContent(out, dir, f, seed)
	if err := errors.Join(werr, out.Close()); err != nil {
		return 0, err
	}
	if err := os.Chtimes(name, mtime, mtime); err != nil {
		return 0, err
	}
	info, err := os.Stat(name)
	if err != nil {
		return 0, err
	}
	return info.Size(), nil
}

// writeContent fills out according to the file's kind; every kind's bytes
// come from a generator keyed by the seed and the file's path.
func writeContent(out *os.File, dir string, f fileSpec, seed uint64) error {
	r := newRand(seed, f.Path)
	switch f.Kind {
	case kindCSV:
		return writeCSV(out, r, f.Size)
	case kindLog:
		return writeLog(out, r, f.Size, baseTime.AddDate(0, -6, 0))
	case kindDoc:
		return writeProse(out, r, f.Size, strings.HasSuffix(f.Path, ".json"))
	case kindSmallText:
		return writeProse(out, r, f.Size, strings.HasSuffix(f.Path, ".csv"))
	case kindSQLite:
		return writeSQLite(out, r, f.Size)
	case kindBinary, kindSmallBin:
		return writeRandom(out, rand.NewChaCha8(keyFor(seed, f.Path)), f.Size)
	case kindCopy:
		src, err := os.Open(filepath.Join(dir, filepath.FromSlash(f.Src)))
		if err != nil {
			return err
		}
		_, err = io.Copy(out, src)
		return errors.Join(err, src.Close())
	case kindEmpty:
		return nil
	}
	return fmt.Errorf("unknown kind %d", f.Kind)
}

// setDirTimes gives every directory the base time, so the tree's metadata
// is the same on every run, and returns how many directories there are.
func setDirTimes(root string) (int, error) {
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		n++
		return os.Chtimes(p, baseTime, baseTime)
	})
	return n, err
}
