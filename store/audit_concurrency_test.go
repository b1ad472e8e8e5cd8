package store

import (
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"cadang/store/storetest"
)

// The child processes of TestAuditAppendsFromEightProcesses: this test
// binary run again with these set.
const (
	auditChildEnv   = "CADANG_TEST_AUDIT_CHILD"   // the catalog's location
	auditChildName  = "CADANG_TEST_AUDIT_NAME"    // the actor it appends as
	auditChildCount = "CADANG_TEST_AUDIT_ENTRIES" // how many entries
)

// TestAuditAppendChild is the body of one appending process; it does
// nothing in a normal test run.
func TestAuditAppendChild(t *testing.T) {
	loc := os.Getenv(auditChildEnv)
	if loc == "" {
		t.Skip("the child process of TestAuditAppendsFromEightProcesses")
	}
	n, err := strconv.Atoi(os.Getenv(auditChildCount))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := Open(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	name := os.Getenv(auditChildName)
	for i := 0; i < n; i++ {
		if _, err := c.AppendAudit(ctx, AuditEntry{At: time.Now(), Actor: name, Action: "test.append", Object: "process:" + name,
			Detail: strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAuditAppendsFromEightProcesses: eight processes append to one
// catalog at once; the log has every entry once, each process's in the
// order it appended them, and the chain verifies (no fork, no gap). It
// runs on the suite's catalog (SQLite, or PostgreSQL with
// CADANG_TEST_CATALOG=postgres); CADANG_STRESS=1 appends many more.
func TestAuditAppendsFromEightProcesses(t *testing.T) {
	const processes = 8
	perProcess := 25
	if os.Getenv("CADANG_STRESS") != "" {
		perProcess = 500
	}
	ctx := context.Background()
	loc := storetest.Location(t, t.TempDir())
	c, err := Open(ctx, loc) // creates the schema before the processes race
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	errs := make([]error, processes)
	for p := 0; p < processes; p++ {
		cmd := osexec.Command(os.Args[0], "-test.run=^TestAuditAppendChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), auditChildEnv+"="+loc, fmt.Sprintf("%s=p%d", auditChildName, p), fmt.Sprintf("%s=%d", auditChildCount, perProcess))
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[p] = fmt.Errorf("process %d: %v\n%s", p, err, out)
			}
		}(p)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	n, problems, err := c.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != processes*perProcess || len(problems) != 0 {
		t.Fatalf("audit log: %d entries, problems %v; want %d entries and an intact chain", n, problems, processes*perProcess)
	}
	all, err := c.Audit(ctx, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	next := map[string]int{}
	for _, e := range all {
		if want := strconv.Itoa(next[e.Actor]); e.Detail != want {
			t.Fatalf("entry %d of %s is its #%s, want #%s: a process's entries out of order", e.Seq, e.Actor, e.Detail, want)
		}
		next[e.Actor]++
	}
	if len(next) != processes {
		t.Errorf("entries from %d processes, want %d", len(next), processes)
	}
}
