package jobs

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cadang/internal/statetest"
	"cadang/store"
)

// Holes found by this round's red team, each closed by the test named
// after it (docs/PROCEDURE.md, "Each hole and its test").

// Hole: a later change cleared an earlier author's conflict. The rule
// looked only at who last changed or submitted a job (and who last
// rescheduled a request), so an IT manager who wrote a job, or changed a
// request's destination, approved it himself once anyone else had made a
// trivial edit; and a manager who submitted a department's request
// approved it. Nobody decides on what they created, changed, submitted or
// rescheduled since its last approval: the window is offered only what
// the Service then allows.
func TestHoleEarlierAuthorDecides(t *testing.T) {
	f := newFixture(t)
	trivialJobEdit := func(t *testing.T, as User, name string) {
		t.Helper()
		j, err := f.svc.Job(f.ctx, as, name)
		if err != nil {
			t.Fatal(err)
		}
		j.Excludes = append(j.Excludes, "*."+as.Name)
		if _, err := f.svc.EditJob(f.ctx, as, name, j.JobSpec); err != nil {
			t.Fatalf("%s edits job %s: %v", as.Name, name, err)
		}
	}
	reason := func(t *testing.T, as User, id int64) {
		t.Helper()
		why := "alasan dari " + as.Name
		if _, err := f.svc.EditRequest(f.ctx, as, id, RequestEdit{Reason: &why}); err != nil {
			t.Fatalf("%s edits request #%d: %v", as.Name, id, err)
		}
	}
	jobCases := []struct {
		name   string
		steps  func(t *testing.T, job string)
		may    User // the manager who tries to approve
		refuse bool
	}{
		{"the manager who created it, after IT staff's trivial edit", func(t *testing.T, job string) {
			if _, err := f.svc.CreateJob(f.ctx, f.mgr, JobSpec{Name: job, Sources: []string{f.src}, Repository: filepath.Join(t.TempDir(), "repo")}); err != nil {
				t.Fatal(err)
			}
			trivialJobEdit(t, f.staff, job)
			if _, err := f.svc.SubmitJob(f.ctx, f.staff, job); err != nil {
				t.Fatal(err)
			}
		}, f.mgr, true},
		{"the manager who changed its sources, after IT staff's trivial edit", func(t *testing.T, job string) {
			f.job(t, job, Schedule{})
			j, _ := f.svc.Job(f.ctx, f.mgr, job)
			j.Sources = []string{t.TempDir()}
			if _, err := f.svc.EditJob(f.ctx, f.mgr, job, j.JobSpec); err != nil {
				t.Fatal(err)
			}
			trivialJobEdit(t, f.staff, job)
			if _, err := f.svc.SubmitJob(f.ctx, f.staff, job); err != nil {
				t.Fatal(err)
			}
		}, f.mgr, true},
		{"the manager who created it, rejected once, resubmitted by IT staff", func(t *testing.T, job string) {
			if _, err := f.svc.CreateJob(f.ctx, f.mgr, JobSpec{Name: job, Sources: []string{f.src}, Repository: filepath.Join(t.TempDir(), "repo")}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.SubmitJob(f.ctx, f.staff, job); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.RejectJob(f.ctx, f.mgr2, job, "not now"); err != nil {
				t.Fatal(err)
			}
			trivialJobEdit(t, f.staff, job)
			if _, err := f.svc.SubmitJob(f.ctx, f.staff, job); err != nil {
				t.Fatal(err)
			}
		}, f.mgr, true},
		{"the manager who created it, approved by another since, then changed by IT staff", func(t *testing.T, job string) {
			if _, err := f.svc.CreateJob(f.ctx, f.mgr, JobSpec{Name: job, Sources: []string{f.src}, Repository: filepath.Join(t.TempDir(), "repo")}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.SubmitJob(f.ctx, f.staff, job); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.ApproveJob(f.ctx, f.mgr2, job, f.svc.jobRev(job)); err != nil {
				t.Fatal(err)
			}
			trivialJobEdit(t, f.staff, job) // back to submitted: only IT staff's change is new
		}, f.mgr, false},
	}
	for i, c := range jobCases {
		t.Run("job: "+c.name, func(t *testing.T) {
			job := "j" + string(rune('a'+i))
			c.steps(t, job)
			p, err := f.svc.JobPermissions(f.ctx, c.may, job)
			if err != nil {
				t.Fatal(err)
			}
			in, err := f.svc.Inbox(f.ctx, c.may)
			if err != nil {
				t.Fatal(err)
			}
			offered := false
			for _, j := range in.Jobs {
				offered = offered || j.Name == job
			}
			seq := f.auditHead(t)
			_, err = f.svc.ApproveJob(f.ctx, c.may, job, f.svc.jobRev(job))
			if c.refuse {
				wantOneLineRefusal(t, "approve", err, "another IT manager")
				f.wantAudit(t, seq)
			} else if err != nil {
				t.Fatalf("approve: %v", err)
			}
			if p.Can(ActApprove) == c.refuse || offered == c.refuse {
				t.Errorf("JobPermissions offers approve: %v, the inbox: %v; want %v (%s)", p.Can(ActApprove), offered, !c.refuse, p.Why(ActApprove))
			}
		})
	}

	f.approvedJob(t, "erp", Schedule{})
	reqCases := []struct {
		name  string
		steps func(t *testing.T) int64
	}{
		{"a department's draft the manager submitted", func(t *testing.T) int64 {
			r, err := f.svc.CreateRequest(f.ctx, f.dept, NewRequest{Kind: KindBackup, Job: "erp", Reason: "sebelum migrasi"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.SubmitRequest(f.ctx, f.mgr, r.ID); err != nil {
				t.Fatal(err)
			}
			return r.ID
		}},
		{"a request whose destination the manager changed, then its requester its reason", func(t *testing.T) int64 {
			r := f.ask(t, NewRequest{Kind: KindBackup, Job: "erp", RequestedAt: start.Add(2 * time.Hour)})
			at := start.Add(3 * time.Hour)
			if _, err := f.svc.EditRequest(f.ctx, f.mgr, r.ID, RequestEdit{RequestedAt: at}); err != nil {
				t.Fatal(err)
			}
			reason(t, f.dept, r.ID)
			return r.ID
		}},
		{"a request the manager rescheduled, then IT staff edited", func(t *testing.T) int64 {
			r := f.ask(t, NewRequest{Kind: KindBackup, Job: "erp"})
			if _, err := f.svc.RejectRequest(f.ctx, f.mgr2, r.ID, "not today"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.RescheduleRequest(f.ctx, f.mgr, r.ID, start.Add(26*time.Hour)); err != nil {
				t.Fatal(err)
			}
			reason(t, f.staff, r.ID)
			return r.ID
		}},
	}
	for _, c := range reqCases {
		t.Run("request: "+c.name, func(t *testing.T) {
			id := c.steps(t)
			p, err := f.svc.RequestPermissions(f.ctx, f.mgr, id)
			if err != nil {
				t.Fatal(err)
			}
			if p.Can(ActApprove) {
				t.Errorf("RequestPermissions offers the manager approve")
			}
			in, err := f.svc.Inbox(f.ctx, f.mgr)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range in.Requests {
				if r.ID == id {
					t.Errorf("the manager's inbox offers request #%d", id)
				}
			}
			seq := f.auditHead(t)
			_, err = f.svc.ApproveRequest(f.ctx, f.mgr, id, f.svc.requestRev(id))
			wantOneLineRefusal(t, "approve", err, "another IT manager")
			f.wantAudit(t, seq)
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("refusal on two lines: %q", err)
			}
			// Another manager, who changed nothing, decides.
			if _, err := f.svc.ApproveRequest(f.ctx, f.mgr2, id, f.svc.requestRev(id)); err != nil {
				t.Errorf("another manager approves: %v", err)
			}
		})
	}
}

// Hole: a restore could write into the workspace's records or into a
// repository. A request's destination was any folder, so a restore into
// the workspace (or its keys/ or documents/) with consent to replace files
// put a department's files in place of the document key, the register's
// PDFs or the catalog, and one into a job's repository in place of its
// keys or snapshots. A restore's destination is never the workspace, a
// job's repository, or inside either: refused when the request is made,
// changed, approved and run, in one line, with nothing written.
func TestHoleRestoreIntoRecordsOrRepository(t *testing.T) {
	f := newRealFixture(t)
	// The department's share holds a folder named keys, with a key of
	// its own, and one named snapshots.
	writeTree(t, f.src, map[string]string{"keys/documents.key": "the department's own key", "snapshots/x": "not a snapshot"})
	repo := filepath.Join(t.TempDir(), "repo")
	f.realJob(t, "keu", repo, Retention{})
	other := filepath.Join(t.TempDir(), "other-repo")
	f.define(t, JobSpec{Name: "lain", Sources: []string{f.src}, Repository: other})
	ws := f.svc.Dir()
	targets := []struct{ name, target string }{
		{"the workspace", ws},
		{"the workspace's keys", filepath.Join(ws, "keys")},
		{"a folder inside documents/", filepath.Join(ws, "documents", "2026")},
		{"the workspace, spelled with ..", filepath.Join(ws, "logs", "..")},
		{"the job's repository", repo},
		{"inside the job's repository", filepath.Join(repo, "data")},
		{"another job's repository (not created yet)", other},
	}
	good := f.ask(t, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: time.Now(), Target: filepath.Join(t.TempDir(), "ok")})
	for _, c := range targets {
		t.Run(c.name, func(t *testing.T) {
			seq := f.auditHead(t)
			_, err := f.svc.CreateRequest(f.ctx, f.dept, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: time.Now(), Target: c.target, Overwrite: true, Reason: "x"})
			wantOneLineRefusal(t, "ask to restore into "+c.target, err, "never writes into")
			target := c.target
			_, err = f.svc.EditRequest(f.ctx, f.staff, good.ID, RequestEdit{Target: &target})
			wantOneLineRefusal(t, "change a request's destination to "+c.target, err, "never writes into")
			f.wantAudit(t, seq)
		})
	}
	// Requests made before the rule: one submitted, one approved (its
	// approved revision names the destination), written into the catalog.
	key := filepath.Join(ws, "keys", "documents.key")
	keyBefore := readFile(t, key)
	sub := f.ask(t, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: time.Now(), Target: filepath.Join(t.TempDir(), "ok")})
	appr := f.ask(t, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: time.Now(), Target: filepath.Join(t.TempDir(), "ok")})
	f.approveRequest(t, appr.ID)
	old, err := f.svc.catalog.RequestByID(f.ctx, appr.ID)
	if err != nil {
		t.Fatal(err)
	}
	old.Target, old.Overwrite = ws, true
	statetest.Exec(t, f.catalogPath(), `UPDATE requests SET target=?, overwrite=?, approved_revision=? WHERE id=?`, ws, true, requestRevisionOf(old), appr.ID)
	// …and its approval in the audit log, as the IT manager gave it then.
	if err := f.svc.audit(f.ctx, f.mgr.Name, "request.approve", requestObject(appr.ID), RequestSubmitted, RequestApproved, "revision "+requestRevisionOf(old)); err != nil {
		t.Fatal(err)
	}
	statetest.Exec(t, f.catalogPath(), `UPDATE requests SET target=?, overwrite=? WHERE id=?`, filepath.Join(ws, "keys"), true, sub.ID)
	seq := f.auditHead(t)
	_, err = f.svc.ApproveRequest(f.ctx, f.mgr, sub.ID, f.svc.requestRev(sub.ID))
	wantOneLineRefusal(t, "approve a restore into the workspace", err, "never writes into")
	f.wantAudit(t, seq)
	_, err = f.svc.RunRequest(f.ctx, f.staff, appr.ID, RunRequestOptions{})
	wantOneLineRefusal(t, "run a restore into the workspace", err, "never writes into")
	f.wantAudit(t, seq, "run.refused")
	if got := readFile(t, key); got != keyBefore {
		t.Errorf("the document key was replaced by the restore: %q", got)
	}
	if exists(filepath.Join(ws, "data")) {
		t.Errorf("the refused restore wrote into the workspace")
	}
	if got := f.request(t, appr.ID); got.State != RequestApproved {
		t.Errorf("after the refused run the request is %s, want approved (to be corrected)", got.State)
	}
}

