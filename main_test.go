package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// needTools skips (or, in CI, fails) when the X tools the smoke test
// drives are missing.
func needTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required in CI: %v", tool, err)
			}
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
}

// built is the real cadang binary, built once for this package's tests.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildBinary builds the real cadang binary (once). The build has its own
// deadline, not the calling test's: on a cold, loaded CI machine linking
// the Fyne binary alone may take minutes, and that is no failure of the
// window.
func buildBinary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		if built.dir, built.err = os.MkdirTemp("", "cadang-bin-*"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "cadang")
		built.out, built.err = exec.CommandContext(ctx, "go", "build", "-o", built.bin, ".").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

// TestWindowWithoutDisplay: on a server without a graphical session the
// window refuses in one clear line and exit status 1, never a panic.
func TestWindowWithoutDisplay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the real binary")
	}
	bin := buildBinary(t) // before the deadline: the build has its own
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), "DISPLAY=", "WAYLAND_DISPLAY=", "HOME="+tmp, "CADANG_WORKSPACE="+filepath.Join(tmp, "ws"))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit %v, want status 1; output:\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "no graphical display") || strings.Contains(string(out), "panic") {
		t.Fatalf("output %q, want one line saying there is no display", out)
	}
}

// startXvfb starts a virtual X server on a free display, which Xvfb picks
// itself and reports through -displayfd once it accepts connections.
func startXvfb(ctx context.Context, t testing.TB) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	x := exec.CommandContext(ctx, "Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() {
		x.Process.Signal(syscall.SIGTERM)
		x.Wait()
	})
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("Xvfb did not report its display: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

// appProcess is the running window with its log lines as they come.
type appProcess struct {
	cmd    *exec.Cmd
	lines  chan string
	exited chan error

	mu  sync.Mutex // the log is written by the reader goroutine
	log bytes.Buffer
}

func (p *appProcess) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

func startApp(ctx context.Context, t testing.TB, bin string, env []string) *appProcess {
	t.Helper()
	// Lines the test has not read yet are dropped past the buffer rather
	// than blocking the app on a full stderr pipe; 4096 is far more than a
	// session logs before the screens the tests wait for.
	p := &appProcess{lines: make(chan string, 4096), exited: make(chan error, 1)}
	p.cmd = exec.CommandContext(ctx, bin)
	p.cmd.Env = append(os.Environ(), env...)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdout = io.Discard
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start cadang: %v", err)
	}
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
	}()
	go func() {
		<-logDone
		p.exited <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.exited:
			case <-time.After(10 * time.Second):
				p.cmd.Process.Kill()
			}
		}
	})
	return p
}

// waitFor reads log lines until one contains want; it fails when the app
// exits or the context ends first.
func (p *appProcess) waitFor(ctx context.Context, t testing.TB, want string) {
	t.Helper()
	for {
		select {
		case line := <-p.lines:
			if strings.Contains(line, want) {
				return
			}
		case err := <-p.exited:
			// Every line is queued before exited is sent, and select
			// picks among ready cases at random: read the queued ones.
			for len(p.lines) > 0 {
				if strings.Contains(<-p.lines, want) {
					p.exited <- err // for the next wait
					return
				}
			}
			t.Fatalf("cadang exited (%v) before %q; its log:\n%s", err, want, p.logText())
		case <-ctx.Done():
			t.Fatalf("no %q in time; log:\n%s", want, p.logText())
		}
	}
}

// xdo runs xdotool on the display.
func xdo(ctx context.Context, t *testing.T, display string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, "xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("xdotool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// screenshot captures the whole screen and returns how many distinct
// colours it has, in all and in the top-left corner where the shell's
// navigation list is (the login screen is empty there).
func screenshot(ctx context.Context, t *testing.T, display, out string) (all, nav int) {
	t.Helper()
	cmd := exec.CommandContext(ctx, "import", "-window", "root", out)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode screenshot: %v", err)
	}
	return distinctColours(img, img.Bounds()), distinctColours(img, image.Rect(0, 0, 200, 300))
}

func distinctColours(img image.Image, b image.Rectangle) int {
	seen := map[[3]uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
		}
	}
	return len(seen)
}

