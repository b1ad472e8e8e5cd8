package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// AppID is Cadang's application ID (also in FyneApp.toml); Fyne keeps the
// preferences under it.
const AppID = "id.cadang.desktop"

// prefWorkspace remembers the workspace chosen at the first start.
const prefWorkspace = "workspace"

// Run opens the window and returns when the person quits. workspace is the
// directory given with --workspace or CADANG_WORKSPACE; "" means use the
// remembered one, or ask.
func Run(ctx context.Context, workspace string) (err error) {
	if err := checkDisplay(); err != nil {
		return err
	}
	// The graphics driver panics when it cannot start (no GL, a display
	// that went away); say so in one line instead of a stack trace.
	defer func() {
		if r := recover(); r != nil {
			// The stack goes to the log, for the report of a bug.
			slog.Error("window panic", "component", "ui", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("the window could not start (%v); check the desktop session and its OpenGL drivers, or use the commands (cadang --help)", r)
		}
	}()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("component", "ui")
	var f *flow
	one, err := claimInstance(instanceSocket(), func() {
		fyne.Do(func() {
			if f != nil {
				f.showWindow()
			}
		})
	})
	if errors.Is(err, errAlreadyRunning) {
		fmt.Fprintln(os.Stderr, "cadang:", err)
		return nil
	}
	if err != nil { // one window is a convenience: start anyway
		log.Warn("single instance", "err", err)
	}
	defer one.close()
	a := app.NewWithID(AppID)
	a.SetIcon(appIcon)
	applyTheme(a)
	if err := applyLanguage(languageOf(a.Preferences())); err != nil {
		log.Error("language", "err", err)
	}
	w := a.NewWindow("Cadang")
	w.SetIcon(appIcon)
	w.Resize(fyne.NewSize(1120, 720))
	f = newFlow(ctx, a, w, workspace, goBackground, log)
	defer f.close() // stops the scheduler and closes the catalog, also after a driver panic
	if dir := f.workspaceToOpen(); dir != "" {
		f.openBeforeShowing(dir)
	} else {
		f.start()
	}
	f.installTray() // the close button's behaviour; the menu comes when the window shows
	a.Lifecycle().SetOnStarted(func() {
		// With the remembered workspace the window's first frame is the
		// login; the startup benchmark (main_startup_test.go) reads this.
		log.Info("window shown", "screen", f.shown)
		f.tray.ready = true
		f.installTray()
	})
	go func() {
		<-ctx.Done() // SIGTERM or Ctrl-C in the terminal that started us
		fyne.Do(a.Quit)
	}()
	w.ShowAndRun()
	return nil
}

// checkDisplay refuses early, with a clear message, when no graphical
// session exists (a server over SSH): Fyne's driver would panic.
func checkDisplay() error {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd":
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no graphical display (DISPLAY and WAYLAND_DISPLAY are unset): open Cadang in a desktop session, or use its commands (cadang --help)")
		}
	}
	return nil
}

// flow walks from the workspace to the signed-in shell: workspace → first
// run or login → shell, and back to login on log-out. It is made of the
// parts each step uses: the window, the open workspace with its scheduler,
// the person signed in, the screen shown, and the tray.
type flow struct {
	window
	workspaceRun
	session
	screen
	tray trayState
}

// window is where the flow draws and how it runs slow work.
type window struct {
	ctx   context.Context
	app   fyne.App
	win   fyne.Window
	bg    background
	log   *slog.Logger
	fixed string // workspace from the command line; never remembered
}

// workspaceRun is the open workspace: its procedure, the scheduler that
// runs its jobs while the window (or the tray) is up, and its events.
type workspaceRun struct {
	svc         *jobs.Service
	sched       *jobs.Scheduler // nil while paused
	paused      bool
	running     int       // runs started and not yet finished, from events
	hub         *eventHub // events for the page shown now
	unsubscribe func()
}

// session is the person using the window now (all nil when signed out).
type session struct {
	user *jobs.User
	who  *acting
	nav  func(page string, filter ...string) // shows a page of the signed-in shell
}

// screen is what the window shows now.
type screen struct {
	current func() // redraws it (after a language change)
	shown   string // its name, for the log
	page    string // the shell's page, kept across redraws
}

// trayState is the tray menu's.
type trayState struct {
	installed bool     // the close button's behaviour is set
	ready     bool     // the window is up: the menu may be built
	jobs      []string // approved jobs for "Run a job now"
}

func newFlow(ctx context.Context, a fyne.App, w fyne.Window, workspace string, bg background, log *slog.Logger) *flow {
	return &flow{window: window{ctx: ctx, app: a, win: w, bg: bg, log: log, fixed: workspace}, workspaceRun: workspaceRun{hub: &eventHub{}}}
}

// defaultWorkspace is <user config dir>/cadang, as the command line uses.
func defaultWorkspace() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "cadang")
}

func (f *flow) start() {
	dir := f.workspaceToOpen()
	if dir == "" {
		f.showWorkspace(defaultWorkspace())
		return
	}
	f.open(dir)
}

// workspaceToOpen is the workspace given or remembered, "" for none.
func (f *flow) workspaceToOpen() string {
	if f.fixed != "" {
		return f.fixed
	}
	return f.app.Preferences().String(prefWorkspace)
}

