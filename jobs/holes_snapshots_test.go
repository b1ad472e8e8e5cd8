package jobs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cadang/engine"
	"cadang/internal/statetest"
	"cadang/pdfdoc/pdftest"
)

// Hole: retention grouped snapshots by host and paths, so job A's
// keep-last removed job B's snapshots of the same folders in a shared
// repository. Retention sees only the job's own snapshots, whether it runs
// after a backup or by hand. (The engine half: TestForgetWithTagKeepsOtherJobsSnapshots.)
func TestHoleRetentionRemovesOtherJobsSnapshots(t *testing.T) {
	f := newRealFixture(t)
	shared := filepath.Join(t.TempDir(), "shared")
	f.define(t, JobSpec{Name: "a", Sources: []string{f.src}, Repository: shared, Retention: Retention{KeepLast: 1}})
	f.define(t, JobSpec{Name: "b", Sources: []string{f.src}, Repository: shared})
	f.approve(t, "a")
	f.approve(t, "b")
	f.run(t, "b")
	f.run(t, "b")
	f.run(t, "a")
	f.run(t, "a") // its retention runs after the backup
	if _, _, err := f.svc.ApplyRetention(f.ctx, f.staff, "a", false); err != nil {
		t.Fatal(err)
	}
	all := f.repoSnapshots(t, shared)
	if got := tagged(all, "b"); got != 2 {
		t.Errorf("job b has %d snapshots left, want its 2: job a's retention removed them", got)
	}
	if got := tagged(all, "a"); got != 1 {
		t.Errorf("job a has %d snapshots, want 1 (keep-last 1)", got)
	}
}

// Hole: a restore request picked the newest snapshot of any job in the
// repository. It picks its job's own, and the browser lists only those.
func TestHoleRestoreRequestPicksOtherJobsSnapshot(t *testing.T) {
	f := newRealFixture(t)
	shared := filepath.Join(t.TempDir(), "shared")
	srcB := filepath.Join(t.TempDir(), "hr")
	writeTree(t, srcB, map[string]string{"gaji.csv": "nama,gaji"})
	f.define(t, JobSpec{Name: "keu", Sources: []string{f.src}, Repository: shared})
	f.define(t, JobSpec{Name: "hr", Sources: []string{srcB}, Repository: shared})
	f.approve(t, "keu")
	f.approve(t, "hr")
	own := f.run(t, "keu")
	f.run(t, "hr") // newer, in the same repository

	target := filepath.Join(t.TempDir(), "restored")
	r := f.ask(t, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: time.Now(), Target: target})
	if snap, err := f.svc.RequestSnapshot(f.ctx, f.staff, r.ID); err != nil || snap.ID != own.SnapshotID {
		t.Errorf("the request will use snapshot %s (%v), want keu's own %s", snap.ShortID(), err, shortID(own.SnapshotID))
	}
	f.approveRequest(t, r.ID)
	got, err := f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{})
	if err != nil || got.State != RequestVerified || got.SnapshotID != own.SnapshotID {
		t.Fatalf("restore: %s from %s, %v; want verified from keu's %s", got.State, shortID(got.SnapshotID), err, shortID(own.SnapshotID))
	}
	if exists(filepath.Join(target, "hr")) || !exists(filepath.Join(target, "data", "laporan.txt")) {
		t.Errorf("the restore brought back another job's data, or not its own")
	}
	snaps, err := f.svc.Snapshots(f.ctx, f.staff, "keu", "")
	if err != nil || len(snaps) != 1 || snaps[0].ID != own.SnapshotID {
		t.Errorf("the browser lists %d snapshots for keu (%v), want only its own", len(snaps), err)
	}
}

