// Package rclone stores a repository on any rclone remote (Google Drive,
// OneDrive, Dropbox, SFTP, S3, …) through the rclone program. The remote is
// configured once with `rclone config`; Cadang never sees its tokens or
// passwords.
//
// A Backend runs one `rclone rcd` for as long as it is open (server.go)
// and talks to it over HTTP on 127.0.0.1: operations/list, stat,
// uploadfile, movefile and deletefile, and ranged GETs of the objects.
// Starting a process per operation cost a process start, a configuration
// read and often a new connection to the remote for every pack.
//
// Save uploads to a hidden temporary name next to the final one and then
// moves it into place, so a partial upload is never visible under its final
// name (most cloud remotes have no atomic rename; a move of a complete object
// is the closest thing, and a crash between upload and move leaves only the
// temporary, which List hides and CleanTemp removes).
package rclone

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
	"slices"
	"strings"
	"time"

	"cadang/engine/backend"
	"cadang/engine/childproc"
	"cadang/engine/secrets"
)

// tempPrefix marks files being uploaded, as in the local backend.
const tempPrefix = ".tmp-"

// rclone exit statuses that mean "not there" (see `rclone help`: 3 is
// directory not found, 4 file not found).
const (
	exitDirNotFound  = 3
	exitFileNotFound = 4
)

// Options say which remote and which rclone.
type Options struct {
	// Remote is "NAME:path" as rclone understands it, e.g. "gdrive:cadang".
	Remote string
	// Program is the rclone executable; "" means "rclone" from PATH.
	Program string
	// Config is an rclone.conf; "" means rclone's default (or $RCLONE_CONFIG).
	Config string
	// ExtraArgs are passed to every rclone call (e.g. "--drive-chunk-size=64M").
	ExtraArgs []string
}

// Backend is a repository folder on an rclone remote.
type Backend struct {
	opt  Options
	root string // Remote without a trailing slash
	env  childproc.Env
	srv  *server // the rclone rcd of this Backend
}

// rcloneVars are what rclone may read of Cadang's environment besides
// childproc.Base: its own settings (RCLONE_CONFIG, RCLONE_CONFIG_PASS,
// RCLONE_CONFIG_<REMOTE>_<OPTION>), proxies and TLS roots.
var rcloneVars = []string{"RCLONE_*", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
	"SSL_CERT_FILE", "SSL_CERT_DIR"}

// awsVars go to rclone only for a remote that may be S3 (its env_auth reads
// them): an s3 remote, or one that wraps another remote.
var awsVars = []string{"AWS_*"}

// mayBeS3 reports remote types whose storage can be S3.
func mayBeS3(typ string) bool {
	switch typ {
	case "s3", "crypt", "alias", "chunker", "compress", "hasher", "union", "combine", "cache":
		return true
	}
	return false
}

var _ backend.Backend = (*Backend)(nil)

// New checks that rclone runs and that the remote is configured.
func New(ctx context.Context, opt Options) (*Backend, error) {
	if opt.Program == "" {
		opt.Program = "rclone"
	}
	if !strings.Contains(opt.Remote, ":") {
		return nil, fmt.Errorf("rclone: remote %q must look like NAME:path", secrets.Redact(opt.Remote))
	}
	if _, err := exec.LookPath(opt.Program); err != nil {
		return nil, fmt.Errorf("rclone: %s not found: install rclone (apt-get install rclone) and set up the remote with `rclone config`", opt.Program)
	}
	b := &Backend{opt: opt, root: strings.TrimSuffix(opt.Remote, "/"), env: childproc.Env{Allow: rcloneVars}}
	name := opt.Remote[:strings.Index(opt.Remote, ":")]
	typ := ""
	if name == "" { // ":local:" style on-the-fly remotes have no config entry: the type is named
		typ, _, _ = strings.Cut(strings.TrimPrefix(opt.Remote, ":"), ":")
	} else {
		out, err := b.run(ctx, nil, "listremotes", "--long")
		if err != nil {
			return nil, err
		}
		var ok bool
		if typ, ok = remoteType(out, name); !ok {
			return nil, fmt.Errorf("rclone: no remote named %q in the rclone configuration: create it with `rclone config`", secrets.Redact(name))
		}
	}
	if mayBeS3(typ) {
		b.env.Allow = append(slices.Clone(rcloneVars), awsVars...)
	}
	srv, err := b.startServer(ctx)
	if err != nil {
		return nil, err
	}
	b.srv = srv
	return b, nil
}

