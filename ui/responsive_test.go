package ui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"cadang/jobs"
)

// The window stays responsive while a backup runs: a benchmark with the
// real window (GLFW under Xvfb or a desktop), not the test driver, whose
// fyne.Do runs inline and so could not show a blocked UI goroutine.
//
//	CADANG_BENCH_REAL_WINDOW=1 DISPLAY=:N go test ./ui -run '^$' -bench WindowDuringBackup -benchtime 1x
//
// CADANG_BENCH_BYTES sets the data size (default 2 GiB); see
// benchRunOptions for the variables that compare other run options. It reports the
// longest time the UI goroutine took to run a heartbeat posted every 10 ms
// (max-ui-wait-ms: how long a click or a frame would have waited) and the
// longest gap between two progress updates drawn (max-progress-gap-ms; the
// dialog redraws at most every progressRedraw, 250 ms, by design).
//
// On a machine shared with other work, give the run its own session and a
// higher share of the CPU (Linux autogroups), or the others' load is what
// it measures:
//
//	setsid -w sh -c 'echo -10 > /proc/self/autogroup; exec go test ...'
//
// Without a graphics card (Xvfb, LIBGL_ALWAYS_SOFTWARE=1) each frame of the
// window is drawn by the CPU, about 25 ms of it; the UI goroutine waits for
// each frame it draws.

// realWindow is the app and window of a real-window benchmark run.
var realWindow struct {
	app fyne.App
	win fyne.Window
}

func realWindowBench() bool {
	return os.Getenv("CADANG_BENCH_REAL_WINDOW") != "" && os.Getenv("DISPLAY") != ""
}

// runWithRealWindow runs the tests and benchmarks beside a real event loop
// on the main goroutine, as the GLFW driver requires.
func runWithRealWindow(m *testing.M) int {
	a := app.NewWithID(AppID + ".bench")
	applyTheme(a)
	w := a.NewWindow("Cadang benchmark")
	w.Resize(fyne.NewSize(1120, 720))
	realWindow.app, realWindow.win = a, w
	code := 0
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			code = m.Run()
			fyne.Do(a.Quit)
		}()
	})
	w.ShowAndRun()
	return code
}

func BenchmarkWindowDuringBackup(b *testing.B) {
	if !realWindowBench() {
		b.Skip("needs a display and CADANG_BENCH_REAL_WINDOW=1 (see the comment above)")
	}
	size := int64(2 << 30)
	if s := os.Getenv("CADANG_BENCH_BYTES"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			b.Fatal(err)
		}
		size = n
	}
	o := newOffice(b)
	writeBenchData(b, o.src, size)
	w := realWindow.win
	a := acting{caller: caller{ctx: context.Background(), win: w, bg: goBackground}, svc: o.svc, user: o.staff}
	fyne.DoAndWait(func() {
		v := newJobsView(a)
		w.SetContent(v.content())
	})
	for range b.N {
		maxWait, maxGap := measureDuringBackup(b, a, o.job.Name)
		b.ReportMetric(float64(maxWait.Milliseconds()), "max-ui-wait-ms")
		b.ReportMetric(float64(maxGap.Milliseconds()), "max-progress-gap-ms")
	}
	b.ReportMetric(float64(size)/(1<<20), "MiB")
}

// measureDuringBackup runs the job from the window, with its progress
// dialog, while a heartbeat measures how long the UI goroutine makes work
// wait, and returns the longest wait and the longest gap between drawn
// progress updates.
func measureDuringBackup(b *testing.B, a acting, job string) (maxWait, maxGap time.Duration) {
	var mu sync.Mutex
	done := make(chan struct{})
	stop := make(chan struct{})
	beat := time.NewTicker(10 * time.Millisecond)
	defer beat.Stop()
	go func() {
		for {
			select {
			case <-stop:
				return
			case posted := <-beat.C:
				fyne.Do(func() {
					mu.Lock()
					maxWait = max(maxWait, time.Since(posted))
					mu.Unlock()
				})
			}
		}
	}()
	var last time.Time
	onProgress := func() { // on the UI goroutine, each drawn update
		now := time.Now()
		mu.Lock()
		if !last.IsZero() {
			maxGap = max(maxGap, now.Sub(last))
		}
		last = now
		mu.Unlock()
	}
	b.ResetTimer()
	fyne.DoAndWait(func() {
		runWithProgressObserved(a, "benchmark", func(ctx context.Context, p *progressView) error {
			p.onUpdate = onProgress
			_, err := a.svc.RunJob(ctx, a.user, job, benchRunOptions(b, p)) // as the window's "Run now"
			return err
		}, func(err error) {
			if err != nil {
				b.Error(err)
			}
			close(done)
		})
	})
	<-done
	b.StopTimer()
	close(stop)
	mu.Lock()
	defer mu.Unlock()
	return maxWait, maxGap
}

// benchRunOptions are the window's run options, which two variables can
// change to compare with other choices: CADANG_BENCH_WORKERS (a number;
// 0 is one per CPU) and CADANG_BENCH_FOREGROUND=1 (the workers at the
// window's own priority).
func benchRunOptions(b *testing.B, p *progressView) jobs.RunOptions {
	opt := windowRunOptions(p)
	if s := os.Getenv("CADANG_BENCH_WORKERS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("CADANG_BENCH_WORKERS: %v", err)
		}
		opt.Workers = n
	}
	if os.Getenv("CADANG_BENCH_FOREGROUND") == "1" {
		opt.Background = false
	}
	return opt
}

// writeBenchData writes size bytes of office-like data under dir: files of
// 1–64 MiB, half random (photos, archives), half compressible text.
func writeBenchData(b *testing.B, dir string, size int64) {
	b.Helper()
	rnd := rand.NewChaCha8([32]byte{1, 2, 3})
	var written int64
	for i := 0; written < size; i++ {
		n := min(int64(1+i%64)<<20, size-written)
		buf := make([]byte, n)
		if i%2 == 0 {
			_, _ = rnd.Read(buf) // ChaCha8.Read never fails
		} else {
			const line = "tanggal,akun,jumlah\n2026-11-02,4100,1250000\n"
			for j := range buf {
				buf[j] = line[j%len(line)]
			}
		}
		p := filepath.Join(dir, fmt.Sprintf("bench/%02d/file-%04d.bin", i%16, i))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, buf, 0o600); err != nil {
			b.Fatal(err)
		}
		written += n
	}
}
