package rclone

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
	"strconv"
	"sync"
	"time"
)

// Save uploads rd with `rclone rcat` to a temporary name and publishes it
// with `rclone moveto`. A reader that fails kills rcat, so no complete-looking
// object is left even under the temporary name.
func (b *Backend) Save(ctx context.Context, name string, rd io.Reader, size int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	final, err := b.path(name)
	if err != nil {
		return err
	}
	tmpName := path.Join(path.Dir(name), tempPrefix+path.Base(name)+"-"+randomSuffix())
	tmp := b.join(tmpName)
	if err := b.upload(ctx, tmp, rd, size); err != nil {
		b.removeQuietly(ctx, tmp)
		return fmt.Errorf("save %s: %w", name, err)
	}
	if _, err := b.run(ctx, nil, "moveto", tmp, final); err != nil {
		b.removeQuietly(ctx, tmp)
		return fmt.Errorf("save %s: publish the upload: %w", name, err)
	}
	return nil
}

func (b *Backend) upload(ctx context.Context, target string, rd io.Reader, size int64) error {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	args := append([]string{"rcat"}, sizeArg(size)...)
	cmd := b.command(cctx, append(args, target)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start rclone: %w", err)
	}
	n, copyErr := io.Copy(stdin, ctxReader{ctx, rd})
	if copyErr == nil && size >= 0 && n != size {
		copyErr = fmt.Errorf("read %d bytes, expected %d", n, size)
	}
	if copyErr != nil {
		cancel() // kill rcat before it sees a clean end of input
		_ = stdin.Close()
		_ = cmd.Wait()
		if err := ctx.Err(); err != nil {
			return err
		}
		return copyErr
	}
	if err := stdin.Close(); err != nil {
		_ = cmd.Wait()
		return err
	}
	if err := cmd.Wait(); err != nil {
		return b.failure(ctx, "rcat", err, stderr.String())
	}
	return nil
}

// removeQuietly cleans up a failed upload, even when ctx was cancelled; a
// leftover is hidden from List and removed by CleanTemp anyway.
func (b *Backend) removeQuietly(ctx context.Context, remotePath string) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	_, _ = b.run(cctx, nil, "deletefile", remotePath)
}

// Load opens name for streaming and random access (io.ReaderAt). Reading
// reports an error, not a short EOF, when rclone fails or delivers fewer
// bytes than the file has.
func (b *Backend) Load(ctx context.Context, name string) (io.ReadCloser, error) {
	fi, err := b.Stat(ctx, name) // cat of a missing file is not always an error
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	p, _ := b.path(name)
	return &object{b: b, ctx: ctx, name: name, remote: p, size: fi.Size}, nil
}

// procReader is the output of one `rclone cat` from offset to the end.
type procReader struct {
	b      *Backend
	ctx    context.Context
	name   string
	cmd    *exec.Cmd
	cancel context.CancelFunc
	rd     io.Reader
	stderr bytes.Buffer
	n      int64
	want   int64
	done   bool
	err    error
}

// startCat runs `rclone cat` on remote from offset; want is the number of
// bytes it must deliver.
func (b *Backend) startCat(ctx context.Context, name, remote string, offset, want int64) (*procReader, error) {
	cctx, cancel := context.WithCancel(ctx)
	args := []string{"cat"}
	if offset > 0 {
		args = append(args, "--offset", strconv.FormatInt(offset, 10))
	}
	cmd := b.command(cctx, append(args, remote)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("load %s: %w", name, err)
	}
	pr := &procReader{b: b, ctx: ctx, name: name, cmd: cmd, cancel: cancel, rd: stdout, want: want}
	cmd.Stderr = &pr.stderr
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("load %s: start rclone: %w", name, err)
	}
	return pr, nil
}

func (p *procReader) Read(buf []byte) (int, error) {
	if p.done {
		return 0, p.err
	}
	n, err := p.rd.Read(buf)
	p.n += int64(n)
	if err == io.EOF {
		p.done = true
		p.err = io.EOF
		if werr := p.cmd.Wait(); werr != nil {
			p.err = fmt.Errorf("load %s: %w", p.name, p.b.failure(p.ctx, "cat", werr, p.stderr.String()))
		} else if p.n != p.want {
			p.err = fmt.Errorf("load %s: got %d bytes, the remote lists %d", p.name, p.n, p.want)
		}
		p.cancel()
		return n, p.err
	}
	return n, err
}

func (p *procReader) Close() error {
	if !p.done {
		p.done = true
		p.err = errors.New("read after close")
		p.cancel()
		_ = p.cmd.Wait()
	}
	p.cancel()
	return nil
}

// maxSkip is how far ahead ReadAt reads on in the running download rather
// than starting a new one: a new rclone process costs a round trip or more.
const maxSkip = 8 << 20

// object is an opened remote file. One `rclone cat` runs at a time; ReadAt
// calls at increasing offsets (a restore reading a pack's chunks in order)
// continue it, a jump backwards or far ahead starts another at the offset.
type object struct {
	b      *Backend
	ctx    context.Context
	name   string
	remote string
	size   int64

	mu  sync.Mutex
	cur *procReader
	pos int64 // offset of cur's next byte
}

func (o *object) Read(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cur == nil {
		if err := o.seek(0); err != nil {
			return 0, err
		}
	}
	n, err := o.cur.Read(p)
	o.pos += int64(n)
	return n, err
}

// ReadAt reads len(p) bytes at off.
func (o *object) ReadAt(p []byte, off int64) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if off < 0 || off >= o.size {
		return 0, io.EOF
	}
	if o.cur == nil || off < o.pos || off-o.pos > maxSkip {
		if err := o.seek(off); err != nil {
			return 0, err
		}
	}
	if skip := off - o.pos; skip > 0 {
		if _, err := io.CopyN(io.Discard, o.cur, skip); err != nil {
			o.drop()
			return 0, err
		}
		o.pos = off
	}
	n, err := io.ReadFull(o.cur, p)
	o.pos += int64(n)
	if err == io.ErrUnexpectedEOF || (err == io.EOF && n < len(p)) {
		err = io.EOF // ReaderAt: fewer bytes than asked only at the end
	}
	if err != nil && err != io.EOF {
		o.drop()
	}
	return n, err
}

// seek replaces the running download with one starting at off.
func (o *object) seek(off int64) error {
	o.drop()
	pr, err := o.b.startCat(o.ctx, o.name, o.remote, off, o.size-off)
	if err != nil {
		return err
	}
	o.cur, o.pos = pr, off
	return nil
}

func (o *object) drop() {
	if o.cur != nil {
		_ = o.cur.Close()
		o.cur = nil
	}
}

func (o *object) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.drop()
	return nil
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
