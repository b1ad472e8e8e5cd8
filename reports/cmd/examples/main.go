// Command examples renders every controlled document with realistic sample
// data into a folder, with PNG previews of the first page (and of a second
// page for a long report) made by pdftoppm:
//
//	go run ./reports/cmd/examples -out docs/examples
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"cadang/engine/childproc"
	"cadang/forms"
	"cadang/pdfdoc"
	"cadang/pdfdoc/sample"
	"cadang/reports"
)

type example struct {
	name  string
	pages []int // pages to preview
	write func(*bytes.Buffer) error
}

func main() {
	out := flag.String("out", "docs/examples", "folder for the PDFs and PNG previews")
	dpi := flag.Int("r", 60, "preview resolution (dpi)")
	flag.Parse()
	if err := run(context.Background(), *out, *dpi); err != nil {
		fmt.Fprintln(os.Stderr, "examples:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out string, dpi int) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", out, err)
	}
	for _, ex := range examples() {
		var buf bytes.Buffer
		if err := ex.write(&buf); err != nil {
			return fmt.Errorf("render %s: %w", ex.name, err)
		}
		pdf := filepath.Join(out, ex.name+".pdf")
		if err := os.WriteFile(pdf, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", pdf, err)
		}
		for _, p := range ex.pages {
			png := filepath.Join(out, ex.name)
			if p > 1 {
				png += fmt.Sprintf("-page%d", p)
			}
			cmd := childproc.Command(ctx, childproc.Env{}, "pdftoppm", "-png", "-r", fmt.Sprint(dpi),
				"-f", fmt.Sprint(p), "-l", fmt.Sprint(p), "-singlefile", pdf, png)
			if msg, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("preview %s page %d: %w: %s", pdf, p, err, msg)
			}
		}
		fmt.Printf("%s (%d bytes)\n", pdf, buf.Len())
	}
	return nil
}

func examples() []example {
	return []example{
		{"request-backup-id", []int{1}, func(b *bytes.Buffer) error { return forms.WriteRequestForm(b, backupRequest()) }},
		{"request-restore-rejected-en", []int{1}, func(b *bytes.Buffer) error { return forms.WriteRequestForm(b, rejectedRestore()) }},
		{"execution-report-id", []int{1}, func(b *bytes.Buffer) error { return reports.WriteExecutionReport(b, execution()) }},
		{"restore-verification-id", []int{1, 2}, func(b *bytes.Buffer) error { return reports.WriteRestoreVerificationReport(b, verification()) }},
		{"handover-form-id", []int{1}, func(b *bytes.Buffer) error { return forms.WriteHandoverForm(b, handover()) }},
		{"history-report-en", []int{1}, func(b *bytes.Buffer) error { return reports.WriteHistoryReport(b, history()) }},
	}
}

func sig(s pdfdoc.Signature, label string, t time.Time) pdfdoc.Signature {
	s.Label, s.Date = label, t
	return s
}

func backupRequest() forms.RequestForm {
	at := sample.At(2026, time.November, 24, 9, 15)
	return forms.RequestForm{
		Meta:        sample.Meta("FRM-IT-002-01/2026/0007", "K7Q2-9XHD", pdfdoc.Indonesian, at),
		Kind:        "backup",
		Department:  "Keuangan (Finance)",
		Requester:   sample.Requester.Name,
		Data:        "Folder laporan keuangan dan database akuntansi",
		Paths:       []string{"D:/Data/Keuangan/Laporan Bulanan/2026", "D:/Data/Keuangan/Faktur Pajak", "postgres://erp-db.internal/akuntansi"},
		RequestedAt: sample.At(2026, time.November, 30, 21, 0),
		Reason:      "Tutup buku akhir bulan November 2026; data harus dicadangkan sebelum migrasi server ERP tanggal 1 Desember 2026.",
		Status:      "approved",
		DecidedBy:   sample.Manager.Name,
		DecidedAt:   sample.At(2026, time.November, 24, 14, 2),
		Signatures: []pdfdoc.Signature{
			sig(sample.Requester, "Diajukan oleh / Requested by", at),
			sig(sample.Head, "Diketahui oleh / Acknowledged by", at),
			sig(sample.Manager, "Disetujui oleh / Approved by", sample.At(2026, time.November, 24, 14, 2)),
		},
	}
}

