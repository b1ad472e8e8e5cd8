package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"
	"sync"
	"time"

	"cadang/engine/backend"
)

// Lock timing: a running operation rewrites its lock every lockRefresh; a
// lock not refreshed for StaleLockAge is stale.
const (
	lockRefresh  = 5 * time.Minute
	StaleLockAge = 30 * time.Minute
)

func (e *LockedError) Error() string {
	h := e.Holder
	return fmt.Sprintf("repository is locked by %s (PID %d, user %s, %s) since %s; if that process is gone, run `cadang unlock`",
		h.Host, h.PID, h.User, h.Operation, h.Since.Local().Format("2006-01-02 15:04:05"))
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// lockJSON is the (sealed) content of a file in locks/.
type lockJSON struct {
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	User      string    `json:"user"`
	Operation string    `json:"operation"`
	Started   time.Time `json:"started"`
	Time      time.Time `json:"time"` // last refresh
	Exclusive bool      `json:"exclusive"`
}

func (l lockJSON) info(now time.Time) LockInfo {
	host, _ := os.Hostname()
	stale := now.Sub(l.Time) > StaleLockAge || (l.Host == host && !processAlive(l.PID))
	return LockInfo{Host: l.Host, PID: l.PID, User: l.User, Operation: l.Operation, Since: l.Started, Stale: stale}
}

// repoLock is a held lock; release removes it.
type repoLock struct {
	r    *Repository
	mu   sync.Mutex
	name string
	data lockJSON
	stop chan struct{}
	done chan struct{}
}

// lock takes a lock for op. An exclusive lock conflicts with every other
// lock, a shared one only with exclusive ones; stale locks are ignored.
func (r *Repository) lock(ctx context.Context, op string, exclusive bool) (*repoLock, error) {
	host, _ := os.Hostname()
	uname := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		uname = u.Username
	}
	now := time.Now().UTC()
	l := &repoLock{r: r, data: lockJSON{Host: host, PID: os.Getpid(), User: uname, Operation: op, Started: now, Time: now, Exclusive: exclusive}}
	if err := l.write(ctx); err != nil {
		return nil, err
	}
	// Write first, then look: of two racing writers at least one sees the other.
	if err := r.checkLocks(ctx, l.name, exclusive); err != nil {
		_ = r.be.Remove(context.WithoutCancel(ctx), l.name)
		return nil, err
	}
	l.stop, l.done = make(chan struct{}), make(chan struct{})
	go l.refreshLoop()
	if exclusive {
		// The first writer of this version authenticates an old config.
		if err := r.upgradeKey(ctx); err != nil {
			l.release()
			return nil, err
		}
	}
	return l, nil
}

func (r *Repository) checkLocks(ctx context.Context, own string, exclusive bool) error {
	locks, err := r.readLocks(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	for name, l := range locks {
		if name == own {
			continue
		}
		info := l.info(now)
		if info.Stale || (!exclusive && !l.Exclusive) {
			continue
		}
		return &LockedError{Holder: info}
	}
	return nil
}

// readLocks returns every readable lock; an unreadable lock file counts as
// an exclusive lock of an unknown holder, so damage never lets two writers in.
func (r *Repository) readLocks(ctx context.Context) (map[string]lockJSON, error) {
	out := map[string]lockJSON{}
	err := r.be.List(ctx, LocksDir, func(fi backend.FileInfo) error {
		data, err := loadAll(ctx, r.be, fi.Name)
		if err != nil {
			if isNotFound(err) { // released meanwhile
				return nil
			}
			return err
		}
		var l lockJSON
		plain, err := r.crypt.open(nil, data)
		if err == nil {
			err = json.Unmarshal(plain, &l)
		}
		if err != nil {
			l = lockJSON{Host: "unknown (unreadable lock file " + fi.Name + ")", Exclusive: true, Time: time.Now(), Operation: "unknown"}
		}
		out[fi.Name] = l
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list locks: %w", err)
	}
	return out, nil
}

// write saves the lock under a new name and removes the previous file, so
// refreshing works on backends that cannot overwrite.
func (l *repoLock) write(ctx context.Context) error {
	plain, err := json.Marshal(l.data)
	if err != nil {
		return err
	}
	stored, err := l.r.crypt.seal(nil, plain)
	if err != nil {
		return err
	}
	rnd := make([]byte, 16)
	if _, err := rand.Read(rnd); err != nil {
		return err
	}
	name := LocksDir + hex.EncodeToString(rnd)
	// A lock need not survive a crash: the crash ends its holder.
	save := l.r.be.Save
	if vs, ok := l.r.be.(backend.VolatileSaver); ok {
		save = vs.SaveVolatile
	}
	if err := save(ctx, name, strings.NewReader(string(stored)), int64(len(stored))); err != nil {
		return fmt.Errorf("write lock: %w", err)
	}
	old := l.name
	l.name = name
	if old != "" {
		if err := l.r.be.Remove(ctx, old); err != nil && !isNotFound(err) {
			return fmt.Errorf("remove old lock: %w", err)
		}
	}
	return nil
}

func (l *repoLock) refreshLoop() {
	defer close(l.done)
	t := time.NewTicker(lockRefresh)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.mu.Lock()
			l.data.Time = time.Now().UTC()
			_ = l.write(context.Background()) // retried at the next tick; staleness needs 6 misses
			l.mu.Unlock()
		}
	}
}

// release stops refreshing and removes the lock file.
func (l *repoLock) release() {
	if l == nil {
		return
	}
	close(l.stop)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.r.be.Remove(context.Background(), l.name)
}

// Locks lists the repository's current locks.
func (r *Repository) Locks(ctx context.Context) ([]LockInfo, error) {
	locks, err := r.readLocks(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	var out []LockInfo
	for _, l := range locks {
		out = append(out, l.info(now))
	}
	return out, nil
}

// Unlock removes stale locks (all locks with all=true) and returns the ones it removed.
func (r *Repository) Unlock(ctx context.Context, all bool) ([]LockInfo, error) {
	locks, err := r.readLocks(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	var removed []LockInfo
	var errs []error
	for name, l := range locks {
		info := l.info(now)
		if !all && !info.Stale {
			continue
		}
		if err := r.be.Remove(ctx, name); err != nil && !isNotFound(err) {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, info)
	}
	return removed, errors.Join(errs...)
}
