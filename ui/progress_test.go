package ui

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"cadang/engine"
)

func TestDescribeProgress(t *testing.T) {
	start := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		stats    engine.ProgressStats
		now      time.Time
		want     []string
		wantFrac float64
	}{
		{"unknown totals", engine.ProgressStats{Phase: "scan", FilesDone: 12, BytesDone: 2048, Started: start}, start.Add(500 * time.Millisecond),
			[]string{"Scanning", "12 files", "2.0 KiB", "ETA –"}, 0},
		{"half way with rate and ETA", engine.ProgressStats{Phase: "backup", FilesDone: 5, FilesTotal: 10, BytesDone: 50 << 20, BytesTotal: 100 << 20, Started: start},
			start.Add(10 * time.Second), []string{"50% · Backing up", "5 / 10 files", "50.0 MiB / 100.0 MiB", "5.0 MiB/s", "ETA 10s"}, 0.5},
		{"files only", engine.ProgressStats{Phase: "verify", FilesDone: 3, FilesTotal: 4, Started: start}, start.Add(time.Minute),
			[]string{"Verifying", "3 / 4 files"}, 0.75},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			test.NewTempApp(t)
			applyLanguage(LangEnglish)
			got, frac := describeProgress(tt.stats, tt.now)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %q, want it to contain %q", got, w)
				}
			}
			if frac != tt.wantFrac {
				t.Errorf("fraction %v, want %v", frac, tt.wantFrac)
			}
		})
	}
}

