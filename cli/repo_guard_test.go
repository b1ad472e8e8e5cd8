package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEngineCommandsOnAJobsRepositoryNeedAnAccount: backup, forget, prune
// and unlock on a job's repository, or on a copy of it, are refused
// without --as (exit 3, nothing changed), refused for a department user,
// and audited on the job for IT staff; reading needs no account.
func TestEngineCommandsOnAJobsRepositoryNeedAnAccount(t *testing.T) {
	p := newProcedureCLI(t)
	user := writeFile(t, "user.pw", "user-pass-1\n")
	p.ok("user", "add", "--as", "admin", "--login-file", p.admin, "--name", "siti", "--role", "user", "--password-file", user)
	src, repo := t.TempDir(), filepath.Join(t.TempDir(), "repo")
	if err := os.WriteFile(filepath.Join(src, "a.txt"), []byte("a"), 0o600); err != nil {
		t.Fatal(err)
	}
	asStaff := []string{"--as", "yoga", "--login-file", p.staff}
	p.approvedJob("erp", repo, src)
	p.ok(append([]string{"job", "run", "erp"}, asStaff...)...)
	p.ok(append([]string{"job", "run", "erp"}, asStaff...)...)
	copyDir := filepath.Join(t.TempDir(), "copy")
	copyTree(t, repo, copyDir)

	snapshots := func(where string) int {
		t.Helper()
		out := p.ok("snapshots", "--repo", where) // reading: no account needed
		return strings.Count(out, "job:erp")
	}
	before := snapshots(repo)
	if before != 2 {
		t.Fatalf("want 2 snapshots, got %d", before)
	}
	for _, where := range []string{repo, copyDir} {
		for _, args := range [][]string{
			{"forget", "--repo", where, "--keep-last", "1"},
			{"prune", "--repo", where},
			{"unlock", "--repo", where},
			{"backup", "--repo", where, src},
		} {
			p.refused("needs --as", args...)
			p.refused("may do this", append(args, "--as", "siti", "--login-file", user)...)
		}
		if got := snapshots(where); got != before {
			t.Errorf("%s: refused commands changed it: %d snapshots, want %d", where, got, before)
		}
	}
	p.ok(append([]string{"forget", "--repo", repo, "--keep-last", "1"}, asStaff...)...)
	if got := snapshots(repo); got != 1 {
		t.Errorf("forget as staff: %d snapshots left, want 1", got)
	}
	audit := p.ok("audit", "list", "--object", "job#1", "--as", "gideon", "--login-file", p.mgr)
	if !strings.Contains(audit, "repository.forget") || !strings.Contains(audit, "repository.forget.done") || !strings.Contains(audit, "yoga") {
		t.Errorf("the forget by hand is not in the job's audit log:\n%s", audit)
	}
	// A repository no job writes is free to use, as on a new machine.
	free := filepath.Join(t.TempDir(), "free")
	p.ok("init", "--repo", free)
	p.ok("backup", "--repo", free, src)
	p.ok("forget", "--repo", free, "--keep-last", "1")
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}
