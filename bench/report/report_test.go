package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sample is a run where cadang meets some targets and misses others.
const sample = `cadang	backup1	0	10.00	100000	15	2
restic	backup1	0	50.00	200000	80	5
borg	backup1	0	25.00	150000	24	1
cadang	repo1	0	900000000	0	0	0
restic	repo1	0	1000000000	0	0	0
borg	repo1	0	950000000	0	0	0
cadang	backup2	0	1.00	50000	1	0
restic	backup2	0	4.00	180000	3	1
borg	backup2	0	3.00	120000	2	0
cadang	repo2	0	900001000	0	0	0
restic	repo2	0	1000001000	0	0	0
borg	repo2	0	950001000	0	0	0
cadang	backup3	0	3.00	60000	3	0
restic	backup3	0	6.00	190000	5	1
borg	backup3	0	4.00	130000	3	0
cadang	repo3	0	930001000	0	0	0
restic	repo3	0	1020001000	0	0	0
borg	repo3	0	960001000	0	0	0
cadang	restore	1	2.00	40000	1	1
restic	restore	0	30.00	210000	20	5
borg	restore	0	20.00	100000	15	3
cadang	restore_identical	0	0	0	0	0
restic	restore_identical	0	1	0	0	0
borg	restore_identical	0	1	0	0	0
cadang	open	0	0.50	90000	0.4	0.1
restic	open	0	2.00	120000	1	0.2
cadang	verify	0	10.00	90000	15	4
restic	verify	0	20.00	120000	30	5
cadang	prune	0	2.00	90000	3	1
restic	prune	0	5.00	120000	6	1
`

func sampleResults(t *testing.T) results {
	t.Helper()
	rs, err := parseResults(strings.NewReader(sample))
	if err != nil {
		t.Fatalf("parseResults: %v", err)
	}
	return rs
}

func TestParseResultsRejectsBadLines(t *testing.T) {
	for _, in := range []string{
		"cadang\tbackup1\t0\t1.0\t1\t1\n",           // 6 fields
		"cadang\tbackup1\tx\t1.0\t1\t1\t1\n",        // exit not a number
		"cadang\tbackup1\t0\tfast\t1\t1\t1\n",       // seconds not a number
		"cadang\tbackup1\t0\t1.0\t1\t1\t1\textra\n", // 8 fields
	} {
		if _, err := parseResults(strings.NewReader(in)); err == nil {
			t.Errorf("parseResults(%q) succeeded", in)
		}
	}
}

func TestTargetVerdicts(t *testing.T) {
	rs := sampleResults(t)
	data := 1e9
	want := map[string][2]string{
		"Initial backup throughput ≥ 3× restic's":                         {"5.00×", "met"},
		"Initial backup throughput ≥ 2× borg's":                           {"2.50×", "met"},
		"No-change backup time ≤ 0.2× restic's":                           {"0.25×", "**not met**"},
		"Backup after the mutation: time ≤ 0.3× restic's":                 {"0.50×", "**not met**"},
		"Backup after the mutation: bytes added ≤ 1.2× restic's":          {"1.50×", "**not met**"},
		"Backup after the mutation: bytes added ≤ borg's":                 {"3.00×", "**not met**"},
		"Verify every byte: CPU cores busy ≥ 1.8 (of 2)":                  {"1.90", "met"},
		"Prune after forgetting half the snapshots: time ≤ 0.5× restic's": {"0.40×", "met"},
		"Full restore throughput ≥ 3× restic's":                           {"—", "not measured"}, // cadang's restore failed
		"Repository size after three backups ≤ borg's":                    {"0.97×", "met"},
		"Peak RSS (all steps) ≤ restic's":                                 {"0.48×", "met"},
	}
	seen := 0
	for _, tg := range targets(data, data) {
		w, listed := want[tg.Text]
		if !listed {
			continue
		}
		seen++
		measured, result := tg.verdict(rs)
		if measured != w[0] || result != w[1] {
			t.Errorf("%s: got %s %s, want %s %s", tg.Text, measured, result, w[0], w[1])
		}
	}
	if seen != len(want) {
		t.Errorf("%d of the %d targets checked here exist", seen, len(want))
	}
}

