package jobs

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"cadang/engine/dbsource"
	"cadang/pdfdoc/pdftest"
)

// TestRestoreRequestIntoDatabase runs a restore request whose target is a
// database, on the real engine with a real SQLite database: restored,
// every table verified, and an existing database never replaced.
func TestRestoreRequestIntoDatabase(t *testing.T) {
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(start)
	svc, err := OpenWorkspace(ctx, t.TempDir(), Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	staff, mgr, dept := mkUser(t, svc, "yoga", RoleStaff), mkUser(t, svc, "gideon", RoleManager), mkUser(t, svc, "siti", RoleUser)

	dir := t.TempDir()
	src := filepath.Join(dir, "erp.db")
	execSQL(t, src, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (10), (20), (30)")
	if _, err := svc.CreateJob(ctx, staff, JobSpec{Name: "erp", Sources: []string{"sqlite://" + src}, Repository: filepath.Join(dir, "repo")}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubmitJob(ctx, staff, "erp"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveJob(ctx, mgr, "erp", svc.jobRev("erp")); err != nil {
		t.Fatal(err)
	}
	if run, err := svc.RunJob(ctx, staff, "erp", RunOptions{}); err != nil || run.Status != RunSuccess {
		t.Fatalf("backup: %+v, %v", run, err)
	}
	existing := filepath.Join(dir, "existing.db")
	execSQL(t, existing, "CREATE TABLE keep (x); INSERT INTO keep VALUES (1)")

	r, err := svc.CreateRequest(ctx, dept, NewRequest{Kind: KindRestore, Job: "erp", RequestedAt: time.Now().Add(time.Hour), // the engine stamps snapshots with the real clock
		Target: "sqlite://" + existing, Reason: "invoices deleted"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubmitRequest(ctx, dept, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveRequest(ctx, mgr, r.ID, svc.requestRev(r.ID)); err != nil {
		t.Fatal(err)
	}
	got, err := svc.RunRequest(ctx, staff, r.ID, RunRequestOptions{})
	if !errors.Is(err, dbsource.ErrTargetNotEmpty) || got.State != RequestApproved {
		t.Fatalf("restore into an existing database: %s, %v; want refused, still approved", got.State, err)
	}
	if n := countRows(t, existing, "keep"); n != 1 {
		t.Fatalf("the existing database was changed: %d rows", n)
	}
	// Another destination is not slipped in at run time: it is an edit,
	// approved again.
	restored := filepath.Join(dir, "erp-restored.db")
	newTarget := "sqlite://" + restored
	if _, err := svc.RunRequest(ctx, staff, r.ID, RunRequestOptions{Target: newTarget}); !errors.Is(err, ErrRefused) {
		t.Fatalf("run with another target: %v, want refused", err)
	}
	if _, err := svc.EditRequest(ctx, staff, r.ID, RequestEdit{Target: &newTarget}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveRequest(ctx, mgr, r.ID, svc.requestRev(r.ID)); err != nil {
		t.Fatal(err)
	}
	got, err = svc.RunRequest(ctx, staff, r.ID, RunRequestOptions{})
	if err != nil || got.State != RequestVerified {
		t.Fatalf("restore into a new database: %s, %v", got.State, err)
	}
	if n := countRows(t, restored, "invoices"); n != 3 {
		t.Errorf("restored invoices = %d rows, want 3", n)
	}
	docs, err := svc.Documents(ctx, staff, DocumentFilter{RequestID: r.ID, Type: DocVerificationReport})
	if err != nil || len(docs) != 1 {
		t.Fatalf("verification reports = %+v, %v", docs, err)
	}
	pdf, err := os.ReadFile(docs[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(strings.Fields(pdftest.Text(t, pdf)), " "); !strings.Contains(text, "table invoices") || !strings.Contains(text, "integrity_check") {
		t.Errorf("verification report lacks the table checks:\n%s", text)
	}
}

func execSQL(t *testing.T, path, q string) {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}

func countRows(t *testing.T, path, table string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
