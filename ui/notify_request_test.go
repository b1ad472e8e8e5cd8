package ui

import (
	"testing"

	"cadang/jobs"
)

// TestRequestNotification: another workstation's work on requests reaches
// whom it concerns: a request waiting reaches those who decide, a decision
// reaches the person who asked; what happened here, or to others'
// requests, makes no notice.
func TestRequestNotification(t *testing.T) {
	mgr := &jobs.User{ID: 2, Name: "gideon", Role: jobs.RoleManager}
	siti := &jobs.User{ID: 5, Name: "siti", Role: jobs.RoleUser}
	ev := func(state string, requester int64, remote bool) jobs.Event {
		return jobs.Event{Kind: jobs.EventRequestChanged, RequestID: 7, State: state, RequesterID: requester, Remote: remote}
	}
	tests := []struct {
		name  string
		ev    jobs.Event
		me    *jobs.User
		title string
	}{
		{"waiting, to a manager", ev(jobs.RequestSubmitted, 5, true), mgr, "Cadang: a request waits for your decision"},
		{"waiting, to a department", ev(jobs.RequestSubmitted, 9, true), siti, ""},
		{"approved, to the requester", ev(jobs.RequestApproved, 5, true), siti, "Cadang: your request was approved"},
		{"rejected, to the requester", ev(jobs.RequestRejected, 5, true), siti, "Cadang: your request was rejected"},
		{"approved, someone else's", ev(jobs.RequestApproved, 9, true), siti, ""},
		{"decided here", ev(jobs.RequestApproved, 5, false), siti, ""},
		{"signed out", ev(jobs.RequestApproved, 5, true), nil, ""},
		{"a run", jobs.Event{Kind: jobs.EventRunFinished, Remote: true}, mgr, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := requestNotification(tt.ev, tt.me)
			got := ""
			if n != nil {
				got = n.Title
			}
			if got != tt.title {
				t.Errorf("notice = %q, want %q", got, tt.title)
			}
		})
	}
}
