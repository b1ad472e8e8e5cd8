package jobs

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"cadang/store"
)

// An approval given before approvals named a revision keeps its job
// running after the upgrade (adopted, with an audit entry), instead of
// every job stopping at the upgrade; a job not approved adopts nothing.
func TestUpgradeAdoptsApprovalsGivenBeforeRevisions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cat := filepath.Join(dir, CatalogFile)
	if err := store.CreateAtSchema(ctx, cat, schemaApprovalsNameRevision-1); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", cat)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users(id,name,role,password_hash,created_at) VALUES(1,'yoga','staff','x','2026-01-01T00:00:00Z'),(2,'gideon','manager','x','2026-01-01T00:00:00Z')`,
		`INSERT INTO jobs(id,name,sources,repository,schedule_kind,window_start,window_end,state,created_by,decided_by,created_at,updated_at)
		 VALUES(1,'keuangan','["/srv/keuangan"]','/backup/keuangan','window','21:00','23:00','approved',1,2,'2026-01-01T00:00:00Z','2026-01-01T00:00:00Z'),
		       (2,'hr','["/srv/hr"]','/backup/hr','window','21:00','23:00','submitted',1,NULL,'2026-01-01T00:00:00Z','2026-01-01T00:00:00Z')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	svc, err := OpenWorkspace(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	approved, err := svc.catalog.JobByName(ctx, "keuangan")
	if err != nil {
		t.Fatal(err)
	}
	if approved.ApprovedRevision != revisionOf(approved) || approvedAsIs(approved) != nil {
		t.Errorf("approved job after the upgrade: revision %q, runnable: %v", approved.ApprovedRevision, approvedAsIs(approved))
	}
	submitted, err := svc.catalog.JobByName(ctx, "hr")
	if err != nil {
		t.Fatal(err)
	}
	if submitted.ApprovedRevision != "" {
		t.Errorf("a submitted job adopted an approval: %q", submitted.ApprovedRevision)
	}
	es, err := svc.catalog.Audit(ctx, store.AuditFilter{Object: "job#1"})
	if err != nil || len(es) != 1 || es[0].Action != "job.approval-adopted" {
		t.Errorf("audit of the adoption = %+v, %v; want one job.approval-adopted entry", es, err)
	}
	// Opening again adopts nothing more (it ran at the upgrade only).
	svc.Close()
	svc, err = OpenWorkspace(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if es, _ := svc.catalog.Audit(ctx, store.AuditFilter{}); len(es) != 1 {
		t.Errorf("a second open wrote %d audit entries, want the one of the upgrade", len(es))
	}
}
