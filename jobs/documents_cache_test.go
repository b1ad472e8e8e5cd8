package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jonboulle/clockwork"

	"cadang/store/storetest"
)

// TestTeamDocumentsComeFromTheCatalog: a document filed on one
// workstation of a shared catalog opens on another, fetched into its empty
// cache and verified; a cached copy changed on that workstation is
// reported (the catalog's copy named intact) and fetched again once
// removed; a workstation with another document key is refused before it
// seals anything.
func TestTeamDocumentsComeFromTheCatalog(t *testing.T) {
	storetest.NeedServer(t)
	ctx := context.Background()
	url := storetest.NewDatabase(t)
	clock := clockwork.NewFakeClockAt(start)
	eng := &fakeEngine{clock: clock}
	open := func(keyFile string) *Service {
		t.Helper()
		svc, err := OpenWorkspace(ctx, t.TempDir(), Options{Catalog: url, Clock: clock, Engine: eng, DocumentKeyFile: keyFile})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { svc.Close() })
		return svc
	}
	first := open("")
	staff, mgr := teamAccounts(t, first)
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "a.txt"), []byte("a"), 0o600); err != nil {
		t.Fatal(err)
	}
	spec := func(name string) JobSpec {
		return JobSpec{Name: name, Sources: []string{src}, Repository: filepath.Join(t.TempDir(), "repo"),
			Schedule: Schedule{Kind: ScheduleWindow, WindowStart: "21:00", WindowEnd: "23:00"}}
	}
	teamApprovedJob(t, first, staff, mgr, spec("erp")) // files its schedule record

	second := open(first.keyFile) // the team's key, copied
	docs, err := second.Documents(ctx, staff, DocumentFilter{})
	if err != nil || len(docs) != 1 {
		t.Fatalf("documents on the second workstation = %d, %v; want the schedule record", len(docs), err)
	}
	d := docs[0]
	if !strings.HasPrefix(d.Path, second.Dir()) {
		t.Fatalf("document path %s is not in the second workstation's cache %s", d.Path, second.Dir())
	}
	tests := []struct {
		name    string
		change  func() error
		wantErr string // "" verifies
	}{
		{"fetched into the empty cache", func() error { return nil }, ""},
		{"cached copy changed", func() error {
			return os.WriteFile(d.Path, append(mustRead(t, d.Path), " "...), 0o600)
		}, "the copy in the shared catalog is intact"},
		{"changed copy removed: fetched again", func() error { return os.Remove(d.Path) }, ""},
	}
	for _, tt := range tests {
		if err := tt.change(); err != nil {
			t.Fatal(err)
		}
		_, err := second.VerifyDocumentCode(ctx, staff, d.VerifyCode)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: verify = %v, want verified", tt.name, err)
		case tt.wantErr != "" && (!errors.Is(err, ErrDocumentMismatch) || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: verify = %v, want ErrDocumentMismatch saying %q", tt.name, err, tt.wantErr)
		}
	}

	otherKey := filepath.Join(t.TempDir(), "documents.key")
	if err := os.WriteFile(otherKey, []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	third := open(otherKey)
	if _, err := third.CreateJob(ctx, staff, spec("mail")); err != nil {
		t.Fatal(err)
	}
	if _, err := third.SubmitJob(ctx, staff, "mail"); err != nil {
		t.Fatal(err)
	}
	if _, err := third.ApproveJob(ctx, mgr, "mail", third.jobRev("mail")); err == nil || !strings.Contains(err.Error(), "is not the team's") {
		t.Errorf("filing with another document key = %v, want a refusal naming the team's key", err)
	}
	if all, err := first.catalog.Documents(ctx, DocumentFilter{}); err != nil || len(all) != 1 {
		t.Errorf("register after the refused filing = %d entries, %v; want 1 (nothing sealed with the other key)", len(all), err)
	}
}