// Hole: with the default retention (one a day) each run deleted the
// earlier snapshots of the same day, so the 14:00 backup a department
// asked for "before the migration" was gone after the 21:00 nightly run,
// and nothing said so. The default keeps the last snapshots too; a
// request's snapshot is held; every removal is in that run's execution
// report and in the audit log.
func TestHoleRetentionDeletesRequestedBackup(t *testing.T) {
	t.Run("default policy", func(t *testing.T) {
		f := newRealFixture(t)
		repo := filepath.Join(t.TempDir(), "repo")
		f.define(t, JobSpec{Name: "keu", Sources: []string{f.src}, Repository: repo, Retention: DefaultRetention})
		f.approve(t, "keu")
		for range 3 { // the morning catch-up, 14:00 by hand, the 21:00 nightly
			f.run(t, "keu")
		}
		if n := len(f.repoSnapshots(t, repo)); n != 3 {
			t.Errorf("after three runs on one day the default policy left %d snapshots, want 3", n)
		}
	})
	t.Run("one a day, a backup request at 14:00", func(t *testing.T) {
		f := newRealFixture(t)
		repo := filepath.Join(t.TempDir(), "repo")
		f.define(t, JobSpec{Name: "keu", Sources: []string{f.src}, Repository: repo, Retention: Retention{KeepDaily: 7}})
		f.approve(t, "keu")
		morning := f.run(t, "keu")
		r := f.ask(t, NewRequest{Kind: KindBackup, Job: "keu", RequestedAt: f.clock.Now(), Reason: "before the migration"})
		f.approveRequest(t, r.ID)
		seq := f.auditHead(t)
		if got, err := f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{}); err != nil || got.State != RequestCompleted {
			t.Fatalf("the 14:00 backup request: %s, %v", got.State, err)
		}
		asked := f.request(t, r.ID).SnapshotID
		nightly := f.run(t, "keu")

		all := f.repoSnapshots(t, repo)
		ids := make([]string, len(all))
		for i, s := range all {
			ids[i] = s.ID
		}
		if !slices.Contains(ids, asked) || !slices.Contains(ids, nightly.SnapshotID) || slices.Contains(ids, morning.SnapshotID) {
			t.Fatalf("snapshots left %v; want the requested %s and the nightly %s, without the morning's %s",
				ids, shortID(asked), shortID(nightly.SnapshotID), shortID(morning.SnapshotID))
		}
		// The morning snapshot went in the request's run: its report and the audit log say so.
		runs, err := f.svc.Runs(f.ctx, f.staff, RunFilter{Job: "keu"})
		if err != nil {
			t.Fatal(err)
		}
		var requestRun Run
		for _, run := range runs {
			if run.RequestID == r.ID {
				requestRun = run
			}
		}
		docs, err := f.svc.Documents(f.ctx, f.staff, DocumentFilter{RunID: requestRun.ID, Type: DocExecutionReport})
		if err != nil || len(docs) != 1 {
			t.Fatalf("execution reports of run #%d: %d, %v", requestRun.ID, len(docs), err)
		}
		pdf, err := os.ReadFile(docs[0].Path)
		if err != nil {
			t.Fatal(err)
		}
		if text := pdftest.Text(t, pdf); !strings.Contains(text, shortID(morning.SnapshotID)) {
			t.Errorf("the execution report of run #%d does not list the removed snapshot %s:\n%s", requestRun.ID, shortID(morning.SnapshotID), text)
		}
		var retention []string
		for _, e := range f.wantAuditSome(t, seq, "job.retention") {
			retention = append(retention, e.Note)
		}
		if len(retention) != 1 || !strings.Contains(retention[0], shortID(morning.SnapshotID)) || !strings.Contains(retention[0], "run #") {
			t.Errorf("audit of the removal = %q, want one entry naming the run and snapshot %s", retention, shortID(morning.SnapshotID))
		}
		// And "restore as of the 14:00 backup" is possible.
		snap := f.snapshotByID(t, repo, asked)
		back := f.ask(t, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: snap.Time, Precision: PrecisionExact, Target: t.TempDir()})
		if got, err := f.svc.RequestSnapshot(f.ctx, f.staff, back.ID); err != nil || got.ID != asked {
			t.Errorf("restore as of the 14:00 backup would use %s (%v), want %s", got.ShortID(), err, shortID(asked))
		}
	})
}

