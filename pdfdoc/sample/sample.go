// Package sample holds realistic, fixed sample data for the controlled
// documents: a fictional Indonesian company, its SOP header, signatories and
// Indonesian file names. Tests and the examples under docs/examples use it;
// nothing in the product does.
package sample

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"cadang/pdfdoc"
)

// WIB is Western Indonesian Time; fixed, so output does not depend on the
// machine's zone database.
var WIB = time.FixedZone("WIB", 7*3600)

// At is a time in WIB.
func At(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, WIB)
}

// Header is the header of the fictional company's SOP-IT-002.
func Header() pdfdoc.Header {
	return pdfdoc.Header{
		Company:         "PT Mitra Arsip Nusantara",
		Address:         "Jl. Jend. Sudirman Kav. 45, Jakarta Selatan 12930",
		Segment:         "Supporting Directorate",
		BusinessProcess: "Information Technology",
		SubProcess:      "Prosedur Back up dan Restore database",
		ControlledDocNo: "SOP-IT-002",
		EffectiveDate:   At(2022, time.July, 29, 0, 0),
		Revision:        "01",
	}
}

// Meta is a document's identity in lang, generated at t.
func Meta(number, code string, lang pdfdoc.Lang, t time.Time) pdfdoc.Meta {
	return pdfdoc.Meta{
		Number:     number,
		Revision:   0,
		Date:       t,
		Lang:       lang,
		VerifyCode: code,
		Header:     Header(),
		Generated:  t,
	}
}

// People of the fictional company.
var (
	Staff     = pdfdoc.Signature{Name: "Rizky Pratama", Title: "IT Staff"}
	Manager   = pdfdoc.Signature{Name: "Dewi Anggraini Kusumawardhani", Title: "IT Manager"}
	Requester = pdfdoc.Signature{Name: "Siti Rahmawati", Title: "Supervisor Akuntansi"}
	Head      = pdfdoc.Signature{Name: "Bambang Hartono", Title: "Manajer Keuangan"}
)

var (
	folders = []string{
		"Keuangan/Laporan Bulanan/2026",
		"Keuangan/Faktur Pajak/Masukan",
		"SDM/Data Karyawan/Kontrak Kerja",
		"Pengadaan/Purchase Order/2026",
		"Gudang/Stok Opname/Gudang Cikarang",
		"Legal/Perjanjian Kerja Sama",
	}
	names = []string{
		"Laporan Keuangan %s 2026.xlsx",
		"Rekapitulasi Pembayaran Vendor %s.xlsx",
		"Surat Keputusan Direksi No. %s.pdf",
		"Berita Acara Pemeriksaan Barang %s.docx",
		"Daftar Hadir Karyawan %s.csv",
	}
	months = []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni",
		"Juli", "Agustus", "September", "Oktober", "November", "Desember"}
)

// Files returns n plausible, distinct file paths under D:/Data.
func Files(n int) []string {
	out := make([]string, n)
	for i := range out {
		f := folders[i%len(folders)]
		name := fmt.Sprintf(names[(i/len(folders))%len(names)], fmt.Sprintf("%s-%03d", months[i%len(months)], i+1))
		out[i] = "D:/Data/" + f + "/" + name
	}
	return out
}

// Hash is a stable fake content hash for path.
func Hash(path string) string {
	s := sha256.Sum256([]byte(path))
	return hex.EncodeToString(s[:])
}
