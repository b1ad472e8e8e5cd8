package rclone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"cadang/engine/backend"
)

// Save uploads rd to a temporary name (operations/uploadfile, streamed as
// it is read) and publishes it with operations/movefile. A reader that
// fails aborts the upload, so no complete-looking object is left even
// under the temporary name.
func (b *Backend) Save(ctx context.Context, name string, rd io.Reader, size int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := b.path(name); err != nil {
		return err
	}
	tmpName := path.Join(path.Dir(name), tempPrefix+path.Base(name)+"-"+randomSuffix())
	if err := b.upload(ctx, tmpName, rd, size); err != nil {
		b.removeQuietly(ctx, tmpName)
		if isNoSpace(err) {
			return &backend.NoSpaceError{Location: b.Location(), Name: name, Err: err}
		}
		return fmt.Errorf("save %s: %w", name, err)
	}
	err := b.srv.call(ctx, "operations/movefile", map[string]any{
		"srcFs": b.root, "srcRemote": tmpName, "dstFs": b.root, "dstRemote": name,
	}, nil)
	if err != nil {
		b.removeQuietly(ctx, tmpName)
		return fmt.Errorf("save %s: publish the upload: %w", name, err)
	}
	return nil
}

// noSpaceWords are how rclone's answers say that the remote is full: the
// system's error from a local or SFTP file system, a quota, HTTP's 507.
var noSpaceWords = []string{"no space left on device", "disk quota exceeded", "quota exceeded",
	"insufficient storage", "storagequotaexceeded"}

// isNoSpace reports an answer of rclone that says the remote is full.
func isNoSpace(err error) bool {
	var re *Error
	if !errors.As(err, &re) {
		return false
	}
	if re.Status == http.StatusInsufficientStorage {
		return true
	}
	msg := strings.ToLower(re.Message)
	for _, w := range noSpaceWords {
		if strings.Contains(msg, w) {
			return true
		}
	}
	return false
}

// upload streams rd as a multipart form to operations/uploadfile, which
// stores it as dir/base of the repository.
func (b *Backend) upload(ctx context.Context, name string, rd io.Reader, size int64) error {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dir, base := path.Split(name)
	q := url.Values{"fs": {b.root}, "remote": {strings.TrimSuffix(dir, "/")}}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("file", base)
		var n int64
		if err == nil {
			n, err = io.Copy(part, ctxReader{cctx, rd})
		}
		if err == nil && size >= 0 && n != size {
			err = fmt.Errorf("read %d bytes, expected %d", n, size)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err) // an error aborts the request: rclone sees no complete form
	}()
	req, err := http.NewRequestWithContext(cctx, http.MethodPost, b.srv.base+"/operations/uploadfile?"+q.Encode(), pr)
	if err != nil {
		pr.CloseWithError(err)
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	err = b.srv.do(req, "uploadfile", nil)
	pr.CloseWithError(errors.New("upload ended")) // stops the writer if the request ended early
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// removeQuietly cleans up a failed upload, even when ctx was cancelled; a
// leftover is hidden from List and removed by CleanTemp anyway.
func (b *Backend) removeQuietly(ctx context.Context, name string) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	_ = b.srv.call(cctx, "operations/deletefile", b.args(name), nil)
}

// Load opens name for streaming and random access (io.ReaderAt). Reading
// reports an error, not a short EOF, when rclone fails or delivers fewer
// bytes than the file has.
// The download of the whole object starts here (one request: its answer
// says whether the object exists, and how big it is).
func (b *Backend) Load(ctx context.Context, name string) (io.ReadCloser, error) {
	if _, err := b.path(name); err != nil {
		return nil, err
	}
	d, size, err := b.startGet(ctx, name, 0)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	return &object{b: b, ctx: ctx, name: name, size: size, cur: d}, nil
}

// download is one ranged GET of an object, from offset to its end.
type download struct {
	name string
	body io.ReadCloser
	n    int64
	want int64
	done bool
	err  error
}

// startGet fetches name from offset and returns the download with the
// object's size, from the answer's Content-Length or Content-Range.
func (b *Backend) startGet(ctx context.Context, name string, offset int64) (*download, int64, error) {
	d, size, err := b.get(ctx, name, offset)
	if err != nil {
		return nil, 0, err
	}
	d.want = size - offset
	return d, size, nil
}

func (b *Backend) get(ctx context.Context, name string, offset int64) (*download, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.srv.objectURL(b.root, name), nil)
	if err != nil {
		return nil, 0, err
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	req.SetBasicAuth(b.srv.user, b.srv.pass)
	resp, err := b.srv.client.Do(req)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, 0, cerr
		}
		return nil, 0, fmt.Errorf("load %s: %w", name, err)
	}
	fail := func(err error) (*download, int64, error) {
		resp.Body.Close()
		return nil, 0, fmt.Errorf("load %s: %w", name, err)
	}
	var size int64
	switch resp.StatusCode {
	case http.StatusOK:
		if offset > 0 {
			return fail(errors.New("rclone ignored the range request"))
		}
		size = resp.ContentLength
	case http.StatusPartialContent: // Content-Range: bytes FIRST-LAST/SIZE
		_, total, _ := strings.Cut(resp.Header.Get("Content-Range"), "/")
		size, err = strconv.ParseInt(total, 10, 64)
		if err != nil {
			return fail(fmt.Errorf("rclone's answer has no size (Content-Range %q)", resp.Header.Get("Content-Range")))
		}
	case http.StatusRequestedRangeNotSatisfiable: // offset at or past the end: nothing to read
		_, total, _ := strings.Cut(resp.Header.Get("Content-Range"), "/")
		if size, err = strconv.ParseInt(total, 10, 64); err != nil || size > offset {
			return fail(fmt.Errorf("range %d- not satisfiable", offset))
		}
		resp.Body.Close()
		return &download{name: name, body: http.NoBody, want: 0}, size, nil
	default:
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		err := answerError("get", resp.StatusCode, data)
		if isNotFound(err) {
			err = backend.ErrNotFound
		}
		return fail(err)
	}
	if size < 0 {
		return fail(errors.New("rclone's answer has no length"))
	}
	return &download{name: name, body: resp.Body}, size, nil
}

func (d *download) Read(buf []byte) (int, error) {
	if d.done {
		return 0, d.err
	}
	n, err := d.body.Read(buf)
	d.n += int64(n)
	switch {
	case err == io.EOF && d.n != d.want:
		d.done, d.err = true, fmt.Errorf("load %s: got %d bytes, the remote lists %d", d.name, d.n, d.want)
		return n, d.err
	case err == io.EOF:
		d.done, d.err = true, io.EOF
	case err != nil:
		d.done, d.err = true, fmt.Errorf("load %s: %w", d.name, err)
		return n, d.err
	}
	return n, err
}

func (d *download) Close() error {
	if !d.done {
		d.done, d.err = true, errors.New("read after close")
	}
	return d.body.Close()
}

// maxSkip is how far ahead ReadAt reads on in the running download rather
// than starting a new one: a new download costs a round trip or more.
const maxSkip = 8 << 20

// object is an opened remote file. One download runs at a time; ReadAt
// calls at increasing offsets (a restore reading a pack's chunks in order)
// continue it, a jump backwards or far ahead starts another at the offset.
type object struct {
	b    *Backend
	ctx  context.Context
	name string
	size int64

	mu  sync.Mutex
	cur *download
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
	d, _, err := o.b.startGet(o.ctx, o.name, off)
	if err != nil {
		return err
	}
	o.cur, o.pos = d, off
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