// Hole: a restore that found no backup at or before its time said
// "Verification failed: the restored data differs from the backup". It
// says what happened (with the nearest backup), files no verification
// report, and leaves the request to be corrected and run again; the
// request is flagged when made (Request.Notice) and refused at approval.
func TestHoleNoBackupVerdict(t *testing.T) {
	f := newRealFixture(t)
	repo := filepath.Join(t.TempDir(), "repo")
	f.realJob(t, "keu", repo, Retention{})
	second := f.run(t, "keu")
	snaps := f.repoSnapshots(t, repo)
	first, later := snaps[0], f.snapshotByID(t, repo, second.SnapshotID)
	target := filepath.Join(t.TempDir(), "restored")

	// Made: flagged. Approved: refused.
	early := first.Time.Add(-time.Hour)
	r, err := f.svc.CreateRequest(f.ctx, f.dept, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: early, Precision: PrecisionExact, Target: target, Reason: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Notice, "no backup at or before") || !strings.Contains(r.Notice, first.Time.Local().Format("2006-01-02 15:04:05")) {
		t.Errorf("notice when made = %q, want no backup, nearest %s", r.Notice, first.Time.Local().Format("15:04:05"))
	}
	if _, err := f.svc.SubmitRequest(f.ctx, f.dept, r.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.ApproveRequest(f.ctx, f.mgr, r.ID, f.svc.requestRev(r.ID))
	wantOneLineRefusal(t, "approve a restore with no backup before its time", err, "no backup at or before")

	// Approved while its backup existed; the backup is gone by the run.
	r2 := f.ask(t, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: first.Time, Precision: PrecisionExact, Target: target})
	f.approveRequest(t, r2.ID)
	f.forgetAllBut(t, repo, "keu", 1)
	got, err := f.svc.RunRequest(f.ctx, f.staff, r2.ID, RunRequestOptions{})
	if err == nil || !strings.Contains(err.Error(), "no backup at or before") || !strings.Contains(err.Error(), later.Time.Local().Format("2006-01-02 15:04:05")) {
		t.Errorf("run: %v; want no backup at or before, the nearest at %s", err, later.Time.Local().Format("15:04:05"))
	}
	if strings.Contains(strings.ToLower(err.Error()), "differs") || strings.Contains(strings.ToLower(err.Error()), "verification failed") {
		t.Errorf("run: %q speaks of a failed verification", err)
	}
	if got.State != RequestApproved {
		t.Errorf("after the run the request is %s, want approved (to be corrected)", got.State)
	}
	if docs, _ := f.svc.Documents(f.ctx, f.staff, DocumentFilter{RequestID: r2.ID, Type: DocVerificationReport}); len(docs) != 0 {
		t.Errorf("a verification report was filed for a restore that found no backup")
	}
	if exists(target) {
		t.Errorf("the run wrote %s", target)
	}
	// Corrected and run again.
	if _, err := f.svc.EditRequest(f.ctx, f.dept, r2.ID, RequestEdit{RequestedAt: later.Time, Precision: PrecisionExact}); err != nil {
		t.Fatal(err)
	}
	f.approveRequest(t, r2.ID)
	if got, err = f.svc.RunRequest(f.ctx, f.staff, r2.ID, RunRequestOptions{}); err != nil || got.State != RequestVerified {
		t.Errorf("the corrected request: %s, %v; want verified", got.State, err)
	}
}

