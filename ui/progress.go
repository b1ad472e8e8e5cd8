package ui

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"cadang/engine"
	"cadang/jobs"
)

// progressView shows long work: a bar, files, bytes, rate, ETA and the
// current path, and a Cancel button that cancels the work's context. It
// implements engine.Progress; the engine calls it from its own goroutines,
// so every widget change goes through fyne.Do.
type progressView struct {
	bar    *widget.ProgressBar
	stats  *widget.Label
	path   *widget.Label
	warns  *widget.Label
	cancel *widget.Button
	now    func() time.Time
	// after runs f on its own goroutine once d has passed (time.AfterFunc;
	// a test steps it by hand).
	after func(d time.Duration, f func())

	mu       sync.Mutex
	warnings int
	latest   engine.ProgressStats // the newest report, drawn or not
	queued   bool                 // a draw of latest is on its way
	drawn    time.Time            // when the last draw was queued

	// onUpdate, when set, runs on the UI goroutine after each drawn update.
	onUpdate func()

	// drawMu is held while a report or warning is drawn and when the view
	// is closed: once close returns, nothing draws any more. A redraw the
	// timer fires after the work has ended would otherwise change widgets
	// the done callback is replacing; in the window fyne.Do runs both on
	// the UI goroutine, but a test driver runs fyne.Do on the caller's
	// goroutine, and two goroutines measuring text at once crash Fyne's
	// shaper.
	drawMu sync.Mutex
	closed bool
}

// progressRedraw is the shortest time between two redraws of the progress
// dialog. The engine reports ten times a second, and each report drawn is
// a frame of the whole window: without a graphics card, tens of
// milliseconds of the UI goroutine's time that a click would wait for
// (issue 12). Reports in between are not lost: the newest is drawn when
// the time is up.
const progressRedraw = 250 * time.Millisecond

var _ engine.Progress = (*progressView)(nil)