// Remotes lists the remotes of the rclone configuration (RCLONE_CONFIG or
// opt.Config picks the file) as "name:", ready to prefix a path.
func Remotes(ctx context.Context, opt Options) ([]string, error) {
	if opt.Program == "" {
		opt.Program = "rclone"
	}
	b := &Backend{opt: opt, env: childproc.Env{Allow: rcloneVars}}
	out, err := b.run(ctx, nil, "listremotes")
	if err != nil {
		return nil, err
	}
	var remotes []string
	for _, line := range strings.Split(string(out), "\n") {
		if r := strings.TrimSpace(line); r != "" {
			remotes = append(remotes, r)
		}
	}
	return remotes, nil
}

// remoteType finds name in `rclone listremotes --long` ("name:   type" lines).
func remoteType(listremotes []byte, name string) (string, bool) {
	for _, line := range strings.Split(string(listremotes), "\n") {
		if n, typ, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && n == name {
			return strings.TrimSpace(typ), true
		}
	}
	return "", false
}

// Location is the remote as given.
func (b *Backend) Location() string { return "rclone:" + b.opt.Remote }

// Close stops the Backend's rclone.
func (b *Backend) Close() error {
	if b.srv != nil {
		b.srv.close()
	}
	return nil
}

func (b *Backend) path(name string) (string, error) {
	clean := path.Clean(name)
	if name == "" || clean != name || strings.HasPrefix(name, "/") || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("invalid repository file name %q", name)
	}
	return b.join(name), nil
}

func (b *Backend) join(name string) string {
	if name == "" {
		return b.root
	}
	if strings.HasSuffix(b.root, ":") {
		return b.root + name
	}
	return b.root + "/" + name
}

// command builds an rclone call with the common flags.
func (b *Backend) command(ctx context.Context, args ...string) *exec.Cmd {
	all := []string{"--log-level", "ERROR", "--retries", "1"}
	if b.opt.Config != "" {
		all = append(all, "--config", b.opt.Config)
	}
	all = append(all, b.opt.ExtraArgs...)
	all = append(all, args...)
	cmd := childproc.Command(ctx, b.env, b.opt.Program, all...)
	// A killed rclone whose helper processes still hold its pipes must not
	// block Wait forever.
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// run executes rclone and returns its standard output; a failure carries
// rclone's own last error line and its exit status.
func (b *Backend) run(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := b.command(ctx, args...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, b.failure(ctx, args[0], err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// Error is a failed rclone call: a process that failed (ExitCode) or an
// error answer of the running rclone (Status, an HTTP status).
type Error struct {
	Op       string
	ExitCode int
	Status   int
	Message  string // rclone's last error line, or its answer
}

func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("rclone %s: %s (status %d)", e.Op, e.Message, e.Status)
	}
	return fmt.Sprintf("rclone %s: %s (exit status %d)", e.Op, e.Message, e.ExitCode)
}

func (b *Backend) failure(ctx context.Context, op string, err error, stderr string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return fmt.Errorf("rclone %s: %w", op, err)
	}
	// rclone may echo a remote's inline options: masked like every location.
	return &Error{Op: op, ExitCode: ee.ExitCode(), Message: secrets.Redact(lastLine(stderr))}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	line := strings.TrimSpace(lines[len(lines)-1])
	// Drop rclone's "2026/01/02 15:04:05 " log timestamp.
	if len(line) > 20 && line[4] == '/' && line[13] == ':' {
		line = line[20:]
	}
	if line == "" {
		return "failed without a message"
	}
	return line
}

func isNotFound(err error) bool {
	var re *Error
	return errors.As(err, &re) && (re.Status == 404 || re.Status == 0 && (re.ExitCode == exitDirNotFound || re.ExitCode == exitFileNotFound))
}

func randomSuffix() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported systems
	return hex.EncodeToString(b[:])
}