// Hole: a request "as of 22:26" missed the snapshot taken at 22:26:40, and
// a date alone restored the previous day. One rule (jobs.ParseTime and
// AsOf: a minute includes its seconds, a date its whole day) serves
// requests, the window and `restore --at` (cli TestAtUpperBound).
func TestHoleTimePrecision(t *testing.T) {
	f := newRealFixture(t)
	repo := filepath.Join(t.TempDir(), "repo")
	run := f.realJob(t, "keu", repo, Retention{})
	snap := f.snapshotByID(t, repo, run.SnapshotID)
	local := snap.Time.Local()
	tests := []struct {
		name, typed string
	}{
		{"the snapshot's minute", local.Format("2006-01-02 15:04")},
		{"the minute, Indonesian style", local.Format("02/01/2006 15.04")},
		{"the snapshot's day", local.Format("2006-01-02")},
		{"the day, Indonesian style", local.Format("02/01/2006")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, prec, err := ParseTime(tt.typed, time.Local)
			if err != nil {
				t.Fatal(err)
			}
			if asOf, err := ParseAsOf(tt.typed, time.Local); err != nil || !asOf.Equal(AsOf(at, prec)) || asOf.Before(snap.Time) {
				t.Errorf("ParseAsOf(%q) = %v, %v; want AsOf of ParseTime, not before %v", tt.typed, asOf, err, snap.Time)
			}
			r := f.ask(t, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: at, Precision: prec, Target: t.TempDir()})
			if got, err := f.svc.RequestSnapshot(f.ctx, f.staff, r.ID); err != nil || got.ID != snap.ID {
				t.Errorf("a request as of %q uses %s (%v), want %s taken %s", tt.typed, got.ShortID(), err, snap.ShortID(), local.Format("15:04:05.000"))
			}
		})
	}
	// The window's calendar gives a time on a whole minute: that minute.
	minute := local.Truncate(time.Minute)
	r := f.ask(t, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: minute, Target: filepath.Join(t.TempDir(), "t")})
	f.approveRequest(t, r.ID)
	if got, err := f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{}); err != nil || got.SnapshotID != snap.ID {
		t.Errorf("restore as of %s: %s from %s, %v; want verified from %s", minute.Format("15:04"), got.State, shortID(got.SnapshotID), err, snap.ShortID())
	}
}

// Hole: a source that could not be read at all (a missing folder, an
// unreachable database) made the run "completed with warnings". The run
// fails, the snapshot keeps what was read and is marked partial, and no
// retention runs after it. (The engine half: TestBackupMarksUnreadSourcesPartial.)
func TestHoleUnreadableSourceCompletedWithWarnings(t *testing.T) {
	tests := []struct {
		name   string
		source func(t *testing.T) string
		lose   func(t *testing.T, source string) // between the approval and the run
	}{
		{"a folder that is missing (unmounted share)", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "share")
			writeTree(t, p, map[string]string{"a.txt": "a"})
			return p
		}, func(t *testing.T, p string) {
			if err := os.RemoveAll(p); err != nil {
				t.Fatal(err)
			}
		}},
		{"a database that is unreachable", func(t *testing.T) string {
			return "postgres://cadang@127.0.0.1:1/erp" // nothing listens on port 1
		}, func(t *testing.T, p string) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRealFixture(t)
			repo := filepath.Join(t.TempDir(), "repo")
			other := tt.source(t)
			f.define(t, JobSpec{Name: "keu", Sources: []string{f.src}, Repository: repo, Retention: Retention{KeepLast: 1}})
			f.approve(t, "keu")
			complete := f.run(t, "keu")
			spec := f.jobSpec(t, "keu")
			spec.Sources = append(spec.Sources, other)
			if _, err := f.svc.EditJob(f.ctx, f.staff, "keu", spec); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.ApproveJob(f.ctx, f.mgr, "keu", f.svc.jobRev("keu")); err != nil {
				t.Fatal(err)
			}
			tt.lose(t, other)
			run, err := f.svc.RunJob(f.ctx, f.staff, "keu", RunOptions{})
			if err == nil || run.Status != RunFailed || !strings.Contains(run.Error, "could not read") {
				t.Fatalf("run with an unreadable source: %s (%q), %v; want failed", run.Status, run.Error, err)
			}
			all := f.repoSnapshots(t, repo)
			if len(all) != 2 {
				t.Fatalf("%d snapshots, want 2: the complete one kept (no retention after a partial backup) and the partial one", len(all))
			}
			partial := f.snapshotByID(t, repo, run.SnapshotID)
			if len(partial.Partial) != 1 || partial.Partial[0] == "" {
				t.Errorf("snapshot %s is not marked partial: %v", partial.ShortID(), partial.Partial)
			}
			if f.snapshotByID(t, repo, complete.SnapshotID).Partial != nil {
				t.Error("the complete snapshot is marked partial")
			}
		})
	}
}

