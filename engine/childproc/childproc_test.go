package childproc

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestSecretChildEnvironmentFromAllowList is the hole "CADANG_PASSWORD and
// CADANG_LOGIN are inherited by pg_dump, mysqldump and rclone": a child
// gets Base, what its caller allowed and set, and never a CADANG_ variable.
func TestSecretChildEnvironmentFromAllowList(t *testing.T) {
	environ := []string{
		"PATH=/usr/bin", "HOME=/home/svc", "LANG=id_ID.UTF-8", "LC_TIME=C", "TZ=Asia/Jakarta",
		"CADANG_LOGIN=login-secret", "CADANG_PASSWORD=repo-secret", "CADANG_WORKSPACE=/srv/cadang",
		"AWS_ACCESS_KEY_ID=AKIA", "AWS_SECRET_ACCESS_KEY=aws-secret", "PGPASSFILE=/etc/cadang/pgpass",
		"PGCONNECT_TIMEOUT=30", "MYSQL_PWD=mysql-secret", "RCLONE_CONFIG=/etc/rclone.conf",
		"GITHUB_TOKEN=gh-secret", "SSH_AUTH_SOCK=/tmp/agent", "noequals",
	}
	base := []string{"HOME=/home/svc", "LANG=id_ID.UTF-8", "LC_TIME=C", "PATH=/usr/bin", "TZ=Asia/Jakarta"}
	for _, tc := range []struct {
		name string
		env  Env
		want []string
	}{
		{"base only", Env{}, base},
		{"postgres tools", Env{Allow: []string{"PG*"}, Set: []string{"LC_ALL=C", "PGCONNECT_TIMEOUT=15"}},
			sorted(append(slices.Clone(base), "PGPASSFILE=/etc/cadang/pgpass", "LC_ALL=C", "PGCONNECT_TIMEOUT=15"))},
		{"rclone on S3", Env{Allow: []string{"RCLONE_*", "AWS_*"}},
			sorted(append(slices.Clone(base), "RCLONE_CONFIG=/etc/rclone.conf", "AWS_ACCESS_KEY_ID=AKIA", "AWS_SECRET_ACCESS_KEY=aws-secret"))},
		{"CADANG_ never passes", Env{Allow: []string{"CADANG_*", "CADANG_LOGIN"}, Set: []string{"CADANG_PASSWORD=x"}}, base},
		{"an empty prefix allows nothing", Env{Allow: []string{"*"}}, base},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.env.Environ(environ)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}

// TestSecretCommandRunsWithTheBuiltEnvironment runs a real program: what it
// prints of its environment is what Env built, not this process's.
func TestSecretCommandRunsWithTheBuiltEnvironment(t *testing.T) {
	envBin, err := exec.LookPath("env")
	if err != nil {
		t.Skip("no env program")
	}
	t.Setenv("CADANG_LOGIN", "login-marker")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "aws-marker")
	t.Setenv("PGPASSFILE", "/x/pgpass")
	out, err := Command(context.Background(), Env{Allow: []string{"PG*"}, Set: []string{"LC_ALL=C"}}, envBin).Output()
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, bad := range []string{"login-marker", "aws-marker"} {
		if strings.Contains(got, bad) {
			t.Errorf("the child saw %q:\n%s", bad, got)
		}
	}
	for _, want := range []string{"PGPASSFILE=/x/pgpass", "LC_ALL=C", "PATH="} {
		if !strings.Contains(got, want) {
			t.Errorf("the child lacks %q:\n%s", want, got)
		}
	}
}

// TestSecretEveryProgramStartsThroughCommand: no file of the module outside
// this package starts a program another way, so no child can inherit the
// whole environment by a new call site.
func TestSecretEveryProgramStartsThroughCommand(t *testing.T) {
	root := moduleRoot(t)
	starters := map[string][]string{
		"os/exec": {"Command", "CommandContext"},
		"os":      {"StartProcess"},
		"syscall": {"Exec", "ForkExec", "StartProcess"},
	}
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if filepath.Dir(rel) == filepath.Join("engine", "childproc") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		names := map[string][]string{} // local import name -> forbidden selectors
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			sel, ok := starters[p]
			if !ok {
				continue
			}
			local := p[strings.LastIndex(p, "/")+1:]
			if imp.Name != nil {
				local = imp.Name.Name
			}
			names[local] = sel
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.CompositeLit); ok { // exec.Cmd{…} started by hand
				if s, ok := lit.Type.(*ast.SelectorExpr); ok {
					if id, ok := s.X.(*ast.Ident); ok && names[id.Name] != nil && s.Sel.Name == "Cmd" {
						found = append(found, rel+": "+id.Name+".Cmd{}")
					}
				}
				return true
			}
			s, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := s.X.(*ast.Ident); ok && slices.Contains(names[id.Name], s.Sel.Name) {
				found = append(found, rel+": "+id.Name+"."+s.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Fatalf("programs started without childproc.Command (their children would inherit every secret of Cadang's environment):\n%s", strings.Join(found, "\n"))
	}
}

func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
}
