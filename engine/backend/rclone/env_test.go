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
	// The fake answers listremotes, plays a long-lived rcd (it records its
	// environment and command line, says where it listens and waits to be
	// killed), and records the environment of any other call.
	script := "#!/bin/sh\ncase \"$*\" in *listremotes*) printf 'offsite: sftp\\ncloud:  s3\\nvault: crypt\\n'; exit 0;;\n" +
		"*rcd*) env > '" + record + ".rcd'; echo \"$*\" > '" + record + ".args'\n" +
		"  echo '2026/01/02 15:04:05 NOTICE: Serving remote control on http://127.0.0.1:9/' >&2; exec sleep 600;; esac\n" +
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
			defer b.Close()
			if _, err := b.run(context.Background(), nil, "version"); err != nil {
				t.Fatal(err)
			}
			for _, file := range []string{record, record + ".rcd"} {
				env, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				got := string(env)
				for _, bad := range []string{"login-marker", "repo-marker", "CADANG_"} {
					if strings.Contains(got, bad) {
						t.Errorf("%s: rclone saw %q", filepath.Base(file), bad)
					}
				}
				if !strings.Contains(got, "RCLONE_CONFIG_PASS=rclone-own") {
					t.Errorf("%s: rclone lacks its own RCLONE_CONFIG_PASS:\n%s", filepath.Base(file), got)
				}
				if has := strings.Contains(got, "aws-marker"); has != tc.wantAWS {
					t.Errorf("%s: AWS_SECRET_ACCESS_KEY passed = %v, want %v", filepath.Base(file), has, tc.wantAWS)
				}
			}
			// The remote-control password is the rcd's own, in its
			// environment, never on its command line.
			rcdEnv, _ := os.ReadFile(record + ".rcd")
			args, _ := os.ReadFile(record + ".args")
			if !strings.Contains(string(rcdEnv), "RCLONE_RC_PASS="+b.srv.pass) || strings.Contains(string(args), b.srv.pass) {
				t.Errorf("rcd password: in the environment %v, on the command line %v (args %q)",
					strings.Contains(string(rcdEnv), b.srv.pass), strings.Contains(string(args), b.srv.pass), args)
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
