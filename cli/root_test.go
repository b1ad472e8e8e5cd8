package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes the command line in-process and returns the exit status and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Execute(context.Background(), args, Options{Stdout: &out, Stderr: &errOut, Stdin: strings.NewReader("")})
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"unknown flag", []string{"version", "--frob"}, "unknown flag"},
		{"unexpected argument", []string{"version", "extra"}, `"extra" is not expected here: cadang version takes its input as flags`},
		{"a snapshot typed as an argument", []string{"restore", "--repo", "/nonexistent-never-created", "latest"}, "--snapshot ID|latest"},
		{"unknown command under a group", []string{"job", "frobnicate"}, "unknown command"},
		{"setup without flags", []string{"setup", "--workspace", "/nonexistent-never-created"}, "--admin and --password-file are required"},
		{"setup without a records repository", []string{"setup", "--workspace", "/nonexistent-never-created", "--admin", "a", "--password-file", "f"}, "--records-repo is required"},
		{"setup with both records choices", []string{"setup", "--workspace", "/nonexistent-never-created", "--admin", "a", "--password-file", "f", "--records-repo", "/r", "--no-records-backup"}, "not both"},
		{"rebuild with an administrator", []string{"setup", "--workspace", "/nonexistent-never-created", "--admin", "a", "--restore-from", "/r"}, "leave out --admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != ExitUsage {
				t.Errorf("exit status = %d, want %d (stderr %q)", code, ExitUsage, stderr)
			}
			if lines := strings.Count(strings.TrimSpace(stderr), "\n") + 1; lines != 1 {
				t.Errorf("stderr has %d lines, want one clear line: %q", lines, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr = %q, want it to mention %q", stderr, tt.want)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "version")
	if code != 0 || !strings.HasPrefix(out, "cadang "+Version) {
		t.Fatalf("version: code %d, output %q", code, out)
	}
	code, out, _ = run(t, "version", "--json")
	var v map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v["version"] != Version {
		t.Fatalf("version --json: code %d, output %q", code, out)
	}
}

func TestHelpListsCommands(t *testing.T) {
	code, out, _ := run(t, "--help")
	if code != 0 {
		t.Fatalf("--help exit status %d", code)
	}
	for _, want := range []string{"setup", "version", "--workspace"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help output lacks %q", want)
		}
	}
}

func TestSetup(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	pw := writeFile(t, "pw", "correct horse battery\n")

	code, out, stderr := run(t, "setup", "--workspace", ws, "--admin", "admin", "--password-file", pw, "--no-records-backup")
	if code != 0 {
		t.Fatalf("setup: exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(out, `administrator "admin" created`) {
		t.Errorf("setup output = %q", out)
	}
	if _, err := os.Stat(filepath.Join(ws, "catalog.db")); err != nil {
		t.Fatalf("catalog not created: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(ws, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("correct horse battery")) {
		t.Error("the administrator's password is stored in clear in the catalog")
	}

	t.Run("again is refused", func(t *testing.T) {
		code, _, stderr := run(t, "setup", "--workspace", ws, "--admin", "other", "--password-file", pw, "--no-records-backup")
		if code != ExitRefused || !strings.Contains(stderr, "already has accounts") {
			t.Errorf("second setup: exit %d, stderr %q; want %d and a clear refusal", code, stderr, ExitRefused)
		}
	})
	t.Run("environment variable names the workspace", func(t *testing.T) {
		t.Setenv("CADANG_WORKSPACE", ws)
		code, _, stderr := run(t, "setup", "--admin", "other", "--password-file", pw, "--no-records-backup")
		if code != ExitRefused {
			t.Errorf("setup via CADANG_WORKSPACE: exit %d, stderr %q; want it to find the existing workspace", code, stderr)
		}
	})
	t.Run("short password", func(t *testing.T) {
		short := writeFile(t, "short", "abc")
		code, _, stderr := run(t, "setup", "--workspace", filepath.Join(t.TempDir(), "w2"), "--admin", "a", "--password-file", short, "--no-records-backup")
		if code != ExitError || !strings.Contains(stderr, "too short") {
			t.Errorf("short password: exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("workspace is a file", func(t *testing.T) {
		f := writeFile(t, "notadir", "x")
		code, _, stderr := run(t, "setup", "--workspace", f, "--admin", "a", "--password-file", pw, "--no-records-backup")
		if code != ExitError || !strings.Contains(stderr, "not a directory") {
			t.Errorf("file as workspace: exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("catalog is not SQLite", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "catalog.db"), []byte("this is not a database, just text that is long enough"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := run(t, "setup", "--workspace", dir, "--admin", "a", "--password-file", pw, "--no-records-backup")
		if code != ExitError || !strings.Contains(stderr, "not an SQLite database") {
			t.Errorf("bad catalog: exit %d, stderr %q", code, stderr)
		}
	})
}
