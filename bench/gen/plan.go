package main

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"path"
	"time"
)

// kind is what a generated file contains; it decides compressibility.
type kind int

const (
	kindCSV       kind = iota // database exports: compressible, appended to
	kindLog                   // application logs: very compressible, appended to
	kindDoc                   // reports and JSON exports, medium size
	kindSQLite                // a SQLite database with real page structure
	kindBinary                // media, archives, installers: incompressible
	kindCopy                  // an exact copy of an earlier binary (dedup)
	kindSmallText             // the many small office files
	kindSmallBin              // small already-compressed files (images, zips)
	kindEmpty                 // zero-length files
)

// fileSpec is one file of the data set.
type fileSpec struct {
	Path string // slash-separated, relative to the output directory
	Kind kind
	Size int64  // target size; text kinds may overshoot by one line
	Src  string // kindCopy: the file copied
}

// plan is the whole data set: files in creation order, plus the empty
// directories and symlinks a file server has.
type plan struct {
	Files     []fileSpec
	EmptyDirs []string
	Symlinks  [][2]string // path, target
}

// fullScale is the size at which the data set has its nominal shape
// (~20,000 small files); other sizes scale counts and file sizes.
const fullScale = 2 << 30

// baseTime is the modification time of the first file; later files are a
// little newer, so times are realistic and identical on every run.
var baseTime = time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)

var departments = []string{
	"finance", "hr", "sales", "engineering", "legal", "marketing",
	"operations", "it", "procurement", "warehouse", "quality", "direksi",
}

// keyFor derives a 32-byte key for one named random stream.
func keyFor(seed uint64, name string) [32]byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h := sha256.New()
	h.Write(b[:])
	h.Write([]byte(name))
	var k [32]byte
	copy(k[:], h.Sum(nil))
	return k
}

// newRand is a deterministic generator for one named purpose, so each
// file's content depends only on the seed and its name.
func newRand(seed uint64, name string) *rand.Rand {
	return rand.New(rand.NewChaCha8(keyFor(seed, name)))
}

// logUniform draws from [lo, hi) with a log-uniform distribution: many
// small values, a few big ones, as file sizes are.
func logUniform(r *rand.Rand, lo, hi float64) int64 {
	return int64(math.Exp(math.Log(lo) + r.Float64()*(math.Log(hi)-math.Log(lo))))
}

// makePlan lays out a data set of about size bytes.
func makePlan(size int64, seed uint64) plan {
	r := newRand(seed, "plan")
	scale := float64(size) / fullScale
	var p plan
	budget := func(frac float64) int64 { return int64(frac * float64(size)) }

	p.addSmall(r, scale)
	p.addSized(r, budget(0.27), 8<<20*scale, 64<<20*scale, func(i int) (string, kind) {
		return fmt.Sprintf("exports/%d/penjualan_%d_%02d.csv", 2021+i%5, 2021+i%5, i+1), kindCSV
	})
	p.addSized(r, budget(0.10), 4<<20*scale, 40<<20*scale, func(i int) (string, kind) {
		return fmt.Sprintf("logs/srv%02d/app-%d.log", i%4+1, i), kindLog
	})
	p.addSized(r, budget(0.05), 64<<10, 4<<20, func(i int) (string, kind) {
		dept := departments[i%len(departments)]
		if i%3 == 0 {
			return fmt.Sprintf("documents/%s/export_%04d.json", dept, i), kindDoc
		}
		return fmt.Sprintf("documents/%s/laporan_%04d.txt", dept, i), kindDoc
	})
	p.Files = append(p.Files, fileSpec{Path: "db/inventory.sqlite", Kind: kindSQLite, Size: budget(0.10)})
	p.addBinaries(r, budget(0.38), scale)
	p.addCopies(r, budget(0.02))
	p.addOddities()
	return p
}

// addSmall adds the many small files under share/DEPT/PROJECT/YEAR/MONTH.
func (p *plan) addSmall(r *rand.Rand, scale float64) {
	n := max(int(math.Round(20000*scale)), 50)
	exts := []string{"docx", "xlsx", "txt", "csv", "md", "pdf", "jpg", "png"}
	for i := range n {
		dept := departments[r.IntN(len(departments))]
		dir := fmt.Sprintf("share/%s/proyek-%02d/%d/%02d", dept, r.IntN(6)+1, 2022+r.IntN(4), r.IntN(12)+1)
		ext := exts[r.IntN(len(exts))]
		k := kindSmallText
		if ext == "pdf" || ext == "jpg" || ext == "png" || (ext == "docx" || ext == "xlsx") && r.IntN(2) == 0 {
			k = kindSmallBin // office files are zip archives: mostly incompressible
		}
		name := fmt.Sprintf("%s/dok_%05d.%s", dir, i, ext)
		p.Files = append(p.Files, fileSpec{Path: name, Kind: k, Size: logUniform(r, 256, 40<<10)})
	}
}

