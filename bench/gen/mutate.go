package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// MutateStats say what a mutation changed.
type MutateStats struct {
	Total                      int64 // bytes in the data set before
	Appended, Overwritten, New int64 // bytes
	FilesTouched, FilesNew     int
	FilesDeleted               int
	BytesDeleted               int64
}

// Changed is the bytes a backup has to read anew and may have to store.
func (m MutateStats) Changed() int64 { return m.Appended + m.Overwritten + m.New }

func (m MutateStats) String() string {
	return fmt.Sprintf("mutated %s of %s (%.2f%%): appended %s, overwrote %s in place, %d files touched, "+
		"%d new files (%s), %d deleted (%s)",
		formatBytes(m.Changed()), formatBytes(m.Total), 100*float64(m.Changed())/float64(max(m.Total, 1)),
		formatBytes(m.Appended), formatBytes(m.Overwritten), m.FilesTouched,
		m.FilesNew, formatBytes(m.New), m.FilesDeleted, formatBytes(m.BytesDeleted))
}

// existing is a regular file of the data set.
type existing struct {
	rel  string // slash-separated
	size int64
}

// mutator changes a data set; every choice comes from r.
type mutator struct {
	dir   string
	r     *rand.Rand
	round int
	seed  uint64
	mtime time.Time // next modification time to give a touched file
	st    MutateStats
}

// Mutate changes about 1% of the bytes of the data set in dir: appends to
// logs and exports, rows updated in the database and regions overwritten
// in the middle of big binaries, new files, deleted files. The same seed,
// round and data set always give the same result. Touched files get new
// modification times, so tools that trust mtime see the change.
func Mutate(ctx context.Context, dir string, seed uint64, round int) (MutateStats, error) {
	files, err := listFiles(dir)
	if err != nil {
		return MutateStats{}, err
	}
	if err := checkRoundUnused(files, round); err != nil {
		return MutateStats{}, err
	}
	m := &mutator{
		dir: dir, round: round, seed: seed,
		r:     newRand(seed, fmt.Sprintf("mutate/%d", round)),
		mtime: baseTime.AddDate(1, 0, round),
	}
	for _, f := range files {
		m.st.Total += f.size
	}
	target := m.st.Total / 100
	steps := []func() error{
		func() error { return m.appendTo(pick(files, "logs/", "exports/"), target*3/10) },
		func() error { return m.updateDatabase(pick(files, "db/"), target/10) },
		func() error { return m.overwrite(pickBig(files, "media/", 1<<20), target*2/10) },
		func() error { return m.addFiles(pick(files, "share/"), target*3/10) },
		func() error { return m.remove(pick(files, "share/"), pick(files, "documents/")) },
	}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return m.st, err
		}
		if err := step(); err != nil {
			return m.st, err
		}
	}
	return m.st, nil
}

// checkRoundUnused refuses to apply a round twice: the second time would
// fail halfway on the round's new files.
func checkRoundUnused(files []existing, round int) error {
	marks := []string{fmt.Sprintf("baru_r%d_", round), fmt.Sprintf("_r%d.", round)}
	for _, f := range files {
		base := path.Base(f.rel)
		if strings.HasPrefix(base, marks[0]) || strings.Contains(f.rel, "baru") && strings.Contains(base, marks[1]) {
			return fmt.Errorf("mutation round %d was already applied (%s exists): use -round %d", round, f.rel, round+1)
		}
	}
	return nil
}

// listFiles returns the regular files under dir in lexical order.
func listFiles(dir string) ([]existing, error) {
	var out []existing
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, existing{rel: filepath.ToSlash(rel), size: info.Size()})
		return err
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("%s has no files: generate the data set first", dir)
	}
	return out, err
}

