// Package rclone stores a repository on any rclone remote (Google Drive,
// OneDrive, Dropbox, SFTP, S3, …) by running the rclone program: `rcat` to
// upload, `moveto` to publish, `cat` to download, `lsjson` to list and
// stat, `deletefile` to remove. The remote is configured once with
// `rclone config`; Cadang never sees its tokens or passwords.
//
// Save uploads to a hidden temporary name next to the final one and then
// moves it into place, so a partial upload is never visible under its final
// name (most cloud remotes have no atomic rename; a move of a complete object
// is the closest thing, and a crash between upload and move leaves only the
// temporary, which List hides and CleanTemp removes).
//
// Every operation is one rclone process: fine for repository files (packs
// are megabytes), slow for thousands of tiny files.
package rclone

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
	"slices"
	"strconv"
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

// Close releases nothing: no process outlives a call.
func (b *Backend) Close() error { return nil }

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

// Error is a failed rclone call.
type Error struct {
	Op       string
	ExitCode int
	Message  string // rclone's last error line
}

func (e *Error) Error() string {
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
	return errors.As(err, &re) && (re.ExitCode == exitDirNotFound || re.ExitCode == exitFileNotFound)
}

func randomSuffix() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported systems
	return hex.EncodeToString(b[:])
}

// Stat returns the size of name.
func (b *Backend) Stat(ctx context.Context, name string) (backend.FileInfo, error) {
	p, err := b.path(name)
	if err != nil {
		return backend.FileInfo{}, err
	}
	out, err := b.run(ctx, nil, "lsjson", "--stat", "--no-mimetype", "--no-modtime", p)
	if isNotFound(err) {
		return backend.FileInfo{}, fmt.Errorf("stat %s: %w", name, backend.ErrNotFound)
	}
	if err != nil {
		return backend.FileInfo{}, fmt.Errorf("stat %s: %w", name, err)
	}
	var e listEntry
	if err := json.Unmarshal(out, &e); err != nil {
		return backend.FileInfo{}, fmt.Errorf("stat %s: read rclone's answer: %w", name, err)
	}
	if e.IsDir {
		return backend.FileInfo{}, fmt.Errorf("stat %s: is a folder: %w", name, backend.ErrNotFound)
	}
	return backend.FileInfo{Name: name, Size: e.Size}, nil
}

// listEntry is one object of `rclone lsjson`.
type listEntry struct {
	Path  string
	Name  string
	Size  int64
	IsDir bool
}

// List lists the folder that holds prefix recursively and reports the files
// whose names start with prefix; temporary uploads are hidden.
func (b *Backend) List(ctx context.Context, prefix string, fn func(backend.FileInfo) error) error {
	dir := ""
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		dir = prefix[:i]
	}
	out, err := b.run(ctx, nil, "lsjson", "-R", "--files-only", "--no-mimetype", "--no-modtime", b.join(dir))
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list %s: %w", prefix, err)
	}
	var entries []listEntry
	if err := json.Unmarshal(out, &entries); err != nil {
		return fmt.Errorf("list %s: read rclone's answer: %w", prefix, err)
	}
	for _, e := range entries {
		name := e.Path
		if dir != "" {
			name = dir + "/" + e.Path
		}
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
	// deletefile reports a missing file only as a generic failure: ask first.
	if _, err := b.Stat(ctx, name); err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	p, err := b.path(name)
	if err != nil {
		return err
	}
	if _, err := b.run(ctx, nil, "deletefile", p); err != nil {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	return nil
}

// CleanTemp removes temporary files left by interrupted uploads. Only call it
// while no other process writes to this replica.
func (b *Backend) CleanTemp(ctx context.Context) (int, error) {
	out, err := b.run(ctx, nil, "lsjson", "-R", "--files-only", "--no-mimetype", "--no-modtime", "--include", tempPrefix+"*", b.root)
	if isNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find temporary files: %w", err)
	}
	var entries []listEntry
	if err := json.Unmarshal(out, &entries); err != nil {
		return 0, fmt.Errorf("find temporary files: read rclone's answer: %w", err)
	}
	n := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name, tempPrefix) {
			continue
		}
		if _, err := b.run(ctx, nil, "deletefile", b.join(e.Path)); err != nil {
			return n, fmt.Errorf("remove %s: %w", e.Path, err)
		}
		n++
	}
	return n, nil
}

// sizeArg passes a known size to rcat, which lets remotes that cannot stream
// preallocate the upload.
func sizeArg(size int64) []string {
	if size < 0 {
		return nil
	}
	return []string{"--size", strconv.FormatInt(size, 10)}
}
