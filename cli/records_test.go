package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cadang/jobs"
)

// TestWorkspaceKilledAndRebuiltFromItsOwnBackup is issue 11's "must show"
// 3 from the command line: a workspace set up with its records backup
// files documents, is backed up with `records backup`, is deleted, and is
// rebuilt with `setup --restore-from`; `audit verify` and `docs verify` of
// every registered document then pass on the rebuilt workspace.
func TestWorkspaceKilledAndRebuiltFromItsOwnBackup(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	recordsRepo := filepath.Join(t.TempDir(), "records")
	admin := writeFile(t, "admin.pw", "admin-pass-1\n")
	staff := writeFile(t, "staff.pw", "staff-pass-1\n")
	mgr := writeFile(t, "mgr.pw", "manager-pass-1\n")
	repoPW := writeFile(t, "records.pw", "records-pass-1\n")
	p := &procedureCLI{t: t, ws: ws, admin: admin, staff: staff, mgr: mgr}
	out := p.ok("setup", "--admin", "admin", "--password-file", admin, "--records-repo", recordsRepo, "--records-password-file", repoPW)
	if !strings.Contains(out, "records backup "+jobs.RecordsJobName+" approved by the setup") {
		t.Fatalf("setup output %q does not say the records backup is approved", out)
	}
	p.ok("user", "add", "--as", "admin", "--login-file", admin, "--name", "yoga", "--role", "staff", "--password-file", staff)
	p.ok("user", "add", "--as", "admin", "--login-file", admin, "--name", "gideon", "--role", "manager", "--password-file", mgr)
	asStaff := []string{"--as", "yoga", "--login-file", staff}
	asMgr := []string{"--as", "gideon", "--login-file", mgr}
	with := func(who []string, args ...string) []string { return append(args, who...) }

	if list := p.ok(with(asStaff, "job", "list")...); !strings.Contains(list, jobs.RecordsJobName) {
		t.Fatalf("job list does not show the records job:\n%s", list)
	}
	p.refused("cannot be deleted", with(asStaff, "job", "delete", jobs.RecordsJobName)...)
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "laporan.txt"), []byte("laporan"), 0o600); err != nil {
		t.Fatal(err)
	}
	p.ok(with(asStaff, "job", "new", "--name", "keuangan", "--repo", filepath.Join(t.TempDir(), "repo"), "--source", src)...)
	p.ok(with(asStaff, "job", "submit", "keuangan")...)
	p.ok(with(asMgr, "job", "approve", "keuangan", "--revision", p.rev("job", "keuangan"))...)
	p.ok(with(asStaff, "job", "run", "keuangan")...)
	p.ok(with(asStaff, "job", "run", "keuangan")...)
	before := docPaths(t, p, asMgr) // the records run's own report is filed after its copy
	if len(before) < 2 {
		t.Fatalf("only %d documents filed before the backup", len(before))
	}
	if out := p.ok(with(asStaff, "records", "backup")...); !strings.Contains(out, jobs.RecordsJobName+": success") {
		t.Fatalf("records backup: %q", out)
	}

	if err := os.RemoveAll(ws); err != nil { // the workstation is lost
		t.Fatal(err)
	}
	p.ws = filepath.Join(t.TempDir(), "new-machine")
	out = p.ok("setup", "--restore-from", recordsRepo, "--records-password-file", repoPW)
	for _, want := range []string{"rebuilt from snapshot", "each matching its recorded SHA-256", "integrity_check ok", "problem(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("rebuild output lacks %q:\n%s", want, out)
		}
	}
	if out := p.ok(with(asMgr, "audit", "verify")...); !strings.Contains(out, "audit log OK") {
		t.Fatalf("audit verify on the rebuilt workspace: %q", out)
	}
	after := docPaths(t, p, asMgr)
	if len(after) != len(before) {
		t.Fatalf("%d documents registered after the rebuild, want %d", len(after), len(before))
	}
	for _, d := range after {
		if !strings.HasPrefix(d, p.ws) {
			t.Errorf("document %s is outside the rebuilt workspace", d)
		}
		if out := p.ok(with(asMgr, "docs", "verify", d)...); !strings.HasPrefix(out, "OK: ") {
			t.Errorf("docs verify %s: %q", d, out)
		}
	}
	p.ok(with(asStaff, "records", "backup")...) // and it is protected again

	t.Run("never into a workspace in use", func(t *testing.T) {
		code, _, stderr := p.run("setup", "--restore-from", recordsRepo, "--records-password-file", repoPW)
		if code != ExitRefused || !strings.Contains(stderr, "not empty") {
			t.Fatalf("rebuild into the rebuilt workspace: exit %d, %q", code, stderr)
		}
	})
}

// docPaths lists the paths of every registered document.
func docPaths(t *testing.T, p *procedureCLI, as []string) []string {
	t.Helper()
	var docs []jobs.Document
	if err := json.Unmarshal([]byte(p.ok(append([]string{"docs", "list", "--json"}, as...)...)), &docs); err != nil {
		t.Fatal(err)
	}
	paths := make([]string, len(docs))
	for i, d := range docs {
		paths[i] = d.Path
	}
	return paths
}

func TestRecordsCommandsFollowTheRules(t *testing.T) {
	p := newProcedureCLI(t) // set up without a records backup
	asAdmin := []string{"--as", "admin", "--login-file", p.admin}
	asStaff := []string{"--as", "yoga", "--login-file", p.staff}
	asMgr := []string{"--as", "gideon", "--login-file", p.mgr}
	with := func(who []string, args ...string) []string { return append(args, who...) }

	p.refused("no records backup", with(asStaff, "records", "backup")...)
	p.refused("administrator", with(asStaff, "records", "setup", "--repo", filepath.Join(t.TempDir(), "r"))...)
	out := p.ok(with(asAdmin, "records", "setup", "--repo", filepath.Join(t.TempDir(), "r"))...)
	if !strings.Contains(out, "submitted") {
		t.Fatalf("records setup: %q, want it submitted for approval", out)
	}
	p.refused("not approved", with(asStaff, "records", "backup")...)
	p.ok(with(asMgr, "job", "approve", jobs.RecordsJobName, "--revision", p.rev("job", jobs.RecordsJobName))...)
	if out := p.ok(with(asStaff, "records", "backup")...); !strings.Contains(out, "success") {
		t.Fatalf("records backup after approval: %q", out)
	}
	p.refused("backs up this workspace", with(asStaff, "job", "edit", jobs.RecordsJobName, "--source", t.TempDir())...)
}