// Hole: the restore verdict ignored entries that failed to restore (a
// folder, a link), so the request still ended "verified".
func TestHoleRestoreVerdictIgnoresFailedEntries(t *testing.T) {
	tests := []struct {
		name     string
		snapped  func(t *testing.T, src string) // what the snapshot has besides laporan.txt
		inTheWay map[string]string              // what the target has in its place
		mkdir    string                         // or a folder in its place
	}{
		{"a folder", func(t *testing.T, src string) {
			if err := os.Mkdir(filepath.Join(src, "kosong"), 0o700); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"data/kosong": "a file where the folder goes"}, ""},
		{"a link", func(t *testing.T, src string) {
			if err := os.Symlink("laporan.txt", filepath.Join(src, "tautan")); err != nil {
				t.Fatal(err)
			}
		}, nil, "data/tautan/isi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRealFixture(t)
			tt.snapped(t, f.src)
			f.realJob(t, "keu", filepath.Join(t.TempDir(), "repo"), Retention{})
			target := t.TempDir()
			writeTree(t, target, tt.inTheWay)
			if tt.mkdir != "" {
				writeTree(t, target, map[string]string{tt.mkdir: "a folder where the link goes"})
			}
			r := f.ask(t, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: time.Now(), Target: target, Overwrite: true})
			f.approveRequest(t, r.ID)
			got, err := f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{})
			if err == nil || got.State != RequestFailed {
				t.Fatalf("restore with %s that could not be restored: %s, %v; want failed", tt.name, got.State, err)
			}
			if !strings.Contains(err.Error(), "could not be restored") {
				t.Errorf("failure %q does not say what could not be restored", err)
			}
		})
	}
}

// Hole: a job's repository that went missing (an unmounted share) was
// silently created again in the empty mount point. The catalog knows the
// job's repository; a missing or different one fails the run with the
// reason and nothing is created.
func TestHoleMissingRepositoryRecreated(t *testing.T) {
	tests := []struct {
		name  string
		unmnt func(t *testing.T, repo string)
		want  string
	}{
		{"an empty mount point", func(t *testing.T, repo string) {
			if err := os.Rename(repo, repo+".unmounted"); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(repo, 0o700); err != nil {
				t.Fatal(err)
			}
		}, "is the share or disk mounted"},
		{"no folder at all", func(t *testing.T, repo string) {
			if err := os.Rename(repo, repo+".unmounted"); err != nil {
				t.Fatal(err)
			}
		}, "is the share or disk mounted"},
		{"another repository there", func(t *testing.T, repo string) {
			if err := os.Rename(repo, repo+".unmounted"); err != nil {
				t.Fatal(err)
			}
			r, err := LocalEngine{}.Open(t.Context(), repo, "", true)
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
		}, "but the job's is"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRealFixture(t)
			repo := filepath.Join(t.TempDir(), "repo")
			f.realJob(t, "keu", repo, Retention{})
			tt.unmnt(t, repo)
			before := listDir(t, repo)
			run, err := f.svc.RunJob(f.ctx, f.staff, "keu", RunOptions{})
			if !errors.Is(err, ErrRepositoryChanged) || run.Status != RunFailed || !strings.Contains(run.Error, tt.want) {
				t.Fatalf("run: %s (%q), %v; want failed with ErrRepositoryChanged saying %q", run.Status, run.Error, err, tt.want)
			}
			if after := listDir(t, repo); !slices.Equal(before, after) {
				t.Errorf("the failed run wrote at %s: %v → %v", repo, before, after)
			}
		})
	}
}

