package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cadang/store/storetest"
)

// TestCLICatalogMigrate: `catalog migrate` moves a workspace with a filed
// document to an empty PostgreSQL catalog and reports the copy verified;
// the workspace then lists its documents from the catalog (each "path"
// fetched into the emptied cache), its audit log verifies, and moving it
// again is refused.
func TestCLICatalogMigrate(t *testing.T) {
	storetest.NeedServer(t)
	t.Setenv("PGPASSFILE", "") // restored after the test; PassFile sets it
	dir, err := storetest.PassFile()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	p := newProcedureCLI(t)
	asStaff := []string{"--as", "yoga", "--login-file", p.staff}
	asMgr := []string{"--as", "gideon", "--login-file", p.mgr}
	asAdmin := []string{"--as", "admin", "--login-file", p.admin}
	with := func(who []string, args ...string) []string { return append(args, who...) }
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "a.txt"), []byte("a"), 0o600); err != nil {
		t.Fatal(err)
	}
	p.ok(with(asStaff, "job", "new", "--name", "erp", "--repo", filepath.Join(t.TempDir(), "repo"), "--source", src)...)
	p.ok(with(asStaff, "job", "submit", "erp")...)
	p.ok(with(asMgr, "job", "approve", "erp", "--revision", p.rev("job", "erp"))...) // files the schedule record

	url := storetest.NewDatabase(t)
	out := p.ok(with(asAdmin, "catalog", "migrate", "--to", url)...)
	for _, want := range []string{"audit log:", "0 problem(s)", "documents: 1 verified from the catalog, 0 problem(s)", "now uses the shared catalog"} {
		if !strings.Contains(out, want) {
			t.Errorf("catalog migrate printed %q, want %q in it", out, want)
		}
	}

	if err := os.RemoveAll(filepath.Join(p.ws, "documents")); err != nil {
		t.Fatal(err)
	}
	var list []struct {
		Path string `json:"path"`
	}
	if err := json.Unmarshal([]byte(p.ok(with(asStaff, "docs", "list", "--json")...)), &list); err != nil || len(list) != 1 {
		t.Fatalf("docs list --json after the move = %d documents, %v; want 1", len(list), err)
	}
	if _, err := os.Stat(list[0].Path); err != nil {
		t.Errorf("docs list: the document's path is not in the cache: %v", err)
	}
	p.ok(with(asMgr, "audit", "verify")...)
	p.refused("already uses the shared catalog", with(asAdmin, "catalog", "migrate", "--to", url)...)
}