// TestScaleSection: the scale case's report has its own targets and goes
// between its own markers, leaving the default run's results alone.
func TestScaleSection(t *testing.T) {
	dir := t.TempDir()
	res, meta, out := filepath.Join(dir, "r.tsv"), filepath.Join(dir, "m.env"), filepath.Join(dir, "B.md")
	doc := "# B\n" + beginMarker + "\nDEFAULT RUN\n" + endMarker + "\n## Analysis\n"
	if err := os.WriteFile(out, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(res, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(meta, []byte("data_bytes=1000000000\nscale=300k\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a second run replaces the first
		if err := run([]string{"-results", res, "-meta", meta, "-out", out}); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(out)
	got := string(b)
	for _, want := range []string{"DEFAULT RUN", "## Analysis", "-scale 300k", "| Open and load the index: under 1 s | 0.50 | met |",
		"| Initial backup: time ≤ 0.5× restic's | 0.20× | met |"} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, scaleBeginMarker); n != 1 {
		t.Errorf("%d scale sections, want 1", n)
	}
}

func TestVerdictNearTheBound(t *testing.T) {
	rs := results{"cadang": {"backup1": {Value: 10.01}}, "restic": {"backup1": {Value: 30}}}
	tg := target{Text: "x", Value: throughput("backup1", 1e9), Peer: "restic", Bound: 3, Higher: true}
	if measured, result := tg.verdict(rs); measured != "2.997×" || result != "**not met**" {
		t.Errorf("verdict = %s %s, want 2.997× **not met**", measured, result)
	}
}

func TestWriteReport(t *testing.T) {
	var b bytes.Buffer
	meta := map[string]string{"data_bytes": "1000000000", "data_bytes_after": "1000000000", "cache": "warm", "started": "today"}
	writeReport(&b, sampleResults(t), meta)
	got := b.String()
	for _, want := range []string{
		"| Initial backup: throughput | 100.0 MB/s | 20.0 MB/s | 40.0 MB/s | 5.00× | 2.50× |",
		"| Full restore: time | failed (exit 1) | 30.00 s | 20.00 s | — | — |",
		"| Full restore: identical to the data (diff -r) | **NO** | yes | yes |  |  |",
		"| Backup after 1% mutation: added to repository | 30.0 MB | 20.0 MB | 10.0 MB | 1.50× | 3.00× |",
		"Page cache: warm",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q\n%s", want, got)
		}
	}
}

func TestMedianOfRounds(t *testing.T) {
	in := "borg\tbackup1\t0\t30\t100\t3\t1\n" +
		"borg\tbackup1\t0\t10\t300\t1\t1\n" +
		"borg\tbackup1\t0\t20\t200\t2\t1\n" +
		"borg\tbackup2\t0\t1\t1\t1\t1\n" +
		"borg\tbackup2\t3\t1\t1\t1\t1\n"
	rs, err := parseResults(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := rs.get("borg", "backup1")
	if m.Value != 20 || m.RSSKiB != 200 || m.User != 2 {
		t.Errorf("median of three rounds = %+v, want 20 s, 200 KiB, user 2", m)
	}
	if m, _ := rs.get("borg", "backup2"); m.Exit != 3 {
		t.Errorf("a failed round must fail the step: exit %d", m.Exit)
	}
}

func TestSplice(t *testing.T) {
	tests := []struct {
		name, doc, want string
		wantErr         bool
	}{
		{"new document", "", "# Benchmarks\n\n" + beginMarker + "\nNEW\n" + endMarker + "\n", false},
		{"keeps the analysis", "# B\nintro\n" + beginMarker + "\nOLD\n" + endMarker + "\n## Analysis\nkept\n",
			"# B\nintro\n" + beginMarker + "\nNEW\n" + endMarker + "\n## Analysis\nkept\n", false},
		{"end before begin", endMarker + beginMarker, "", true},
		{"begin only", beginMarker, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := splice(tt.doc, "NEW\n")
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("splice = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestRunWritesFile(t *testing.T) {
	dir := t.TempDir()
	res, meta, out := filepath.Join(dir, "r.tsv"), filepath.Join(dir, "m.env"), filepath.Join(dir, "B.md")
	if err := os.WriteFile(res, []byte("restic\tbackup1\t0\t5\t100\t1\t1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(meta, []byte("data_bytes=1000000\ncache=cold\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-results", res, "-meta", meta, "-out", out}); err != nil {
		t.Fatalf("run: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "0.2 MB/s") || !strings.Contains(string(b), "drop_caches") {
		t.Errorf("report:\n%s", b)
	}
}

// TestTreeSection: the real-tree case goes between its own markers, with
// no rows for steps it does not have (the mutation, forget, prune) and no
// targets table.
func TestTreeSection(t *testing.T) {
	dir := t.TempDir()
	res, meta, out := filepath.Join(dir, "r.tsv"), filepath.Join(dir, "m.env"), filepath.Join(dir, "B.md")
	doc := "# B\n" + beginMarker + "\nDEFAULT RUN\n" + endMarker + "\n" + scaleBeginMarker + "\nSCALE RUN\n" + scaleEndMarker + "\n"
	if err := os.WriteFile(out, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	var tree []string // the sample without the steps the real-tree case has not
	for _, line := range strings.Split(sample, "\n") {
		if !strings.Contains(line, "backup3") && !strings.Contains(line, "repo3") && !strings.Contains(line, "prune") {
			tree = append(tree, line)
		}
	}
	if err := os.WriteFile(res, []byte(strings.Join(tree, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	m := "data_bytes=1000000000\ndata_bytes_after=1000000000\ndata_files=10\ntree=/usr/share /usr/lib\ndataset=a copy of /usr/share /usr/lib (10 files)\nstarted=today\n"
	if err := os.WriteFile(meta, []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-results", res, "-meta", meta, "-out", out}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	got := string(b)
	for _, want := range []string{"DEFAULT RUN", "SCALE RUN", treeBeginMarker, "a copy of /usr/share /usr/lib (10 files)",
		"| Initial backup: throughput | 100.0 MB/s | 20.0 MB/s | 40.0 MB/s | 5.00× | 2.50× |",
		"| No-change backup: time | 1.00 s |"} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"mutation", "Prune after", "### Targets"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("the real-tree report has %q:\n%s", unwanted, got)
		}
	}
}
