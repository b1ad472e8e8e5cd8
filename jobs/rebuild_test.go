package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cadang/engine"
	"cadang/engine/location"
	"cadang/jobs"
	"cadang/store"
)

// TestWorkspaceLostAndRebuilt is issue 11's "must show" 3 at the level of
// the procedure: a workspace with filed documents is backed up by its
// records job, deleted, and rebuilt elsewhere from the records repository;
// the audit chain and every registered document verify on the rebuilt one,
// its accounts log in, and its records job backs it up again.
func TestWorkspaceLostAndRebuilt(t *testing.T) {
	r := newRecords(t)
	src := filepath.Join(t.TempDir(), "keuangan")
	write(t, filepath.Join(src, "laporan.txt"), []byte("laporan keuangan"))
	_, err := r.svc.CreateJob(r.ctx, r.staff, jobs.JobSpec{Name: "keuangan", Sources: []string{src}, Repository: filepath.Join(t.TempDir(), "repo")})
	r.must(err)
	_, err = r.svc.SubmitJob(r.ctx, r.staff, "keuangan")
	r.must(err)
	_, err = approveJob(r.ctx, r.svc, r.mgr, "keuangan")
	r.must(err)
	for range 2 {
		_, err := r.svc.RunJob(r.ctx, r.staff, "keuangan", jobs.RunOptions{})
		r.must(err)
		r.clock.Advance(time.Hour)
	}
	_, err = r.svc.FileHistoryReport(r.ctx, r.staff, r.clock.Now().Add(-24*time.Hour), r.clock.Now())
	r.must(err)
	before, err := r.svc.Documents(r.ctx, r.staff, jobs.DocumentFilter{})
	r.must(err)
	// A run of another job caught in progress by the catalog copy.
	ghost, err := r.svc.Catalog().InsertRun(r.ctx, store.Run{JobID: mustJob(t, r, "keuangan").ID, Kind: jobs.KindBackup,
		Trigger: jobs.TriggerManual, Actor: "yoga", StartedAt: r.clock.Now(), Status: jobs.RunRunning, Owner: "old-host:1"})
	r.must(err)
	// A PDF that reached documents/ without its register entry (filed after the copy).
	stray := filepath.Join(r.dir, "documents", "2026", "FRM-IT-002-02_2026_0999.pdf")
	write(t, stray, []byte("%PDF-1.4 filed after the catalog copy"))

	records, err := r.svc.RunRecords(r.ctx, r.staff, jobs.RunOptions{})
	r.must(err)
	r.must(r.svc.Close())
	r.must(os.RemoveAll(r.dir)) // the workstation is lost

	rebuilt := filepath.Join(t.TempDir(), "new-machine", "cadang")
	res, err := jobs.RebuildWorkspace(r.ctx, rebuilt, jobs.RebuildOptions{Repository: r.repo, Password: recordsPassword, Clock: r.clock})
	r.must(err)
	if !res.OK() || res.Snapshot != records.SnapshotID || res.Documents != len(before) || res.Tables == 0 {
		t.Fatalf("rebuild result %+v: want OK from snapshot %s with %d documents", res, records.SnapshotID, len(before))
	}
	if !slices.Equal(res.SetAside, []string{"unregistered/documents/2026/FRM-IT-002-02_2026_0999.pdf"}) {
		t.Errorf("set aside %v, want the unregistered PDF", res.SetAside)
	}
	if len(res.RunsClosed) != 2 {
		t.Errorf("runs closed %v, want the records run and the interrupted one", res.RunsClosed)
	}

	svc := r.open(rebuilt)
	mgr, err := svc.Login(r.ctx, "gideon", "gideon-pass-1")
	r.must(err)
	audit, err := svc.VerifyAudit(r.ctx, mgr)
	r.must(err)
	if !audit.OK() {
		t.Fatalf("audit chain of the rebuilt workspace: %+v", audit.Problems)
	}
	after, err := svc.Documents(r.ctx, mgr, jobs.DocumentFilter{})
	r.must(err)
	if len(after) != len(before) {
		t.Fatalf("%d documents in the rebuilt register, want %d", len(after), len(before))
	}
	for _, d := range after {
		if !strings.HasPrefix(d.Path, rebuilt) {
			t.Errorf("document %s at %s, outside the rebuilt workspace", d.Number, d.Path)
		}
		if _, err := svc.VerifyDocument(r.ctx, mgr, d.Path); err != nil {
			t.Errorf("document %s does not verify on the rebuilt workspace: %v", d.Number, err)
		}
	}
	runs, err := svc.Runs(r.ctx, mgr, jobs.RunFilter{})
	r.must(err)
	for _, run := range runs {
		switch {
		case run.ID == records.ID && (run.Status != jobs.RunWarnings || run.SnapshotID != records.SnapshotID):
			t.Errorf("the records run in the copy: %s snapshot %s, want warnings with %s", run.Status, run.SnapshotID, records.SnapshotID)
		case run.ID == ghost && (run.Status != jobs.RunFailed || !strings.Contains(run.Error, "rebuilt")):
			t.Errorf("the run caught by the copy: %s %q, want failed, saying why", run.Status, run.Error)
		case run.Status == jobs.RunRunning:
			t.Errorf("run %d still running after the rebuild", run.ID)
		}
	}
	// The records snapshot's audit anchor is an entry of the chain it holds.
	snap, _ := r.snapshotPaths(r.repo)
	anchor := snap.Labels[jobs.LabelAuditHead]
	entries, err := svc.Audit(r.ctx, mgr, jobs.AuditFilter{})
	r.must(err)
	found := false
	for _, e := range entries {
		found = found || anchor == strconv.FormatInt(e.Seq, 10)+":"+e.Hash
	}
	if !found {
		t.Errorf("the records snapshot's anchor %q is not an entry of the rebuilt chain", anchor)
	}
	logs, err := filepath.Glob(filepath.Join(rebuilt, "logs", "*.log"))
	if err != nil || len(logs) == 0 {
		t.Errorf("run logs not rebuilt: %v %v", logs, err)
	}
	again, err := svc.RunRecords(r.ctx, mgr, jobs.RunOptions{})
	if err != nil || again.Status != jobs.RunSuccess {
		t.Fatalf("records backup of the rebuilt workspace: %+v, %v", again, err)
	}
	// The lost workspace numbered the records run's report after the copy;
	// the rebuilt one never gives that number (or the next ones) again.
	if seq := sequenceOf(t, again.Report); again.Report == records.Report || seq <= sequenceOf(t, records.Report)+jobs.RebuildNumberGap-2 {
		t.Errorf("first report after the rebuild is %s; the lost workspace's last was %s: numbers must move on by %d", again.Report, records.Report, jobs.RebuildNumberGap)
	}
}

