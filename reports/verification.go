package reports

import (
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"cadang/pdfdoc"
)

var verificationTitle = pdfdoc.T("Laporan Verifikasi Restore", "Restore Verification Report")

// Bounds that keep a verification report readable whatever the size of the
// restore: a 50,000-file restore prints a summary, at most maxFolders
// folders and maxFailures failed files, in well under ten pages. Every file
// is in the report's registered list (WriteVerificationList), whose number
// and SHA-256 the report prints.
const (
	maxListed   = 60  // files listed one by one in the PDF when there are no more
	maxFolders  = 80  // rows of the per-folder table
	maxFailures = 60  // failed files listed in the PDF
	maxDepth    = 12  // deepest folder level the per-folder table groups by
	otherFolder = "…" // the row that sums the folders past maxFolders
)

// VerificationSummary is what a verification report prints of its files:
// the counts, the folders, the failures, and every file when there are
// few. SummarizeChecks builds it; its size does not grow with the restore.
type VerificationSummary struct {
	Files, Matching, Mismatched, Unreadable int64
	Bytes                                   int64
	// Base is the folder every path shares, printed once.
	Base string
	// Depth is the folder level the Folders table groups by (1 = the
	// folders directly under Base).
	Depth   int
	Folders []FolderTotal
	// Failures lists at most maxFailures failed files, in list order, and
	// FailuresOmitted counts the rest (all of them are in the list).
	Failures        []NumberedCheck
	FailuresOmitted int64
	// Listed is every file, when there are at most maxListed; else nil.
	Listed []NumberedCheck
}

// FolderTotal is one row of the per-folder table.
type FolderTotal struct {
	Folder                       string
	Files, Bytes, OK, Mismatched int64
	Unreadable                   int64
}

// NumberedCheck is a file check with its number in the full list.
type NumberedCheck struct {
	No int
	FileCheck
}

// SummarizeChecks reduces a verification's file checks to what its report
// prints: totals, a per-folder table at the deepest level that fits in
// maxFolders rows, the first maxFailures failures, and, for a small
// restore, every file.
func SummarizeChecks(files []FileCheck) VerificationSummary {
	var s VerificationSummary
	s.Base = commonDir(files)
	for i, f := range files {
		s.Files++
		s.Bytes += f.Size
		switch {
		case f.OK:
			s.Matching++
		case f.Unreadable():
			s.Unreadable++
		default:
			s.Mismatched++
		}
		if !f.OK {
			if len(s.Failures) < maxFailures {
				s.Failures = append(s.Failures, NumberedCheck{No: i + 1, FileCheck: f})
			} else {
				s.FailuresOmitted++
			}
		}
	}
	if len(files) <= maxListed {
		for i, f := range files {
			s.Listed = append(s.Listed, NumberedCheck{No: i + 1, FileCheck: f})
		}
	}
	s.Depth, s.Folders = folderTotals(files, s.Base)
	return s
}

// folderTotals groups files by their folder at the deepest level (up to
// maxDepth) that gives at most maxFolders rows; at level 1 with more
// folders than that, the smallest are summed in one row.
func folderTotals(files []FileCheck, base string) (int, []FolderTotal) {
	depth, groups := 1, group(files, base, 1)
	for d := 2; d <= maxDepth; d++ {
		g := group(files, base, d)
		if len(g) > maxFolders {
			break
		}
		if len(g) == len(groups) && d > 2 {
			break // no deeper folders split anything any more
		}
		depth, groups = d, g
	}
	out := make([]FolderTotal, 0, len(groups))
	for _, t := range groups {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Folder < out[j].Folder })
	if len(out) > maxFolders {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Files > out[j].Files })
		rest := FolderTotal{Folder: otherFolder}
		for _, t := range out[maxFolders-1:] {
			rest.Files, rest.Bytes, rest.OK = rest.Files+t.Files, rest.Bytes+t.Bytes, rest.OK+t.OK
			rest.Mismatched, rest.Unreadable = rest.Mismatched+t.Mismatched, rest.Unreadable+t.Unreadable
		}
		out = append(out[:maxFolders-1], rest)
		sort.SliceStable(out[:maxFolders-1], func(i, j int) bool { return out[i].Folder < out[j].Folder })
	}
	return depth, out
}

func group(files []FileCheck, base string, depth int) map[string]*FolderTotal {
	groups := map[string]*FolderTotal{}
	for _, f := range files {
		rel := strings.TrimPrefix(strings.ReplaceAll(f.Path, "\\", "/"), strings.ReplaceAll(base, "\\", "/"))
		dir := path.Dir(rel)
		if dir == "." {
			dir = ""
		}
		parts := strings.Split(dir, "/")
		if dir == "" {
			parts = nil
		}
		if len(parts) > depth {
			parts = parts[:depth]
		}
		key := strings.Join(parts, "/") + "/"
		t := groups[key]
		if t == nil {
			t = &FolderTotal{Folder: key}
			groups[key] = t
		}
		t.Files++
		t.Bytes += f.Size
		switch {
		case f.OK:
			t.OK++
		case f.Unreadable():
			t.Unreadable++
		default:
			t.Mismatched++
		}
	}
	return groups
}

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
	sum := r.Summary
	bad := sum.Mismatched + sum.Unreadable
	if result == "verified" && (bad > 0 || sum.Files == 0) {
		return invalid(doc, r.Meta.Number, "result is verified but %d of %d files did not match", bad, sum.Files)
	}
	err := pdfdoc.Render(w, r.Meta, verificationTitle, func(d *pdfdoc.Doc) error {
		verificationBody(d, r, result == "verified")
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", doc, err)
	}
	return nil
}

