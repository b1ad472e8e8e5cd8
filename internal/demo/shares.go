package demo

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// writeShares fills the department shares: office files with random
// content of realistic sizes, and the big archives and disk images as
// sparse files (their apparent size, little disk).
func writeShares(shares map[string]string, rnd *rand.Rand) error {
	files := map[string][]struct {
		path string
		size int64
	}{
		"keuangan": {
			{"laporan/2026/11/neraca-november.xlsx", 420 << 10},
			{"laporan/2026/11/laba-rugi-november.xlsx", 380 << 10},
			{"laporan/2026/10/neraca-oktober.xlsx", 410 << 10},
			{"faktur/2026/11/INV-2026-0117.pdf", 180 << 10},
			{"faktur/2026/11/INV-2026-0118.pdf", 175 << 10},
			{"faktur/2026/11/INV-2026-0119.pdf", 192 << 10},
			{"pajak/spt-masa-ppn-2026-10.pdf", 2 << 20},
			{"bank/mutasi-bca-2026-11.csv", 96 << 10},
			{"scan/kwitansi-november.pdf", 24 << 20},
		},
		"hrd": {
			{"kontrak/2026/kontrak-kerja-template-v3.docx", 64 << 10},
			{"kontrak/2026/pkwt-budi-santoso.pdf", 310 << 10},
			{"absensi/2026-11.csv", 1 << 20},
			{"penggajian/2026-11/slip-gaji.zip", 18 << 20},
			{"rekrutmen/cv-kandidat-oktober.zip", 42 << 20},
		},
		"engineering": {
			{"gambar/plant-layout-rev7.dwg", 38 << 20},
			{"gambar/pipa-utilitas-rev3.dwg", 21 << 20},
			{"spesifikasi/pompa-sentrifugal.pdf", 6 << 20},
			{"foto-lapangan/2026-11-12/IMG_4410.jpg", 4 << 20},
			{"foto-lapangan/2026-11-12/IMG_4411.jpg", 4 << 20},
		},
	}
	sparse := map[string][]struct {
		path string
		size int64
	}{
		"keuangan":    {{"arsip/arsip-keuangan-2025.zip", 1800 << 20}},
		"hrd":         {{"arsip/scan-personalia-2024.tar", 600 << 20}},
		"engineering": {{"vm/plant-server.qcow2", 4 << 30}},
	}
	for dept, list := range files {
		for _, f := range list {
			if err := writeRandom(filepath.Join(shares[dept], filepath.FromSlash(f.path)), f.size, rnd); err != nil {
				return err
			}
		}
		for _, f := range sparse[dept] {
			if err := writeSparse(filepath.Join(shares[dept], filepath.FromSlash(f.path)), f.size, rnd); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeRandom(path string, size int64, rnd *rand.Rand) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(rnd.UintN(256))
	}
	return os.WriteFile(path, b, 0o644)
}

// writeSparse makes a file of size bytes that holds data only at its
// start and end, like a disk image or an archive still being filled.
func writeSparse(path string, size int64, rnd *rand.Rand) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	head := make([]byte, 1<<20)
	for i := range head {
		head[i] = byte(rnd.UintN(256))
	}
	if _, err := f.Write(head); err != nil {
		return err
	}
	if _, err := f.WriteAt(head, size-int64(len(head))); err != nil {
		return err
	}
	return nil
}

// writeRcloneConfig defines the rclone remote "gdrive": for the demo a
// local folder standing in for Google Drive, so it needs no account.
func writeRcloneConfig(root string) (string, error) {
	dir := filepath.Join(root, "cloud")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	conf := filepath.Join(root, "rclone.conf")
	body := fmt.Sprintf("[gdrive]\ntype = alias\nremote = %s\n", dir)
	return conf, os.WriteFile(conf, []byte(body), 0o600)
}
