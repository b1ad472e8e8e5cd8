// Package demodata makes realistic sample data cheaply, for Cadang's
// examples (make examples) and the window's screenshots: the finance
// department's share of a fictional Indonesian company, with the names,
// folders and sizes such a share has, and the people who work the
// procedure.
//
// Honest sizes: every file has the size it reports, and its bytes are on
// disk, except the one kind of file that is sparse in life too: a virtual
// disk image, preallocated and mostly empty. That one is a sparse file, so a
// 2 GB share costs about 90 MB of disk and a few seconds to write. Contents
// come from a seeded generator: the same Options give the same bytes, names
// and modification times.
package demodata

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// WIB is Western Indonesian Time, fixed so output does not depend on the
// machine's zone database.
var WIB = time.FixedZone("WIB", 7*3600)

// Person is one of the people who work the procedure.
type Person struct {
	Login, FullName, Role, Department string
}

// People of PT Sefas Keliantama (SOP-IT-002's company): an administrator,
// two IT managers, two IT staff, the account the scheduler runs as, and two
// people of the finance department.
var People = []Person{
	{"admin", "Administrator Sistem", "admin", "IT"},
	{"gideon", "Gideon B. Sirapanji", "manager", "IT"},
	{"hendra", "Hendra Wijaya", "manager", "IT"},
	{"rizky", "Rizky Pratama", "staff", "IT"},
	{"dimas", "Dimas Anggara", "staff", "IT"},
	{"penjadwal", "Penjadwal Cadang (akun layanan)", "staff", "IT"},
	{"siti", "Siti Rahmawati", "user", "Keuangan"},
	{"bambang", "Bambang Hartono", "user", "Keuangan"},
}

// Options shape a department share; the zero value is the finance share.
type Options struct {
	Seed uint64
	// ImageSize is the size of the sparse virtual disk image; default
	// 1.9 GiB, which makes the share about 2 GB.
	ImageSize int64
	// Small leaves out the image and most documents (tests of the
	// procedure, not of size).
	Small bool
}

// File is one file of a share, relative to its root.
type File struct {
	Path   string
	Size   int64
	Sparse bool
}

var months = []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}

// plan lists the share's files: monthly reports, tax invoices, bank
// statements, petty-cash scans, budgets and an old server's disk image.
func plan(opt Options, rng *rand.Rand) []File {
	var fs []File
	add := func(path string, lo, hi int64) {
		fs = append(fs, File{Path: path, Size: lo + rng.Int64N(hi-lo+1)})
	}
	for m := 0; m < 10; m++ { // January–October are closed
		add(fmt.Sprintf("Laporan Bulanan/2026/Laporan Keuangan %s 2026.xlsx", months[m]), 180<<10, 420<<10)
		add(fmt.Sprintf("Laporan Bulanan/2026/Neraca Saldo %s 2026.pdf", months[m]), 90<<10, 260<<10)
	}
	if opt.Small {
		return fs
	}
	for m := 0; m < 10; m++ {
		add(fmt.Sprintf("Rekonsiliasi Bank/BCA/Rekening Koran BCA %s 2026.pdf", months[m]), 120<<10, 480<<10)
		add(fmt.Sprintf("Rekonsiliasi Bank/Mandiri/Rekening Koran Mandiri %s 2026.pdf", months[m]), 110<<10, 400<<10)
		add(fmt.Sprintf("Rekonsiliasi Bank/Rekonsiliasi %s 2026.xlsx", months[m]), 60<<10, 150<<10)
	}
	for i := 1; i <= 60; i++ {
		add(fmt.Sprintf("Faktur Pajak/Masukan/2026-%02d/FP 010.026-26.%08d.pdf", 1+(i-1)/6, 41200311+i*7), 55<<10, 140<<10)
	}
	for i := 1; i <= 45; i++ {
		add(fmt.Sprintf("Faktur Pajak/Keluaran/2026-%02d/FP 010.000-26.%08d.pdf", 1+(i-1)/5, 52900140+i*3), 50<<10, 120<<10)
	}
	for w := 1; w <= 40; w++ {
		add(fmt.Sprintf("Kas Kecil/2026/Bukti Kas Kecil Minggu %02d.jpg", w), 300<<10, 900<<10)
	}
	for _, n := range []string{"RKAP 2027 draf v3.xlsx", "RKAP 2027 draf v4 (revisi direksi).xlsx", "Realisasi Anggaran Q1 2026.xlsx",
		"Realisasi Anggaran Q2 2026.xlsx", "Realisasi Anggaran Q3 2026.xlsx", "Memo Penghematan Biaya Operasional.docx"} {
		add("Anggaran/"+n, 80<<10, 650<<10)
	}
	for _, n := range []string{"Daftar Aset Tetap 2026.xlsx", "Penyusutan Aset Tetap 2026.xlsx", "Berita Acara Stok Opname Gudang Cikarang.pdf"} {
		add("Aset/"+n, 70<<10, 500<<10)
	}
	size := opt.ImageSize
	if size == 0 {
		size = 1900 << 20
	}
	fs = append(fs, File{Path: "Arsip/Server Lama/arsip-keuangan-2019.vhdx", Size: size, Sparse: true})
	return fs
}

