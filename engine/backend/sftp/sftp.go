// Package sftp stores a repository on an SSH server through SFTP
// (github.com/pkg/sftp over golang.org/x/crypto/ssh).
//
// Authentication is by key only: an explicit key file, else the running
// ssh-agent, else the user's ~/.ssh/id_ed25519, id_ecdsa, id_rsa. The server's
// host key is always checked against a known_hosts file; an unknown host is
// an error that says how to add it, never a silent trust.
//
// Save writes to a hidden temporary name in the destination directory, fsyncs
// it when the server offers fsync@openssh.com, and renames it into place
// (posix-rename@openssh.com, which replaces atomically), so a partial upload
// is never visible under its final name. List hides temporary names;
// CleanTemp removes the leftovers of interrupted uploads.
package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"strings"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"cadang/engine/backend"
)

// tempPrefix marks files being uploaded, as in the local backend.
const tempPrefix = ".tmp-"

// Options say where the repository is and how to log in.
type Options struct {
	User string
	Host string
	Port int    // 0 means 22
	Path string // repository folder on the server; relative paths start at the login folder
	// KeyFile is a private key (unencrypted); "" tries ssh-agent, then ~/.ssh/id_*.
	KeyFile string
	// KnownHostsFile lists trusted host keys; "" means ~/.ssh/known_hosts.
	KnownHostsFile string
	// DialTimeout bounds connecting and the SSH handshake; 0 means 30 s.
	DialTimeout time.Duration
}

// Backend is a repository folder on an SFTP server.
type Backend struct {
	opt    Options
	ssh    *ssh.Client
	client *sftp.Client
	root   string
}

var _ backend.Backend = (*Backend)(nil)

// Open connects to the server and checks its host key.
func Open(ctx context.Context, opt Options) (*Backend, error) {
	if opt.Port == 0 {
		opt.Port = 22
	}
	if opt.DialTimeout == 0 {
		opt.DialTimeout = 30 * time.Second
	}
	if opt.Host == "" || opt.User == "" {
		return nil, errors.New("sftp: a user and a host are required (sftp://user@host:port/path)")
	}
	cfg, err := clientConfig(opt)
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort(opt.Host, fmt.Sprint(opt.Port))
	dialer := net.Dialer{Timeout: opt.DialTimeout}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sftp: connect to %s: %w", addr, err)
	}
	// The handshake has no context: bound it with a deadline instead.
	_ = conn.SetDeadline(time.Now().Add(opt.DialTimeout))
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("sftp: log in to %s as %s: %w", addr, opt.User, err)
	}
	_ = conn.SetDeadline(time.Time{})
	sshClient := ssh.NewClient(c, chans, reqs)
	client, err := sftp.NewClient(sshClient, sftp.UseConcurrentWrites(true))
	if err != nil {
		_ = sshClient.Close()
		return nil, fmt.Errorf("sftp: start the SFTP subsystem on %s: %w", addr, err)
	}
	root := opt.Path
	if root == "" {
		root = "."
	}
	return &Backend{opt: opt, ssh: sshClient, client: client, root: path.Clean(root)}, nil
}

// Location is sftp://user@host:port/path (no secrets: keys are files).
func (b *Backend) Location() string {
	p := b.opt.Path
	if !strings.HasPrefix(p, "/") {
		p = "/~/" + p
	}
	return fmt.Sprintf("sftp://%s@%s%s", b.opt.User, net.JoinHostPort(b.opt.Host, fmt.Sprint(b.opt.Port)), p)
}

// Close ends the SFTP session and the SSH connection.
func (b *Backend) Close() error {
	return errors.Join(b.client.Close(), b.ssh.Close())
}

func (b *Backend) path(name string) (string, error) {
	clean := path.Clean(name)
	if name == "" || clean != name || strings.HasPrefix(name, "/") || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("invalid repository file name %q", name)
	}
	return path.Join(b.root, name), nil
}

