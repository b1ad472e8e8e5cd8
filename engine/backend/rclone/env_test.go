package rclone

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestSecretRcloneEnvironment is the hole "CADANG_PASSWORD and
// CADANG_LOGIN are inherited by rclone": rclone gets its own variables,
// the AWS keys only for a remote that may be S3, and never Cadang's.
func TestSecretRcloneEnvironment(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake rclone is a shell script")
	}
	dir := t.TempDir()
	record := filepath.Join(dir, "env")
	fake := filepath.Join(dir, "rclone")
	script := "#!/bin/sh\ncase \"$*\" in *listremotes*) printf 'offsite: sftp\\ncloud:  s3\\nvault: crypt\\n'; exit 0;; esac\n" +
		"env > '" + record + "'\n"
	if err := os.WriteFile(fake, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CADANG_LOGIN", "login-marker")
	t.Setenv("CADANG_PASSWORD", "repo-marker")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "aws-marker")
	t.Setenv("RCLONE_CONFIG_PASS", "rclone-own")
	for _, tc := range []struct {
		remote  string
		wantAWS bool
	}{
		{"offsite:cadang", false},
		{"cloud:bucket/cadang", true},
		{"vault:cadang", true}, // crypt wraps another remote, which may be S3
		{":local:/srv/copy", false},
		{":s3:bucket", true},
	} {
		t.Run(tc.remote, func(t *testing.T) {
			b, err := New(context.Background(), Options{Remote: tc.remote, Program: fake})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.run(context.Background(), nil, "version"); err != nil {
				t.Fatal(err)
			}
			env, err := os.ReadFile(record)
			if err != nil {
				t.Fatal(err)
			}
			got := string(env)
			for _, bad := range []string{"login-marker", "repo-marker", "CADANG_"} {
				if strings.Contains(got, bad) {
					t.Errorf("rclone saw %q", bad)
				}
			}
			if !strings.Contains(got, "RCLONE_CONFIG_PASS=rclone-own") {
				t.Errorf("rclone lacks its own RCLONE_CONFIG_PASS:\n%s", got)
			}
			if has := strings.Contains(got, "aws-marker"); has != tc.wantAWS {
				t.Errorf("AWS_SECRET_ACCESS_KEY passed = %v, want %v", has, tc.wantAWS)
			}
		})
	}
}

// TestRemotes lists the configured remotes through the same allow-listed
// environment (RCLONE_CONFIG passes).
func TestRemotes(t *testing.T) {
	config, _ := testRemotes(t)
	t.Setenv("RCLONE_CONFIG", config)
	got, err := Remotes(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, "cadanglocal:") || !slices.Contains(got, "cadangsftp:") {
		t.Fatalf("Remotes = %q, want the test configuration's cadanglocal: and cadangsftp:", got)
	}
}
