package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2/lang"

	"cadang/jobs"
)

// formatBytes prints a size with binary units (1.5 MiB).
func formatBytes(n int64) string {
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

// formatDuration prints a duration rounded for people: 42s, 3m12s, 1h05m.
func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds()))
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// formatTime prints a local date and time, or "–" for none.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// stateName is a request, job or run state in the chosen language.
func stateName(state string) string {
	switch state {
	case jobs.RequestDraft:
		return lang.L("draft")
	case jobs.RequestSubmitted:
		return lang.L("waiting for approval")
	case jobs.RequestApproved:
		return lang.L("approved")
	case jobs.RequestRejected:
		return lang.L("rejected")
	case jobs.RequestRunning:
		return lang.L("running")
	case jobs.RequestCompleted:
		return lang.L("completed")
	case jobs.RequestPreparing:
		return lang.L("preparing")
	case jobs.RequestRestoring:
		return lang.L("restoring")
	case jobs.RequestVerifying:
		return lang.L("verifying")
	case jobs.RequestVerified:
		return lang.L("verified")
	case jobs.RequestAwaitingSignatures:
		return lang.L("awaiting signatures")
	case jobs.RequestHandedOver:
		return lang.L("handed over")
	case jobs.RequestFailed:
		return lang.L("failed")
	case jobs.JobPaused:
		return lang.L("paused")
	case jobs.JobRetired:
		return lang.L("deleted")
	case jobs.RunSuccess:
		return lang.L("success")
	case jobs.RunWarnings:
		return lang.L("completed with warnings")
	case jobs.RunMissed:
		return lang.L("missed")
	}
	return state
}

// kindName is "backup" or "restore" in the chosen language.
func kindName(kind string) string {
	switch kind {
	case jobs.KindBackup:
		return lang.L("Backup")
	case jobs.KindRestore:
		return lang.L("Restore")
	}
	return kind
}
