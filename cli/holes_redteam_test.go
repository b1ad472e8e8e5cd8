package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Hole: a backup by hand posed as a job's run. `cadang backup --as STAFF
// --tag job:NAME` into a job's repository made a snapshot that the
// procedure took as the job's own (restores, retention, the browser and
// the reports select by that tag): a department's restore "as of now"
// restored IT staff's chosen files, verified against themselves, and the
// job's retention counted it in place of a real backup. A backup by hand
// into a job's repository cannot carry a job's tag: refused, exit 3, one
// line, nothing written, nothing audited; other tags are as before.
func TestHoleHandBackupPosesAsJobRun(t *testing.T) {
	p := newProcedureCLI(t)
	src, repo := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "repo")
	fake := filepath.Join(t.TempDir(), "data") // the same base name: restored where the job's data goes
	for dir, content := range map[string]string{src: "laporan asli", fake: "laporan palsu"} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "laporan.txt"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	asStaff := []string{"--as", "yoga", "--login-file", p.staff}
	p.approvedJob("erp", repo, src)
	p.ok(append([]string{"job", "run", "erp"}, asStaff...)...)

	count := func() (all, erp int) {
		t.Helper()
		out := p.ok("snapshots", "--repo", repo, "--json")
		return strings.Count(out, `"id"`), strings.Count(out, `"job:erp"`)
	}
	audit := func() string {
		t.Helper()
		return p.ok("audit", "list", "--as", "gideon", "--login-file", p.mgr)
	}
	allBefore, erpBefore := count()
	auditBefore := audit()
	for _, tag := range []string{"job:erp", "job:other", " job:erp"} {
		p.refused("marks the snapshots of a job's runs", append([]string{"backup", "--repo", repo, "--tag", tag, fake}, asStaff...)...)
		if all, erp := count(); all != allBefore || erp != erpBefore {
			t.Errorf("--tag %q: the refused backup wrote: %d snapshots (%d of erp), want %d (%d)", tag, all, erp, allBefore, erpBefore)
		}
		if got := audit(); got != auditBefore {
			t.Errorf("--tag %q: the refused backup was audited:\n%s", tag, strings.TrimPrefix(got, auditBefore))
		}
	}
	// Another tag is a backup by hand as before: audited, not the job's.
	p.ok(append([]string{"backup", "--repo", repo, "--tag", "sebelum-migrasi", fake}, asStaff...)...)
	if all, erp := count(); all != allBefore+1 || erp != erpBefore {
		t.Errorf("after a backup by hand tagged otherwise: %d snapshots (%d of erp), want %d (%d)", all, erp, allBefore+1, erpBefore)
	}
}

// Hole: `replica sync --delete` removed from a job's offsite copy with no
// account. backup, forget, prune and unlock on a job's repository (or a
// copy of it) need --as and are audited, but a sync with --delete, which
// removes from the replica what is gone here, needed nothing: whoever
// removed snapshots from the primary by hand then emptied the offsite copy
// of them too. It needs --as (IT staff, a manager or an administrator) on
// a job's repository, is audited on the job, and a refusal removes nothing.
func TestHoleReplicaSyncDeleteWithoutAccount(t *testing.T) {
	p := newProcedureCLI(t)
	user := writeFile(t, "user.pw", "user-pass-1\n")
	p.ok("user", "add", "--as", "admin", "--login-file", p.admin, "--name", "siti", "--role", "user", "--password-file", user)
	src, repo, offsite := t.TempDir(), filepath.Join(t.TempDir(), "repo"), filepath.Join(t.TempDir(), "offsite")
	if err := os.WriteFile(filepath.Join(src, "a.txt"), []byte("a"), 0o600); err != nil {
		t.Fatal(err)
	}
	asStaff := []string{"--as", "yoga", "--login-file", p.staff}
	p.approvedJob("erp", repo, src)
	p.ok(append([]string{"job", "run", "erp"}, asStaff...)...)
	p.ok(append([]string{"job", "run", "erp"}, asStaff...)...)
	p.ok("replica", "add", "--repo", repo, "offsite", offsite)
	p.ok("replica", "sync", "--repo", repo, "offsite")
	p.ok(append([]string{"forget", "--repo", repo, "--keep-last", "1", "--prune"}, asStaff...)...)
	offsiteSnapshots := func() int {
		t.Helper()
		return strings.Count(p.ok("snapshots", "--repo", offsite), "job:erp")
	}
	if n := offsiteSnapshots(); n != 2 {
		t.Fatalf("the offsite copy holds %d snapshots, want 2", n)
	}
	for _, tc := range []struct {
		want string
		as   []string
	}{
		{"needs --as", nil},
		{"may do this", []string{"--as", "siti", "--login-file", user}},
	} {
		p.refused(tc.want, append([]string{"replica", "sync", "--repo", repo, "offsite", "--delete"}, tc.as...)...)
		if n := offsiteSnapshots(); n != 2 {
			t.Errorf("a refused sync --delete (%s) removed from the offsite copy: %d snapshots left", tc.want, n)
		}
	}
	p.ok(append([]string{"replica", "sync", "--repo", repo, "offsite", "--delete"}, asStaff...)...)
	if n := offsiteSnapshots(); n != 1 {
		t.Errorf("sync --delete as IT staff: %d snapshots offsite, want 1", n)
	}
	audit := p.ok("audit", "list", "--object", "job#1", "--as", "gideon", "--login-file", p.mgr)
	if !strings.Contains(audit, "repository.replica-sync-delete") || !strings.Contains(audit, "yoga") {
		t.Errorf("the sync --delete is not in the job's audit log:\n%s", audit)
	}
}
