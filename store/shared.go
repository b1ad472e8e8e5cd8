package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// A shared catalog is used by several processes on several machines at
// once. Three things coordinate them, all PostgreSQL's own:
//
//   - a process that carries out runs holds an advisory lock named after
//     its owner name ("host:pid") for as long as it has the catalog open,
//     so any other process can tell whether a run's owner still lives
//     (OwnerAlive), whatever machine it is on;
//   - a daemon leads its host while it holds the host's advisory lock
//     (TryLead); the lock goes with the daemon's connection, so a daemon
//     that dies, even killed with -9, hands the lead on;
//   - a change announced with AddEvent wakes every process listening
//     (Changes), through NOTIFY.
//
// On SQLite (one workstation) there is nothing to coordinate beyond the
// file's own lock: every scheduler leads, as before, and Changes never
// fires (callers poll).

// notifyChannel is the channel AddEvent notifies on a shared catalog.
const notifyChannel = "cadang_events"

// lockKey maps a name to an advisory lock key (non-negative, so that it
// reads the same in pg_locks.objid).
func lockKey(name string) int32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int32(h.Sum32() & 0x7fffffff)
}

// pgShared is this process's session on a shared catalog: one connection
// that keeps its advisory locks for as long as the catalog is open, and
// one that listens for notifications.
type pgShared struct {
	cfg    *pgx.ConnConfig
	schema string // the catalog's schema: lock keys and notifications are per schema

	mu      sync.Mutex
	session *pgx.Conn
	owners  map[string]bool // claimed (true when this session holds the claim), claimed again after a reconnect
	leads   map[string]bool // held on the current session connection
	closed  bool

	listenOnce sync.Once
	signal     chan struct{}
	stop       context.CancelFunc
	done       chan struct{}
}

// key is the advisory lock key of name in the catalog's schema.
func (p *pgShared) key(name string) int32 { return lockKey(p.schema + "/" + name) }

func newPGShared(cfg *pgx.ConnConfig) *pgShared {
	return &pgShared{cfg: cfg, owners: map[string]bool{}, leads: map[string]bool{}, signal: make(chan struct{}, 1)}
}

// conn returns the session connection, connecting again (and claiming the
// owners again; leads are lost) when it broke. Call with mu held.
func (p *pgShared) conn(ctx context.Context) (*pgx.Conn, error) {
	if p.closed {
		return nil, errors.New("the catalog is closed")
	}
	if p.session != nil && !p.session.IsClosed() {
		return p.session, nil
	}
	if p.session != nil {
		p.session.Close(ctx) //nolint:errcheck // already broken
	}
	p.session, p.leads = nil, map[string]bool{}
	conn, err := pgx.ConnectConfig(ctx, p.cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to the shared catalog: %w", err)
	}
	for owner, held := range p.owners {
		if !held {
			continue
		}
		var got bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, int32(lockSpaceOwner), p.key(owner)).Scan(&got); err != nil {
			conn.Close(ctx) //nolint:errcheck // cleanup after a failure
			return nil, fmt.Errorf("claim run owner %s: %w", owner, err)
		}
		p.owners[owner] = got
	}
	p.session = conn
	return conn, nil
}

func (p *pgShared) close() error {
	p.mu.Lock()
	p.closed = true
	session := p.session
	p.session = nil
	stop, done := p.stop, p.done
	p.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	if session != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return session.Close(ctx)
	}
	return nil
}

// ClaimOwner marks this process as alive under owner (the "host:pid" its
// runs record) for as long as the catalog is open. On SQLite it does nothing.
func (c *Catalog) ClaimOwner(ctx context.Context, owner string) error {
	if c.pg == nil {
		return nil
	}
	p := c.pg
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.owners[owner] {
		if _, err := p.conn(ctx); err != nil {
			return err
		}
		return nil
	}
	conn, err := p.conn(ctx)
	if err != nil {
		return err
	}
	// Another catalog of this same process (a test's second Service) may
	// hold the claim: the process is alive under that name either way, and
	// the claim is tried again with the next run.
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, int32(lockSpaceOwner), p.key(owner)).Scan(&got); err != nil {
		return fmt.Errorf("claim run owner %s: %w", owner, err)
	}
	p.owners[owner] = got
	return nil
}

