package reports_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"cadang/pdfdoc"
	"cadang/pdfdoc/pdftest"
	"cadang/pdfdoc/sample"
	"cadang/reports"
)

var start = sample.At(2026, time.November, 24, 21, 0)

func execution(lang pdfdoc.Lang) reports.ExecutionReport {
	return reports.ExecutionReport{
		Meta:          sample.Meta("FRM-IT-002-02/2026/0142", "M8TR-4KZC", lang, start.Add(time.Hour)),
		JobName:       "Back up harian server utama",
		RequestNumber: "FRM-IT-002-01/2026/0007",
		Sources:       []string{"D:/Data/Keuangan", "D:/Data/SDM"},
		Repository:    "//srv-backup-01/cadang/server-utama",
		Scheduled:     start, Started: start.Add(4 * time.Second), Finished: start.Add(47*time.Minute + 31*time.Second),
		Status: "warnings", SnapshotID: "9c41e07a",
		FilesNew: 1284, FilesChanged: 357, FilesUnmodified: 48211,
		BytesRead: 9_812_334_112, BytesAdded: 1_204_551_873, TotalBytes: 412_993_201_554,
		Warnings: []reports.Warning{{Path: "D:/Data/Keuangan/~$Laporan November.xlsx", Err: "sharing violation"}},
		Replicas: []reports.ReplicaState{{Name: "Gedung B", URL: "sftp://backup@10.20.1.15/srv/cadang", Status: "ok", LastSync: start.Add(52 * time.Minute)}},
	}
}

func files(n int, bad map[int]string) []reports.FileCheck {
	out := make([]reports.FileCheck, n)
	for i, p := range sample.Files(n) {
		h := sample.Hash(p)
		out[i] = reports.FileCheck{Path: p, Size: int64(1000 * (i + 1)), Want: h, Got: h, OK: true}
		switch bad[i] {
		case "mismatch":
			out[i].Got, out[i].OK = sample.Hash("rusak"), false
		case "error":
			out[i].Got, out[i].OK, out[i].Err = "", false, "input/output error"
		}
	}
	return out
}

func verification(lang pdfdoc.Lang, fs []reports.FileCheck, result string) reports.RestoreVerificationReport {
	return reports.RestoreVerificationReport{
		Meta:          sample.Meta("FRM-IT-002-03/2026/0019", "R2VN-7HPE", lang, sample.At(2026, time.November, 25, 10, 12)),
		RequestNumber: "FRM-IT-002-01/2026/0009",
		Data:          "Data departemen",
		SnapshotID:    "71d0c3b2",
		SnapshotTime:  sample.At(2026, time.November, 21, 21, 44),
		RequestedAt:   sample.At(2026, time.November, 22, 8, 0),
		Target:        "D:/Restore/Permintaan-0009",
		Attempts:      2,
		AttemptLog: []reports.Attempt{{Number: 1, Checked: int64(len(fs)), Mismatched: 3},
			{Number: 2, Checked: int64(len(fs)), Mismatched: bad(fs, false), Unreadable: bad(fs, true)}},
		Result:  result,
		Summary: reports.SummarizeChecks(fs),
		List:    reports.ListRef{Number: "FRM-IT-002-03/2026/0019-LAMP", SHA256: "5f2b0c9e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c"},
	}
}

func bad(fs []reports.FileCheck, unreadable bool) int64 {
	var n int64
	for _, f := range fs {
		if !f.OK && (f.Err != "") == unreadable {
			n++
		}
	}
	return n
}

func history(lang pdfdoc.Lang) reports.HistoryReport {
	statuses := []string{"success", "success", "warnings", "failed", "missed", "success"}
	var runs []reports.RunRow
	for i, s := range statuses {
		job := "Server utama"
		if i%2 == 1 {
			job = "Database ERP"
		}
		runs = append(runs, reports.RunRow{Job: job, Started: sample.At(2026, time.November, i+1, 21, 0),
			Duration: time.Duration(30+i) * time.Minute, Status: s, Files: int64(45000 + i), BytesAdded: int64(i) << 28, Warnings: i % 3})
	}
	return reports.HistoryReport{
		Meta: sample.Meta("FRM-IT-002-05/2026/0011", "V6BQ-3JTM", lang, sample.At(2026, time.November, 25, 8, 0)),
		From: sample.At(2026, time.November, 1, 0, 0), To: sample.At(2026, time.November, 24, 23, 59),
		Runs: runs,
	}
}

