package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"cadang/store/storetest"
)

func TestAuditSinceReadsNewerEntriesInOrder(t *testing.T) {
	ctx := context.Background()
	c := openTemp(t)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, action := range []string{"a", "b", "c"} {
		if _, err := c.AppendAudit(ctx, AuditEntry{At: at, Actor: "ani", Action: action, Object: "job#1"}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		after int64
		limit int
		want  string
	}{{0, 10, "abc"}, {1, 10, "bc"}, {0, 2, "ab"}, {3, 10, ""}}
	for _, tt := range tests {
		es, err := c.AuditSince(ctx, tt.after, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, e := range es {
			got += e.Action
		}
		if got != tt.want {
			t.Errorf("AuditSince(%d, %d) = %q, want %q", tt.after, tt.limit, got, tt.want)
		}
	}
}

// TestAppendedHere: a process tells its own audit entries from the others'.
func TestAppendedHere(t *testing.T) {
	ctx := context.Background()
	loc := storetest.Location(t, t.TempDir())
	a, err := Open(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	mine, err := a.AppendAudit(ctx, AuditEntry{At: time.Now(), Actor: "ani", Action: "x", Object: "job#1"})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := b.AppendAudit(ctx, AuditEntry{At: time.Now(), Actor: "budi", Action: "y", Object: "job#1"})
	if err != nil {
		t.Fatal(err)
	}
	err = a.Update(ctx, func(tx *Tx) error {
		if _, err := tx.AppendAudit(ctx, AuditEntry{At: time.Now(), Actor: "ani", Action: "z", Object: "job#1"}); err != nil {
			return err
		}
		return errors.New("the step fails: its entry is rolled back")
	})
	if err == nil {
		t.Fatal("the failing step committed")
	}
	if !a.AppendedHere(mine.Seq) || a.AppendedHere(theirs.Seq) || a.AppendedHere(theirs.Seq+1) {
		t.Error("AppendedHere does not tell this catalog's entries from another's")
	}
}

// TestChangesAnnounceAcrossProcesses: on a shared catalog, an audit entry
// committed through one connection pool wakes a listener on another at once.
func TestChangesAnnounceAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	loc := storetest.Location(t, t.TempDir())
	a, err := Open(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ch := b.Changes()
	if !a.Shared() {
		if ch != nil {
			t.Error("an SQLite catalog offers change notifications; its users poll")
		}
		return
	}
	wait := func(what string) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(30 * time.Second):
			t.Fatalf("no notification %s within 30 s", what)
		}
	}
	wait("when listening began")
	if _, err := a.AppendAudit(ctx, AuditEntry{At: time.Now(), Actor: "ani", Action: "x", Object: "job#1"}); err != nil {
		t.Fatal(err)
	}
	wait("of the new audit entry")
}

func TestDocumentFilesKeepBytes(t *testing.T) {
	ctx := context.Background()
	c := openTemp(t)
	if _, _, err := c.DocumentFile(ctx, "documents/2026/a.pdf"); !isNotFound(err) {
		t.Errorf("missing file: %v, want ErrNotFound", err)
	}
	pdf := []byte("%PDF-1.7\n\x00\xff binary")
	for _, content := range [][]byte{[]byte("old"), pdf} {
		if err := c.PutDocumentFile(ctx, "documents/2026/a.pdf", "sum", content); err != nil {
			t.Fatal(err)
		}
	}
	sum, got, err := c.DocumentFile(ctx, "documents/2026/a.pdf")
	if err != nil || sum != "sum" || string(got) != string(pdf) {
		t.Errorf("DocumentFile = %q, %q, %v; want the last bytes put", sum, got, err)
	}
	if n, err := c.DocumentFileCount(ctx); err != nil || n != 1 {
		t.Errorf("DocumentFileCount = %d, %v; want 1", n, err)
	}
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