// OwnerAlive reports whether the process named owner still has the shared
// catalog open (its ClaimOwner lock is held). ok is false on SQLite: the
// caller asks the operating system instead.
func (c *Catalog) OwnerAlive(ctx context.Context, owner string) (alive, ok bool, err error) {
	if c.pg == nil {
		return false, false, nil
	}
	err = c.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 2)`,
		int64(lockSpaceOwner), int64(c.pg.key(owner))).Scan(&alive)
	if err != nil {
		return false, true, fmt.Errorf("is run owner %s alive: %w", owner, err)
	}
	return alive, true, nil
}

// TryLead takes the lead named name (a daemon's host) if nobody holds it,
// and reports whether this process leads now. The lead lasts until
// ReleaseLead, Close, or the connection's end (the process's death). On
// SQLite every caller leads.
func (c *Catalog) TryLead(ctx context.Context, name string) (bool, error) {
	if c.pg == nil {
		return true, nil
	}
	p := c.pg
	p.mu.Lock()
	defer p.mu.Unlock()
	conn, err := p.conn(ctx)
	if err != nil {
		return false, err
	}
	if p.leads[name] {
		return true, nil
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, int32(lockSpaceLeader), p.key(name)).Scan(&got); err != nil {
		return false, fmt.Errorf("take the lead of %s: %w", name, err)
	}
	if got {
		p.leads[name] = true
	}
	return got, nil
}

// Leading reports whether this process still holds the lead named name:
// a broken connection loses it.
func (c *Catalog) Leading(ctx context.Context, name string) (bool, error) {
	if c.pg == nil {
		return true, nil
	}
	p := c.pg
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.leads[name] || p.session == nil || p.session.IsClosed() {
		return false, nil
	}
	var held bool
	err := p.session.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND pid = pg_backend_pid() AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 2)`,
		int64(lockSpaceLeader), int64(p.key(name))).Scan(&held)
	if err != nil {
		delete(p.leads, name)
		return false, fmt.Errorf("check the lead of %s: %w", name, err)
	}
	if !held {
		delete(p.leads, name)
	}
	return held, nil
}

// ReleaseLead gives up the lead named name.
func (c *Catalog) ReleaseLead(ctx context.Context, name string) error {
	if c.pg == nil {
		return nil
	}
	p := c.pg
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.leads[name] || p.session == nil || p.session.IsClosed() {
		delete(p.leads, name)
		return nil
	}
	delete(p.leads, name)
	if _, err := p.session.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, int32(lockSpaceLeader), p.key(name)); err != nil {
		return fmt.Errorf("release the lead of %s: %w", name, err)
	}
	return nil
}

// Changes returns a channel that receives a value soon after any process
// announces a change (AddEvent) on a shared catalog; several changes may
// arrive as one value. Its first use starts listening. On SQLite it
// returns nil, a channel that never receives: poll instead.
func (c *Catalog) Changes() <-chan struct{} {
	if c.pg == nil {
		return nil
	}
	p := c.pg
	p.listenOnce.Do(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.closed {
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		p.stop, p.done = cancel, make(chan struct{})
		go p.listen(ctx)
	})
	return p.signal
}

// listen keeps a connection listening, connecting again after a failure
// (waiting longer each time it fails at once); it signals after every
// connect too, since what was announced meanwhile was not heard.
func (p *pgShared) listen(ctx context.Context) {
	defer close(p.done)
	wait := time.Second
	for ctx.Err() == nil {
		if p.listenConn(ctx) {
			wait = time.Second
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// listenConn listens on one connection until it fails; it reports whether
// it got as far as listening.
func (p *pgShared) listenConn(ctx context.Context) bool {
	conn, err := pgx.ConnectConfig(ctx, p.cfg)
	if err != nil {
		return false
	}
	defer conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // a listening connection has nothing to flush
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return false
	}
	p.poke()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true
		}
		if n.Payload == p.schema { // catalogs in other schemas of the database announce on the same channel
			p.poke()
		}
	}
}

func (p *pgShared) poke() {
	select {
	case p.signal <- struct{}{}:
	default:
	}
}
