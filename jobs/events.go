package jobs

import (
	"sync"
	"time"

	"cadang/engine/secrets"
)

// EventKind names what happened.
type EventKind string

// Events the window listens to (tray notifications, refreshing lists).
const (
	EventRunStarted      EventKind = "run-started"
	EventRunFinished     EventKind = "run-finished"
	EventRunMissed       EventKind = "run-missed"
	EventRequestChanged  EventKind = "request-changed"
	EventJobChanged      EventKind = "job-changed"
	EventDocumentFiled   EventKind = "document-filed"
	EventRestoreFinished EventKind = "restore-finished"
	// EventReplicaChanged: a replica was added, edited, removed or synced.
	EventReplicaChanged EventKind = "replica-changed"
	// EventReplicaFailed: an offsite copy still failed after its last
	// retry; the tray says so.
	EventReplicaFailed EventKind = "replica-failed"
)

// Event is one notification. Run is set for run events, RequestID/JobID
// when they apply; Message is one line a person can read (tray text).
type Event struct {
	Kind      EventKind `json:"kind"`
	At        time.Time `json:"at"`
	JobID     int64     `json:"job_id,omitempty"`
	RequestID int64     `json:"request_id,omitempty"`
	Run       *Run      `json:"run,omitempty"`
	State     string    `json:"state,omitempty"`   // the request's or job's new state`
	Replica   string    `json:"replica,omitempty"` // replica events: its name
	Message   string    `json:"message"`
}

// broker fans events out to subscribers without ever blocking the
// procedure: a subscriber that does not keep up loses events, not the run.
type broker struct {
	mu     sync.Mutex
	subs   map[chan Event]struct{}
	closed bool
}

func newBroker() *broker { return &broker{subs: map[chan Event]struct{}{}} }

func (b *broker) publish(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- ev:
		default:
		}
	}
}

func (b *broker) subscribe(buffer int) (<-chan Event, func()) {
	ch := make(chan Event, buffer)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(ch)
		return ch, func() {}
	}
	b.subs[ch] = struct{}{}
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			if _, ok := b.subs[ch]; ok {
				delete(b.subs, ch)
				close(ch)
			}
		})
	}
}

func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
}

// Subscribe returns a channel of events and a function that ends the
// subscription (and closes the channel). The channel is also closed when
// the Service closes. Slow readers miss events rather than stall runs.
func (s *Service) Subscribe() (<-chan Event, func()) { return s.events.subscribe(64) }

func (s *Service) publish(ev Event) {
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	ev.Message = secrets.Redact(ev.Message) // printed by the daemon, shown by the window
	s.events.publish(ev)
}