func TestGolden(t *testing.T) {
	failed := execution(pdfdoc.English)
	failed.Status, failed.Error, failed.SnapshotID = "failed", "repository is locked by backup-01 (pid 4411)", ""
	failed.Warnings, failed.Replicas = nil, nil
	tests := []struct {
		name  string
		pages int
		write func(*bytes.Buffer) error
	}{
		{"execution-warnings-id", 2, func(b *bytes.Buffer) error { return reports.WriteExecutionReport(b, execution(pdfdoc.Indonesian)) }},
		{"execution-failed-en", 1, func(b *bytes.Buffer) error { return reports.WriteExecutionReport(b, failed) }},
		{"verification-verified-en", 2, func(b *bytes.Buffer) error {
			return reports.WriteRestoreVerificationReport(b, verification(pdfdoc.English, files(6, nil), "verified"))
		}},
		{"verification-failed-id", 2, func(b *bytes.Buffer) error {
			return reports.WriteRestoreVerificationReport(b, verification(pdfdoc.Indonesian, files(6, map[int]string{2: "mismatch", 4: "error"}), "failed"))
		}},
		{"history-id", 1, func(b *bytes.Buffer) error { return reports.WriteHistoryReport(b, history(pdfdoc.Indonesian)) }},
		{"history-empty-en", 1, func(b *bytes.Buffer) error {
			h := history(pdfdoc.English)
			h.Runs = nil
			return reports.WriteHistoryReport(b, h)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := tt.write(&a); err != nil {
				t.Fatal(err)
			}
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Error("same input, different bytes")
			}
			info := pdftest.ReadInfo(t, a.Bytes())
			if info.Pages != tt.pages || !info.IsA4() {
				t.Errorf("got %d pages of %s, want %d A4", info.Pages, info.PageSize, tt.pages)
			}
			pdftest.Golden(t, tt.name, pdftest.Text(t, a.Bytes()))
		})
	}
}