func rejectedRestore() forms.RequestForm {
	at := sample.At(2026, time.November, 20, 10, 40)
	return forms.RequestForm{
		Meta:         sample.Meta("FRM-IT-002-01/2026/0005", "P3LM-2WQA", pdfdoc.English, at),
		Kind:         "restore",
		Department:   "Human Resources (SDM)",
		Requester:    "Agus Setiawan",
		Data:         "SDM/Data Karyawan",
		RequestedAt:  sample.At(2026, time.November, 18, 23, 0),
		Target:       "D:/Restore/SDM-2026-11-18",
		Reason:       "Contract files overwritten by mistake on 19 November.",
		Status:       "rejected",
		DecidedBy:    sample.Manager.Name,
		DecidedAt:    sample.At(2026, time.November, 20, 13, 5),
		RejectReason: "Restore target is on the shared drive; choose a folder only HR can read, then resubmit.",
	}
}

func execution() reports.ExecutionReport {
	start := sample.At(2026, time.November, 24, 21, 0)
	return reports.ExecutionReport{
		Meta:          sample.Meta("LAP-IT-002-01/2026/0142", "M8TR-4KZC", pdfdoc.Indonesian, sample.At(2026, time.November, 24, 21, 48)),
		JobName:       "Back up harian server utama (Keuangan, SDM, Pengadaan)",
		RequestNumber: "FRM-IT-002-01/2026/0007",
		Sources:       []string{"D:/Data/Keuangan", "D:/Data/SDM", "D:/Data/Pengadaan", "postgres://erp-db.internal/akuntansi"},
		Repository:    "//srv-backup-01/cadang/server-utama",
		Scheduled:     start,
		Started:       start.Add(4 * time.Second),
		Finished:      start.Add(47*time.Minute + 31*time.Second),
		Status:        "warnings",
		SnapshotID:    "9c41e07a",
		FilesNew:      1284, FilesChanged: 357, FilesUnmodified: 48211,
		BytesRead: 9_812_334_112, BytesAdded: 1_204_551_873, TotalBytes: 412_993_201_554,
		Warnings: []reports.Warning{
			{Path: "D:/Data/Keuangan/Laporan Bulanan/2026/~$Laporan Keuangan November 2026.xlsx", Err: "file sedang dipakai proses lain (sharing violation)"},
			{Path: "D:/Data/SDM/Data Karyawan/Kontrak Kerja/Arsip Lama/Kontrak Kerja Waktu Tertentu Karyawan Gudang Cikarang Periode 2019 sampai dengan 2021 (pindaian ulang).pdf", Err: "access denied"},
		},
		Replicas: []reports.ReplicaState{
			{Name: "Gedung B (offsite)", URL: "sftp://backup@10.20.1.15/srv/cadang/server-utama", Status: "ok", LastSync: start.Add(52 * time.Minute), Lag: 0},
			{Name: "Google Drive", URL: "rclone:gdrive-it:/Cadang/server-utama", Status: "tertinggal", LastSync: sample.At(2026, time.November, 23, 22, 31), Lag: 23*time.Hour + 17*time.Minute},
		},
		Signatures: []pdfdoc.Signature{
			sig(sample.Staff, "Disiapkan oleh / Prepared by", start.Add(time.Hour)),
			{Label: "Diperiksa oleh / Checked by", Title: "IT Supervisor"},
			{Label: "Disetujui oleh / Approved by", Name: sample.Manager.Name, Title: "IT Manager"},
		},
	}
}

