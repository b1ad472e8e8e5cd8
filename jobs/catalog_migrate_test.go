package jobs_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"cadang/jobs"
	"cadang/store/storetest"
)

// sqliteWorkspace is a new workspace folder that keeps its own SQLite
// catalog, whichever catalog the suite runs on.
func sqliteWorkspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, jobs.CatalogFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCatalogMigrateFromTheEndToEndWorkspace: the workspace of the SOP's
// end-to-end run moves to a shared catalog; the copy's audit chain and
// every document verify, read from the catalog; the workspace then uses
// it, its documents coming from the catalog into an empty cache.
func TestCatalogMigrateFromTheEndToEndWorkspace(t *testing.T) {
	storetest.NeedServer(t)
	dir := sqliteWorkspace(t)
	s := newSOPAt(t, dir)
	s.defineJob()
	reqID := s.backupRequestRejectedThenApproved()
	s.scheduledBackupRuns(reqID)
	mid := s.secondBackupAfterChange()
	s.restoreVerifiedAndHandedOver(mid)
	s.auditChainIntact()
	docs := s.docs(jobs.DocumentFilter{})
	rep, err := s.svc.VerifyAudit(s.ctx, s.mgr)
	if err != nil {
		t.Fatal(err)
	}
	s.must(s.svc.Close()) // the window and the daemon are stopped first

	url := storetest.NewDatabase(t)
	res, err := jobs.MigrateCatalog(s.ctx, dir, "admin", "admin-pass-1", url, jobs.Options{Clock: s.clock})
	if err != nil || !res.OK() {
		t.Fatalf("MigrateCatalog = %+v, %v", res, err)
	}
	if res.Documents != len(docs) || res.DocumentFiles < len(docs) {
		t.Errorf("documents verified %d, files copied %d; want %d register entries, each with its files", res.Documents, res.DocumentFiles, len(docs))
	}
	// The copy holds the move's own entry after what was there.
	if res.Audit.Entries != rep.Entries+1 || len(res.Audit.Problems) != 0 {
		t.Errorf("audit of the copy: %d entries, problems %v; want %d, none", res.Audit.Entries, res.Audit.Problems, rep.Entries+1)
	}
	if _, err := os.Stat(filepath.Join(dir, jobs.CatalogFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the workspace still has its own catalog: %v", err)
	}
	if _, err := os.Stat(res.SetAside); err != nil {
		t.Errorf("the SQLite catalog was not set aside: %v", err)
	}

	// The workspace now uses the shared catalog, with an empty cache.
	s.must(os.RemoveAll(filepath.Join(dir, "documents")))
	svc, err := jobs.OpenWorkspace(s.ctx, dir, jobs.Options{Clock: s.clock})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if !svc.Catalog().Shared() {
		t.Fatal("after the move the workspace does not use the shared catalog")
	}
	again, err := svc.Documents(s.ctx, s.staff, jobs.DocumentFilter{})
	if err != nil || len(again) != len(docs) {
		t.Fatalf("documents after the move = %d, %v; want %d", len(again), err, len(docs))
	}
	for _, d := range again {
		if _, err := os.Stat(d.Path); err != nil {
			t.Errorf("document %s: its path is not in the cache: %v", d.Number, err)
		}
		if _, err := svc.VerifyDocument(s.ctx, s.staff, d.Path); err != nil {
			t.Errorf("docs verify %s: %v", d.Path, err)
		}
	}
	after, err := svc.VerifyAudit(s.ctx, s.mgr)
	if err != nil || !after.OK() || after.Entries != rep.Entries+2 {
		t.Errorf("audit verify after the move = %d entries, ok %v, %v; want %d (the move and its check) and ok", after.Entries, after.OK(), err, rep.Entries+2)
	}
}

// TestCatalogMigrateRefusesAChangedDocument: a filed PDF changed in the
// workspace stops the move before anything switches.
func TestCatalogMigrateRefusesAChangedDocument(t *testing.T) {
	storetest.NeedServer(t)
	dir := sqliteWorkspace(t)
	s := newSOPAt(t, dir)
	s.defineJob()
	d := s.docs(jobs.DocumentFilter{})[0]
	s.must(os.WriteFile(d.Path, append(mustReadFile(t, d.Path), " "...), 0o600))
	s.must(s.svc.Close())
	_, err := jobs.MigrateCatalog(s.ctx, dir, "admin", "admin-pass-1", storetest.NewDatabase(t), jobs.Options{Clock: s.clock})
	if !errors.Is(err, jobs.ErrDocumentMismatch) {
		t.Fatalf("MigrateCatalog with a changed PDF = %v, want ErrDocumentMismatch", err)
	}
	if _, err := os.Stat(filepath.Join(dir, jobs.CatalogURLFile)); !errors.Is(err, os.ErrNotExist) {
		t.Error("the workspace switched to the shared catalog although the copy failed")
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