// minColours: a blank or uniform screen has one or two colours; the login
// form and the dashboard, with text, icons and anti-aliasing, have hundreds.
const minColours = 16

// untilPainted repeats check until it holds or the context ends.
func untilPainted(ctx context.Context, t *testing.T, check func() bool, what string) {
	t.Helper()
	for !check() {
		if ctx.Err() != nil {
			t.Fatalf("%s never appeared on the screen", what)
		}
	}
}

// TestWindowSmoke is issue 3 and 6's smoke test: the real binary, set up
// headless, opens its window under Xvfb, a person logs in by typing, and
// the dashboard is on the screen. It fails when the app exits or the
// screenshot is blank.
func TestWindowSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary under Xvfb")
	}
	needTools(t, "Xvfb", "xdotool", "import")
	bin := buildBinary(t) // before the deadline: the build has its own
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tmp := t.TempDir()

	ws := filepath.Join(tmp, "workspace")
	pwFile := filepath.Join(tmp, "pw")
	if err := os.WriteFile(pwFile, []byte("correct horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	setup := exec.CommandContext(ctx, bin, "setup", "--workspace", ws, "--admin", "admin", "--full-name", "Ayu Lestari", "--password-file", pwFile,
		"--records-repo", filepath.Join(tmp, "records"))
	if out, err := setup.CombinedOutput(); err != nil {
		t.Fatalf("cadang setup: %v\n%s", err, out)
	}

	display := startXvfb(ctx, t)
	runtime := filepath.Join(tmp, "xdg-runtime")
	if err := os.Mkdir(runtime, 0o700); err != nil {
		t.Fatal(err)
	}
	app := startApp(ctx, t, bin, []string{
		"DISPLAY=" + display, "LIBGL_ALWAYS_SOFTWARE=1", "XDG_RUNTIME_DIR=" + runtime,
		"HOME=" + tmp, "XDG_CONFIG_HOME=" + filepath.Join(tmp, "config"),
		"CADANG_WORKSPACE=" + ws, "LANGUAGE=en", "DBUS_SESSION_BUS_ADDRESS=",
	})
	app.waitFor(ctx, t, "screen=login")
	win := xdo(ctx, t, display, "search", "--sync", "--onlyvisible", "--name", "^Cadang$")
	win = strings.Fields(win)[0]
	// The window maps before its first frame is drawn: capture until the
	// login form is on the screen (each capture takes a fraction of a second).
	loginShot := filepath.Join(tmp, "login.png")
	untilPainted(ctx, t, func() bool {
		all, _ := screenshot(ctx, t, display, loginShot)
		return all >= minColours
	}, "the login screen")
	xdo(ctx, t, display, "windowfocus", "--sync", win)
	xdo(ctx, t, display, "type", "--window", win, "--delay", "40", "admin")
	xdo(ctx, t, display, "key", "--window", win, "Tab")
	xdo(ctx, t, display, "type", "--window", win, "--delay", "40", "correct horse")
	xdo(ctx, t, display, "key", "--window", win, "Return")
	app.waitFor(ctx, t, "screen=shell")

	shot := filepath.Join(tmp, "dashboard.png")
	n, nav := 0, 0
	untilPainted(ctx, t, func() bool {
		n, nav = screenshot(ctx, t, display, shot)
		return n >= minColours && nav >= minColours/2
	}, "the dashboard")
	if keep := os.Getenv("CADANG_SMOKE_SCREENSHOT"); keep != "" {
		if b, err := os.ReadFile(shot); err == nil {
			os.WriteFile(keep, b, 0o644)
		}
	}
	if n < minColours {
		t.Fatalf("dashboard screenshot has %d distinct colours: the window is blank", n)
	}
	select {
	case err := <-app.exited:
		t.Fatalf("cadang exited (%v) after login; log:\n%s", err, app.logText())
	default:
	}
	// A clean quit on SIGTERM, as a desktop session ends it.
	if err := app.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-app.exited:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("wait: %v", err)
		}
		if err != nil {
			t.Errorf("cadang exited with %v on SIGTERM; log:\n%s", err, app.logText())
		}
	case <-ctx.Done():
		t.Fatal("cadang did not quit on SIGTERM")
	}
	t.Logf("dashboard on screen with %d colours", n)
}