// Gap: a 50,000-file restore printed its first 2,000 files on 48 pages and
// said the rest was "kept in the catalog". The report is now a summary, the
// attempts, the failures and a per-folder table, at most ten pages; the
// complete list is its registered CSV, named with its SHA-256.
func TestVerificationOf50000FilesIsASummaryOfAtMostTenPages(t *testing.T) {
	const n = 50_000
	broken := map[int]string{}
	for i := 0; i < 150; i++ {
		broken[i*331] = "mismatch"
	}
	broken[49_999] = "error"
	r := verification(pdfdoc.Indonesian, files(n, broken), "failed")
	var buf bytes.Buffer
	if err := reports.WriteRestoreVerificationReport(&buf, r); err != nil {
		t.Fatal(err)
	}
	pages := pdftest.Pages(t, buf.Bytes())
	if len(pages) > 10 {
		t.Fatalf("%d files on %d pages, want at most 10", n, len(pages))
	}
	for i, p := range pages {
		for _, want := range []string{"Laporan Verifikasi Restore", "SOP-IT-002", "FRM-IT-002-03/2026/0019",
			fmt.Sprintf("Halaman %d dari %d / Page %d of %d", i+1, len(pages), i+1, len(pages))} {
			if !strings.Contains(p, want) {
				t.Errorf("page %d lacks %q", i+1, want)
			}
		}
	}
	all := strings.Join(strings.Fields(strings.Join(pages, "\n")), " ")
	for _, want := range []string{"Jumlah file 50.000", "Tidak sesuai 150", "Gagal dibaca 1", "Sesuai 49.849",
		"FRM-IT-002-03/2026/0019-LAMP · 50.000 file, CSV", r.List.SHA256,
		"HASIL VERIFIKASI PER FOLDER", "PERCOBAAN RESTORE", "Tidak sesuai — restore diulang (SOP 5.4d)",
		"… dan 91 file lain yang tidak sesuai, tercantum dalam daftar lengkap No. FRM-IT-002-03/2026/0019-LAMP",
		"Keuangan/Laporan Bulanan/", "Disiapkan oleh"} {
		if !strings.Contains(all, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(all, "katalog") || strings.Contains(all, "catalog") {
		t.Error("the report still sends the reader to the catalog for the list")
	}
}

// The per-folder table adds up to the totals, at the deepest level that
// fits, and small restores still list every file.
func TestSummarizeChecks(t *testing.T) {
	tests := []struct {
		name       string
		n          int
		wantListed int
	}{
		{"a few files are listed one by one", 6, 6},
		{"many files are summed by folder", 5000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := files(tt.n, map[int]string{1: "mismatch", 3: "error"})
			s := reports.SummarizeChecks(fs)
			if len(s.Listed) != tt.wantListed {
				t.Errorf("listed %d files, want %d", len(s.Listed), tt.wantListed)
			}
			var files, bytes, ok, mism, unread int64
			for _, f := range s.Folders {
				files, bytes, ok, mism, unread = files+f.Files, bytes+f.Bytes, ok+f.OK, mism+f.Mismatched, unread+f.Unreadable
			}
			if files != s.Files || bytes != s.Bytes || ok != s.Matching || mism != s.Mismatched || unread != s.Unreadable {
				t.Errorf("folders add up to %d files %d bytes %d/%d/%d; totals %d files %d bytes %d/%d/%d",
					files, bytes, ok, mism, unread, s.Files, s.Bytes, s.Matching, s.Mismatched, s.Unreadable)
			}
			if s.Files != int64(tt.n) || s.Mismatched != 1 || s.Unreadable != 1 || len(s.Failures) != 2 || s.Failures[0].No != 2 {
				t.Errorf("summary %+v", s)
			}
		})
	}
}

// The list holds every file with both full hashes; it is what the report
// cites by SHA-256.
func TestVerificationListHasEveryFile(t *testing.T) {
	fs := files(1200, map[int]string{7: "mismatch", 9: "error"})
	for _, tt := range []struct {
		lang  pdfdoc.Lang
		comma rune
		head  string
		bad   string
	}{
		{pdfdoc.Indonesian, ';', "berkas", "TIDAK SESUAI"},
		{pdfdoc.English, ',', "file", "MISMATCH"},
	} {
		var buf bytes.Buffer
		if err := reports.WriteVerificationList(&buf, tt.lang, fs); err != nil {
			t.Fatal(err)
		}
		rd := csv.NewReader(&buf)
		rd.Comma = tt.comma
		rows, err := rd.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(fs)+1 || rows[0][1] != tt.head {
			t.Fatalf("%s: %d rows, header %q", tt.lang, len(rows), rows[0])
		}
		if r := rows[8]; r[0] != "8" || r[1] != fs[7].Path || r[3] != fs[7].Want || r[4] != fs[7].Got || r[5] != tt.bad {
			t.Errorf("%s: row of the mismatched file %q", tt.lang, r)
		}
		if r := rows[10]; tt.lang == pdfdoc.Indonesian && r[6] != "kesalahan baca/tulis pada perangkat penyimpanan (I/O)" {
			t.Errorf("unreadable file explained as %q", r[6])
		}
	}
}

func TestHistoryOfManyRuns(t *testing.T) {
	h := history(pdfdoc.English)
	for i := range 400 {
		h.Runs = append(h.Runs, reports.RunRow{Job: fmt.Sprintf("job-%03d", i), Started: start, Status: "success"})
	}
	var buf bytes.Buffer
	if err := reports.WriteHistoryReport(&buf, h); err != nil {
		t.Fatal(err)
	}
	pages := pdftest.Pages(t, buf.Bytes())
	if len(pages) < 5 {
		t.Fatalf("406 runs on %d pages", len(pages))
	}
	for i, p := range pages {
		if !strings.Contains(p, fmt.Sprintf("Page %d of %d", i+1, len(pages))) {
			t.Errorf("page %d lacks its page number", i+1)
		}
	}
	// Each job once in the by-job summary, once in the list of runs.
	if c := strings.Count(strings.Join(pages, ""), "job-"); c != 2*400 {
		t.Errorf("found %d job names, want 800", c)
	}
}

func TestBadInput(t *testing.T) {
	exec := func(change func(*reports.ExecutionReport)) error {
		r := execution(pdfdoc.Indonesian)
		change(&r)
		return reports.WriteExecutionReport(&bytes.Buffer{}, r)
	}
	verify := func(r reports.RestoreVerificationReport) error {
		return reports.WriteRestoreVerificationReport(&bytes.Buffer{}, r)
	}
	hist := func(change func(*reports.HistoryReport)) error {
		r := history(pdfdoc.Indonesian)
		change(&r)
		return reports.WriteHistoryReport(&bytes.Buffer{}, r)
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"execution without number", exec(func(r *reports.ExecutionReport) { r.Meta.Number = "" }), "document number is empty"},
		{"execution with unknown status", exec(func(r *reports.ExecutionReport) { r.Status = "ok" }), `status "ok"`},
		{"execution without job", exec(func(r *reports.ExecutionReport) { r.JobName = " " }), "job name is empty"},
		{"zero execution", reports.WriteExecutionReport(&bytes.Buffer{}, reports.ExecutionReport{}), "status"},
		{"verified with a mismatch", verify(verification(pdfdoc.English, files(3, map[int]string{1: "mismatch"}), "verified")), "1 of 3 files did not match"},
		{"verified with nothing checked", verify(verification(pdfdoc.English, nil, "verified")), "0 of 0"},
		{"unknown result", verify(verification(pdfdoc.English, files(1, nil), "ok")), `result "ok"`},
		{"negative attempts", verify(func() reports.RestoreVerificationReport {
			r := verification(pdfdoc.English, files(1, nil), "verified")
			r.Attempts = -1
			return r
		}()), "attempts -1"},
		{"zero verification", reports.WriteRestoreVerificationReport(&bytes.Buffer{}, reports.RestoreVerificationReport{}), "result"},
		{"history backwards", hist(func(r *reports.HistoryReport) { r.From, r.To = r.To, r.From }), "ends (01/11/2026) before it starts (24/11/2026)"},
		{"history without range", hist(func(r *reports.HistoryReport) { r.To = time.Time{} }), "start and an end"},
		{"history in french", hist(func(r *reports.HistoryReport) { r.Meta.Lang = "fr" }), `language "fr"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(tt.err, pdfdoc.ErrInvalid) || !strings.Contains(tt.err.Error(), tt.want) {
				t.Errorf("got %q, want an ErrInvalid saying %q", tt.err, tt.want)
			}
		})
	}
}

// Optional parts left out still give a complete document: "none" rows, the
// default signatories, dashes for missing values.
func TestMissingOptionalFields(t *testing.T) {
	r := reports.ExecutionReport{
		Meta:    sample.Meta("FRM-IT-002-02/2026/0150", "Z9Z9-0000", pdfdoc.Indonesian, start),
		JobName: "Server utama",
		Status:  "missed",
	}
	var buf bytes.Buffer
	if err := reports.WriteExecutionReport(&buf, r); err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, buf.Bytes())
	for _, want := range []string{"TERLEWAT (TIDAK BERJALAN)", "— tidak ada — / — none —", "Disiapkan oleh", "Diperiksa oleh", "Disetujui oleh", "IT Manager"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if strings.Count(text, "— tidak ada —") != 2 {
		t.Errorf("want a none row for replicas and for warnings:\n%s", text)
	}
}

func BenchmarkVerificationReport320(b *testing.B) {
	r := verification(pdfdoc.Indonesian, files(320, map[int]string{57: "mismatch"}), "failed")
	for b.Loop() {
		if err := reports.WriteRestoreVerificationReport(&bytes.Buffer{}, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExecutionReport(b *testing.B) {
	r := execution(pdfdoc.Indonesian)
	for b.Loop() {
		if err := reports.WriteExecutionReport(&bytes.Buffer{}, r); err != nil {
			b.Fatal(err)
		}
	}
}

// Gap: a history of 3 runs (2 backups, 1 restore) showed 2 successes and 0
// failures: the restore was counted nowhere. The printed counts add up.
func TestHistoryTotalsAddUp(t *testing.T) {
	h := history(pdfdoc.Indonesian)
	h.Runs = []reports.RunRow{
		{Job: "keuangan", Started: start, Status: "success", Duration: time.Hour + 2*time.Minute + 5*time.Second},
		{Job: "keuangan", Started: start.Add(24 * time.Hour), Status: "success"},
		{Job: "keuangan", Started: start.Add(25 * time.Hour), Status: "verified"},
		{Job: "sdm", Started: start.Add(26 * time.Hour), Status: "running"},
	}
	var buf bytes.Buffer
	if err := reports.WriteHistoryReport(&buf, h); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdftest.Text(t, buf.Bytes())), " ")
	for _, want := range []string{"Jumlah pelaksanaan 4", "Berhasil 2", "Restore terverifikasi 1", "Sedang berjalan 1",
		"Gagal 0", "Terlewat 0", "1 j 02 m 05 d", "keuangan 3 2 0 0 0 1", "sdm 1 0 0 0 0 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("history lacks %q:\n%s", want, text)
		}
	}
}

// Gap: a night that did not run printed "0 d" and "0 B" in the history, as
// if it had run and found nothing, and a restore printed "0 B" added. What
// did not happen prints "–".
func TestHistoryRowsPrintWhatDidNotHappenAsADash(t *testing.T) {
	tests := []struct {
		status string
		want   string // the run's row, from its date on
	}{
		{"missed", "24/11/2026 21:00 – Terlewat – – 0"},
		{"verified", "24/11/2026 21:00 4 m 10 d Restore 21 – 0 terverifikasi"}, // the status wraps in its cell
		{"success", "24/11/2026 21:00 4 m 10 d Berhasil 21 1,0 MiB 0"},
		{"failed", "24/11/2026 21:00 4 m 10 d Gagal 21 1,0 MiB 0"},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			h := history(pdfdoc.Indonesian)
			run := reports.RunRow{Job: "keuangan", Started: start, Status: tt.status, Duration: 4*time.Minute + 10*time.Second, Files: 21, BytesAdded: 1 << 20}
			if tt.status == "missed" {
				run.Duration, run.Files, run.BytesAdded = 0, 0, 0
			}
			h.Runs = []reports.RunRow{run}
			var buf bytes.Buffer
			if err := reports.WriteHistoryReport(&buf, h); err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(pdftest.Text(t, buf.Bytes())), " ")
			if !strings.Contains(text, "1 keuangan "+tt.want) {
				t.Errorf("the %s run's row is not %q:\n%s", tt.status, tt.want, text)
			}
		})
	}
}

// Hole: the engine explains a mismatch in the check's error text ("content
// does not match the snapshot's SHA-256"), and every file with an error
// text was counted and printed as unreadable ("GAGAL DIBACA"): a restored
// file that was read and differs read as one that could not be read, and
// the engine's English was printed in Indonesian documents. A file with a
// hash that differs is a mismatch; only a file without a hash is
// unreadable.
func TestVerificationTellsAMismatchFromAnUnreadableFile(t *testing.T) {
	tests := []struct {
		name      string
		got, err  string
		want      []string
		forbidden []string
	}{
		{"read, differs (the engine's words)", sample.Hash("rusak"), "content does not match the snapshot's SHA-256",
			[]string{"TIDAK SESUAI", "Tidak sesuai 1", "Gagal dibaca 0", "SHA-256 tidak cocok"}, []string{"GAGAL DIBACA", "does not match"}},
		{"read, differs (no words)", sample.Hash("rusak"), "",
			[]string{"TIDAK SESUAI", "Tidak sesuai 1", "Gagal dibaca 0"}, []string{"GAGAL DIBACA"}},
		{"not read", "", "input/output error",
			[]string{"GAGAL DIBACA", "Tidak sesuai 0", "Gagal dibaca 1", "kesalahan baca/tulis"}, []string{"input/output error"}}, // the verdict reads TIDAK SESUAI
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := files(3, nil)
			fs[1].Got, fs[1].Err, fs[1].OK = tt.got, tt.err, false
			r := verification(pdfdoc.Indonesian, fs, "failed")
			var buf bytes.Buffer
			if err := reports.WriteRestoreVerificationReport(&buf, r); err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(pdftest.Text(t, buf.Bytes())), " ")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("the report lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tt.forbidden {
				if strings.Contains(text, w) {
					t.Errorf("the report has %q:\n%s", w, text)
				}
			}
		})
	}
}

// Gap: the row of a restore attempt that did not match gave only counts;
// the report never said which file made the retry necessary. It names the
// first files, and how many more.
func TestRestoreAttemptRowNamesItsFailedFiles(t *testing.T) {
	tests := []struct {
		name   string
		failed []string
		bad    int64
		want   string
	}{
		{"one", []string{"keuangan/Laporan Oktober 2026.xlsx"}, 1, "Tidak sesuai — restore diulang (SOP 5.4d): Laporan Oktober 2026.xlsx"},
		{"more than named", []string{"a/satu.pdf", "a/dua.pdf", "b/tiga.pdf"}, 7, "Tidak sesuai — restore diulang (SOP 5.4d): satu.pdf, dua.pdf, tiga.pdf dan 4 lainnya"},
		{"none named", nil, 2, "Tidak sesuai — restore diulang (SOP 5.4d) 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := verification(pdfdoc.Indonesian, files(3, nil), "verified")
			r.AttemptLog = []reports.Attempt{{Number: 1, Checked: 3, Mismatched: tt.bad, Failed: tt.failed}, {Number: 2, Checked: 3}}
			var buf bytes.Buffer
			if err := reports.WriteRestoreVerificationReport(&buf, r); err != nil {
				t.Fatal(err)
			}
			// The outcome wraps in its cell: compared without line breaks' blanks.
			text := strings.Join(strings.Fields(pdftest.Text(t, buf.Bytes())), " ")
			if !strings.Contains(text, tt.want) {
				t.Errorf("the attempt's row lacks %q:\n%s", tt.want, text)
			}
		})
	}
}
