package reports_test

import (
	"bytes"
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
		Meta:          sample.Meta("LAP-IT-002-01/2026/0142", "M8TR-4KZC", lang, start.Add(time.Hour)),
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
		Meta:          sample.Meta("LAP-IT-002-02/2026/0019", "R2VN-7HPE", lang, sample.At(2026, time.November, 25, 10, 12)),
		RequestNumber: "FRM-IT-002-01/2026/0009",
		Data:          "Data departemen",
		SnapshotID:    "71d0c3b2",
		SnapshotTime:  sample.At(2026, time.November, 21, 21, 44),
		RequestedAt:   sample.At(2026, time.November, 22, 8, 0),
		Target:        "D:/Restore/Permintaan-0009",
		Attempts:      2,
		Result:        result,
		Files:         fs,
	}
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
		Meta: sample.Meta("LAP-IT-002-03/2026/0011", "V6BQ-3JTM", lang, sample.At(2026, time.November, 25, 8, 0)),
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
		{"verification-verified-en", 1, func(b *bytes.Buffer) error {
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

// 320 files: the table runs over several pages, each with the controlled
// header, the repeated table header and the right page count, and every
// file appears exactly once.
func TestVerificationOfManyFiles(t *testing.T) {
	const n = 320
	r := verification(pdfdoc.Indonesian, files(n, map[int]string{57: "mismatch", 203: "error"}), "failed")
	var buf bytes.Buffer
	if err := reports.WriteRestoreVerificationReport(&buf, r); err != nil {
		t.Fatal(err)
	}
	info := pdftest.ReadInfo(t, buf.Bytes())
	if info.Pages < 5 {
		t.Fatalf("%d files on %d pages, want several", n, info.Pages)
	}
	pages := pdftest.Pages(t, buf.Bytes())
	for i, p := range pages {
		for _, want := range []string{"Laporan Verifikasi Restore", "No. Dokumen", "SOP-IT-002", "LAP-IT-002-02/2026/0019",
			"R2VN-7HPE", fmt.Sprintf("Halaman %d dari %d / Page %d of %d", i+1, len(pages), i+1, len(pages))} {
			if !strings.Contains(p, want) {
				t.Errorf("page %d lacks %q", i+1, want)
			}
		}
		last := i == len(pages)-1
		if !last && !strings.Contains(p, "Hash isi") {
			t.Errorf("page %d lacks the table header", i+1)
		}
		if i > 0 && !last && !strings.Contains(p, "(lanjutan / continued)") {
			t.Errorf("page %d lacks the continued heading", i+1)
		}
	}
	all := strings.Join(pages, "\n")
	for i, f := range sample.Files(n) {
		// The short hash is unique per file and never wraps. Failed files
		// are listed twice: first among the failures, then in the full list.
		h := sample.Hash(f)
		want := 1
		if i == 57 || i == 203 {
			want = 2
		}
		if c := strings.Count(all, h[:8]+"…"+h[len(h)-4:]); c != want {
			t.Fatalf("the row of %s appears %d times, want %d", f, c, want)
		}
	}
	for _, want := range []string{"MISMATCH", "GAGAL / ERROR", "input/output error", "Tidak sesuai", "Disiapkan oleh"} {
		if !strings.Contains(all, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if c := strings.Count(all, "≠"); c != 4 {
		t.Errorf("%d rows show a differing hash, want 2 rows twice", c)
	}
	if c := strings.Count(all, "Sesuai / OK"); c != n-2 {
		t.Errorf("%d rows say OK, want %d", c, n-2)
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
		Meta:    sample.Meta("LAP-IT-002-01/2026/0150", "Z9Z9-0000", pdfdoc.Indonesian, start),
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

// Past 2,000 rows a table stops and says how many rows it left out; the
// failures, listed first, are never among those cut from view.
func TestHugeRestoreIsBounded(t *testing.T) {
	const n = 2100
	r := verification(pdfdoc.English, files(n, map[int]string{2050: "mismatch"}), "failed")
	var buf bytes.Buffer
	if err := reports.WriteRestoreVerificationReport(&buf, r); err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, buf.Bytes())
	for _, want := range []string{"… and 100 more rows not listed (at most 2,000 rows per table)", "2051", "MISMATCH", "Files  2,100"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	h := sample.Hash(sample.Files(n)[2050])
	if c := strings.Count(text, h[:8]); c != 1 {
		t.Errorf("the failed file past the bound appears %d times, want once (among the failures)", c)
	}
}
