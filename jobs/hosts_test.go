package jobs

import (
	"testing"
	"time"

	"cadang/store"
)

// A job approved before jobs named a host keeps its approval: its revision
// is the hash of the definition without the field. Naming a host changes it.
func TestRevisionOfAJobWithoutHostIsUnchanged(t *testing.T) {
	j := store.Job{Name: "erp", Sources: []string{"/data"}, Repository: "/r", ScheduleKind: ScheduleWindow,
		WindowStart: "21:00", WindowEnd: "23:00", OnceAt: time.Time{}}
	before := hashJSON(struct {
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
	}{j.Name, j.Sources, j.Repository, "", []string{}, []string{}, j.Retention, j.ScheduleKind, j.WindowStart, j.WindowEnd, "", ""})
	if got := revisionOf(j); got != before {
		t.Errorf("revision of a job without a host = %s, want the revision from before hosts %s", got, before)
	}
	j.Host = "fs1"
	if revisionOf(j) == before {
		t.Error("naming a host left the revision as it was: a moved job would run on its old approval")
	}
}

func TestValidateHost(t *testing.T) {
	tests := []struct {
		host string
		ok   bool
	}{
		{"", true}, {"fs1", true}, {"db-server.corp.example", true}, {"BACKUP_01", true},
		{"fs 1", false}, {"fs1;rm", false}, {"üni", false}, {string(make([]byte, 254)), false},
	}
	for _, tt := range tests {
		if err := validateHost(tt.host); (err == nil) != tt.ok {
			t.Errorf("validateHost(%q) = %v, want ok=%v", tt.host, err, tt.ok)
		}
	}
}
