package printing

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"cadang/engine/childproc"
)

// Action says what happened to the PDF.
type Action string

const (
	// Sent: queued on the default printer (lp).
	Sent Action = "sent"
	// Opened: shown in the system's viewer; the person prints from there.
	Opened Action = "opened"
)

// Result is what Print or Open did.
type Result struct {
	Action  Action   `json:"action"`
	Command []string `json:"command"` // the program and its arguments
	Output  string   `json:"output,omitempty"`
	// Fallback, when set, is the program whose absence made Print open
	// the viewer instead (lp on Linux), and how to install it.
	Fallback *MissingToolError `json:"fallback,omitempty"`
}

// ErrMissingTool matches a *MissingToolError.
var ErrMissingTool = errors.New("the program needed to print or open a PDF is not installed")

// MissingToolError names the programs that were looked for and how to
// install them.
type MissingToolError struct {
	Tools   []string // e.g. lp, xdg-open
	Install string   // what to run or do to install them
}

func (e *MissingToolError) Error() string {
	return fmt.Sprintf("%s not installed: %s", strings.Join(e.Tools, " and "), e.Install)
}

// Is makes errors.Is(err, ErrMissingTool) true.
func (e *MissingToolError) Is(target error) bool { return target == ErrMissingTool }

// ErrNoPrinter says CUPS has no default printer to send the PDF to.
var ErrNoPrinter = errors.New("no default printer is set")

// Command is a program to start. Wait runs it to the end and keeps its
// output (lp says the job's ID); otherwise it is started and left running
// (a viewer stays open after Cadang goes on).
type Command struct {
	Name string
	Args []string
	Wait bool
	Env  childproc.Env // what it may see of Cadang's environment
}

// Environments: lp needs to know where CUPS and the chosen printer are; a
// viewer needs the desktop session.
var (
	lpEnv     = childproc.Env{Allow: []string{"CUPS_*", "PRINTER", "LPDEST"}}
	viewerEnv = childproc.Env{Allow: []string{"DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "DBUS_SESSION_BUS_ADDRESS",
		"XDG_*", "DESKTOP_SESSION", "KDE_*", "GNOME_*", "BROWSER"}}
)

// Printer chooses and starts the programs for one operating system. The
// zero value is not usable; New gives the real one, tests fill the fields.
type Printer struct {
	GOOS     string
	LookPath func(file string) (string, error)
	Exec     func(ctx context.Context, c Command) ([]byte, error)
}

// New is the printer of this computer.
func New() Printer {
	return Printer{GOOS: runtime.GOOS, LookPath: exec.LookPath, Exec: execCommand}
}

// Print sends the PDF at path to paper: lp on Linux and the BSDs, the
// viewer's print dialog elsewhere (see the package doc).
func (p Printer) Print(ctx context.Context, path string) (Result, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Result{}, fmt.Errorf("print %s: %w", path, err)
	}
	if !usesCUPS(p.GOOS) {
		return p.Open(ctx, abs) // the viewer's Print shows the system's dialog
	}
	lp, lpErr := p.LookPath("lp")
	if lpErr != nil {
		res, err := p.Open(ctx, abs)
		if errors.Is(err, ErrMissingTool) {
			return Result{}, &MissingToolError{Tools: []string{"lp (CUPS)", "xdg-open"}, Install: "install them with `sudo apt-get install cups-client xdg-utils` (Fedora: `sudo dnf install cups-client xdg-utils`)"}
		}
		res.Fallback = &MissingToolError{Tools: []string{"lp (CUPS)"}, Install: "install it with `sudo apt-get install cups-client` (Fedora: `sudo dnf install cups-client`) to print directly"}
		return res, err
	}
	c := Command{Name: lp, Args: []string{abs}, Wait: true, Env: lpEnv}
	out, err := p.Exec(ctx, c)
	res := Result{Action: Sent, Command: append([]string{c.Name}, c.Args...), Output: strings.TrimSpace(string(out))}
	if err != nil {
		if strings.Contains(string(out), "No default destination") {
			return res, fmt.Errorf("print %s: %w: choose one in the system's printer settings, or with `lpoptions -d PRINTER`", abs, ErrNoPrinter)
		}
		return res, fmt.Errorf("print %s: %s: %w: %s", abs, c.Name, err, res.Output)
	}
	return res, nil
}

// Open shows the PDF at path in the system's viewer.
func (p Printer) Open(ctx context.Context, path string) (Result, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Result{}, fmt.Errorf("open %s: %w", path, err)
	}
	c, missing := viewer(p.GOOS, abs)
	if _, err := p.LookPath(c.Name); err != nil {
		return Result{}, missing
	}
	res := Result{Action: Opened, Command: append([]string{c.Name}, c.Args...)}
	if _, err := p.Exec(ctx, c); err != nil {
		return res, fmt.Errorf("open %s with %s: %w", abs, c.Name, err)
	}
	return res, nil
}

// usesCUPS reports the systems where lp is the way to print.
func usesCUPS(goos string) bool {
	switch goos {
	case "windows", "darwin", "ios", "android", "js", "wasip1", "plan9":
		return false
	}
	return true
}

// viewer is the command that opens a file in the desktop's default
// application, and what to say when it is missing.
func viewer(goos, path string) (Command, error) {
	switch goos {
	case "windows":
		// What Fyne's OpenURL runs too; the shell picks the PDF viewer.
		return Command{Name: "rundll32", Args: []string{"url.dll,FileProtocolHandler", path}, Env: viewerEnv},
			&MissingToolError{Tools: []string{"rundll32"}, Install: "it is part of Windows; open the PDF from the Documents screen's folder instead"}
	case "darwin":
		return Command{Name: "open", Args: []string{path}, Env: viewerEnv},
			&MissingToolError{Tools: []string{"open"}, Install: "it is part of macOS; open the PDF in Preview from the Finder instead"}
	}
	return Command{Name: "xdg-open", Args: []string{path}, Env: viewerEnv},
		&MissingToolError{Tools: []string{"xdg-open"}, Install: "install it with `sudo apt-get install xdg-utils` (Fedora: `sudo dnf install xdg-utils`)"}
}

// execCommand runs c: to the end with its output when c.Wait, else it
// starts c and reaps it in the background.
func execCommand(ctx context.Context, c Command) ([]byte, error) {
	if c.Wait {
		return childproc.Command(ctx, c.Env, c.Name, c.Args...).CombinedOutput()
	}
	cmd := childproc.Command(context.WithoutCancel(ctx), c.Env, c.Name, c.Args...) // the viewer outlives the click
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go cmd.Wait() //nolint:errcheck // a viewer's exit status says nothing about the PDF
	return nil, nil
}
