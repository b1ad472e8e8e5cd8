package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"cadang/store"
)

// An approval covers one revision of what was approved: the hash of a
// job's definition, or of a request's terms. The manager's decision names
// the revision they looked at, and it is kept with the approval; a run
// starts only while what is stored still hashes to it. So a change made
// while the manager was reading, or written into the catalog by hand
// afterwards, never runs unseen.

// revisionOf hashes everything about a job that decides what a run does.
// Never remove a field: old approvals would stop matching.
func revisionOf(j store.Job) string {
	return hashJSON(struct {
		Name         string          `json:"name"`
		Sources      []string        `json:"sources"`
		Repository   string          `json:"repository"`
		PasswordFile string          `json:"password_file"`
		Replicas     []string        `json:"replicas"`
		Excludes     []string        `json:"excludes"`
		Retention    store.Retention `json:"retention"`
		ScheduleKind string          `json:"schedule_kind"`
		WindowStart  string          `json:"window_start"`
		WindowEnd    string          `json:"window_end"`
		Cron         string          `json:"cron"`
		OnceAt       string          `json:"once_at"`
		Host         string          `json:"host,omitempty"` // empty for jobs from before hosts: their approvals still match
	}{j.Name, nonNilStrings(j.Sources), j.Repository, j.PasswordFile, nonNilStrings(j.Replicas), nonNilStrings(j.Excludes),
		j.Retention, j.ScheduleKind, j.WindowStart, j.WindowEnd, j.Cron, instant(j.OnceAt), j.Host})
}

// requestRevisionOf hashes a request's terms: what, whose job, as of when,
// where to, which parts, whether existing files may be replaced, and which
// copy (the repository or a replica) it restores from.
func requestRevisionOf(r store.Request) string {
	return hashJSON(struct {
		Kind        string   `json:"kind"`
		JobID       int64    `json:"job_id"`
		RequestedAt string   `json:"requested_at"`
		Target      string   `json:"target"`
		Include     []string `json:"include"`
		Overwrite   bool     `json:"overwrite"`
		Replica     string   `json:"replica,omitempty"`
	}{r.Kind, r.JobID, instant(r.RequestedAt), r.Target, nonNilStrings(r.Include), r.Overwrite, r.Replica})
}

// approvalLogged refuses to act on an approved revision that the audit
// log's newest approval of object (a job or a request) does not name. The
// approved revision in the catalog row is a hash anyone can compute: one
// written there by hand, with the definition, would otherwise run, and the
// untouched audit log would verify. Every approval (a manager's, the
// first-time setup's, one adopted at an upgrade) is audited with its
// revision in the same transaction, so the log is what an approval is.
func (s *Service) approvalLogged(ctx context.Context, object, what, rev string) error {
	entries, err := s.catalog.Audit(ctx, store.AuditFilter{Object: object})
	if err != nil {
		return fmt.Errorf("%s: read its approval: %w", what, err)
	}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if strings.HasSuffix(e.Action, ".approve") || strings.HasSuffix(e.Action, ".approval-adopted") {
			if strings.Contains(e.Detail, rev) {
				return nil
			}
			break
		}
	}
	return refusedf("%s differs from what the IT manager approved: the audit log records no approval of revision %s (an approval written into the catalog is not one); nothing runs without the IT manager's approval",
		what, ShortRevision(rev))
}

func hashJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil { // strings, numbers and booleans always encode; stay computable regardless
		b = []byte(fmt.Sprintf("%#v", v))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ShortRevision is the first 12 hex digits of a revision, as shown to people.
func ShortRevision(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
