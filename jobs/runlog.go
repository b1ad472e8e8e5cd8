package jobs

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cadang/engine/secrets"
	"cadang/store"
)

// logRun appends one line per finished, missed or restore run to the
// workspace's plain-text history, logs/YYYY-MM.log — the "log history"
// the APCA work instruction keeps, readable without Cadang. The catalog
// stays the record; a failure here is logged, never fatal.
func (s *Service) logRun(job string, r store.Run) {
	at := r.FinishedAt
	if at.IsZero() {
		at = r.ScheduledAt
	}
	fields := []string{
		at.UTC().Format(time.RFC3339),
		"run=" + strconv.FormatInt(r.ID, 10),
		"job=" + strconv.Quote(job),
		"kind=" + r.Kind,
		"trigger=" + r.Trigger,
		"actor=" + strconv.Quote(r.Actor),
		"status=" + r.Status,
	}
	if r.SnapshotID != "" {
		fields = append(fields, "snapshot="+shortID(r.SnapshotID))
	}
	fields = append(fields, fmt.Sprintf("files_new=%d files_changed=%d bytes_added=%d warnings=%d",
		r.FilesNew, r.FilesChanged, r.BytesAdded, len(r.Warnings)))
	if r.Overrun {
		fields = append(fields, "overrun=true")
	}
	if r.Error != "" {
		fields = append(fields, "error="+strconv.Quote(r.Error))
	}
	path := filepath.Join(s.dir, "logs", at.Local().Format("2006-01")+".log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err == nil {
		_, err = f.WriteString(secrets.Redact(strings.Join(fields, " ")) + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		s.log.Error("append run log", "path", path, "err", err)
	}
}