// Department writes the share under root (which must not exist yet) and
// returns its files. Modification times fall in October 2026.
func Department(root string, opt Options) ([]File, error) {
	if _, err := os.Stat(root); err == nil {
		return nil, fmt.Errorf("demo share %s: already exists", root)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5efa5))
	files := plan(opt, rng)
	base := time.Date(2026, time.October, 1, 8, 0, 0, 0, WIB)
	for i, f := range files {
		mtime := base.Add(time.Duration(i*97) * time.Minute)
		if err := writeFile(filepath.Join(root, filepath.FromSlash(f.Path)), f, rng, mtime); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// writeFile writes f: random bytes (office files are compressed, so they
// do not shrink), or, for a sparse image, a few extents of data at its
// start and end with holes between, the way a dynamic virtual disk is laid
// out.
func writeFile(path string, f File, rng *rand.Rand, mtime time.Time) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if f.Sparse {
		err = writeSparse(out, f.Size, rng)
	} else {
		_, err = out.Write(randomBytes(rng, f.Size))
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Chtimes(path, mtime, mtime)
}

func writeSparse(out *os.File, size int64, rng *rand.Rand) error {
	if err := out.Truncate(size); err != nil {
		return err
	}
	const extent = 1 << 20
	for _, off := range []int64{0, size / 3, size - extent} {
		if _, err := out.WriteAt(randomBytes(rng, extent), off); err != nil {
			return err
		}
	}
	return nil
}

func randomBytes(rng *rand.Rand, n int64) []byte {
	b := make([]byte, n)
	for i := 0; i+8 <= len(b); i += 8 {
		v := rng.Uint64()
		for k := 0; k < 8; k++ {
			b[i+k] = byte(v >> (8 * k))
		}
	}
	return b
}

// Month is a change a month brings to the share: the month's report
// appears, and a tax invoice arrives. Day says which change (1, 2, …); the
// same day gives the same bytes.
func Month(root string, day int, seed uint64) ([]File, error) {
	rng := rand.New(rand.NewPCG(seed, uint64(day)))
	at := time.Date(2026, time.November, day, 17, 30, 0, 0, WIB)
	files := []File{
		{Path: "Laporan Bulanan/2026/Laporan Keuangan November 2026 (draf).xlsx", Size: 200<<10 + rng.Int64N(200<<10)},
		{Path: fmt.Sprintf("Faktur Pajak/Masukan/2026-11/FP 010.026-26.%08d.pdf", 41209900+day), Size: 60<<10 + rng.Int64N(80<<10)},
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, randomBytes(rng, f.Size), 0o644); err != nil {
			return nil, err
		}
		if err := os.Chtimes(p, at, at); err != nil {
			return nil, err
		}
	}
	return files, nil
}