func mustJob(t *testing.T, r *records, name string) jobs.Job {
	t.Helper()
	j, err := r.svc.Job(r.ctx, r.staff, name)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestRebuildNeverReplacesRecords(t *testing.T) {
	r := newRecords(t)
	_, err := r.svc.RunRecords(r.ctx, r.staff, jobs.RunOptions{})
	r.must(err)
	ctx := context.Background()
	opt := jobs.RebuildOptions{Repository: r.repo, Password: recordsPassword}
	for _, tc := range []struct {
		name    string
		prepare func(dir string)
		refused bool
	}{
		{"a folder with a file", func(dir string) { write(t, filepath.Join(dir, "notes.txt"), []byte("mine")) }, true},
		{"a workspace with documents", func(dir string) { write(t, filepath.Join(dir, "documents", "a.pdf"), []byte("%PDF")) }, true},
		{"the workspace in use", func(string) {}, true},
		{"a new folder", func(dir string) { r.must(os.Remove(dir)) }, false},
		{"an empty folder", func(string) {}, false},
		{"an empty workspace the window opened", func(dir string) { r.open(dir).Close() }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.name == "the workspace in use" {
				dir = r.dir
			}
			tc.prepare(dir)
			res, err := jobs.RebuildWorkspace(ctx, dir, opt)
			if tc.refused {
				if !errors.Is(err, jobs.ErrRefused) {
					t.Fatalf("got %v, want a refusal", err)
				}
				return
			}
			if err != nil || !res.OK() {
				t.Fatalf("rebuild: %+v, %v", res, err)
			}
		})
	}
	if _, err := r.svc.Jobs(ctx, r.staff, ""); err != nil {
		t.Fatalf("the workspace in use was touched: %v", err)
	}
}

func TestRebuildFromARepositoryWithoutRecords(t *testing.T) {
	ctx := context.Background()
	r := newRecords(t) // the repository exists (setup opened it) but holds no snapshot yet
	_, err := jobs.RebuildWorkspace(ctx, t.TempDir(), jobs.RebuildOptions{Repository: r.repo, Password: recordsPassword})
	if err == nil || !strings.Contains(err.Error(), "no workspace backup") {
		t.Fatalf("got %v, want 'no workspace backup'", err)
	}
	_, err = jobs.RebuildWorkspace(ctx, t.TempDir(), jobs.RebuildOptions{Repository: r.repo, Password: "wrong password"})
	if err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("wrong password: %v", err)
	}
}