func TestFormatters(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{formatBytes(0), "0 B"}, {formatBytes(1023), "1023 B"}, {formatBytes(1536), "1.5 KiB"}, {formatBytes(3 << 30), "3.0 GiB"},
		{formatDuration(0), "–"}, {formatDuration(42 * time.Second), "42s"}, {formatDuration(192 * time.Second), "3m12s"},
		{formatDuration(65 * time.Minute), "1h05m"}, {formatTime(time.Time{}), "–"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestProgressCancel: Cancel cancels the work's context (the engine then
// stops at a consistent point) and cannot be pressed twice.
func TestProgressCancel(t *testing.T) {
	w := newTestWindow(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := newProgressView(cancel)
	w.SetContent(p.content())
	p.Report(engine.ProgressStats{Phase: "backup", FilesDone: 1, FilesTotal: 2, BytesDone: 10, BytesTotal: 20, CurrentPath: "/data/a.txt", Started: time.Now()})
	if p.bar.Value != 0.5 || p.path.Text != "/data/a.txt" {
		t.Fatalf("bar %v path %q after a report", p.bar.Value, p.path.Text)
	}
	p.Warn("/data/locked.db", errors.New("permission denied"))
	if !strings.Contains(p.warns.Text, "1 warning so far") { // one warning, not "1 warnings"
		t.Errorf("warnings line %q", p.warns.Text)
	}
	test.Tap(p.cancel)
	if !errors.Is(ctx.Err(), context.Canceled) || !p.cancel.Disabled() {
		t.Fatalf("after Cancel: ctx %v, button disabled %v", ctx.Err(), p.cancel.Disabled())
	}
}

// The progress dialog has no blank lines: the current file shows once
// there is one, the warnings once one came.
func TestProgressShowsOnlyWhatItHas(t *testing.T) {
	newTestWindow(t)
	p := newProgressView(func() {})
	if p.path.Visible() || p.warns.Visible() {
		t.Fatalf("before any report: path shown %v, warnings shown %v", p.path.Visible(), p.warns.Visible())
	}
	p.Report(engine.ProgressStats{Phase: "backup", FilesDone: 1, CurrentPath: "/srv/finance/ledger.xlsx", Started: time.Now()})
	p.Warn("/srv/finance/locked.xlsx", errors.New("permission denied"))
	if !p.path.Visible() || p.path.Text != "/srv/finance/ledger.xlsx" || !p.warns.Visible() || !strings.Contains(p.warns.Text, "locked.xlsx") {
		t.Errorf("after a report and a warning: path %q (shown %v), warnings %q (shown %v)", p.path.Text, p.path.Visible(), p.warns.Text, p.warns.Visible())
	}
}

// The progress dialog redraws at most once per progressRedraw however
// often the engine reports, and always ends up showing the newest report:
// each redraw is a frame of the whole window (issue 12, "the window stays
// responsive"). A fake clock and a hand-stepped timer.
func TestProgressRedrawsAtMostOncePerInterval(t *testing.T) {
	newTestWindow(t)
	start := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	now := start
	var timers []time.Duration
	var fire func()
	p := newProgressView(func() {})
	p.now = func() time.Time { return now }
	p.after = func(d time.Duration, f func()) { timers, fire = append(timers, d), f }
	draws := 0
	p.onUpdate = func() { draws++ }
	report := func(at time.Duration, done int64) {
		now = start.Add(at)
		p.Report(engine.ProgressStats{Phase: "backup", FilesDone: done, FilesTotal: 10, BytesDone: done, BytesTotal: 10, Started: start})
	}
	steps := []struct {
		name      string
		do        func()
		wantDraws int
		wantBar   float64
		wantWaits []time.Duration
	}{
		{"the first report is drawn at once", func() { report(0, 1) }, 1, 0.1, nil},
		{"one 100 ms later waits for the rest of the interval", func() { report(100*time.Millisecond, 2) }, 1, 0.1, []time.Duration{150 * time.Millisecond}},
		{"one more meanwhile joins that wait", func() { report(200*time.Millisecond, 3) }, 1, 0.1, []time.Duration{150 * time.Millisecond}},
		{"when the time is up the newest is drawn", func() { now = start.Add(250 * time.Millisecond); fire() }, 2, 0.3, []time.Duration{150 * time.Millisecond}},
		{"a report a full interval later is drawn at once", func() { report(600*time.Millisecond, 4) }, 3, 0.4, []time.Duration{150 * time.Millisecond}},
	}
	for _, st := range steps {
		st.do()
		if draws != st.wantDraws || p.bar.Value != st.wantBar || !slices.Equal(timers, st.wantWaits) {
			t.Errorf("%s: %d draws, bar %v, waits %v; want %d, %v, %v", st.name, draws, p.bar.Value, timers, st.wantDraws, st.wantBar, st.wantWaits)
		}
	}
}

// Once the work has ended, the progress view draws nothing: a redraw its
// timer fires late, or a warning that comes late, would change widgets
// while the done callback replaces the screen (in a test driver on another
// goroutine, where two goroutines measuring text at once crashed Fyne's
// shaper in TestReplicaSyncCancel).
func TestProgressDrawsNothingAfterClose(t *testing.T) {
	newTestWindow(t)
	start := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	now := start
	var fire func()
	p := newProgressView(func() {})
	p.now = func() time.Time { return now }
	p.after = func(d time.Duration, f func()) { fire = f }
	draws := 0
	p.onUpdate = func() { draws++ }
	p.Report(engine.ProgressStats{Phase: "backup", FilesDone: 1, FilesTotal: 10, BytesDone: 1, BytesTotal: 10, Started: start})
	now = start.Add(100 * time.Millisecond)
	p.Report(engine.ProgressStats{Phase: "backup", FilesDone: 5, FilesTotal: 10, BytesDone: 5, BytesTotal: 10, Started: start})
	if draws != 1 || fire == nil {
		t.Fatalf("%d draws, redraw timed: %v; want the first report drawn and the second waiting", draws, fire != nil)
	}
	p.close()
	now = start.Add(250 * time.Millisecond)
	fire()
	p.Warn("/data/late.txt", errors.New("permission denied"))
	if draws != 1 || p.bar.Value != 0.1 || p.warns.Visible() {
		t.Errorf("after close: %d draws, bar %v, warnings shown %v; want nothing drawn (1 draw, bar 0.1, no warnings)", draws, p.bar.Value, p.warns.Visible())
	}
}

// A backup the window runs leaves one CPU to the window (and at least one
// worker to the backup): with a worker per CPU on a two-core machine the
// UI goroutine and the renderer waited their turn (issue 12).
func TestWindowRunLeavesACoreToTheWindow(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tt := range []struct{ cpus, want int }{{1, 1}, {2, 1}, {4, 3}, {16, 15}} {
		runtime.GOMAXPROCS(tt.cpus)
		p := newProgressView(func() {})
		opt := windowRunOptions(p)
		if opt.Workers != tt.want || opt.Progress != p || !opt.Background {
			t.Errorf("%d CPUs: workers %d, progress %v, background %v; want %d workers, the dialog's progress, in the background", tt.cpus, opt.Workers, opt.Progress, opt.Background, tt.want)
		}
	}
}
