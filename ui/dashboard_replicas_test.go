package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"cadang/jobs"
)

// The dashboard says per job how each offsite copy stands.
func TestDashboardReplicaLine(t *testing.T) {
	newTestWindow(t) // the app and English
	t.Cleanup(func() { applyLanguage(LangEnglish) })
	at := time.Date(2026, 11, 25, 21, 14, 0, 0, time.Local)
	retry := time.Date(2026, 11, 25, 23, 30, 0, 0, time.Local)
	behind := jobs.ReplicaResult{Name: "sftp-b", Status: jobs.ReplicaFailed, Error: "connection refused", LastSync: at,
		Lag: &jobs.ReplicaLag{Snapshots: 2, Files: 5}, NextRetry: retry}
	tests := []struct {
		name   string
		lang   string // "": English
		states []jobs.ReplicaResult
		want   []string
		warn   bool
	}{
		{"no replicas", "", nil, []string{"Offsite copies: none"}, false},
		{"up to date", "", []jobs.ReplicaResult{{Name: "gdrive", Status: jobs.ReplicaOK, LastSync: at, Lag: &jobs.ReplicaLag{}}},
			[]string{"gdrive up to date", "21:14"}, false},
		{"mixed", "", []jobs.ReplicaResult{
			{Name: "gdrive", Status: jobs.ReplicaOK, LastSync: at, Lag: &jobs.ReplicaLag{}},
			{Name: "sftp-b", Status: jobs.ReplicaFailed, Error: "connection refused", LastSync: at, Lag: &jobs.ReplicaLag{Snapshots: 2, Files: 5}},
			{Name: "nas", Status: jobs.ReplicaFailed, Error: strings.Repeat("x", 200)},
			{Name: "s3", Status: jobs.ReplicaNotConfigured},
		}, []string{"gdrive up to date", "sftp-b 2 snapshots behind, failed: connection refused", "nas failed: xxx", "…", "s3 not set up"}, true},
		// Behind and waiting for a retry after a failed sync: when it comes.
		{"waiting for a retry", "", []jobs.ReplicaResult{behind},
			[]string{"sftp-b 2 snapshots behind, retry at 23:30, failed: connection refused"}, true},
		{"waiting for a retry, Indonesian", LangIndonesian, []jobs.ReplicaResult{behind},
			[]string{"sftp-b", "dicoba lagi pukul 23:30, gagal: connection refused"}, true},
		// A retry after midnight, or one left overdue, says its date.
		{"a retry on another day", "", []jobs.ReplicaResult{{Name: "gdrive", Status: jobs.ReplicaFailed, Error: "quota exceeded",
			LastAttempt: time.Date(2026, 11, 25, 23, 40, 0, 0, time.Local), NextRetry: time.Date(2026, 11, 26, 0, 10, 0, 0, time.Local)}},
			[]string{"gdrive retry at 2026-11-26 00:10, failed: quota exceeded"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := tt.lang
			if code == "" {
				code = LangEnglish
			}
			if err := applyLanguage(code); err != nil {
				t.Fatal(err)
			}
			l := replicaLine(jobs.JobSummary{ReplicaStates: tt.states})
			for _, w := range tt.want {
				if !strings.Contains(l.Text, w) {
					t.Errorf("line %q lacks %q", l.Text, w)
				}
			}
			if got := l.Importance == widget.WarningImportance; got != tt.warn {
				t.Errorf("warning colour = %v, want %v", got, tt.warn)
			}
		})
	}
}

// A dashboard card laid out smaller than its caption (a row of cards is
// laid out as each card is added, before the window has its size) draws
// without a panic: the real window crashed in Fyne's wrap-and-truncate.
func TestDashboardCardLaidOutSmall(t *testing.T) {
	newTestWindow(t)
	for _, size := range []fyne.Size{{Width: 1, Height: 1}, {Width: 220, Height: 1}, {Width: 40, Height: 300}, {Width: 220, Height: 200}} {
		c := figureCard("Approved requests to carry out", "1", widget.NewButton("Carry out", nil))
		c.Resize(size)
		if size.Height >= 200 && c.MinSize().Height > size.Height {
			t.Errorf("a card needs %.0f px, more than %.0f", c.MinSize().Height, size.Height)
		}
	}
}

// "Schedules paused" is said to those whose sign-in runs the schedules,
// not to a department user, whose window never runs them.
func TestDashboardPausedOnlyForSchedulers(t *testing.T) {
	w := newTestWindow(t)
	o := newOffice(t)
	paused := func() *jobs.Scheduler { return nil }
	for _, tt := range []struct {
		who  jobs.User
		want bool
	}{{o.staff, true}, {o.member, false}} {
		v := newDashboardView(o.sessionFor(w, tt.who), nil, paused)
		w.SetContent(v.content())
		if got := shows(w.Content(), "0 · schedules paused"); got != tt.want {
			t.Errorf("%s sees \"schedules paused\": %v, want %v", tt.who.Role, got, tt.want)
		}
	}
}