// Stat returns the size of name.
func (b *Backend) Stat(ctx context.Context, name string) (backend.FileInfo, error) {
	if _, err := b.path(name); err != nil {
		return backend.FileInfo{}, err
	}
	var out struct {
		Item *listEntry `json:"item"`
	}
	err := b.srv.call(ctx, "operations/stat", b.args(name, "opt", listOpt(false)), &out)
	if isNotFound(err) || err == nil && (out.Item == nil || out.Item.IsDir) {
		return backend.FileInfo{}, fmt.Errorf("stat %s: %w", name, backend.ErrNotFound)
	}
	if err != nil {
		return backend.FileInfo{}, fmt.Errorf("stat %s: %w", name, err)
	}
	return backend.FileInfo{Name: name, Size: out.Item.Size}, nil
}

// args are a remote-control call's parameters for name (relative to the
// repository) and more key, value pairs.
func (b *Backend) args(name string, more ...any) map[string]any {
	m := map[string]any{"fs": b.root, "remote": name}
	for i := 0; i+1 < len(more); i += 2 {
		m[more[i].(string)] = more[i+1]
	}
	return m
}

// listOpt are operations/list's options: files only, without the
// modification times and MIME types some remotes pay a call each for.
func listOpt(recurse bool) map[string]any {
	return map[string]any{"recurse": recurse, "filesOnly": true, "noModTime": true, "noMimeType": true}
}

// listEntry is one object of operations/list or stat.
type listEntry struct {
	Path  string
	Name  string
	Size  int64
	IsDir bool
}

// listAll lists the files below dir (relative to the repository).
func (b *Backend) listAll(ctx context.Context, dir string) ([]listEntry, error) {
	var out struct {
		List []listEntry `json:"list"`
	}
	err := b.srv.call(ctx, "operations/list", b.args(dir, "opt", listOpt(true)), &out)
	if isNotFound(err) {
		return nil, nil
	}
	return out.List, err
}

// List lists the folder that holds prefix recursively and reports the files
// whose names start with prefix; temporary uploads are hidden.
func (b *Backend) List(ctx context.Context, prefix string, fn func(backend.FileInfo) error) error {
	dir := ""
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		dir = prefix[:i]
	}
	entries, err := b.listAll(ctx, dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", prefix, err)
	}
	for _, e := range entries {
		name := e.Path // relative to fs: operations/list names paths from the root, not from dir
		if e.IsDir || strings.HasPrefix(e.Name, tempPrefix) || !strings.HasPrefix(name, prefix) {
			continue
		}
		if err := fn(backend.FileInfo{Name: name, Size: e.Size}); err != nil {
			return err
		}
	}
	return nil
}

// Remove deletes name.
func (b *Backend) Remove(ctx context.Context, name string) error {
	if _, err := b.path(name); err != nil {
		return err
	}
	err := b.srv.call(ctx, "operations/deletefile", b.args(name), nil)
	if isNotFound(err) {
		return fmt.Errorf("remove %s: %w", name, backend.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return nil
}

// CleanTemp removes temporary files left by interrupted uploads. Only call it
// while no other process writes to this replica.
func (b *Backend) CleanTemp(ctx context.Context) (int, error) {
	entries, err := b.listAll(ctx, "")
	if err != nil {
		return 0, fmt.Errorf("find temporary files: %w", err)
	}
	n := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name, tempPrefix) {
			continue
		}
		if err := b.srv.call(ctx, "operations/deletefile", b.args(e.Path), nil); err != nil && !isNotFound(err) {
			return n, fmt.Errorf("remove %s: %w", e.Path, err)
		}
		n++
	}
	return n, nil
}
