package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"cadang/engine"
)

// termProgress draws one \r-updated status line on a terminal's stderr and
// prints warnings on their own lines; on anything else it stays quiet.
type termProgress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	width int
}

var _ engine.Progress = (*termProgress)(nil)

func newTermProgress(w io.Writer) *termProgress {
	p := &termProgress{w: w}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

// progress is what to hand the engine: nothing to report to when stderr is
// not a terminal (which also spares the backup its counting pre-scan).
func (p *termProgress) progress() engine.Progress {
	if !p.tty {
		return engine.NopProgress{}
	}
	return p
}

func (p *termProgress) Report(s engine.ProgressStats) {
	if !p.tty {
		return
	}
	el := time.Since(s.Started)
	rate := 0.0
	if el > 0 {
		rate = float64(s.BytesDone) / el.Seconds()
	}
	line := fmt.Sprintf("%s: %d", s.Phase, s.FilesDone)
	if s.FilesTotal > 0 {
		line += fmt.Sprintf("/%d", s.FilesTotal)
	}
	line += " files, " + humanBytes(s.BytesDone)
	if s.BytesTotal > 0 {
		line += "/" + humanBytes(s.BytesTotal)
	}
	line += fmt.Sprintf(", %s/s", humanBytes(int64(rate)))
	if s.BytesTotal > s.BytesDone && rate > 0 {
		eta := time.Duration(float64(s.BytesTotal-s.BytesDone) / rate * float64(time.Second))
		line += ", ETA " + eta.Round(time.Second).String()
	}
	line += ", elapsed " + el.Round(time.Second).String()
	p.mu.Lock()
	defer p.mu.Unlock()
	pad := p.width - len(line)
	p.width = len(line)
	if pad < 0 {
		pad = 0
	}
	fmt.Fprintf(p.w, "\r%s%*s", line, pad, "")
}

func (p *termProgress) Warn(path string, err error) {
	if !p.tty {
		return // warnings are printed with the result
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r%*s\rwarning: %s: %v\n", p.width, "", path, err)
	p.width = 0
}

// done ends the status line.
func (p *termProgress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.width > 0 {
		fmt.Fprintln(p.w)
		p.width = 0
	}
}

// humanBytes renders n with a binary unit.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