func verificationBody(d *pdfdoc.Doc, r RestoreVerificationReport, verified bool) {
	lang := d.Lang()
	sum := r.Summary
	n := func(v int64) string { return pdfdoc.Int(lang, v) }
	d.Section(pdfdoc.T("Data Restore", "Restore"))
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
	if sum.Base != "" {
		fields = append(fields, pdfdoc.Field{Label: pdfdoc.T("Folder dasar daftar file", "Base folder of the file list"), Value: sum.Base})
	}
	d.Fields(1, fields)
	d.Fields(2, []pdfdoc.Field{
		{Label: pdfdoc.T("Jumlah file", "Files"), Value: n(sum.Files)},
		{Label: pdfdoc.T("Ukuran total", "Total size"), Value: pdfdoc.Bytes(lang, sum.Bytes)},
		{Label: pdfdoc.T("Sesuai", "Matching"), Value: n(sum.Matching)},
		{Label: pdfdoc.T("Tidak sesuai", "Mismatched"), Value: n(sum.Mismatched), Strong: sum.Mismatched > 0},
		{Label: pdfdoc.T("Gagal dibaca", "Unreadable"), Value: n(sum.Unreadable), Strong: sum.Unreadable > 0},
		{Label: pdfdoc.T("Percobaan restore", "Restore attempts"), Value: n(int64(r.Attempts))},
	})
	verdict := pdfdoc.T("Sesuai", "Verified")
	if !verified {
		verdict = pdfdoc.T("Tidak sesuai", "Failed")
	}
	d.Verdict(pdfdoc.T("Hasil verifikasi", "Verification result"), verdict, verified)
	listNote(d, r.List, sum.Files)

	if len(r.AttemptLog) > 0 {
		d.Section(pdfdoc.T("Percobaan Restore", "Restore attempts"))
		d.Table(attemptColumns, attemptRows(lang, r.AttemptLog))
	}
	if len(sum.Failures) > 0 {
		// The failures first, so nobody has to search pages of OK rows.
		d.Section(pdfdoc.T("File yang Tidak Sesuai", "Files that failed verification"))
		d.Table(fileColumns, fileRows(lang, sum.Failures, sum.Base))
		if sum.FailuresOmitted > 0 {
			d.Paragraph(pdfdoc.T(
				fmt.Sprintf("… dan %s file lain yang tidak sesuai, tercantum dalam daftar lengkap No. %s.", pdfdoc.Int(lang, sum.FailuresOmitted), dash(r.List.Number)),
				fmt.Sprintf("… and %s more failed files, in the complete list No. %s.", pdfdoc.Int(pdfdoc.English, sum.FailuresOmitted), dash(r.List.Number))))
		}
	}
	if len(sum.Listed) > 0 {
		d.Section(pdfdoc.T("Hasil Verifikasi per File", "File-by-file verification"))
		d.Table(fileColumns, fileRows(lang, sum.Listed, sum.Base))
	} else if len(sum.Folders) > 0 {
		d.Section(pdfdoc.T("Hasil Verifikasi per Folder", "Verification by folder"))
		d.Table(folderColumns, folderRows(lang, sum.Folders))
	}

	d.SignatureSection(pdfdoc.T("Pengesahan", "Signatures"), r.Signatories.blocks(lang))
}