// listDir lists the names under dir ("missing" when there is none).
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		out = append(out, strings.TrimPrefix(p, dir))
		return nil
	})
	if os.IsNotExist(err) {
		return []string{"missing"}
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// snapshotByID finds a snapshot in a repository.
func (f *fixture) snapshotByID(t *testing.T, repo, id string) engine.Snapshot {
	t.Helper()
	for _, s := range f.repoSnapshots(t, repo) {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("snapshot %s not in %s", shortID(id), repo)
	return engine.Snapshot{}
}

// forgetAllBut removes by hand all but the newest n snapshots of job.
func (f *fixture) forgetAllBut(t *testing.T, repo, job string, n int) {
	t.Helper()
	r, err := LocalEngine{}.Open(f.ctx, repo, "", false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.ForgetWith(f.ctx, engine.ForgetOptions{Policy: engine.RetentionPolicy{KeepLast: n}, Tag: jobTag(job)}); err != nil {
		t.Fatal(err)
	}
}

// jobSpec is a job's definition as it stands.
func (f *fixture) jobSpec(t *testing.T, name string) JobSpec {
	t.Helper()
	j, err := f.svc.Job(f.ctx, f.staff, name)
	if err != nil {
		t.Fatal(err)
	}
	return j.JobSpec
}

// wantAuditSome returns the audit entries after seq with action.
func (f *fixture) wantAuditSome(t *testing.T, seq int64, action string) []statetest.AuditEntry {
	t.Helper()
	var out []statetest.AuditEntry
	for _, e := range statetest.AuditAfter(t, f.catalogPath(), seq) {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// Hole (the same class, found by this round's red team): only a backup
// checked the repository's identity. A restore, retention and the browser
// read whatever repository sat at the job's location: one put in place of
// an unmounted share, holding snapshots tagged with the job's name, was
// restored from ("verified" against itself) and pruned.
func TestHoleReplacedRepositoryReadAsTheJobs(t *testing.T) {
	f := newRealFixture(t)
	repo := filepath.Join(t.TempDir(), "repo")
	f.define(t, JobSpec{Name: "keu", Sources: []string{f.src}, Repository: repo, Retention: Retention{KeepLast: 1}})
	f.approve(t, "keu")
	f.run(t, "keu")
	target := filepath.Join(t.TempDir(), "restored")
	r := f.ask(t, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: time.Now().Add(time.Hour), Target: target})
	f.approveRequest(t, r.ID)

	// Another repository in its place, with "keu" snapshots of other data.
	if err := os.Rename(repo, repo+".unmounted"); err != nil {
		t.Fatal(err)
	}
	planted := filepath.Join(t.TempDir(), "data")
	writeTree(t, planted, map[string]string{"laporan.txt": "planted"})
	other, err := LocalEngine{}.Open(f.ctx, repo, "", true)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := other.Backup(f.ctx, []string{planted}, engine.BackupOptions{Tags: []string{jobTag("keu")}}); err != nil {
			t.Fatal(err)
		}
	}
	other.Close()
	before := listDir(t, repo)

	_, err = f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{})
	if !errors.Is(err, ErrRepositoryChanged) {
		t.Errorf("restore from a replaced repository: %v, want ErrRepositoryChanged", err)
	}
	if exists(target) {
		t.Errorf("the restore wrote %s from a repository that is not the job's: %q", target, readFile(t, filepath.Join(target, "data", "laporan.txt")))
	}
	if _, _, err := f.svc.ApplyRetention(f.ctx, f.staff, "keu", false); !errors.Is(err, ErrRepositoryChanged) {
		t.Errorf("retention on a replaced repository: %v, want ErrRepositoryChanged", err)
	}
	if _, err := f.svc.Snapshots(f.ctx, f.staff, "keu", ""); !errors.Is(err, ErrRepositoryChanged) {
		t.Errorf("browsing a replaced repository: %v, want ErrRepositoryChanged", err)
	}
	if after := listDir(t, repo); !slices.Equal(before, after) {
		t.Errorf("the replaced repository was changed: %v → %v", before, after)
	}
}
