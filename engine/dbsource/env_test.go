package dbsource

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestSecretToolEnvironment is the hole "CADANG_PASSWORD and CADANG_LOGIN
// are inherited by pg_dump and mysqldump": the tools get their own
// variables and the private password file, never Cadang's secrets or
// another tool's keys.
func TestSecretToolEnvironment(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake tools are shell scripts")
	}
	dir := t.TempDir()
	record := filepath.Join(dir, "env")
	for _, tool := range []string{"psql", "mysql"} {
		script := "#!/bin/sh\n{ echo \"ARGS $*\"; env; } > '" + record + "'\n"
		if err := os.WriteFile(filepath.Join(dir, tool), []byte(script), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("CADANG_LOGIN", "login-marker")
	t.Setenv("CADANG_PASSWORD", "repo-marker")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "aws-marker")
	t.Setenv("PGSSLMODE", "require")
	t.Setenv("MYSQL_HOME", "/etc/cadang/mysql")
	for _, tc := range []struct {
		kind      Kind
		tool      string
		want, not []string
	}{
		{Postgres, "psql", []string{"PGSSLMODE=require", "PGPASSFILE=", "LC_ALL=C", "PGCONNECT_TIMEOUT="}, []string{"MYSQL_HOME"}},
		{MySQL, "mysql", []string{"MYSQL_HOME=/etc/cadang/mysql", "LC_ALL=C", "ARGS --defaults-extra-file="}, []string{"PGSSLMODE"}},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			db := Database{Kind: tc.kind, Name: "sales", Host: "127.0.0.1", User: "cadang"}
			te, err := newToolEnv(db, Options{Password: "db-marker", TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer te.Close()
			cmd, err := te.command(context.Background(), tc.tool)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cmd.run(strings.NewReader("")); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(record)
			if err != nil {
				t.Fatal(err)
			}
			got := string(b)
			for _, bad := range append([]string{"login-marker", "repo-marker", "aws-marker", "db-marker", "CADANG_"}, tc.not...) {
				if strings.Contains(got, bad) {
					t.Errorf("%s saw %q", tc.tool, bad)
				}
			}
			for _, want := range tc.want {
				if !strings.Contains(got, want) {
					t.Errorf("%s lacks %q:\n%s", tc.tool, want, got)
				}
			}
		})
	}
}