func verification() reports.RestoreVerificationReport {
	paths := sample.Files(320)
	files := make([]reports.FileCheck, len(paths))
	for i, p := range paths {
		h := sample.Hash(p)
		files[i] = reports.FileCheck{Path: p, Size: int64(4096 + i*7919%900000), Want: h, Got: h, OK: true}
	}
	files[57].Got, files[57].OK = sample.Hash("damaged"), false
	files[203].Got, files[203].OK, files[203].Err = "", false, "read D:/Restore/…: input/output error"
	at := sample.At(2026, time.November, 25, 10, 12)
	return reports.RestoreVerificationReport{
		Meta:          sample.Meta("LAP-IT-002-02/2026/0019", "R2VN-7HPE", pdfdoc.Indonesian, at),
		RequestNumber: "FRM-IT-002-01/2026/0009",
		Data:          "Data departemen (Keuangan, SDM, Pengadaan, Gudang, Legal)",
		SnapshotID:    "71d0c3b2",
		SnapshotTime:  sample.At(2026, time.November, 21, 21, 44),
		RequestedAt:   sample.At(2026, time.November, 22, 8, 0),
		Target:        "D:/Restore/Permintaan-0009",
		Attempts:      3,
		Result:        "failed",
		Files:         files,
		Signatures: []pdfdoc.Signature{
			sig(sample.Staff, "Diverifikasi oleh / Verified by", at),
			{Label: "Diperiksa oleh / Checked by", Title: "IT Supervisor"},
			{Label: "Disetujui oleh / Approved by", Name: sample.Manager.Name, Title: "IT Manager"},
		},
	}
}

func handover() forms.HandoverForm {
	at := sample.At(2026, time.November, 25, 15, 30)
	return forms.HandoverForm{
		Meta:           sample.Meta("FRM-IT-002-02/2026/0011", "H5XD-8CNU", pdfdoc.Indonesian, at),
		RequestNumber:  "FRM-IT-002-01/2026/0008",
		Department:     "Keuangan",
		Requester:      sample.Requester.Name,
		Data:           "Keuangan/Laporan Bulanan/2026",
		SnapshotID:     "5be2a910",
		SnapshotTime:   sample.At(2026, time.November, 14, 21, 37),
		Target:         "D:/Restore/Keuangan-Laporan-Bulanan-2026-11-14",
		Files:          1873,
		Bytes:          2_318_004_551,
		VerifiedFiles:  1873,
		VerificationOK: true,
		Notes:          "Data diserahkan melalui folder bersama departemen Keuangan; hak akses hanya untuk grup FIN-Supervisor. Salinan lama tetap disimpan 14 hari.",
		Giver:          sig(sample.Staff, "", at),
		Receiver:       sig(sample.Requester, "", at),
		Witness:        sig(sample.Head, "", time.Time{}),
	}
}

func history() reports.HistoryReport {
	var runs []reports.RunRow
	jobs := []string{"Daily main server backup", "ERP database (PostgreSQL)", "HR folders weekly"}
	for day := 1; day <= 24; day++ {
		for j, job := range jobs {
			if j == 2 && day%7 != 1 {
				continue
			}
			status, warns := "success", 0
			switch {
			case day == 9 && j == 0:
				status, warns = "warnings", 2
			case day == 15 && j == 1:
				status = "failed"
			case day == 19 && j == 0:
				status = "missed"
			}
			runs = append(runs, reports.RunRow{
				Job: job, Started: sample.At(2026, time.November, day, 21, j*10),
				Duration: time.Duration(20+day+j*7) * time.Minute, Status: status,
				Files: int64(45000 + day*37), BytesAdded: int64(day*13+j) * 41_000_000, Warnings: warns,
			})
		}
	}
	at := sample.At(2026, time.November, 25, 8, 0)
	return reports.HistoryReport{
		Meta: sample.Meta("LAP-IT-002-03/2026/0011", "V6BQ-3JTM", pdfdoc.English, at),
		From: sample.At(2026, time.November, 1, 0, 0), To: sample.At(2026, time.November, 24, 23, 59),
		Runs: runs,
		Signatures: []pdfdoc.Signature{
			sig(sample.Staff, "Prepared by", at),
			{Label: "Checked by", Title: "IT Supervisor"},
			{Label: "Approved by", Name: sample.Manager.Name, Title: "IT Manager"},
		},
	}
}