// TestFailedRebuildLeavesTheFolderEmpty: a snapshot tagged as a workspace
// backup that holds files but no catalog fails after its files were
// restored; the folder is emptied, so the rebuild can be tried again.
func TestFailedRebuildLeavesTheFolderEmpty(t *testing.T) {
	ctx := context.Background()
	repoDir := filepath.Join(t.TempDir(), "repo")
	be, err := location.Open(ctx, repoDir)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := engine.Init(ctx, be, engine.InitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	docs := filepath.Join(t.TempDir(), "documents")
	write(t, filepath.Join(docs, "2026", "a.pdf"), []byte("%PDF-1.4"))
	if _, err := repo.Backup(ctx, []string{docs}, engine.BackupOptions{Tags: []string{"job:" + jobs.RecordsJobName}}); err != nil {
		t.Fatal(err)
	}
	repo.Close()
	dir := t.TempDir()
	_, err = jobs.RebuildWorkspace(ctx, dir, jobs.RebuildOptions{Repository: repoDir})
	if err == nil || !strings.Contains(err.Error(), "restore the catalog") {
		t.Fatalf("got %v, want the catalog's restore to fail", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("a failed rebuild left %v in the folder", left)
	}
}

// TestRebuildChecksSealsWithTheDocumentKey: a document key kept outside
// the workspace is not in its records backup; the rebuild reports every
// sealed document until the key is given, and then they all verify.
func TestRebuildChecksSealsWithTheDocumentKey(t *testing.T) {
	ctx := context.Background()
	key := filepath.Join(t.TempDir(), "etc", "documents.key")
	repo := filepath.Join(t.TempDir(), "records")
	svc, err := jobs.OpenWorkspace(ctx, t.TempDir(), jobs.Options{DocumentKeyFile: key})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := svc.Setup(ctx, jobs.SetupOptions{Admin: "admin", Password: "admin-pass-1", Records: jobs.RecordsOptions{Repository: repo}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.FileHistoryReport(ctx, admin, time.Now().Add(-time.Hour), time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RunRecords(ctx, admin, jobs.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	svc.Close()
	for _, tc := range []struct {
		name string
		key  string
		ok   bool
	}{
		{"without the key", "", false},
		{"with the key", key, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := jobs.RebuildWorkspace(ctx, t.TempDir(), jobs.RebuildOptions{Repository: repo, DocumentKeyFile: tc.key})
			if err != nil {
				t.Fatal(err)
			}
			if res.OK() != tc.ok || res.Documents == 0 {
				t.Fatalf("rebuild %s: OK %v with %d documents, problems %v", tc.name, res.OK(), res.Documents, res.DocumentProblems)
			}
			if !tc.ok && !strings.Contains(strings.Join(res.DocumentProblems, "\n"), "document key is missing") {
				t.Fatalf("problems %v, want the missing key named", res.DocumentProblems)
			}
		})
	}
}

// sequenceOf is the sequence part of a document number (CODE/YEAR/SEQ).
func sequenceOf(t *testing.T, number string) int {
	t.Helper()
	i := strings.LastIndex(number, "/")
	n, err := strconv.Atoi(number[i+1:])
	if i < 0 || err != nil {
		t.Fatalf("document number %q has no sequence", number)
	}
	return n
}

// TestRebuildNotesWhatThisMachineLacks: a logo kept outside the workspace
// and a records repository that died with the workstation are named.
func TestRebuildNotesWhatThisMachineLacks(t *testing.T) {
	ctx := context.Background()
	logo := filepath.Join(t.TempDir(), "logo.png")
	var img bytes.Buffer
	if err := pngEncode(&img); err != nil {
		t.Fatal(err)
	}
	write(t, logo, img.Bytes())
	repo := filepath.Join(t.TempDir(), "records")
	svc, err := jobs.OpenWorkspace(ctx, t.TempDir(), jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := svc.Setup(ctx, jobs.SetupOptions{Admin: "admin", Password: "admin-pass-1", Records: jobs.RecordsOptions{Repository: repo}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetSetting(ctx, admin, jobs.KeyLogo, logo); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RunRecords(ctx, admin, jobs.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	svc.Close()
	replica := filepath.Join(t.TempDir(), "replica")
	if err := os.Rename(repo, replica); err != nil { // the primary is gone; a copy survived
		t.Fatal(err)
	}
	if err := os.Remove(logo); err != nil {
		t.Fatal(err)
	}
	res, err := jobs.RebuildWorkspace(ctx, t.TempDir(), jobs.RebuildOptions{Repository: replica})
	if err != nil || !res.OK() {
		t.Fatalf("rebuild: %+v %v", res, err)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{logo, repo, "job edit " + jobs.RecordsJobName} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q do not mention %q", notes, want)
		}
	}
}

func pngEncode(w io.Writer) error {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	return png.Encode(w, img)
}
