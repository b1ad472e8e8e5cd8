package jobs

import (
	"context"
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
	// RequesterID is, for a request's event, the account that asked: the
	// window tells them of a decision on their request.
	RequesterID int64  `json:"requester_id,omitempty"`
	Message     string `json:"message"`
	// Remote is set on an event another process announced (a daemon's run,
	// an approval made on another workstation).
	Remote bool `json:"-"`
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
//
// The events of every process using the catalog arrive, not only this
// one's: a run a daemon finished, a request submitted or decided on
// another workstation. They are heard at once on a shared catalog
// (LISTEN/NOTIFY) and within Options.PollInterval on SQLite.
func (s *Service) Subscribe() (<-chan Event, func()) {
	ch, stop := s.events.subscribe(64)
	s.relay.watch(s)
	return ch, stop
}

func (s *Service) publish(ev Event) {
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	ev.Message = secrets.Redact(ev.Message) // printed by the daemon, shown by the window
	s.events.publish(ev)
}

// DefaultPollInterval is how often a process using an SQLite catalog looks
// for what other processes did; a shared catalog notifies at once and is
// looked at this often only as a safety net.
const DefaultPollInterval = 2 * time.Second

// relay tells this process's subscribers what the other processes using
// the catalog did. Every step commits with its audit entry, so the audit
// log is the record of what happened: the relay reads the entries appended
// since it last looked (at once when a shared catalog announces one,
// every poll interval besides), skips this process's own (their events
// were published here already) and publishes the event each stands for
// (eventOfEntry). Nothing is written for it.
type relay struct {
	poll time.Duration

	mu       sync.Mutex
	watching bool
	stop     context.CancelFunc
	done     chan struct{}
	closed   bool
}

// watch starts reading, once, from the newest entry now: what another
// process does after Subscribe returns arrives.
func (r *relay) watch(s *Service) {
	r.mu.Lock()
	if r.watching || r.closed {
		r.mu.Unlock()
		return
	}
	r.watching = true
	r.mu.Unlock()
	last, _, err := s.catalog.AuditHead(context.Background())
	if err != nil {
		s.log.Warn("read the audit log for other processes' events", "err", err)
		last = -1 // the reader asks again
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.stop, r.done = cancel, make(chan struct{})
	go r.read(ctx, s, last)
}

// read publishes what the others did after entry last (-1: after the
// newest when it first reads).
func (r *relay) read(ctx context.Context, s *Service, last int64) {
	defer close(r.done)
	changes := s.catalog.Changes()
	tick := time.NewTicker(r.poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-changes:
		case <-tick.C:
		}
		if last >= 0 {
			last = r.deliver(ctx, s, last)
			continue
		}
		if seq, _, err := s.catalog.AuditHead(ctx); err == nil {
			last = seq
		} else if ctx.Err() == nil {
			s.log.Warn("read the audit log for other processes' events", "err", err)
		}
	}
}

// deliver publishes the events of the entries after last and returns the
// newest entry read.
func (r *relay) deliver(ctx context.Context, s *Service, last int64) int64 {
	for {
		entries, err := s.catalog.AuditSince(ctx, last, 200)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("read the audit log for other processes' events", "err", err)
			}
			return last
		}
		for _, e := range entries {
			last = e.Seq
			if s.catalog.AppendedHere(e.Seq) {
				continue
			}
			if ev, ok := s.eventOfEntry(ctx, e); ok {
				ev.Message = secrets.Redact(ev.Message)
				s.events.publish(ev)
			}
		}
		if len(entries) < 200 {
			return last
		}
	}
}

// close stops reading.
func (r *relay) close() {
	r.mu.Lock()
	r.closed = true
	stop, done := r.stop, r.done
	r.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}