// show draws a screen and remembers how, to redraw it in another
// language. The log line lets the Xvfb smoke test know when to type.
func (f *flow) show(name string, draw func()) {
	f.current, f.shown = draw, name
	draw()
	f.log.Info("screen shown", "screen", name)
}

func (f *flow) setLanguage(code string) {
	f.app.Preferences().SetString(prefLanguage, code)
	if err := applyLanguage(code); err != nil {
		showError(f.win, err)
		return
	}
	if f.current != nil {
		f.current()
	}
	f.installTray()
}

func (f *flow) showWorkspace(dir string) {
	f.show("workspace", func() {
		f.win.SetContent(workspaceScreen(f.win, dir, f.open, f.join, f.setLanguage))
	})
}

// open opens the workspace at dir, then shows the first run or the login.
func (f *flow) open(dir string) { f.openCatalog(dir, "") }

// join makes the workspace at dir use a team's shared catalog: a new
// catalog shows the first run, one with accounts the login.
func (f *flow) join(dir, catalog string) { f.openCatalog(dir, catalog) }

func (f *flow) openCatalog(dir, catalog string) {
	f.bg(func() {
		o := f.openWorkspace(dir, catalog)
		fyne.Do(func() { f.opened(o) })
	})
}

// openedWorkspace is the outcome of opening a workspace.
type openedWorkspace struct {
	dir  string
	svc  *jobs.Service
	need bool // no accounts yet: the first-run setup
	err  error
}

// openWorkspace opens the workspace at dir; catalog, when not empty, is
// the shared catalog the workspace joins.
func (f *flow) openWorkspace(dir, catalog string) openedWorkspace {
	o := openedWorkspace{dir: dir}
	o.svc, o.err = jobs.OpenWorkspace(f.ctx, dir, jobs.Options{Logger: f.log, Catalog: catalog, DocumentKeyFile: os.Getenv(jobs.DocumentKeyEnv)})
	if o.err == nil {
		if o.need, o.err = o.svc.NeedsSetup(f.ctx); o.err != nil {
			o.svc.Close()
		}
	}
	return o
}

// opened shows what comes after opening a workspace (UI goroutine).
func (f *flow) opened(o openedWorkspace) {
	if o.err != nil {
		f.showWorkspace(o.dir)
		showError(f.win, o.err)
		return
	}
	if f.fixed == "" {
		f.app.Preferences().SetString(prefWorkspace, o.dir)
	}
	f.replaceService(o.svc)
	if o.need {
		f.showSetup()
	} else {
		f.showLogin()
	}
}

// firstOpenWait is how long the first start waits for the workspace before
// the window shows: a local catalog opens in milliseconds, so the window's
// first frame is already the login; a slow share gets a placeholder.
const firstOpenWait = 300 * time.Millisecond

// openBeforeShowing opens the remembered workspace before the window
// appears (Run, on the main goroutine before the event loop): when it
// is quick, the window opens straight to the login screen.
func (f *flow) openBeforeShowing(dir string) {
	done := make(chan openedWorkspace, 1)
	go func() { done <- f.openWorkspace(dir, "") }()
	select {
	case o := <-done:
		f.opened(o)
	case <-time.After(firstOpenWait):
		f.show("opening", func() {
			f.win.SetContent(startPage(lang.L("Opening the workspace…"), dir, widget.NewProgressBarInfinite(), f.setLanguage))
		})
		go func() {
			o := <-done
			fyne.Do(func() { f.opened(o) })
		}()
	}
}

func (f *flow) replaceService(svc *jobs.Service) {
	if f.svc != nil {
		f.stopService()
	}
	f.svc = svc
	f.startService()
}

func (f *flow) showSetup() {
	f.show("setup", func() {
		c, _ := setupScreen(f.ctx, f.win, f.svc, f.bg, f.signedIn, f.setLanguage, func() { rebuildDialog(f.win, f.rebuild) })
		f.win.SetContent(c)
	})
}

func (f *flow) showLogin() {
	var change func()
	if f.fixed == "" {
		change = func() { f.showWorkspace(f.svc.Dir()) }
	}
	f.show("login", func() {
		c, form := loginScreen(f.ctx, f.win, f.svc, f.bg, f.signedIn, change, f.setLanguage)
		f.win.SetContent(c)
		f.win.Canvas().Focus(form.name)
	})
}

func (f *flow) signedIn(u jobs.User) {
	f.user, f.page = &u, ""
	f.log.Info("signed in", "user", u.Name, "role", u.Role)
	f.startScheduler()
	f.who = &acting{caller: caller{ctx: f.ctx, win: f.win, bg: f.bg}, svc: f.svc, user: u}
	d := shellDeps{a: *f.who, hub: f.hub, sched: f.scheduler, setLng: f.setLanguage, logout: f.logout}
	f.show("shell", func() {
		sh := newShell(d, f.page, func(p string) { f.page = p })
		f.win.SetContent(sh.content())
		f.nav = sh.open
	})
	f.refreshTrayJobs()
}

func (f *flow) logout() {
	f.user, f.who = nil, nil
	f.hub.reset()
	f.showLogin()
	f.refreshTrayJobs()
}

func (f *flow) close() {
	if f.svc != nil {
		f.stopService()
		f.svc = nil
	}
}