func newProgressView(cancel context.CancelFunc) *progressView {
	p := &progressView{bar: widget.NewProgressBar(), stats: widget.NewLabel(lang.L("Starting…")),
		path: widget.NewLabel(""), warns: widget.NewLabel(""), now: time.Now,
		after: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
	p.path.Truncation = fyne.TextTruncateEllipsis
	// The percentage is in the line below: on the bar, half on the filled
	// and half on the empty part, no colour reads on both (WCAG AA).
	p.bar.TextFormatter = func() string { return "" }
	p.warns.Hide() // until there is one: no blank lines above Cancel
	p.path.Hide()
	p.cancel = widget.NewButton(lang.L("Cancel"), func() {
		p.cancel.Disable()
		p.stats.SetText(lang.L("Cancelling…"))
		cancel()
	})
	return p
}

func (p *progressView) content() fyne.CanvasObject {
	return container.NewVBox(p.bar, p.stats, p.path, p.warns, container.NewCenter(p.cancel))
}

// Report is called by the engine (any goroutine). It draws at most one
// report per progressRedraw, always the newest.
func (p *progressView) Report(s engine.ProgressStats) {
	p.mu.Lock()
	p.latest = s
	if p.queued {
		p.mu.Unlock()
		return // the queued draw will show this report
	}
	p.queued = true
	wait := progressRedraw - p.now().Sub(p.drawn)
	first := p.drawn.IsZero()
	p.mu.Unlock()
	if first || wait <= 0 {
		p.queueDraw()
		return
	}
	p.after(wait, p.queueDraw)
}

// queueDraw hands the newest report to the UI goroutine.
func (p *progressView) queueDraw() {
	p.mu.Lock()
	s := p.latest
	p.queued = false
	now := p.now()
	p.drawn = now
	p.mu.Unlock()
	text, frac := describeProgress(s, now)
	fyne.Do(func() {
		p.drawMu.Lock()
		defer p.drawMu.Unlock()
		if p.closed {
			return
		}
		p.bar.SetValue(frac)
		p.stats.SetText(text)
		p.path.SetText(s.CurrentPath)
		if s.CurrentPath != "" {
			p.path.Show()
		}
		if p.onUpdate != nil {
			p.onUpdate()
		}
	})
}

// Warn is called by the engine for a path it could not handle.
func (p *progressView) Warn(path string, err error) {
	p.mu.Lock()
	p.warnings++
	n := p.warnings
	p.mu.Unlock()
	fyne.Do(func() {
		p.drawMu.Lock()
		defer p.drawMu.Unlock()
		if p.closed {
			return
		}
		p.warns.SetText(lang.N("{{.N}} warnings so far; the last: {{.Path}}", n, map[string]any{"N": n, "Path": path}))
		p.warns.Show()
	})
}

// close stops the view's drawing; a draw under way finishes first.
func (p *progressView) close() {
	p.drawMu.Lock()
	p.closed = true
	p.drawMu.Unlock()
}

// describeProgress turns engine stats into one line and a bar fraction.
func describeProgress(s engine.ProgressStats, now time.Time) (string, float64) {
	phase := phaseName(s.Phase)
	files := fmt.Sprintf("%d", s.FilesDone)
	if s.FilesTotal > 0 {
		files = fmt.Sprintf("%d / %d", s.FilesDone, s.FilesTotal)
	}
	bytes := formatBytes(s.BytesDone)
	if s.BytesTotal > 0 {
		bytes += " / " + formatBytes(s.BytesTotal)
	}
	frac := 0.0
	switch {
	case s.BytesTotal > 0:
		frac = float64(s.BytesDone) / float64(s.BytesTotal)
	case s.FilesTotal > 0:
		frac = float64(s.FilesDone) / float64(s.FilesTotal)
	}
	frac = min(max(frac, 0), 1)
	rate, eta := "–", "–"
	if el := now.Sub(s.Started); !s.Started.IsZero() && el > time.Second && s.BytesDone > 0 {
		perSec := float64(s.BytesDone) / el.Seconds()
		rate = formatBytes(int64(perSec)) + "/s"
		if frac > 0 && frac < 1 {
			eta = formatDuration(time.Duration(float64(el) * (1 - frac) / frac))
		}
	}
	text := lang.L("{{.Phase}}: {{.Files}} files · {{.Bytes}} · {{.Rate}} · ETA {{.ETA}}",
		map[string]any{"Phase": phase, "Files": files, "Bytes": bytes, "Rate": rate, "ETA": eta})
	if frac > 0 {
		text = fmt.Sprintf("%.0f%% · %s", frac*100, text)
	}
	return text, frac
}

func phaseName(phase string) string {
	switch phase {
	case "scan":
		return lang.L("Scanning")
	case "backup":
		return lang.L("Backing up")
	case "restore":
		return lang.L("Restoring")
	case "verify":
		return lang.L("Verifying")
	case "replicate":
		return lang.L("Copying to the replica")
	case "prune":
		return lang.L("Pruning")
	case "report":
		return lang.L("Listing the runs")
	}
	return lang.L("Working")
}

// windowRunOptions are the options of a backup the window runs: its
// progress, one worker fewer than the CPUs (at least one), and workers at a
// lower CPU priority than the window's own threads, so that drawing the
// window keeps a core while the backup runs and wins the CPU when something
// else wants it too. On two cores, with a worker per CPU, the backup's four
// busy goroutines left the UI goroutine and the renderer waiting their turn;
// with a worker per CPU even at the lower priority, the UI goroutine waits
// for one of the Go runtime's two processors, which the kernel has
// descheduled (issue 12; BenchmarkWindowDuringBackup, docs/BENCHMARKS.md).
func windowRunOptions(p engine.Progress) jobs.RunOptions {
	return jobs.RunOptions{Progress: p, Workers: max(1, runtime.GOMAXPROCS(0)-1), Background: true}
}

// runWithProgress runs work off the UI goroutine with a progress dialog
// that can cancel it, then calls done on the UI goroutine.
func runWithProgress(s acting, title string, work func(ctx context.Context, p engine.Progress) error, done func(err error)) {
	runWithProgressObserved(s, title, func(ctx context.Context, p *progressView) error { return work(ctx, p) }, done)
}

// runWithProgressObserved is runWithProgress handing work the view itself
// (the responsiveness benchmark watches its updates).
func runWithProgressObserved(s acting, title string, work func(ctx context.Context, p *progressView) error, done func(err error)) {
	ctx, cancel := context.WithCancel(s.ctx)
	p := newProgressView(cancel)
	d := dialog.NewCustomWithoutButtons(title, p.content(), s.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
	s.bg(func() {
		err := work(ctx, p)
		cancel()
		p.close() // a redraw still timed must not run beside done
		fyne.Do(func() {
			d.Hide()
			done(err)
		})
	})
}
