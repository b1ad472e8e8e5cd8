package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mustRun runs a command that must exit with want.
func mustRun(t *testing.T, want int, args ...string) string {
	t.Helper()
	code, out, errOut := run(t, args...)
	if code != want {
		t.Fatalf("cadang %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errOut)
	}
	return out
}

// The whole replica life cycle on folder replicas: add, status, sync,
// restore and verify straight from the replica, prune and sync --delete.
func TestReplicaCommands(t *testing.T) {
	t.Setenv("CADANG_PASSWORD", "replica test password")
	base := t.TempDir()
	repo, data, offsite := filepath.Join(base, "repo"), filepath.Join(base, "data"), filepath.Join(base, "offsite")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "a.txt"), []byte("first version"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, ExitOK, "init", "--repo", repo)
	mustRun(t, ExitOK, "backup", "--repo", repo, data)

	mustRun(t, ExitOK, "replica", "add", "--repo", repo, "offsite", offsite, "--bwlimit", "10M")
	out := mustRun(t, ExitOK, "replica", "list", "--repo", repo)
	if !strings.Contains(out, "offsite") || !strings.Contains(out, "10.0 MiB/s") || !strings.Contains(out, "never") {
		t.Errorf("replica list = %q", out)
	}
	out = mustRun(t, ExitWarnings, "replica", "status", "--repo", repo)
	if !strings.Contains(out, "behind") {
		t.Errorf("status before the first sync = %q, want behind", out)
	}
	out = mustRun(t, ExitOK, "replica", "sync", "--repo", repo)
	if !strings.Contains(out, "replica offsite: 5 file(s) copied") {
		t.Errorf("sync = %q", out)
	}
	out = mustRun(t, ExitOK, "replica", "status", "--repo", repo, "offsite")
	if !strings.Contains(out, "up to date") {
		t.Errorf("status after sync = %q, want up to date", out)
	}

	// --repo takes the replica's location for verify and restore.
	mustRun(t, ExitOK, "verify", "--read-data", "--repo", offsite)
	target := filepath.Join(base, "restored")
	mustRun(t, ExitOK, "restore", "--repo", offsite, "--snapshot", "latest", "--target", target)
	if got, _ := os.ReadFile(filepath.Join(target, "data", "a.txt")); string(got) != "first version" {
		t.Errorf("restored from the replica: %q", got)
	}

	// A new backup, then forget + prune here: a plain sync keeps the old
	// snapshot there, --delete removes it.
	if err := os.WriteFile(filepath.Join(data, "a.txt"), []byte("second version, longer"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, ExitOK, "backup", "--repo", repo, data)
	mustRun(t, ExitOK, "forget", "--repo", repo, "--keep-last", "1", "--prune")
	mustRun(t, ExitOK, "replica", "sync", "--repo", repo, "offsite")
	out = mustRun(t, ExitOK, "--json", "replica", "status", "--repo", repo)
	var st []replicaStatus
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	if len(st) != 1 || st[0].Lag == nil || st[0].Lag.Snapshots != 2 || st[0].Lag.ExtraFiles == 0 || st[0].LastSync.IsZero() {
		t.Errorf("status --json after prune = %+v, want 2 snapshots kept there and extra files", st)
	}
	out = mustRun(t, ExitOK, "replica", "sync", "--repo", repo, "--delete")
	if !strings.Contains(out, "removed that the repository no longer has") {
		t.Errorf("sync --delete = %q", out)
	}
	out = mustRun(t, ExitOK, "--json", "replica", "status", "--repo", repo)
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if st[0].Lag.Snapshots != 1 || st[0].Lag.ExtraFiles != 0 || !st[0].UpToDate {
		t.Errorf("after sync --delete: %+v", st[0].Lag)
	}
	mustRun(t, ExitOK, "verify", "--read-data", "--repo", offsite)
	mustRun(t, ExitOK, "replica", "remove", "--repo", repo, "offsite")
	if _, err := os.Stat(filepath.Join(offsite, "config")); err != nil {
		t.Errorf("replica remove touched the replica's data: %v", err)
	}
}

func TestReplicaErrors(t *testing.T) {
	t.Setenv("CADANG_PASSWORD", "")
	base := t.TempDir()
	repo := filepath.Join(base, "repo")
	mustRun(t, ExitOK, "init", "--repo", repo)
	mustRun(t, ExitOK, "replica", "add", "--repo", repo, "offsite", filepath.Join(base, "off"))
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no repo", []string{"replica", "sync"}, ExitUsage, "--repo is required"},
		{"not a repository", []string{"replica", "list", "--repo", base}, ExitError, "not a Cadang repository"},
		{"remote repo", []string{"replica", "list", "--repo", "rclone:x:y"}, ExitUsage, "local repository folder"},
		{"duplicate", []string{"replica", "add", "--repo", repo, "offsite", "/elsewhere"}, ExitUsage, "already exists"},
		{"bad url", []string{"replica", "add", "--repo", repo, "x", "ftp://host/x"}, ExitUsage, "unsupported scheme"},
		{"password in url", []string{"replica", "add", "--repo", repo, "x", "sftp://u:pw@host/x"}, ExitUsage, "password after the user name is not accepted"},
		{"bad rate", []string{"replica", "add", "--repo", repo, "x", "/y", "--bwlimit", "fast"}, ExitUsage, "bandwidth limit"},
		{"unknown name", []string{"replica", "sync", "--repo", repo, "nosuch"}, ExitUsage, "no replica with that name"},
		{"unreachable", []string{"replica", "add", "--repo", repo, "dead", "sftp://nobody@127.0.0.1:1/x"}, ExitOK, ""},
		{"sync fails", []string{"replica", "sync", "--repo", repo, "dead"}, ExitError, "1 of 1 replica(s) failed"},
		{"status fails", []string{"replica", "status", "--repo", repo, "dead"}, ExitError, "could not be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"", 0, false},
		{"0", 0, false},
		{"1048576", 1 << 20, false},
		{"512K", 512 << 10, false},
		{"2M", 2 << 20, false},
		{"1.5MiB/s", 3 << 19, false},
		{"1G", 1 << 30, false},
		{"100KB", 100 << 10, false},
		{"fast", 0, true},
		{"-1M", 0, true},
		{"10", 0, true}, // below 1K/s is a typo, not a plan
	}
	for _, tt := range tests {
		got, err := parseRate(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("parseRate(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// remoteURL returns the test server's location for a replica kind, or skips.
func remoteURL(t *testing.T, kind, run string) string {
	t.Helper()
	env := map[string]string{"sftp": "CADANG_TEST_SFTP_URL", "rclone": "CADANG_TEST_RCLONE_LOCAL", "s3": "CADANG_TEST_S3_URL"}[kind]
	base := os.Getenv(env)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: its scripts/services script did not start", env)
		}
		t.Skipf("%s not set (run scripts/services.sh start)", env)
	}
	switch kind {
	case "sftp":
		t.Setenv("CADANG_SFTP_KEY", os.Getenv("CADANG_TEST_SFTP_KEY"))
		t.Setenv("CADANG_SFTP_KNOWN_HOSTS", os.Getenv("CADANG_TEST_SFTP_KNOWN_HOSTS"))
	case "rclone":
		t.Setenv("RCLONE_CONFIG", os.Getenv("CADANG_TEST_RCLONE_CONFIG"))
		base = "rclone:" + base
	}
	return base + "/cli-" + run
}

// The command line against the real servers: sync, then restore and
// verify --read-data with --repo set to the replica's URL.
func TestReplicaRemoteURLs(t *testing.T) {
	for _, kind := range []string{"sftp", "rclone", "s3"} {
		t.Run(kind, func(t *testing.T) {
			url := remoteURL(t, kind, fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano()))
			t.Setenv("CADANG_PASSWORD", "remote replica password")
			base := t.TempDir()
			repo, data := filepath.Join(base, "repo"), filepath.Join(base, "data")
			if err := os.MkdirAll(data, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(data, "report.txt"), []byte("laporan bulanan"), 0o600); err != nil {
				t.Fatal(err)
			}
			mustRun(t, ExitOK, "init", "--repo", repo)
			mustRun(t, ExitOK, "backup", "--repo", repo, data)
			mustRun(t, ExitOK, "replica", "add", "--repo", repo, kind, url)
			mustRun(t, ExitOK, "replica", "sync", "--repo", repo, kind)
			out := mustRun(t, ExitOK, "replica", "status", "--repo", repo, kind)
			if !strings.Contains(out, "up to date") {
				t.Errorf("status = %q", out)
			}
			mustRun(t, ExitOK, "verify", "--read-data", "--repo", url)
			target := filepath.Join(base, "restored")
			mustRun(t, ExitOK, "restore", "--repo", url, "--snapshot", "latest", "--target", target)
			if got, _ := os.ReadFile(filepath.Join(target, "data", "report.txt")); string(got) != "laporan bulanan" {
				t.Errorf("restored from %s: %q", url, got)
			}
		})
	}
}
