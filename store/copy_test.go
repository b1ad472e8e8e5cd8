package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestCopyOrderHasEveryTable(t *testing.T) {
	c := openTemp(t)
	tables, err := c.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if !slices.Contains(copyOrder, tb) {
			t.Errorf("table %s is missing from copyOrder: a catalog copy would refuse it", tb)
		}
	}
	for _, tb := range copyOrder {
		if !slices.Contains(tables, tb) {
			t.Errorf("copyOrder names %s, which the schema does not have", tb)
		}
	}
}

// fill writes a little of everything into c.
func fill(t *testing.T, c *Catalog) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	uid, err := c.CreateUser(ctx, User{Name: "Ani", Role: "staff", PasswordHash: "x", CreatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	jid, err := c.CreateJob(ctx, Job{Name: "erp", Repository: "/r", ScheduleKind: "window", State: "approved", CreatedBy: uid,
		Sources: []string{"/data"}, CreatedAt: at, UpdatedAt: at, RepoEncrypted: true})
	if err != nil {
		t.Fatal(err)
	}
	rid, err := c.InsertRun(ctx, Run{JobID: jid, Kind: "backup", Trigger: "schedule", Status: "success", ScheduledAt: at, Overrun: true,
		BytesAdded: 5 << 32, Warnings: []RunWarning{{Path: "/data/x", Err: "gone"}}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := c.NextDocumentNumber(ctx, "FRM", 2026)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddDocument(ctx, Document{Number: "FRM/2026/000" + string(rune('0'+n)), Type: "execution-report", RunID: rid, JobID: jid,
		CreatedAt: at, SHA256: "ab", Path: "documents/2026/x.pdf", VerifyCode: "C"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := c.AppendAudit(ctx, AuditEntry{At: at.Add(time.Duration(i) * time.Second), Actor: "ani", Action: "x", Object: "job#1"}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCopyKeepsEveryRowAndTheChain(t *testing.T) {
	ctx := context.Background()
	src, err := Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	fill(t, src)
	dst := openTemp(t) // PostgreSQL when the suite runs there
	counts, err := Copy(ctx, dst, src)
	if err != nil {
		t.Fatal(err)
	}
	for table, want := range map[string]int{"users": 1, "jobs": 1, "runs": 1, "documents": 1, "doc_sequences": 1, "audit": 3, "settings": 1} {
		if counts[table] != want {
			t.Errorf("copied %d rows of %s, want %d", counts[table], table, want)
		}
	}
	if n, problems, err := dst.VerifyAudit(ctx); err != nil || n != 3 || len(problems) != 0 {
		t.Errorf("VerifyAudit of the copy = %d, %v, %v; want 3 entries, no problem", n, problems, err)
	}
	u, err := dst.UserByName(ctx, "ani")
	if err != nil || u.Role != "staff" {
		t.Errorf("user in the copy = %+v, %v", u, err)
	}
	runs, err := dst.Runs(ctx, RunFilter{})
	if err != nil || len(runs) != 1 || !runs[0].Overrun || runs[0].BytesAdded != 5<<32 || len(runs[0].Warnings) != 1 {
		t.Errorf("run in the copy = %+v, %v", runs, err)
	}
	// New rows continue after the copied ones.
	if _, err := dst.CreateUser(ctx, User{Name: "budi", Role: "user", PasswordHash: "x"}); err != nil {
		t.Errorf("new user after the copy: %v", err)
	}
	if e, err := dst.AppendAudit(ctx, AuditEntry{At: time.Now(), Actor: "budi", Action: "y", Object: "job#1"}); err != nil || e.Seq != 4 {
		t.Errorf("audit entry after the copy = %+v, %v; want seq 4", e, err)
	}
	if _, err := Copy(ctx, dst, src); err == nil {
		t.Error("a copy into a catalog that holds rows was not refused")
	}
	// And back: the shared catalog's portable copy (the records backup).
	back, err := Open(ctx, filepath.Join(t.TempDir(), "back.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if _, err := Copy(ctx, back, dst); err != nil {
		t.Fatal(err)
	}
	if n, problems, err := back.VerifyAudit(ctx); err != nil || n != 4 || len(problems) != 0 {
		t.Errorf("VerifyAudit of the copy back = %d, %v, %v", n, problems, err)
	}
}