// listNote says where the complete file-by-file list is and how to check it.
func listNote(d *pdfdoc.Doc, l ListRef, files int64) {
	if l.Number == "" {
		return
	}
	lang := d.Lang()
	d.Fields(1, []pdfdoc.Field{
		{Label: pdfdoc.T("Daftar lengkap (lampiran)", "Complete list (attachment)"), Value: l.Number + "  ·  " +
			pdfdoc.T(fmt.Sprintf("%s file, CSV", pdfdoc.Int(lang, files)), fmt.Sprintf("%s files, CSV", pdfdoc.Int(pdfdoc.English, files))).In(lang), Strong: true},
		{Label: pdfdoc.T("SHA-256 daftar", "List SHA-256"), Value: l.SHA256},
	})
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

var attemptColumns = []pdfdoc.Column{
	{Title: pdfdoc.T("Ke-", "No."), Width: 12, Align: "R"},
	{Title: pdfdoc.T("File diperiksa", "Files checked"), Width: 30, Align: "R"},
	{Title: pdfdoc.T("Tidak sesuai", "Mismatched"), Width: 26, Align: "R"},
	{Title: pdfdoc.T("Gagal dibaca", "Unreadable"), Width: 22, Align: "R"},
	{Title: pdfdoc.T("Hasil", "Outcome"), Width: 90, MaxLines: 3},
}

func attemptRows(lang pdfdoc.Lang, as []Attempt) []pdfdoc.Row {
	rows := make([]pdfdoc.Row, len(as))
	for i, a := range as {
		outcome := pdfdoc.T("Semua file sesuai", "Every file matches")
		bad := a.Mismatched + a.Unreadable
		switch {
		case a.Error != "":
			outcome = pdfdoc.T("Restore gagal: "+ExplainError(pdfdoc.Indonesian, a.Error), "Restore failed: "+a.Error)
		case bad > 0 && i < len(as)-1:
			outcome = pdfdoc.T("Tidak sesuai — restore diulang (SOP 5.4d)", "Did not match — restored again (SOP 5.4d)")
		case bad > 0:
			outcome = pdfdoc.T("Tidak sesuai — batas percobaan tercapai", "Did not match — no attempts left")
		}
		if names := failedNames(a, bad); a.Error == "" && names.ID != "" {
			outcome = pdfdoc.T(outcome.ID+": "+names.ID, outcome.EN+": "+names.EN)
		}
		rows[i] = pdfdoc.Row{Cells: []string{pdfdoc.Int(lang, int64(a.Number)), pdfdoc.Int(lang, a.Checked),
			pdfdoc.Int(lang, a.Mismatched), pdfdoc.Int(lang, a.Unreadable), outcome.In(lang)}, Strong: bad > 0 || a.Error != ""}
	}
	return rows
}

// failedNames are the names of an attempt's failed files ("a.xlsx, b.pdf
// dan 3 lainnya").
func failedNames(a Attempt, bad int64) pdfdoc.Text {
	var names []string
	for _, p := range a.Failed {
		names = append(names, path.Base(p))
	}
	if len(names) == 0 {
		return pdfdoc.Text{}
	}
	id, en := strings.Join(names, ", "), strings.Join(names, ", ")
	if more := bad - int64(len(names)); more > 0 {
		id += fmt.Sprintf(" dan %d lainnya", more)
		en += fmt.Sprintf(" and %d more", more)
	}
	return pdfdoc.T(id, en)
}

var fileColumns = []pdfdoc.Column{
	{Title: pdfdoc.T("No.", "No."), Width: 13, Align: "R"},
	{Title: pdfdoc.T("File", "File"), Width: 95, MaxLines: 3},
	{Title: pdfdoc.T("Ukuran", "Size"), Width: 17, Align: "R"},
	{Title: pdfdoc.T("Hash isi", "Content hash"), Width: 29},
	{Title: pdfdoc.T("Hasil", "Result"), Width: 26},
}

// fileRows lists files by their number in the whole list.
func fileRows(lang pdfdoc.Lang, files []NumberedCheck, base string) []pdfdoc.Row {
	rows := make([]pdfdoc.Row, 0, len(files))
	for _, f := range files {
		name := strings.TrimPrefix(f.Path, base)
		if f.Err != "" {
			name += "\n⚠ " + ExplainError(lang, f.Err)
		}
		rows = append(rows, pdfdoc.Row{
			Cells:  []string{pdfdoc.Int(lang, int64(f.No)), name, pdfdoc.Bytes(lang, f.Size), hashCell(f.FileCheck), checkResult(f.FileCheck).In(lang)},
			Strong: !f.OK,
		})
	}
	return rows
}

var folderColumns = []pdfdoc.Column{
	{Title: pdfdoc.T("Folder", "Folder"), Width: 82, MaxLines: 2},
	{Title: pdfdoc.T("File", "Files"), Width: 20, Align: "R"},
	{Title: pdfdoc.T("Ukuran", "Size"), Width: 22, Align: "R"},
	{Title: pdfdoc.T("Sesuai", "Matching"), Width: 20, Align: "R"},
	{Title: pdfdoc.T("Tidak sesuai", "Mismatched"), Width: 18, Align: "R"},
	{Title: pdfdoc.T("Gagal dibaca", "Unreadable"), Width: 18, Align: "R"},
}

func folderRows(lang pdfdoc.Lang, fs []FolderTotal) []pdfdoc.Row {
	rows := make([]pdfdoc.Row, len(fs))
	for i, f := range fs {
		name := f.Folder
		if name == otherFolder {
			name = pdfdoc.T("(folder lainnya)", "(other folders)").In(lang)
		}
		rows[i] = pdfdoc.Row{Cells: []string{name, pdfdoc.Int(lang, f.Files), pdfdoc.Bytes(lang, f.Bytes), pdfdoc.Int(lang, f.OK),
			pdfdoc.Int(lang, f.Mismatched), pdfdoc.Int(lang, f.Unreadable)}, Strong: f.Mismatched+f.Unreadable > 0}
	}
	return rows
}

func checkResult(f FileCheck) pdfdoc.Text {
	switch {
	case f.OK:
		return pdfdoc.T("Sesuai", "OK")
	case f.Unreadable():
		return pdfdoc.T("GAGAL DIBACA", "UNREADABLE")
	default:
		return pdfdoc.T("TIDAK SESUAI", "MISMATCH")
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
// the full hashes are in the list.
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