func pick(files []existing, prefixes ...string) []existing {
	var out []existing
	for _, f := range files {
		for _, p := range prefixes {
			if strings.HasPrefix(f.rel, p) && f.size > 0 {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

func pickBig(files []existing, prefix string, minSize int64) []existing {
	var out []existing
	for _, f := range pick(files, prefix) {
		if f.size >= minSize {
			out = append(out, f)
		}
	}
	return out
}

// choose returns up to n distinct files.
func (m *mutator) choose(files []existing, n int) []existing {
	var out []existing
	for _, i := range m.r.Perm(len(files)) {
		if len(out) == n {
			break
		}
		out = append(out, files[i])
	}
	return out
}

// touched gives a changed file its new modification time.
func (m *mutator) touched(rel string) error {
	m.mtime = m.mtime.Add(41 * time.Second)
	m.st.FilesTouched++
	return os.Chtimes(filepath.Join(m.dir, filepath.FromSlash(rel)), m.mtime, m.mtime)
}

// appendTo appends lines to up to five logs and exports.
func (m *mutator) appendTo(files []existing, quota int64) error {
	chosen := m.choose(files, 5)
	for _, f := range chosen {
		each := quota / int64(len(chosen))
		name := filepath.Join(m.dir, filepath.FromSlash(f.rel))
		out, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return fmt.Errorf("append to %s: %w", f.rel, err)
		}
		if strings.HasSuffix(f.rel, ".csv") {
			t := newTextWriter(out, m.r)
			err = errors.Join(appendCSVRows(t, int64(m.round)*10_000_000, each), t.w.Flush())
		} else {
			err = writeLog(out, m.r, each, m.mtime)
		}
		var info os.FileInfo
		if err = errors.Join(err, out.Close()); err == nil {
			info, err = os.Stat(name)
		}
		if err != nil {
			return fmt.Errorf("append to %s: %w", f.rel, err)
		}
		m.st.Appended += info.Size() - f.size
		if err := m.touched(f.rel); err != nil {
			return err
		}
	}
	return nil
}

// updateDatabase rewrites rows on scattered pages of each SQLite file.
func (m *mutator) updateDatabase(files []existing, quota int64) error {
	for _, f := range files {
		if !strings.HasSuffix(f.rel, ".sqlite") {
			continue
		}
		db, err := os.OpenFile(filepath.Join(m.dir, filepath.FromSlash(f.rel)), os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("update %s: %w", f.rel, err)
		}
		n, err := updateSQLite(db, m.r, quota)
		if err = errors.Join(err, db.Close()); err != nil {
			return fmt.Errorf("update %s: %w", f.rel, err)
		}
		m.st.Overwritten += n
		if err := m.touched(f.rel); err != nil {
			return err
		}
	}
	return nil
}

// overwrite writes new random regions of 8–64 KiB in the middle (10–90%)
// of up to four big files, keeping their sizes.
func (m *mutator) overwrite(files []existing, quota int64) error {
	chosen := m.choose(files, 4)
	src := rand.NewChaCha8(keyFor(m.seed, fmt.Sprintf("overwrite/%d", m.round)))
	for _, f := range chosen {
		out, err := os.OpenFile(filepath.Join(m.dir, filepath.FromSlash(f.rel)), os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("overwrite %s: %w", f.rel, err)
		}
		for done := int64(0); done < quota/int64(len(chosen)) && err == nil; {
			buf := make([]byte, 8<<10+m.r.IntN(56<<10))
			off := f.size/10 + m.r.Int64N(f.size*8/10-int64(len(buf)))
			_, _ = src.Read(buf) // ChaCha8.Read never fails
			_, err = out.WriteAt(buf, off)
			done += int64(len(buf))
			m.st.Overwritten += int64(len(buf))
		}
		if err = errors.Join(err, out.Close()); err != nil {
			return fmt.Errorf("overwrite %s: %w", f.rel, err)
		}
		if err := m.touched(f.rel); err != nil {
			return err
		}
	}
	return nil
}

// addFiles adds small files next to existing ones (0.5% of their number),
// then a new export and a new recording for the rest of the quota.
func (m *mutator) addFiles(small []existing, quota int64) error {
	var specs []fileSpec
	for i, f := range m.choose(small, max(len(small)/200, 1)) {
		ext := path.Ext(f.rel)
		k := kindSmallText
		if ext == ".jpg" || ext == ".png" || ext == ".pdf" {
			k = kindSmallBin
		}
		name := fmt.Sprintf("%s/baru_r%d_%04d%s", path.Dir(f.rel), m.round, i, ext)
		specs = append(specs, fileSpec{Path: name, Kind: k, Size: logUniform(m.r, 256, 40<<10)})
	}
	var smallBytes int64
	for _, s := range specs {
		smallBytes += s.Size
	}
	if rest := quota - smallBytes; rest > 128<<10 {
		specs = append(specs,
			fileSpec{Path: fmt.Sprintf("exports/2025/penjualan_baru_r%d.csv", m.round), Kind: kindCSV, Size: rest / 2},
			fileSpec{Path: fmt.Sprintf("media/baru/rekaman_r%d.mp4", m.round), Kind: kindBinary, Size: rest / 2})
	}
	for _, s := range specs {
		m.mtime = m.mtime.Add(43 * time.Second)
		n, err := writeFile(m.dir, s, m.seed^uint64(m.round)<<32, m.mtime)
		if err != nil {
			return fmt.Errorf("add %s: %w", s.Path, err)
		}
		m.st.New += n
		m.st.FilesNew++
	}
	return nil
}

// remove deletes 0.5% of the small files and one document.
func (m *mutator) remove(small, docs []existing) error {
	victims := append(m.choose(small, max(len(small)/200, 1)), m.choose(docs, 1)...)
	for _, f := range victims {
		if err := os.Remove(filepath.Join(m.dir, filepath.FromSlash(f.rel))); err != nil {
			return fmt.Errorf("delete %s: %w", f.rel, err)
		}
		m.st.FilesDeleted++
		m.st.BytesDeleted += f.size
	}
	return nil
}