// addMany adds n small files of 1–8 KiB under many/DEPT/aNN/bNN/cNN/dNN:
// the 300,000-file scale case of make bench (BENCH_SCALE), about a fifth
// of them already-compressed formats. A separate random stream keeps the
// rest of the data set the same with or without them.
func (p *plan) addMany(r *rand.Rand, n int) {
	exts := []string{"txt", "csv", "xml", "json", "md", "jpg", "pdf"}
	for i := range n {
		dir := fmt.Sprintf("many/%s/a%02d/b%02d/c%02d/d%02d", departments[r.IntN(len(departments))],
			r.IntN(8), r.IntN(8), r.IntN(8), r.IntN(8))
		ext := exts[r.IntN(len(exts))]
		k := kindSmallText
		if ext == "jpg" || ext == "pdf" {
			k = kindSmallBin
		}
		p.Files = append(p.Files, fileSpec{Path: fmt.Sprintf("%s/item_%06d.%s", dir, i, ext), Kind: k, Size: logUniform(r, 1<<10, 8<<10)})
	}
}

// addSized adds files of sizes in [lo, hi) until budget is used.
func (p *plan) addSized(r *rand.Rand, budget int64, lo, hi float64, name func(i int) (string, kind)) {
	lo = max(lo, 64<<10)
	hi = max(hi, lo*2)
	for i := 0; budget > 0; i++ {
		sz := min(logUniform(r, lo, hi), budget)
		if budget-sz < int64(lo) { // no runt file at the end
			sz = budget
		}
		budget -= sz
		n, k := name(i)
		p.Files = append(p.Files, fileSpec{Path: n, Kind: k, Size: sz})
	}
}

// addBinaries adds one disk image of a quarter of the budget and media
// and archive files for the rest.
func (p *plan) addBinaries(r *rand.Rand, budget int64, scale float64) {
	iso := budget / 4
	p.Files = append(p.Files, fileSpec{Path: "media/installer/erp-setup-2025.iso", Kind: kindBinary, Size: iso})
	exts := []string{"mp4", "zip", "jpg", "7z", "mov"}
	p.addSized(r, budget-iso, 1<<20*scale, 96<<20*scale, func(i int) (string, kind) {
		ext := exts[i%len(exts)]
		return fmt.Sprintf("media/%s/berkas_%03d.%s", ext, i, ext), kindBinary
	})
}

// addCopies copies some binaries elsewhere, as people do, until budget is used.
func (p *plan) addCopies(r *rand.Rand, budget int64) {
	var bins []fileSpec
	for _, f := range p.Files {
		if f.Kind == kindBinary && f.Size <= budget && f.Size >= 64<<10 {
			bins = append(bins, f)
		}
	}
	for i := 0; len(bins) > 0; i++ {
		j := r.IntN(len(bins))
		src := bins[j]
		if src.Size > budget {
			break
		}
		budget -= src.Size
		bins = append(bins[:j], bins[j+1:]...)
		p.Files = append(p.Files, fileSpec{
			Path: fmt.Sprintf("archive/salinan-%02d/%s", i, path.Base(src.Path)),
			Kind: kindCopy, Size: src.Size, Src: src.Path,
		})
	}
}

// addOddities adds what real trees have and tools must keep: empty files,
// empty folders, symlinks, non-ASCII names.
func (p *plan) addOddities() {
	p.Files = append(p.Files,
		fileSpec{Path: "share/it/kosong.txt", Kind: kindEmpty},
		fileSpec{Path: "share/hr/.gitkeep", Kind: kindEmpty},
		fileSpec{Path: "documents/legal/perjanjian kerja sama – revisi ü.txt", Kind: kindDoc, Size: 48 << 10},
		fileSpec{Path: "documents/marketing/资料.txt", Kind: kindDoc, Size: 24 << 10},
	)
	p.EmptyDirs = []string{"share/it/arsip-kosong", "share/sales/proyek-baru/draft"}
	p.Symlinks = [][2]string{
		{"share/laporan-terbaru", "../documents/finance"},
		{"db/current.sqlite", "inventory.sqlite"},
	}
}