// Hole: a replica's location moved under an approved job without the IT
// manager. A job's approval names its replicas; where each one is lives in
// the repository's replica list, and the window's EditReplica (like the
// command line's replica remove followed by add) pointed a replica the
// job sends its backups to at another place, which the next run filled
// with the repository. A replica a live job names keeps its location:
// take it out of the job first (a change the manager approves).
func TestHoleReplicaMovedUnderApprovedJob(t *testing.T) {
	f := newRealFixture(t)
	repo := filepath.Join(t.TempDir(), "repo")
	f.realJob(t, "keu", repo, Retention{})
	gedungB, elsewhere := filepath.Join(t.TempDir(), "gedung-b"), filepath.Join(t.TempDir(), "home-of-staff")
	if _, err := f.svc.AddReplica(f.ctx, f.staff, repo, ReplicaSpec{Name: "offsite", URL: gedungB}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddReplica(f.ctx, f.staff, repo, ReplicaSpec{Name: "spare", URL: gedungB + "-spare"}); err != nil {
		t.Fatal(err)
	}
	j, err := f.svc.Job(f.ctx, f.staff, "keu")
	if err != nil {
		t.Fatal(err)
	}
	j.Replicas = []string{"offsite"}
	if _, err := f.svc.EditJob(f.ctx, f.staff, "keu", j.JobSpec); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ApproveJob(f.ctx, f.mgr, "keu", f.svc.jobRev("keu")); err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(repo, "replicas.json")
	for _, as := range []User{f.staff, f.mgr, f.admin} {
		before, seq := readFile(t, list), f.auditHead(t)
		_, err := f.svc.EditReplica(f.ctx, as, repo, "offsite", ReplicaSpec{URL: elsewhere})
		wantOneLineRefusal(t, as.Name+" moves the replica an approved job names", err, "take the replica out of the job first")
		if readFile(t, list) != before {
			t.Errorf("the refused edit by %s changed replicas.json", as.Name)
		}
		f.wantAudit(t, seq)
	}
	// Its bandwidth may change; a replica no job names may move.
	if r, err := f.svc.EditReplica(f.ctx, f.staff, repo, "offsite", ReplicaSpec{URL: gedungB, BandwidthLimit: 1 << 20}); err != nil || r.URL != gedungB {
		t.Errorf("change the bandwidth of the job's replica: %+v, %v", r, err)
	}
	if _, err := f.svc.EditReplica(f.ctx, f.staff, repo, "spare", ReplicaSpec{URL: elsewhere}); err != nil {
		t.Errorf("move a replica no job names: %v", err)
	}
	// The command line's replica remove asks the same rule.
	err = CheckReplicaRemoval(f.ctx, f.svc.Dir(), repo, "offsite")
	wantOneLineRefusal(t, "remove the replica an approved job names (command line)", err, "take the replica out of the job first")
	if err := CheckReplicaRemoval(f.ctx, f.svc.Dir(), repo, "spare"); err != nil {
		t.Errorf("remove a replica no job names (command line): %v", err)
	}
}

// Hole: an approval bound only 32 bits of the revision. ApproveJob and
// ApproveRequest took any prefix of 8 characters or more, while the
// revision is shown with 12. The prefix is all that binds the approval
// to what the manager saw, and anyone who may edit the job finds, offline,
// a harmless-looking change (an exclude pattern) whose revision starts
// with the same 8 characters in about 2^32 hashes: minutes on a desktop.
// The grind below finds 4 characters in about 2^16. An approval names at
// least the 12 characters shown.
func TestHoleShortRevisionApproves(t *testing.T) {
	f := newFixture(t)
	f.job(t, "keu", Schedule{})
	if _, err := f.svc.SubmitJob(f.ctx, f.staff, "keu"); err != nil {
		t.Fatal(err)
	}
	seen := f.svc.jobRev("keu")
	// What a prefix binds: the stored definition, varied offline.
	stored, err := f.svc.catalog.JobByName(f.ctx, "keu")
	if err != nil {
		t.Fatal(err)
	}
	tries := 0
	for ; tries < 1<<22; tries++ {
		stored.Excludes = []string{fmt.Sprintf("*.tmp%d", tries)}
		if rev := revisionOf(stored); rev != seen && rev[:4] == seen[:4] {
			break
		}
	}
	if tries == 1<<22 {
		t.Fatal("no 16-bit prefix collision in 2^22 tries")
	}
	t.Logf("a definition whose revision shares 4 characters with %s found in %d tries", ShortRevision(seen), tries)

	for _, n := range []int{8, 10, 11} {
		seq := f.auditHead(t)
		_, err := f.svc.ApproveJob(f.ctx, f.mgr, "keu", seen[:n])
		wantOneLineRefusal(t, fmt.Sprintf("approve naming %d characters", n), err, "12 characters")
		f.wantAudit(t, seq)
	}
	f.approvedJob(t, "erp", Schedule{})
	r := f.ask(t, NewRequest{Kind: KindBackup, Job: "erp"})
	rev := f.svc.requestRev(r.ID)
	_, err = f.svc.ApproveRequest(f.ctx, f.mgr, r.ID, rev[:8])
	wantOneLineRefusal(t, "approve a request naming 8 characters", err, "12 characters")
	// What is shown, and the whole revision, approve.
	if _, err := f.svc.ApproveJob(f.ctx, f.mgr, "keu", ShortRevision(seen)); err != nil {
		t.Errorf("approve naming the revision shown: %v", err)
	}
	if _, err := f.svc.ApproveRequest(f.ctx, f.mgr, r.ID, rev); err != nil {
		t.Errorf("approve naming the whole revision: %v", err)
	}
}

// Hole: an approval written into the catalog by hand ran, and nothing
// showed it. Someone who can write catalog.db changed an approved job's
// sources (or a request's destination) and set its approved revision to
// the new definition's hash, which anyone can compute: the run, retention
// and the scheduler took it as approved, and `audit verify` found nothing,
// since the audit log was never touched. A run now also needs the audit
// log's newest approval of the job (or request) to name the revision it
// runs; forging that means rewriting the hash-chained, anchored log.
func TestHoleApprovalWrittenIntoCatalogRunsUnseen(t *testing.T) {
	f := newFixture(t)
	j := f.approvedJob(t, "keu", Schedule{})
	f.run(t, "keu")
	stored, err := f.svc.catalog.JobByID(f.ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored.Sources, stored.Retention = []string{"/"}, store.Retention{KeepLast: 1}
	statetest.Exec(t, f.catalogPath(), `UPDATE jobs SET sources='["/"]', retention='{"keep_last":1}', approved_revision=? WHERE id=?`, revisionOf(stored), j.ID)

	r := f.ask(t, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: f.clock.Now(), Target: filepath.Join(t.TempDir(), "approved")})
	f.approveRequest(t, r.ID)
	req, err := f.svc.catalog.RequestByID(f.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	req.Target = filepath.Join(t.TempDir(), "elsewhere")
	statetest.Exec(t, f.catalogPath(), `UPDATE requests SET target=?, approved_revision=? WHERE id=?`, req.Target, requestRevisionOf(req), r.ID)

	cases := []struct {
		name  string
		do    func() error
		audit []string
	}{
		{"run the job", func() error { _, err := f.svc.RunJob(f.ctx, f.staff, "keu", RunOptions{}); return err }, []string{"run.refused"}},
		{"the scheduler runs the job", func() error {
			_, err := f.svc.runBackup(f.ctx, j.ID, runSpec{trigger: TriggerSchedule, actor: SchedulerActor, account: &f.staff})
			return err
		}, []string{"run.refused"}},
		{"apply its retention", func() error { _, _, err := f.svc.ApplyRetention(f.ctx, f.staff, "keu", false); return err }, nil},
		{"run the request", func() error { _, err := f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{}); return err }, []string{"run.refused"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			seq := f.auditHead(t)
			wantOneLineRefusal(t, c.name, c.do(), "the IT manager approved")
			f.wantAudit(t, seq, c.audit...)
		})
	}
	if runs, _ := f.svc.Runs(f.ctx, f.staff, RunFilter{Job: "keu"}); len(runs) != 1 {
		t.Errorf("the job ran after its approval was written by hand: %d runs, want the first only", len(runs))
	}
	if exists(req.Target) {
		t.Errorf("the restore ran to the destination written by hand")
	}
	// Approved again through the procedure, it runs.
	spec := f.jobSpec(t, "keu")
	spec.Sources = []string{f.src}
	if _, err := f.svc.EditJob(f.ctx, f.staff, "keu", spec); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ApproveJob(f.ctx, f.mgr, "keu", f.svc.jobRev("keu")); err != nil {
		t.Fatal(err)
	}
	f.run(t, "keu")
}

// Hole: a department user read another's request through the document
// register. `request show` and Service.Request refuse another's request
// (its reason, paths and destination are that department's), but
// Documents (`docs list`, the window's register) listed every request
// form, verification report and handover form, with the path of the PDF
// that prints them. A department user sees the documents of their own
// requests only (and those of no request); asking for another's request
// by number is refused like `request show`.
func TestHoleDepartmentReadsAnothersRequestThroughDocuments(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "keu", Schedule{})
	mine := f.ask(t, NewRequest{Kind: KindBackup, Job: "keu", Reason: "laporan kami"})
	theirs, err := f.svc.CreateRequest(f.ctx, f.staff, NewRequest{Kind: KindBackup, Job: "keu", Reason: "rahasia TI"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitRequest(f.ctx, f.staff, theirs.ID); err != nil {
		t.Fatal(err)
	}
	all, err := f.svc.Documents(f.ctx, f.staff, DocumentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]bool{} // what the department user may see, by document ID
	for _, d := range all {
		if d.RequestID != theirs.ID {
			want[d.ID] = true
		}
	}
	if len(want) == len(all) || len(want) == 0 {
		t.Fatalf("the fixture files no document of both requests: %+v", all)
	}
	got, err := f.svc.Documents(f.ctx, f.dept, DocumentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range got {
		if d.RequestID == theirs.ID {
			t.Errorf("the department user is shown %s of another's request #%d", d.Number, theirs.ID)
		}
		delete(want, d.ID)
	}
	if len(want) > 0 {
		t.Errorf("the department user lost sight of %d documents of their own or of no request", len(want))
	}
	_, err = f.svc.Documents(f.ctx, f.dept, DocumentFilter{RequestID: theirs.ID})
	wantOneLineRefusal(t, "list the documents of another's request", err, "another's request")
	if own, err := f.svc.Documents(f.ctx, f.dept, DocumentFilter{RequestID: mine.ID}); err != nil || len(own) == 0 {
		t.Errorf("the documents of one's own request: %d, %v", len(own), err)
	}
}

// Hole (same class): a department user read another's restore through the
// run list. Service.Runs (`job runs`, the window's activity) listed the
// restore run of another's request, with its destination in its warnings
// and errors and the number of its verification report. A department user
// sees the runs of their own requests and of none.
func TestHoleDepartmentReadsAnothersRequestThroughRuns(t *testing.T) {
	f := newFixture(t)
	f.approvedJob(t, "keu", Schedule{})
	f.run(t, "keu")
	r, err := f.svc.CreateRequest(f.ctx, f.staff, NewRequest{Kind: KindRestore, Job: "keu", RequestedAt: f.clock.Now(),
		Target: filepath.Join(t.TempDir(), "rahasia-ti"), Reason: "IT's own"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SubmitRequest(f.ctx, f.staff, r.ID); err != nil {
		t.Fatal(err)
	}
	f.approveRequest(t, r.ID)
	if _, err := f.svc.RunRequest(f.ctx, f.staff, r.ID, RunRequestOptions{}); err != nil {
		t.Fatal(err)
	}
	all, err := f.svc.Runs(f.ctx, f.staff, RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	theirs := 0
	for _, run := range all {
		if run.RequestID == r.ID {
			theirs++
		}
	}
	if theirs == 0 {
		t.Fatalf("the restore of request #%d left no run: %+v", r.ID, all)
	}
	got, err := f.svc.Runs(f.ctx, f.dept, RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range got {
		if run.RequestID == r.ID {
			t.Errorf("the department user is shown run #%d of another's request #%d", run.ID, r.ID)
		}
	}
	if len(got) != len(all)-theirs {
		t.Errorf("the department user sees %d runs, want the %d of no request", len(got), len(all)-theirs)
	}
}
