package replica

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/zeebo/blake3"

	"cadang/engine"
	"cadang/engine/backend"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrNotRepository: the source has no config file. It is
	// engine.ErrNotRepository, so callers need to know only one.
	ErrNotRepository = engine.ErrNotRepository
	ErrMismatch      = errors.New("copied content does not match")
	// ErrOtherRepository: the replica location already holds a different
	// repository; copying would mix the two.
	ErrOtherRepository = errors.New("the replica location holds another repository")
	// ErrConfigChanged: the replica holds the same repository, but its config
	// differs from the source's. A config is written once, so one of them
	// was edited; copying would carry the edit offsite (or undo it there).
	ErrConfigChanged = errors.New("the repository's config differs from the replica's; one of them was changed")
)

// Stats is the state of a running copy, for progress bars.
type Stats struct {
	FilesDone, FilesTotal int64
	BytesDone, BytesTotal int64
	CurrentPath           string
	Started               time.Time
}

// Progress receives Stats at most about ten times a second and once at the end.
type Progress interface{ Report(Stats) }

type nopProgress struct{}

func (nopProgress) Report(Stats) {}

// Options configure Copy; the zero value copies at full speed silently.
type Options struct {
	// BandwidthLimit is in bytes per second; 0 means unlimited. It is
	// shared by all parallel transfers.
	BandwidthLimit int64
	// Parallel is how many files are copied at once; 0 means 4. Remote
	// backends spend much of each file on round trips (a call to rclone,
	// an API call), which parallel transfers overlap.
	Parallel int
	Progress Progress

	// now and sleep drive the bandwidth limiter; tests replace them.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

func (o Options) withDefaults() Options {
	if o.Progress == nil {
		o.Progress = nopProgress{}
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.sleep == nil {
		o.sleep = sleepCtx
	}
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
	return o
}

// Result reports a copy.
type Result struct {
	FilesCopied  int           `json:"files_copied"`
	BytesCopied  int64         `json:"bytes_copied"`
	FilesSkipped int           `json:"files_skipped"` // already on the replica with the same name and size
	Duration     time.Duration `json:"duration_ns"`
}

// Copy copies to dst every repository file of src that dst lacks, snapshots
// last, and checks each one it copied. It stops at the first failure, before
// any snapshot is copied; running it again resumes.
func Copy(ctx context.Context, src, dst backend.Backend, opt Options) (*Result, error) {
	opt = opt.withDefaults()
	c := &copier{src: src, dst: dst, opt: opt, res: &Result{}}
	c.stats.Started = opt.now()
	if opt.BandwidthLimit > 0 {
		c.bucket = newTokenBucket(opt.BandwidthLimit, opt.now, opt.sleep)
	}
	files, err := listSource(ctx, src)
	if err != nil {
		return nil, err
	}
	todo, err := c.plan(ctx, files)
	if err != nil {
		return nil, err
	}
	for _, f := range todo {
		c.stats.FilesTotal++
		c.stats.BytesTotal += f.Size
	}
	c.report(true)
	// Everything else first, then the snapshots: a snapshot is copied only
	// once every file it could reference has arrived.
	split := len(todo)
	for split > 0 && strings.HasPrefix(todo[split-1].Name, engine.SnapshotsDir) {
		split--
	}
	err = c.copyAll(ctx, todo[:split])
	if err == nil {
		err = c.copyAll(ctx, todo[split:])
	}
	c.res.Duration = opt.now().Sub(c.stats.Started)
	if err != nil {
		return c.res, err
	}
	c.report(true)
	return c.res, nil
}

// copyAll copies files with opt.Parallel workers and returns the first
// failure, after which the others are cancelled.
func (c *copier) copyAll(ctx context.Context, files []backend.FileInfo) error {
	if len(files) == 0 {
		return ctx.Err()
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan backend.FileInfo)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for range min(c.opt.Parallel, len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				if err := c.copyFile(wctx, f); err != nil {
					once.Do(func() { firstErr = err; cancel() })
				}
			}
		}()
	}
dispatch:
	for _, f := range files {
		select {
		case work <- f:
		case <-wctx.Done():
			break dispatch
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		if ctx.Err() != nil { // the caller's cancellation, not a failure
			return ctx.Err()
		}
		return firstErr
	}
	return ctx.Err()
}

// listSource lists the repository files of src in copy order: everything
// but snapshots (sorted), then the snapshots. Snapshots are listed first so
// that every pack they reference is already there when the rest is listed.
func listSource(ctx context.Context, src backend.Backend) ([]backend.FileInfo, error) {
	var snaps, rest []backend.FileInfo
	if err := src.List(ctx, engine.SnapshotsDir, func(fi backend.FileInfo) error {
		snaps = append(snaps, fi)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list source snapshots: %w", err)
	}
	hasConfig := false
	err := src.List(ctx, "", func(fi backend.FileInfo) error {
		switch {
		case fi.Name == engine.ConfigFile:
			hasConfig = true
		case strings.HasPrefix(fi.Name, engine.SnapshotsDir) || !isRepositoryFile(fi.Name):
			return nil
		}
		rest = append(rest, fi)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list source: %w", err)
	}
	if !hasConfig {
		return nil, fmt.Errorf("%s: %w", src.Location(), ErrNotRepository)
	}
	byName := func(s []backend.FileInfo) {
		sort.Slice(s, func(i, j int) bool { return s[i].Name < s[j].Name })
	}
	byName(rest)
	byName(snaps)
	return append(rest, snaps...), nil
}

// isRepositoryFile keeps the repository's own files (engine.KindOf): config,
// keys, packs, index files and snapshots, but not locks (held by one
// machine, meaningless elsewhere) nor anything else, such as replicas.json
// (a local setting).
func isRepositoryFile(name string) bool {
	switch engine.KindOf(name) {
	case engine.KindConfig, engine.KindKey, engine.KindPack, engine.KindIndex, engine.KindSnapshot:
		return true
	}
	return false
}

// plan returns the files dst lacks, in copy order.
func (c *copier) plan(ctx context.Context, files []backend.FileInfo) ([]backend.FileInfo, error) {
	have := map[string]int64{}
	if err := c.dst.List(ctx, "", func(fi backend.FileInfo) error {
		have[fi.Name] = fi.Size
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list replica %s: %w", c.dst.Location(), err)
	}
	if _, ok := have[engine.ConfigFile]; ok {
		if err := c.sameRepository(ctx); err != nil {
			return nil, err
		}
	}
	var todo []backend.FileInfo
	for _, f := range files {
		size, ok := have[f.Name]
		if ok && size == f.Size { // the config: compared by sameRepository
			c.res.FilesSkipped++
			continue
		}
		todo = append(todo, f)
	}
	return todo, nil
}

// sameRepository refuses a replica whose config names another repository.
func (c *copier) sameRepository(ctx context.Context) error {
	a, errA := readAll(ctx, c.src, engine.ConfigFile)
	b, errB := readAll(ctx, c.dst, engine.ConfigFile)
	if err := errors.Join(errA, errB); err != nil {
		return fmt.Errorf("compare the repository configs: %w", err)
	}
	if bytes.Equal(a, b) {
		return nil
	}
	idA, idB := repositoryID(a), repositoryID(b)
	if idA != "" && idA == idB {
		return fmt.Errorf("%s (repository %s): %w; compare both with a third copy before syncing", c.dst.Location(), shortID(idA), ErrConfigChanged)
	}
	return fmt.Errorf("%s (repository %s, this one is %s): %w; choose an empty location",
		c.dst.Location(), shortID(idB), shortID(idA), ErrOtherRepository)
}

// repositoryID reads the "id" of a config file (a JSON line, then its
// checksum; see engine/config.go), or "" when it cannot.
func repositoryID(config []byte) string {
	line, _, _ := bytes.Cut(config, []byte("\n"))
	var c struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(line, &c) != nil {
		return ""
	}
	return c.ID
}

func shortID(id string) string {
	if id == "" {
		return "unknown"
	}
	return id[:min(8, len(id))]
}

func readAll(ctx context.Context, be backend.Backend, name string) ([]byte, error) {
	rd, err := be.Load(ctx, name)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// copier is one Copy run.
type copier struct {
	src, dst backend.Backend
	opt      Options
	bucket   *tokenBucket
	res      *Result

	mu         sync.Mutex
	stats      Stats
	lastReport time.Time
}

// copyFile streams one file from src to dst through the checks and the
// limiter, then reads it back from dst.
func (c *copier) copyFile(ctx context.Context, f backend.FileInfo) error {
	rd, err := c.src.Load(ctx, f.Name)
	if err != nil {
		return fmt.Errorf("read %s from the source: %w", f.Name, err)
	}
	defer rd.Close()
	c.mu.Lock()
	c.stats.CurrentPath = f.Name
	c.mu.Unlock()
	cr := &checkedReader{r: rd, h: blake3.New(), size: f.Size, want: contentID(f.Name), onRead: c.addBytes}
	var in io.Reader = cr
	if c.bucket != nil {
		in = &limitedReader{ctx: ctx, r: cr, tb: c.bucket}
	}
	if err := c.dst.Save(ctx, f.Name, in, f.Size); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("copy %s to %s: %w", f.Name, c.dst.Location(), err)
	}
	sum, err := cr.finish()
	if err != nil { // only reachable when Save did not read to the end
		c.discard(ctx, f.Name)
		return fmt.Errorf("copy %s: %w", f.Name, err)
	}
	// The file is uploaded: finish its check even if the run is being
	// cancelled, so that what arrived is verified and need not be copied again.
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Minute)
	defer cancel()
	if err := c.readBack(vctx, f, sum); err != nil {
		// Unchecked or wrong: remove it, or the next run would trust its
		// name and size.
		c.discard(ctx, f.Name)
		return err
	}
	c.mu.Lock()
	c.res.FilesCopied++
	c.res.BytesCopied += f.Size
	c.stats.FilesDone++
	c.mu.Unlock()
	c.report(false)
	return nil
}

// discard removes a copy that failed its check, even when ctx was cancelled
// meanwhile (by the caller or by another transfer's failure).
func (c *copier) discard(ctx context.Context, name string) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	_ = c.dst.Remove(rctx, name)
}

// readBack hashes the copy on dst and compares it with what was sent.
func (c *copier) readBack(ctx context.Context, f backend.FileInfo, want []byte) error {
	rd, err := c.dst.Load(ctx, f.Name)
	if err != nil {
		return fmt.Errorf("check %s on %s: %w", f.Name, c.dst.Location(), err)
	}
	h := blake3.New()
	n, err := io.Copy(h, rd)
	_ = rd.Close()
	if err != nil {
		return fmt.Errorf("check %s on %s: %w", f.Name, c.dst.Location(), err)
	}
	if n != f.Size || !bytes.Equal(h.Sum(nil), want) {
		return fmt.Errorf("check %s on %s: read back %d bytes with another hash: %w", f.Name, c.dst.Location(), n, ErrMismatch)
	}
	return nil
}

func (c *copier) addBytes(n int) {
	c.mu.Lock()
	c.stats.BytesDone += int64(n)
	c.mu.Unlock()
	c.report(false)
}

// report sends Stats at most ten times a second, or now when forced.
func (c *copier) report(force bool) {
	c.mu.Lock()
	now := c.opt.now()
	if !force && now.Sub(c.lastReport) < 100*time.Millisecond {
		c.mu.Unlock()
		return
	}
	c.lastReport = now
	s := c.stats
	c.mu.Unlock()
	c.opt.Progress.Report(s)
}

// contentID returns the BLAKE3-256 that a content-named file (packs, index,
// keys, snapshots: the last path element is 64 hex digits) must have, or nil.
func contentID(name string) []byte {
	base := name[strings.LastIndex(name, "/")+1:]
	if len(base) != 64 {
		return nil
	}
	id, err := hex.DecodeString(base)
	if err != nil {
		return nil
	}
	return id
}
