package jobs_test

import (
	"context"
	"crypto/sha256"

	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"cadang/engine/replica"
	"cadang/jobs"
	"cadang/store"
)

// rewriteChain changes the detail of entry seq and recomputes every hash
// from there with the published algorithm (SHA-256 of the previous hash
// and the entry's canonical JSON), the recorded head included: what
// someone who can write the catalog can do.
func rewriteChain(t *testing.T, catalog string, seq int64, detail string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, catalog)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `UPDATE audit SET detail=? WHERE seq=?`, detail, seq); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(ctx, `SELECT seq, at, actor, action, object, from_state, to_state, detail, prev_hash FROM audit WHERE seq>=? ORDER BY seq`, seq)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		seq                                      int64
		at, actor, action, object, from, to, det string
		prev                                     string
	}
	var es []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.seq, &e.at, &e.actor, &e.action, &e.object, &e.from, &e.to, &e.det, &e.prev); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	rows.Close()
	prev := es[0].prev
	for _, e := range es {
		canon, _ := json.Marshal([]any{e.seq, e.at, e.actor, e.action, e.object, e.from, e.to, e.det})
		h := sha256.Sum256(append([]byte(prev), canon...))
		hash := hex.EncodeToString(h[:])
		if _, err := db.Exec(ctx, `UPDATE audit SET prev_hash=?, hash=? WHERE seq=?`, prev, hash, e.seq); err != nil {
			t.Fatal(err)
		}
		prev = hash
		if _, err := db.Exec(ctx, `UPDATE settings SET value=? WHERE key='audit.head'`, jsonHead(e.seq, hash)); err != nil {
			t.Fatal(err)
		}
	}
}

func jsonHead(seq int64, hash string) string {
	b, _ := json.Marshal(seq)
	return string(b) + ":" + hash
}

// TestAuditConsistentRewriteDetectedByAnchors: rewriting an entry and every
// hash after it leaves a chain that verifies on its own; the heads written
// into the snapshots (primary and offsite) and the filed PDFs still catch it.
func TestAuditConsistentRewriteDetectedByAnchors(t *testing.T) {
	s := newSOP(t)
	ctx := context.Background()
	initRepo(t, s.repo)
	gedungB := filepath.Join(t.TempDir(), "gedung-b")
	reg, err := replica.LoadRegistry(s.repo)
	s.must(err)
	s.must(reg.Add(replica.Replica{Name: "gedung-b", URL: gedungB}))
	s.must(reg.Save())
	spec := jobs.JobSpec{Name: "keuangan", Sources: []string{s.src}, Repository: s.repo, Replicas: []string{"gedung-b"}}
	_, err = s.svc.CreateJob(ctx, s.staff, spec)
	s.must(err)
	_, err = s.svc.SubmitJob(ctx, s.staff, "keuangan")
	s.must(err)
	_, err = s.svc.ApproveJob(ctx, s.mgr, "keuangan", jobs.JobRev(s.svc, "keuangan"))
	s.must(err)
	_, err = s.svc.RunJob(ctx, s.staff, "keuangan", jobs.RunOptions{})
	s.must(err)

	rep, err := s.svc.VerifyAudit(ctx, s.mgr)
	s.must(err)
	kinds := map[string]int{}
	for _, a := range rep.Anchors {
		kinds[a.Kind]++
		if !a.OK {
			t.Errorf("untouched log: anchor %s disagrees: %s", a.Where, a.Problem)
		}
	}
	if !rep.OK() || kinds[jobs.AnchorReplica] == 0 || kinds[jobs.AnchorRepository] == 0 || kinds[jobs.AnchorDocument] == 0 {
		t.Fatalf("untouched log: OK=%v anchors %v, want OK with replica, repository and document anchors (unreachable %v)", rep.OK(), kinds, rep.Unreachable)
	}

	// The job's approval (an early entry, before the backup) is rewritten
	// to name another approver, consistently.
	entries, err := s.svc.Audit(ctx, s.mgr, jobs.AuditFilter{Object: "job#1"})
	s.must(err)
	var approval int64
	for _, e := range entries {
		if e.Action == "job.approve" {
			approval = e.Seq
		}
	}
	if approval == 0 {
		t.Fatal("no job.approve entry")
	}
	rewriteChain(t, s.svc.Catalog().Path(), approval, "approved by someone else")

	_, chainProblems, err := s.svc.Catalog().VerifyAudit(ctx)
	s.must(err)
	if len(chainProblems) != 0 {
		t.Fatalf("the rewrite is not consistent (the chain alone finds %v): the test does not test what it says", chainProblems)
	}
	rep, err = s.svc.VerifyAudit(ctx, s.mgr)
	s.must(err)
	if rep.OK() {
		t.Fatal("a consistent rewrite of an anchored entry passed audit verify")
	}
	failed := map[string]int{}
	for _, a := range rep.Anchors {
		if !a.OK {
			failed[a.Kind]++
			if !strings.Contains(a.Problem, "rewritten") {
				t.Errorf("anchor %s: problem %q does not say the log was rewritten", a.Where, a.Problem)
			}
		}
	}
	if failed[jobs.AnchorReplica] == 0 {
		t.Errorf("no replica anchor caught the rewrite: %v", failed)
	}
}
