package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInitBackupRestoreWithProfiles(t *testing.T) {
	dir := t.TempDir()
	src, repo, out, prof := filepath.Join(dir, "src"), filepath.Join(dir, "repo"), filepath.Join(dir, "out"), filepath.Join(dir, "prof")
	pw := filepath.Join(dir, "pw")
	if err := os.MkdirAll(filepath.Join(src, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	want := strings.Repeat("cadang bench ", 1000)
	if err := os.WriteFile(filepath.Join(src, "d", "f.txt"), []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pw, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BENCH_PROFILE_DIR", prof)
	t.Setenv("BENCH_TRACE", "1")
	ctx := context.Background()
	for _, args := range [][]string{
		{"init", "--repo", repo, "--password-file", pw},
		{"backup", "--repo", repo, "--password-file", pw, "--json", src},
		{"restore", "--repo", repo, "--password-file", pw, "--snapshot", "latest", "--target", out, "--json"},
		{"backup", "--repo", repo, "--password-file", pw, "--json", src},
		{"open", "--repo", repo, "--password-file", pw, "--json"},
		{"verify", "--repo", repo, "--password-file", pw, "--json"},
		{"forget", "--repo", repo, "--password-file", pw, "--keep-last", "1", "--json"},
		{"prune", "--repo", repo, "--password-file", pw, "--json"},
	} {
		var stdout bytes.Buffer
		if err := run(ctx, args, &stdout); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		want := map[string]string{"backup": `"snapshot"`, "restore": `"snapshot"`, "open": `"name"`,
			"verify": `"read_data":true`, "forget": `"remove"`, "prune": `"packs_removed"`}[args[0]]
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("%s --json printed %q, want %s", args[0], stdout.String(), want)
		}
	}
	got, err := os.ReadFile(filepath.Join(out, "src", "d", "f.txt"))
	if err != nil || string(got) != want {
		t.Fatalf("restored file: %v (%d bytes, want %d)", err, len(got), len(want))
	}
	for _, name := range []string{"backup-cpu.pprof", "backup-heap.pprof", "backup-mem.txt", "backup.trace", "restore-cpu.pprof"} {
		if st, err := os.Stat(filepath.Join(prof, name)); err != nil || st.Size() == 0 {
			t.Errorf("profile %s: %v", name, err)
		}
	}
}

func TestBadArguments(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"backup"}, "--repo is required"},
		{[]string{"backup", "--nope"}, "flag provided but not defined"},
		{[]string{"frobnicate", "--repo", "x"}, "unknown command"},
		{[]string{"restore", "--repo", "x", "--password-file", "/nonexistent/pw"}, "read password"},
	}
	for _, tt := range tests {
		err := run(context.Background(), tt.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) = %v, want an error with %q", tt.args, err, tt.want)
		}
	}
}
