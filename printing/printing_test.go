package printing

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeSystem is a computer with some programs installed; it records what
// was started and answers lp with out and err.
type fakeSystem struct {
	installed map[string]bool
	started   []Command
	out       string
	err       error
}

func (f *fakeSystem) printer(goos string) Printer {
	return Printer{GOOS: goos,
		LookPath: func(name string) (string, error) {
			if f.installed[name] {
				return "/usr/bin/" + name, nil
			}
			return "", exec.ErrNotFound
		},
		Exec: func(ctx context.Context, c Command) ([]byte, error) {
			f.started = append(f.started, c)
			if c.Wait {
				return []byte(f.out), f.err
			}
			return nil, nil
		}}
}

func installed(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

const pdf = "/srv/cadang/documents/2026/FRM-IT-002-04_2026_0001.pdf"

func TestPrintChoosesTheCommandOfEachSystem(t *testing.T) {
	for _, tc := range []struct {
		name      string
		goos      string
		installed map[string]bool
		want      Command
		action    Action
		fallback  string // the missing tool that made Print open the viewer
		missing   []string
	}{
		{"linux with CUPS", "linux", installed("lp", "xdg-open"), Command{Name: "/usr/bin/lp", Args: []string{pdf}, Wait: true}, Sent, "", nil},
		{"freebsd with CUPS", "freebsd", installed("lp"), Command{Name: "/usr/bin/lp", Args: []string{pdf}, Wait: true}, Sent, "", nil},
		{"linux without lp opens the viewer", "linux", installed("xdg-open"), Command{Name: "xdg-open", Args: []string{pdf}}, Opened, "lp (CUPS)", nil},
		{"linux with neither", "linux", installed(), Command{}, "", "", []string{"lp (CUPS)", "xdg-open"}},
		{"windows opens the viewer", "windows", installed("rundll32"), Command{Name: "rundll32", Args: []string{"url.dll,FileProtocolHandler", pdf}}, Opened, "", nil},
		{"windows ignores an lp it may have", "windows", installed("rundll32", "lp"), Command{Name: "rundll32", Args: []string{"url.dll,FileProtocolHandler", pdf}}, Opened, "", nil},
		{"macOS opens Preview", "darwin", installed("open", "lp"), Command{Name: "open", Args: []string{pdf}}, Opened, "", nil},
		{"macOS without open", "darwin", installed(), Command{}, "", "", []string{"open"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := &fakeSystem{installed: tc.installed, out: "request id is Kantor-7 (1 file(s))"}
			res, err := sys.printer(tc.goos).Print(context.Background(), pdf)
			if tc.missing != nil {
				var m *MissingToolError
				if !errors.As(err, &m) || !errors.Is(err, ErrMissingTool) || !slices.Equal(m.Tools, tc.missing) || !strings.Contains(m.Install, "install") && !strings.Contains(m.Install, "part of") {
					t.Fatalf("got %v, want a MissingToolError naming %v and how to get them", err, tc.missing)
				}
				if len(sys.started) != 0 {
					t.Fatalf("started %v although nothing was installed", sys.started)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(sys.started) != 1 || !commandsEqual(sys.started[0], tc.want) {
				t.Fatalf("started %+v, want %+v", sys.started, tc.want)
			}
			if res.Action != tc.action {
				t.Errorf("action %q, want %q", res.Action, tc.action)
			}
			switch {
			case tc.fallback == "" && res.Fallback != nil:
				t.Errorf("fallback %+v, want none", res.Fallback)
			case tc.fallback != "" && (res.Fallback == nil || !slices.Equal(res.Fallback.Tools, []string{tc.fallback}) || !strings.Contains(res.Fallback.Install, "cups-client")):
				t.Errorf("fallback %+v, want %s missing and how to install it", res.Fallback, tc.fallback)
			}
			if tc.action == Sent && res.Output != "request id is Kantor-7 (1 file(s))" {
				t.Errorf("output %q, want lp's request ID", res.Output)
			}
		})
	}
}

func commandsEqual(a, b Command) bool {
	return a.Name == b.Name && a.Wait == b.Wait && slices.Equal(a.Args, b.Args)
}

func TestPrintSaysWhenCUPSHasNoPrinter(t *testing.T) {
	for _, tc := range []struct {
		name, out string
		want      error
	}{
		{"no default printer", "lp: Error - No default destination.", ErrNoPrinter},
		{"another failure", "lp: Error - The printer or class does not exist.", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := &fakeSystem{installed: installed("lp", "xdg-open"), out: tc.out, err: errors.New("exit status 1")}
			_, err := sys.printer("linux").Print(context.Background(), pdf)
			if err == nil {
				t.Fatal("a failed lp reported success")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want == nil && (errors.Is(err, ErrNoPrinter) || !strings.Contains(err.Error(), "does not exist")) {
				t.Fatalf("got %v, want lp's own message", err)
			}
		})
	}
}

func TestOpenUsesTheDesktopViewer(t *testing.T) {
	for _, tc := range []struct {
		goos, tool string
	}{
		{"linux", "xdg-open"}, {"openbsd", "xdg-open"}, {"darwin", "open"}, {"windows", "rundll32"},
	} {
		t.Run(tc.goos, func(t *testing.T) {
			sys := &fakeSystem{installed: installed(tc.tool)}
			res, err := sys.printer(tc.goos).Open(context.Background(), pdf)
			if err != nil || res.Action != Opened || len(sys.started) != 1 || sys.started[0].Name != tc.tool || sys.started[0].Wait {
				t.Fatalf("open on %s: %+v %v, started %+v; want %s started and left running", tc.goos, res, err, sys.started, tc.tool)
			}
			sys = &fakeSystem{installed: installed()}
			if _, err := sys.printer(tc.goos).Open(context.Background(), pdf); !errors.Is(err, ErrMissingTool) || !strings.Contains(err.Error(), tc.tool) {
				t.Fatalf("open without %s: %v", tc.tool, err)
			}
		})
	}
}

// TestPrintRunsTheRealLp runs New() against an lp script on PATH: the
// path reaches lp as one argument and lp's answer comes back.
func TestPrintRunsTheRealLp(t *testing.T) {
	if New().GOOS != "linux" {
		t.Skip("lp is the Linux path")
	}
	bin := t.TempDir()
	args := filepath.Join(t.TempDir(), "args")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" \"login=${CADANG_LOGIN:-none}\" > " + args + "\necho 'request id is Kantor-8 (1 file(s))'\n"
	if err := os.WriteFile(filepath.Join(bin, "lp"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	t.Setenv("CADANG_LOGIN", "account-password")
	doc := filepath.Join(t.TempDir(), "Form Serah Terima.pdf")
	res, err := New().Print(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(args)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != doc+"\nlogin=none\n" || res.Action != Sent || res.Output != "request id is Kantor-8 (1 file(s))" {
		t.Fatalf("lp got %q, result %+v", got, res)
	}
}