// Save uploads rd to a temporary name and renames it to name. A server
// whose disk is full gives a *backend.NoSpaceError (see noSpace).
func (b *Backend) Save(ctx context.Context, name string, rd io.Reader, size int64) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	final, err := b.path(name)
	if err != nil {
		return err
	}
	dir := path.Dir(final)
	if err := b.client.MkdirAll(dir); err != nil {
		return b.noSpace(fmt.Errorf("save %s: create folder %s: %w", name, dir, err), dir, name, size)
	}
	tmp := path.Join(dir, tempPrefix+path.Base(final)+"-"+randomSuffix())
	f, err := b.client.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return b.noSpace(fmt.Errorf("save %s: %w", name, err), dir, name, size)
	}
	defer func() {
		if err != nil {
			err = b.noSpace(err, dir, name, size) // while the partial upload still takes its space
			_ = f.Close()
			_ = b.client.Remove(tmp)
		}
	}()
	n, err := f.ReadFrom(ctxReader{ctx, rd})
	if err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	if size >= 0 && n != size {
		return fmt.Errorf("save %s: wrote %d bytes, expected %d", name, n, size)
	}
	if err = f.Sync(); err != nil && !isUnsupported(err) {
		return fmt.Errorf("save %s: fsync: %w", name, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	if err = b.rename(tmp, final); err != nil {
		return fmt.Errorf("save %s: %w", name, err)
	}
	return nil
}

// noSpace makes err a *backend.NoSpaceError when the server's disk is full.
// SFTP version 3, which OpenSSH speaks, has no status for a full disk: its
// server answers ENOSPC with the generic "Failure". So after a Failure the
// free space of the folder is asked (statvfs@openssh.com): less than the
// file being written (or than a MiB, its size unknown) is a full disk, and
// the one line a person needs says so, where "Failure" said nothing.
func (b *Backend) noSpace(err error, dir, name string, size int64) error {
	var se *sftp.StatusError
	if err == nil || !errors.As(err, &se) || se.FxCode() != sftp.ErrSSHFxFailure {
		return err
	}
	if _, ok := b.client.HasExtension("statvfs@openssh.com"); !ok {
		return err
	}
	st, serr := b.client.StatVFS(dir)
	if serr != nil {
		return err
	}
	free := st.Frsize * st.Bavail
	if free >= uint64(max(size, 1<<20)) {
		return err
	}
	return &backend.NoSpaceError{Location: b.Location(), Name: name,
		Err: fmt.Errorf("the server answered %q with %d bytes free", "Failure", free)}
}

// rename replaces final atomically where the server allows it; plain SFTP
// rename refuses an existing target, so without the extension the old file
// is removed first (only config-like files are ever replaced).
func (b *Backend) rename(tmp, final string) error {
	err := b.client.PosixRename(tmp, final)
	if err == nil || !isUnsupported(err) {
		return err
	}
	if err := b.client.Rename(tmp, final); err == nil {
		return nil
	}
	if err := b.client.Remove(final); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return b.client.Rename(tmp, final)
}

// Load opens name; the returned file also implements io.ReaderAt.
func (b *Backend) Load(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := b.path(name)
	if err != nil {
		return nil, err
	}
	f, err := b.client.Open(p)
	if err != nil {
		return nil, wrapNotFound("load", name, err)
	}
	return f, nil
}

// Stat returns the size of name.
func (b *Backend) Stat(ctx context.Context, name string) (backend.FileInfo, error) {
	if err := ctx.Err(); err != nil {
		return backend.FileInfo{}, err
	}
	p, err := b.path(name)
	if err != nil {
		return backend.FileInfo{}, err
	}
	st, err := b.client.Stat(p)
	if err != nil {
		return backend.FileInfo{}, wrapNotFound("stat", name, err)
	}
	return backend.FileInfo{Name: name, Size: st.Size()}, nil
}

// List walks the folder that holds prefix and reports the regular files
// whose names start with prefix; temporary uploads are hidden.
func (b *Backend) List(ctx context.Context, prefix string, fn func(backend.FileInfo) error) error {
	return b.walk(ctx, prefix, func(name string, st fs.FileInfo) error {
		if strings.HasPrefix(st.Name(), tempPrefix) || !strings.HasPrefix(name, prefix) {
			return nil
		}
		return fn(backend.FileInfo{Name: name, Size: st.Size()})
	})
}

// walk calls fn for every regular file below the folder of prefix.
func (b *Backend) walk(ctx context.Context, prefix string, fn func(name string, st fs.FileInfo) error) error {
	start := b.root
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		start = path.Join(b.root, prefix[:i])
	}
	w := b.client.Walk(start)
	for w.Step() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.Err(); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return fmt.Errorf("list %s: %w", w.Path(), err)
		}
		st := w.Stat()
		if !st.Mode().IsRegular() {
			continue
		}
		name := strings.TrimPrefix(w.Path(), b.root+"/")
		if b.root == "." {
			name = strings.TrimPrefix(w.Path(), "./")
		}
		if err := fn(name, st); err != nil {
			return err
		}
	}
	return nil
}

// Remove deletes name.
func (b *Backend) Remove(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := b.path(name)
	if err != nil {
		return err
	}
	if err := b.client.Remove(p); err != nil {
		return wrapNotFound("remove", name, err)
	}
	return nil
}

// CleanTemp removes temporary files left by interrupted uploads. Only call it
// while no other process writes to this replica.
func (b *Backend) CleanTemp(ctx context.Context) (int, error) {
	n := 0
	err := b.walk(ctx, "", func(name string, st fs.FileInfo) error {
		if !strings.HasPrefix(st.Name(), tempPrefix) {
			return nil
		}
		if err := b.client.Remove(path.Join(b.root, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", name, err)
		}
		n++
		return nil
	})
	return n, err
}

func wrapNotFound(op, name string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s %s: %w", op, name, backend.ErrNotFound)
	}
	return fmt.Errorf("%s %s: %w", op, name, err)
}

// isUnsupported recognises a server without an OpenSSH extension.
func isUnsupported(err error) bool {
	var se *sftp.StatusError
	if errors.As(err, &se) && se.FxCode() == sftp.ErrSSHFxOpUnsupported {
		return true
	}
	return errors.Is(err, sftp.ErrSSHFxOpUnsupported) || strings.Contains(err.Error(), "not supported")
}

// ctxReader stops an upload when the context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
