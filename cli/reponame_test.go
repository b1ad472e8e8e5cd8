package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --repo takes the name of a replica of a workspace job's repository:
// snapshots and restore run straight from the folder replica.
func TestRepoByReplicaName(t *testing.T) {
	p := newProcedureCLI(t)
	staff := []string{"--as", "yoga", "--login-file", p.staff}
	with := func(args ...string) []string { return append(args, staff...) }
	job := func(name string) (repo string) {
		src := filepath.Join(t.TempDir(), name)
		if err := os.MkdirAll(src, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, "data.txt"), []byte("data of "+name), 0o600); err != nil {
			t.Fatal(err)
		}
		repo = filepath.Join(t.TempDir(), name+"-repo")
		p.ok(with("job", "new", "--name", name, "--repo", repo, "--source", src)...)
		p.ok(with("job", "submit", name)...)
		p.ok("job", "approve", name, "--revision", p.rev("job", name), "--as", "gideon", "--login-file", p.mgr)
		p.ok(with("job", "run", name)...)
		return repo
	}
	repo := job("keuangan")
	offsite := filepath.Join(t.TempDir(), "gedung-b")
	p.ok("replica", "add", "--repo", repo, "gedung-b", offsite)
	p.ok("replica", "sync", "--repo", repo, "gedung-b")
	p.ok(with("job", "edit", "keuangan", "--replica", "gedung-b")...)
	if out := p.ok(with("job", "show", "keuangan")...); !strings.Contains(out, "replica:    gedung-b ok (synced") {
		t.Errorf("job show: %q, want the replica's last sync", out)
	}
	if err := os.RemoveAll(filepath.Join(repo, "snapshots")); err != nil { // only the replica can answer now
		t.Fatal(err)
	}

	t.Run("name opens the replica", func(t *testing.T) {
		if out := p.ok("snapshots", "--repo", "gedung-b"); !strings.Contains(out, "keuangan") {
			t.Errorf("snapshots --repo gedung-b: %q, want the job's snapshot", out)
		}
		p.ok("verify", "--repo", "gedung-b", "--read-data")
		target := filepath.Join(t.TempDir(), "pulih")
		p.ok("restore", "--repo", "gedung-b", "--snapshot", "latest", "--target", target)
		if b, err := os.ReadFile(filepath.Join(target, "keuangan", "data.txt")); err != nil || string(b) != "data of keuangan" {
			t.Errorf("restored from the replica: %q, %v", b, err)
		}
	})

	other := job("gudang")
	p.ok("replica", "add", "--repo", other, "gedung-b", filepath.Join(t.TempDir(), "elsewhere"))
	for _, tc := range []struct {
		name, repo string
		want       []string
	}{
		{"unknown name lists the known ones", "gedung-c", []string{"no replica of that name", "gedung-b (job gudang)", "gedung-b (job keuangan)"}},
		{"ambiguous name", "gedung-b", []string{"ambiguous", offsite, "give the URL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := p.run("snapshots", "--repo", tc.repo)
			if code == ExitOK || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("exit %d, stderr %q; want one error line", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
		})
	}
	t.Run("the URL still works when the name is ambiguous", func(t *testing.T) {
		p.ok("snapshots", "--repo", offsite)
	})
}
