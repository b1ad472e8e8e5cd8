package reports

import (
	"fmt"
	"io"
	"strings"

	"cadang/pdfdoc"
)

var verificationTitle = pdfdoc.T("Laporan Verifikasi Restore", "Restore Verification Report")

// WriteRestoreVerificationReport renders r as a PDF to w. A report whose
// result is "verified" while a file failed is refused: the document would
// claim what the check did not show.
func WriteRestoreVerificationReport(w io.Writer, r RestoreVerificationReport) error {
	const doc = "restore verification report"
	result := strings.ToLower(strings.TrimSpace(r.Result))
	if result != "verified" && result != "failed" {
		return invalid(doc, r.Meta.Number, "result %q is not verified or failed", r.Result)
	}
	if r.Attempts < 0 {
		return invalid(doc, r.Meta.Number, "attempts %d is negative", r.Attempts)
	}
	if err := r.Signatories.validate(doc, r.Meta.Number); err != nil {
		return err
	}
	sum := summarize(r.Files)
	if result == "verified" && (sum.bad > 0 || len(r.Files) == 0) {
		return invalid(doc, r.Meta.Number, "result is verified but %d of %d files did not match", sum.bad, len(r.Files))
	}
	err := pdfdoc.Render(w, r.Meta, verificationTitle, func(d *pdfdoc.Doc) error {
		verificationBody(d, r, result == "verified", sum)
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", doc, err)
	}
	return nil
}

type fileSummary struct {
	ok, mismatch, errs, bad int
	bytes                   int64
}

func summarize(files []FileCheck) fileSummary {
	var s fileSummary
	for _, f := range files {
		s.bytes += f.Size
		switch {
		case f.OK:
			s.ok++
		case f.Err != "":
			s.errs++
		default:
			s.mismatch++
		}
	}
	s.bad = s.mismatch + s.errs
	return s
}

func verificationBody(d *pdfdoc.Doc, r RestoreVerificationReport, verified bool, sum fileSummary) {
	lang := d.Lang()
	d.Section(pdfdoc.T("Data Restore", "Restore"))
	base := commonDir(r.Files)
	fields := []pdfdoc.Field{
		{Label: pdfdoc.T("No. permintaan", "Request No."), Value: r.RequestNumber},
		{Label: pdfdoc.T("Data", "Data"), Value: r.Data},
		{Label: pdfdoc.T("Data per tanggal diminta", "Data as of (requested)"), Value: pdfdoc.DateTime(r.RequestedAt)},
		{Label: pdfdoc.T("Snapshot yang dipulihkan", "Snapshot restored"), Value: strings.TrimSpace(r.SnapshotID + "  ·  " + pdfdoc.DateTime(r.SnapshotTime))},
		{Label: pdfdoc.T("Lokasi tujuan restore", "Restored to"), Value: r.Target},
	}
	if len(r.Include) > 0 {
		fields = append(fields, pdfdoc.Field{Label: pdfdoc.T("Bagian yang dipulihkan", "Parts restored"), Value: strings.Join(r.Include, ", ")})
	}
	if base != "" {
		fields = append(fields, pdfdoc.Field{Label: pdfdoc.T("Folder dasar daftar file", "Base folder of the file list"), Value: base})
	}
	d.Fields(1, fields)
	d.Fields(2, []pdfdoc.Field{
		{Label: pdfdoc.T("Jumlah file", "Files"), Value: pdfdoc.Int(lang, int64(len(r.Files)))},
		{Label: pdfdoc.T("Ukuran total", "Total size"), Value: pdfdoc.Bytes(lang, sum.bytes)},
		{Label: pdfdoc.T("Sesuai", "Matching"), Value: pdfdoc.Int(lang, int64(sum.ok))},
		{Label: pdfdoc.T("Tidak sesuai", "Mismatched"), Value: pdfdoc.Int(lang, int64(sum.mismatch)), Strong: sum.mismatch > 0},
		{Label: pdfdoc.T("Gagal dibaca", "Unreadable"), Value: pdfdoc.Int(lang, int64(sum.errs)), Strong: sum.errs > 0},
		{Label: pdfdoc.T("Percobaan restore", "Restore attempts"), Value: pdfdoc.Int(lang, int64(r.Attempts))},
	})
	verdict := pdfdoc.T("Sesuai", "Verified")
	if !verified {
		verdict = pdfdoc.T("Tidak sesuai", "Failed")
	}
	d.Verdict(pdfdoc.T("Hasil verifikasi", "Verification result"), verdict, verified)

	if sum.bad > 0 {
		// The failures first, so nobody has to search pages of OK rows.
		d.Section(pdfdoc.T("File yang Tidak Sesuai", "Files that failed verification"))
		table(d, fileColumns, fileRows(lang, r.Files, base, true))
	}

	d.Section(pdfdoc.T("Hasil Verifikasi per File", "File-by-file verification"))
	table(d, fileColumns, fileRows(lang, r.Files, base, false))

	d.SignatureSection(pdfdoc.T("Pengesahan", "Signatures"), r.Signatories.blocks(d.Lang()))
}

var fileColumns = []pdfdoc.Column{
	{Title: pdfdoc.T("No.", "No."), Width: 9, Align: "R"},
	{Title: pdfdoc.T("File", "File"), Width: 99, MaxLines: 3},
	{Title: pdfdoc.T("Ukuran", "Size"), Width: 17, Align: "R"},
	{Title: pdfdoc.T("Hash isi", "Content hash"), Width: 29},
	{Title: pdfdoc.T("Hasil", "Result"), Width: 26},
}

// fileRows lists the files (only the failed ones with onlyBad), numbered
// by their place in the whole list.
func fileRows(lang pdfdoc.Lang, files []FileCheck, base string, onlyBad bool) []pdfdoc.Row {
	rows := make([]pdfdoc.Row, 0, len(files))
	for i, f := range files {
		if onlyBad && f.OK {
			continue
		}
		name := strings.TrimPrefix(f.Path, base)
		if f.Err != "" {
			name += "\n⚠ " + f.Err
		}
		rows = append(rows, pdfdoc.Row{
			Cells:  []string{fmt.Sprint(i + 1), name, pdfdoc.Bytes(lang, f.Size), hashCell(f), checkResult(lang, f)},
			Strong: !f.OK,
		})
	}
	return rows
}

func checkResult(lang pdfdoc.Lang, f FileCheck) string {
	switch {
	case f.OK:
		return pdfdoc.T("Sesuai", "OK").Inline(lang)
	case f.Err != "":
		return pdfdoc.T("GAGAL", "ERROR").Inline(lang)
	default:
		return pdfdoc.T("TIDAK SESUAI", "MISMATCH").Inline(lang)
	}
}

// hashCell shows the hash once when the restored file matches, and the
// snapshot's hash over "≠ restored hash" when it does not.
func hashCell(f FileCheck) string {
	if f.OK || f.Got == f.Want {
		return shortHash(f.Want)
	}
	got := shortHash(f.Got)
	if got == "" {
		got = "–"
	}
	return shortHash(f.Want) + "\n≠ " + got
}

// shortHash keeps the start and end of a hash, enough to compare by eye;
// the full hashes are in the catalog.
func shortHash(h string) string {
	h = strings.TrimSpace(h)
	if len(h) <= 16 {
		return h
	}
	return h[:8] + "…" + h[len(h)-4:]
}

// commonDir is the longest folder prefix, separator included, that every
// path shares ("D:/Restore/Permintaan-0009/"), printed once above the table
// so that the rows show what differs. It is "" for fewer than two files.
func commonDir(files []FileCheck) string {
	if len(files) < 2 {
		return ""
	}
	prefix := files[0].Path
	for _, f := range files[1:] {
		n := 0
		for n < len(prefix) && n < len(f.Path) && prefix[n] == f.Path[n] {
			n++
		}
		prefix = prefix[:n]
	}
	i := strings.LastIndexAny(prefix, "/\\")
	if i < 0 {
		return ""
	}
	return prefix[:i+1]
}
