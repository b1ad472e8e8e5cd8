package dbsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"cadang/engine/childproc"
)

// Options configure access to a database server. The zero value works: the
// tools then find passwords in their own files and environment.
type Options struct {
	// Password, when set, is handed to the tools through a 0600 file in a
	// private temporary directory (never a command line), removed afterwards.
	Password string
	// TempDir is where private temporary directories go (default os.TempDir).
	TempDir string
}

// toolEnv is the private environment of one operation's tool runs: a 0700
// temporary directory holding the password file, and the environment
// variables that point the tools at it.
type toolEnv struct {
	db   Database
	dir  string
	env  childproc.Env
	args []string // leading arguments (MySQL's --defaults-extra-file)
}

// toolVars are the variables of Cadang's environment the tools of a kind
// may read besides childproc.Base: their own settings and password files
// (PGPASSFILE, PGSERVICEFILE, PGSSLMODE, MYSQL_HOME, MYSQL_TEST_LOGIN_FILE)
// and the password variables they document (PGPASSWORD, MYSQL_PWD).
// Cadang's own secrets and other tools' keys stay out.
var toolVars = map[Kind][]string{
	Postgres: {"PG*"},
	MySQL:    {"MYSQL_*", "MARIADB_*"},
}

func newToolEnv(db Database, opt Options) (*toolEnv, error) {
	dir, err := os.MkdirTemp(opt.TempDir, "cadang-db-")
	if err != nil {
		return nil, fmt.Errorf("create private temporary directory: %w", err)
	}
	t := &toolEnv{db: db, dir: dir}
	// The tools' messages are matched in English; connections must not hang.
	t.env = childproc.Env{Allow: toolVars[db.Kind], Set: []string{"LC_MESSAGES=C", "LC_ALL=C", "LANG=C"}}
	if os.Getenv("PGCONNECT_TIMEOUT") == "" {
		t.env.Set = append(t.env.Set, "PGCONNECT_TIMEOUT=15")
	}
	if err := t.writePassword(opt.Password); err != nil {
		return nil, errors.Join(err, t.Close())
	}
	return t, nil
}

func (t *toolEnv) writePassword(pw string) error {
	if pw == "" {
		return nil
	}
	switch t.db.Kind {
	case Postgres:
		// ~/.pgpass format: host:port:db:user:password, with : and \ escaped.
		esc := strings.NewReplacer(`\`, `\\`, `:`, `\:`).Replace(pw)
		name := filepath.Join(t.dir, "pgpass")
		if err := os.WriteFile(name, []byte("*:*:*:*:"+esc+"\n"), 0o600); err != nil {
			return fmt.Errorf("write private password file: %w", err)
		}
		t.env.Set = append(t.env.Set, "PGPASSFILE="+name)
	case MySQL:
		esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(pw)
		name := filepath.Join(t.dir, "client.cnf")
		if err := os.WriteFile(name, []byte("[client]\npassword=\""+esc+"\"\n"), 0o600); err != nil {
			return fmt.Errorf("write private option file: %w", err)
		}
		// Must be the first argument of every MySQL tool.
		t.args = []string{"--defaults-extra-file=" + name}
	}
	return nil
}

// Close removes the private directory and what it holds.
func (t *toolEnv) Close() error {
	if err := os.RemoveAll(t.dir); err != nil {
		return fmt.Errorf("remove private temporary directory: %w", err)
	}
	return nil
}

// lookTool finds the first of names on PATH.
func lookTool(kind Kind, names ...string) (string, error) {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", &ToolError{Tool: names[0], Kind: kind, Err: ErrToolMissing}
}

// command prepares a tool run; stdout is the caller's, stderr is kept.
func (t *toolEnv) command(ctx context.Context, tool string, args ...string) (*toolCmd, error) {
	names := []string{tool}
	switch tool { // MariaDB's own names, for systems without the mysql aliases
	case "mysqldump":
		names = append(names, "mariadb-dump")
	case "mysql":
		names = append(names, "mariadb")
	}
	path, err := lookTool(t.db.Kind, names...)
	if err != nil {
		return nil, err
	}
	cmd := childproc.Command(ctx, t.env, path, append(append([]string{}, t.args...), args...)...)
	cmd.WaitDelay = 5 * time.Second
	c := &toolCmd{ctx: ctx, cmd: cmd, tool: tool, db: t.db}
	cmd.Stderr = &c.stderr
	return c, nil
}

// toolCmd is one run of a tool with its stderr captured.
type toolCmd struct {
	ctx    context.Context
	cmd    *exec.Cmd
	tool   string
	db     Database
	stderr tailBuffer
}

// run runs the tool with stdin and returns its stdout.
func (c *toolCmd) run(stdin io.Reader) ([]byte, error) {
	var out bytes.Buffer
	c.cmd.Stdin = stdin
	c.cmd.Stdout = &out
	if err := c.cmd.Run(); err != nil {
		return out.Bytes(), c.failure(err)
	}
	return out.Bytes(), nil
}

// failure turns a tool's exit into a ToolError (or passes cancellation on).
func (c *toolCmd) failure(err error) error {
	if ctxErr := c.ctx.Err(); ctxErr != nil {
		return ctxErr // cancelled: the tool was killed, that is not its failure
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return fmt.Errorf("run %s: %w", c.tool, err)
	}
	detail, sentinel := classify(c.db.Kind, c.stderr.String())
	if detail == "" {
		detail = exit.String()
	}
	return &ToolError{Tool: c.tool, Kind: c.db.Kind, Addr: c.db.address(), User: c.db.User, DB: c.db.Name, Err: sentinel, Detail: detail}
}

// tailBuffer keeps the last 16 KiB written to it: enough for an error
// message, bounded whatever a tool prints.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const tailLimit = 16 << 10

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > tailLimit {
		b.buf = append(b.buf[:0], b.buf[len(b.buf)-tailLimit:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
