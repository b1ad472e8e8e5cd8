package ui

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// One Cadang window per person: the first start listens on a socket in the
// person's runtime folder; a second start finds it, asks the first to show
// its window (even when it was hidden), and exits. Without this, a window
// closed on a desktop without a tray left a process nobody could reach,
// and starting Cadang again ran a second copy with a second scheduler.

// instance is the claim of the first start.
type instance struct {
	ln   net.Listener
	path string
}

// instanceSocket is where the claim lives: the runtime folder when the
// desktop has one (removed at logout), else the user's config folder.
func instanceSocket() string {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		if d, err := os.UserConfigDir(); err == nil {
			dir = filepath.Join(d, "cadang")
		} else {
			dir = os.TempDir()
		}
	}
	return filepath.Join(dir, "cadang-"+AppID+".sock")
}

// errAlreadyRunning means another Cadang showed its window instead.
var errAlreadyRunning = errors.New("cadang is already running; its window was brought to the front")

// claimInstance makes this process the one Cadang, calling show each time
// another start asks. When another Cadang answers at path, it is asked to
// show its window and errAlreadyRunning is returned.
func claimInstance(path string, show func()) (*instance, error) {
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		defer c.Close()
		if _, err := fmt.Fprintln(c, "show"); err != nil {
			return nil, fmt.Errorf("ask the running Cadang to show its window: %w", err)
		}
		return nil, errAlreadyRunning
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("claim the single instance: %w", err)
	}
	_ = os.Remove(path) // nobody answered: a crashed process's leftover
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("claim the single instance: %w", err)
	}
	in := &instance{ln: ln, path: path}
	go in.serve(show)
	return in, nil
}

func (in *instance) serve(show func()) {
	for {
		c, err := in.ln.Accept()
		if err != nil {
			return // closed
		}
		line, _ := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if strings.TrimSpace(line) == "show" {
			show()
		}
	}
}

// close gives the claim up.
func (in *instance) close() {
	if in == nil {
		return
	}
	in.ln.Close()
	os.Remove(in.path)
}
