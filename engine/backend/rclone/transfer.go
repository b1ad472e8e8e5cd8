package rclone

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
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

// Load streams name with `rclone cat`. Reading reports an error, not a short
// EOF, when rclone fails or delivers fewer bytes than the file has.
func (b *Backend) Load(ctx context.Context, name string) (io.ReadCloser, error) {
	fi, err := b.Stat(ctx, name) // cat of a missing file is not always an error
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	p, _ := b.path(name)
	cctx, cancel := context.WithCancel(ctx)
	cmd := b.command(cctx, "cat", p)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("load %s: %w", name, err)
	}
	pr := &procReader{b: b, ctx: ctx, name: name, cmd: cmd, cancel: cancel, rd: stdout, want: fi.Size}
	cmd.Stderr = &pr.stderr
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("load %s: start rclone: %w", name, err)
	}
	return pr, nil
}

// procReader is the output of one `rclone cat`.
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
