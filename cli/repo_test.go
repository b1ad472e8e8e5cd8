package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cadang/jobs"
)

// TestRepoCommands drives init, backup, snapshots, ls, restore, verify,
// forget, prune and unlock like a script would.
func TestRepoCommands(t *testing.T) {
	base := t.TempDir()
	repo, src := filepath.Join(base, "repo"), filepath.Join(base, "data")
	pwFile := writeFile(t, "pw", "s3cret\n")
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"a.txt": "alpha", "sub/b.txt": "beta", "skip.tmp": "x"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must := func(args ...string) string {
		t.Helper()
		code, out, errOut := run(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	must("init", "--repo", repo, "--password-file", pwFile)
	if code, _, errOut := run(t, "init", "--repo", repo, "--password-file", pwFile); code != ExitError || !strings.Contains(errOut, "already exists") {
		t.Errorf("second init: exit %d %q", code, errOut)
	}

	var br struct {
		FilesNew   int64 `json:"files_new"`
		BytesRead  int64 `json:"bytes_read"`
		BytesAdded int64 `json:"bytes_added"`
		Snapshot   struct {
			ID string `json:"id"`
		} `json:"snapshot"`
	}
	out := must("backup", "--repo", repo, "--password-file", pwFile, "--exclude", "*.tmp", "--tag", "first", "--json", src)
	if err := json.Unmarshal([]byte(out), &br); err != nil || br.FilesNew != 2 || br.BytesRead != 9 || br.BytesAdded == 0 {
		t.Fatalf("backup --json = %s (err %v)", out, err)
	}
	first := br.Snapshot.ID

	out = must("snapshots", "--repo", repo, "--password-file", pwFile)
	if !strings.Contains(out, first[:8]) || !strings.Contains(out, "first") {
		t.Errorf("snapshots output lacks the snapshot: %s", out)
	}
	out = must("ls", "--repo", repo, "--password-file", pwFile, first[:8], "/data", "-r")
	if !strings.Contains(out, "/data/sub/b.txt") || strings.Contains(out, "skip.tmp") {
		t.Errorf("ls -r output: %s", out)
	}

	// Change a file, back up again; restore "as of" the first backup's time.
	if err := os.WriteFile(filepath.Join(src, "a.txt"), []byte("ALPHA v2"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CADANG_PASSWORD", "s3cret")
	must("backup", "--repo", repo, src)
	target := filepath.Join(base, "out")
	at := time.Now().Add(time.Minute).Format("2006-01-02 15:04")
	must("restore", "--repo", repo, "--at", at, "--target", target)
	if got, _ := os.ReadFile(filepath.Join(target, "data", "a.txt")); string(got) != "ALPHA v2" {
		t.Errorf("restored a.txt = %q, want the latest version", got)
	}
	target2 := filepath.Join(base, "out2")
	must("restore", "--repo", repo, "--snapshot", first[:10], "--target", target2, "--include", "/data/a.txt")
	if got, _ := os.ReadFile(filepath.Join(target2, "data", "a.txt")); string(got) != "alpha" {
		t.Errorf("restored first a.txt = %q", got)
	}
	if code, _, errOut := run(t, "restore", "--repo", repo, "--at", "2001-01-01 00:00", "--target", target2); code != ExitError || !strings.Contains(errOut, "no matching snapshot") {
		t.Errorf("restore --at before any snapshot: exit %d %q", code, errOut)
	}
	if code, _, _ := run(t, "restore", "--repo", repo, "--target", target2); code != ExitUsage {
		t.Errorf("restore without --snapshot/--at: exit %d, want usage", code)
	}

	must("verify", "--repo", repo, "--read-data")
	out = must("forget", "--repo", repo, "--keep-last", "1", "--prune", "--json")
	if !strings.Contains(out, `"remove"`) || !strings.Contains(out, `"prune"`) {
		t.Errorf("forget --json: %s", out)
	}
	must("unlock", "--repo", repo)

	// Wrong password: one clear line, exit 1.
	t.Setenv("CADANG_PASSWORD", "nope")
	code, _, errOut := run(t, "snapshots", "--repo", repo)
	if code != ExitError || !strings.Contains(errOut, "wrong repository password") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("wrong password: exit %d %q", code, errOut)
	}
	t.Setenv("CADANG_PASSWORD", "s3cret")

	// Damage: flip a byte in a pack; verify --read-data exits 5.
	var pack string
	_ = filepath.Walk(filepath.Join(repo, "packs"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			pack = p
		}
		return nil
	})
	data, _ := os.ReadFile(pack)
	data[len(data)/2] ^= 1
	if err := os.WriteFile(pack, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := run(t, "verify", "--repo", repo, "--read-data"); code != ExitDamaged || !strings.Contains(out, "DAMAGED") {
		t.Errorf("verify of a damaged repository: exit %d, %s", code, out)
	}
}

// TestHoleTimePrecisionRestoreAt: `restore --at` reads a time by the one
// rule requests and the window follow (jobs.ParseAsOf): a minute includes
// its seconds, a date its whole day. (The request half: jobs TestHoleTimePrecision.)
func TestHoleTimePrecisionRestoreAt(t *testing.T) {
	repo, src := filepath.Join(t.TempDir(), "repo"), t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "a.txt"), []byte("a"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CADANG_PASSWORD", "s3cret")
	for _, args := range [][]string{{"init", "--repo", repo}, {"backup", "--repo", repo, src}} {
		if code, _, errOut := run(t, args...); code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
	}
	code, out, errOut := run(t, "snapshots", "--repo", repo, "--json")
	var snaps []struct {
		ID   string    `json:"id"`
		Time time.Time `json:"time"`
	}
	if err := json.Unmarshal([]byte(out), &snaps); code != ExitOK || err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots --json: exit %d, %q, %v (%s)", code, out, err, errOut)
	}
	taken := snaps[0].Time.Local()
	tests := []struct {
		typed string
		found bool
	}{
		{taken.Format("2006-01-02 15:04"), true},
		{taken.Format("02/01/2006 15.04"), true},
		{taken.Format("2006-01-02 15:04:05"), true},
		{taken.Format("2006-01-02"), true},
		{taken.Format("02/01/2006"), true},
		{taken.Add(-time.Minute).Format("2006-01-02 15:04"), false},
		{taken.AddDate(0, 0, -1).Format("2006-01-02"), false},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			if want, err := jobs.ParseAsOf(tt.typed, time.Local); err != nil || want.Before(taken) == tt.found {
				t.Fatalf("jobs.ParseAsOf(%q) = %v, %v: the test's expectation disagrees with the rule", tt.typed, want, err)
			}
			code, _, errOut := run(t, "restore", "--repo", repo, "--at", tt.typed, "--target", filepath.Join(t.TempDir(), "out"))
			if found := code == ExitOK; found != tt.found {
				t.Errorf("restore --at %q (snapshot taken %s): exit %d %q; want found=%v", tt.typed, taken.Format("15:04:05.000"), code, errOut, tt.found)
			}
		})
	}
}
