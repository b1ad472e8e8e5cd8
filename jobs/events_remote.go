package jobs

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"cadang/store"
)

// eventOfEntry is the event an audit entry appended by another process
// stands for: a run started, finished or missed, a request or a job that
// changed state, a document filed, a replica changed. It reads the thing
// as it is now (a run's figures, a request's requester). ok is false for
// entries no event stands for (logins, settings, accounts).
func (s *Service) eventOfEntry(ctx context.Context, e store.AuditEntry) (ev Event, ok bool) {
	ev = Event{At: e.At, State: e.ToState, Remote: true}
	kind, id := splitObject(e.Object)
	switch {
	case kind == "run":
		return s.runEventOf(ctx, e, id)
	case kind == "request":
		r, err := s.catalog.RequestByID(ctx, id)
		if err != nil {
			return ev, false
		}
		ev.Kind, ev.RequestID, ev.JobID, ev.RequesterID = EventRequestChanged, r.ID, r.JobID, r.RequesterID
		if ev.State == "" {
			ev.State = r.State
		}
		ev.Message = fmt.Sprintf("%s request #%d is %s (%s, on another workstation)", r.Kind, r.ID, ev.State, e.Actor)
	case kind == "job":
		j, err := s.catalog.JobByID(ctx, id)
		if err != nil {
			return ev, false
		}
		ev.Kind, ev.JobID = EventJobChanged, j.ID
		ev.Message = fmt.Sprintf("job %s is %s (%s, on another workstation)", j.Name, j.State, e.Actor)
	case strings.HasPrefix(e.Object, "document:"):
		ev.Kind = EventDocumentFiled
		ev.Message = fmt.Sprintf("%s %s filed (on another workstation)", e.ToState, strings.TrimPrefix(e.Object, "document:"))
	case strings.HasPrefix(e.Action, "replica."):
		ev.Kind = EventReplicaChanged
		ev.Message = fmt.Sprintf("%s: %s (on another workstation)", e.Action, e.Detail)
	default:
		return ev, false
	}
	return ev, true
}

// runEventOf is the event of a run's entry.
func (s *Service) runEventOf(ctx context.Context, e store.AuditEntry, id int64) (Event, bool) {
	ev := Event{At: e.At, State: e.ToState, Remote: true}
	r, err := s.catalog.RunByID(ctx, id)
	if err != nil {
		return ev, false
	}
	run := s.runFromStore(ctx, r)
	ev.Run, ev.JobID, ev.RequestID = &run, r.JobID, r.RequestID
	switch e.Action {
	case "run.start":
		ev.Kind, ev.Message = EventRunStarted, fmt.Sprintf("%s %s started (on another workstation)", r.Kind, run.JobName)
	case "run.finish":
		ev.Kind, ev.Message = EventRunFinished, fmt.Sprintf("%s %s finished: %s (on another workstation)", r.Kind, run.JobName, r.Status)
	case "run.missed":
		ev.Kind, ev.Message = EventRunMissed, fmt.Sprintf("%s %s missed its %s slot", r.Kind, run.JobName, r.ScheduledAt.Local().Format("2006-01-02 15:04"))
	default:
		return ev, false
	}
	return ev, true
}

// splitObject reads an audit object "kind#ID" ("run#7"); other objects
// give their text and 0.
func splitObject(object string) (string, int64) {
	kind, id, ok := strings.Cut(object, "#")
	if !ok {
		return object, 0
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return object, 0
	}
	return kind, n
}
