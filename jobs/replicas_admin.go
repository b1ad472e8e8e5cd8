package jobs

// Administering a repository's replicas: the list kept beside a local
// repository (replicas.json), adding, editing, testing, removing and
// syncing them. The command line (`cadang replica …`) uses ReplicaList
// directly on a repository folder; the window goes through the Service
// methods in replicas_service.go, which check the role and audit.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cadang/engine"
	"cadang/engine/backend"
	"cadang/engine/backend/rclone"
	"cadang/engine/location"
	"cadang/engine/replica"
)

// ErrUnknownReplica is returned for a name the list does not have.
var ErrUnknownReplica = replica.ErrUnknownReplica

// ErrNotLocalRepository means replicas cannot be recorded for a location:
// the list lives in a local repository folder.
var ErrNotLocalRepository = errors.New("replicas are recorded in a local repository folder")

// ReplicaSpecError is a replica definition that cannot be recorded (a bad
// name or location, a duplicate, a password in the URL): the person's to fix.
type ReplicaSpecError struct{ Err error }

func (e *ReplicaSpecError) Error() string { return e.Err.Error() }
func (e *ReplicaSpecError) Unwrap() error { return e.Err }

// Replica is one offsite or cloud copy of a repository as its list records
// it, with the outcome of its last sync.
type Replica struct {
	Name           string    `json:"name"`
	URL            string    `json:"url"`
	BandwidthLimit int64     `json:"bwlimit,omitempty"` // bytes per second, 0 = unlimited
	Added          time.Time `json:"added"`
	LastAttempt    time.Time `json:"last_attempt,omitzero"`
	LastSync       time.Time `json:"last_sync,omitzero"` // end of the last successful sync
	LastError      string    `json:"last_error,omitempty"`
	LastCopied     int       `json:"last_files_copied,omitempty"`
	LastBytes      int64     `json:"last_bytes_copied,omitempty"`
}

func replicaFromRegistry(r replica.Replica) Replica {
	return Replica{Name: r.Name, URL: r.URL, BandwidthLimit: r.BandwidthLimit, Added: r.Added, LastAttempt: r.LastAttempt,
		LastSync: r.LastSync, LastError: r.LastError, LastCopied: r.LastCopied, LastBytes: r.LastBytes}
}

// ReplicaSpec is what a person gives to define a replica.
type ReplicaSpec struct {
	Name           string `json:"name"`
	URL            string `json:"url"`
	BandwidthLimit int64  `json:"bwlimit,omitempty"` // bytes per second, 0 = unlimited
}

// ReplicaList is the replica list of one local repository folder.
type ReplicaList struct{ dir string }

// OpenReplicaList opens the replica list of the repository at repo, which
// must be a local folder holding a repository (its config file).
func OpenReplicaList(ctx context.Context, repo string) (*ReplicaList, error) {
	dir, ok := location.IsLocal(repo)
	if !ok {
		return nil, fmt.Errorf("replicas of %s: %w; give its folder", repo, ErrNotLocalRepository)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("replicas of %s: %w", repo, err)
	}
	if _, err := os.Stat(filepath.Join(abs, engine.ConfigFile)); err != nil {
		return nil, fmt.Errorf("replicas of %s: %w (its first backup creates it)", abs, engine.ErrNotRepository)
	}
	return &ReplicaList{dir: abs}, nil
}

// Dir is the repository folder.
func (l *ReplicaList) Dir() string { return l.dir }

// Replicas lists the replicas by name.
func (l *ReplicaList) Replicas() ([]Replica, error) {
	reg, err := replica.LoadRegistry(l.dir)
	if err != nil {
		return nil, err
	}
	out := make([]Replica, len(reg.Replicas))
	for i, r := range reg.Replicas {
		out[i] = replicaFromRegistry(r)
	}
	return out, nil
}

// Get returns the replica called name.
func (l *ReplicaList) Get(name string) (Replica, error) {
	reg, err := replica.LoadRegistry(l.dir)
	if err != nil {
		return Replica{}, err
	}
	r, err := reg.Get(name)
	if err != nil {
		return Replica{}, err
	}
	return replicaFromRegistry(r), nil
}

// checkSpec checks a replica's location and limit without connecting.
func checkSpec(spec ReplicaSpec) error {
	if err := location.Check(spec.URL); err != nil {
		return &ReplicaSpecError{fmt.Errorf("replica %q: %w", spec.Name, err)}
	}
	if spec.BandwidthLimit < 0 {
		return &ReplicaSpecError{fmt.Errorf("replica %q: a bandwidth limit cannot be negative", spec.Name)}
	}
	return nil
}

// Add records a new replica; nothing is copied until it is synced.
func (l *ReplicaList) Add(spec ReplicaSpec, now time.Time) (Replica, error) {
	spec.Name, spec.URL = strings.TrimSpace(spec.Name), strings.TrimSpace(spec.URL)
	if err := checkSpec(spec); err != nil {
		return Replica{}, err
	}
	reg, err := replica.LoadRegistry(l.dir)
	if err != nil {
		return Replica{}, err
	}
	rep := replica.Replica{Name: spec.Name, URL: spec.URL, BandwidthLimit: spec.BandwidthLimit, Added: now.UTC()}
	if err := reg.Add(rep); err != nil {
		return Replica{}, &ReplicaSpecError{err}
	}
	if err := reg.Save(); err != nil {
		return Replica{}, err
	}
	return replicaFromRegistry(rep), nil
}

// Edit changes a replica's location and bandwidth limit; its name stays,
// since jobs name it. A new location starts with no sync recorded.
func (l *ReplicaList) Edit(name string, spec ReplicaSpec) (Replica, error) {
	spec.Name, spec.URL = name, strings.TrimSpace(spec.URL)
	if err := checkSpec(spec); err != nil {
		return Replica{}, err
	}
	reg, err := replica.LoadRegistry(l.dir)
	if err != nil {
		return Replica{}, err
	}
	if _, err := reg.Get(name); err != nil {
		return Replica{}, err
	}
	for i := range reg.Replicas {
		r := &reg.Replicas[i]
		if r.Name != name {
			continue
		}
		if r.URL != spec.URL {
			*r = replica.Replica{Name: r.Name, Added: r.Added}
		}
		r.URL, r.BandwidthLimit = spec.URL, spec.BandwidthLimit
		if err := reg.Save(); err != nil {
			return Replica{}, err
		}
		return replicaFromRegistry(*r), nil
	}
	return Replica{}, fmt.Errorf("replica %q: %w", name, replica.ErrUnknownReplica)
}

// Remove forgets a replica; its data stays where it is.
func (l *ReplicaList) Remove(name string) error {
	reg, err := replica.LoadRegistry(l.dir)
	if err != nil {
		return err
	}
	if err := reg.Remove(name); err != nil {
		return err
	}
	return reg.Save()
}

// ReplicaSyncOptions configure a sync; the zero value copies at the
// replica's own bandwidth limit, deletes nothing and reports nothing.
type ReplicaSyncOptions struct {
	BandwidthLimit int64 // bytes per second for this run; 0 = the replica's own
	Delete         bool  // also remove there what forget and prune removed here
	Progress       engine.Progress
}

// ReplicaSync is the outcome of one sync.
type ReplicaSync struct {
	Replica      Replica       `json:"replica"`
	FilesCopied  int           `json:"files_copied"`
	BytesCopied  int64         `json:"bytes_copied"`
	FilesSkipped int           `json:"files_skipped"`
	Duration     time.Duration `json:"duration"`
	Removed      []string      `json:"removed,omitempty"`
}

// Sync copies to the replica what it lacks, snapshots last, checks what it
// copied and records the outcome in the list. A cancelled sync is not
// recorded as the replica's failure.
func (l *ReplicaList) Sync(ctx context.Context, name string, opt ReplicaSyncOptions) (*ReplicaSync, error) {
	res, err := replica.Sync(ctx, l.dir, name, replica.SyncOptions{
		BandwidthLimit: opt.BandwidthLimit, Progress: opt.Progress, Delete: opt.Delete,
	})
	if res == nil {
		return nil, err
	}
	out := &ReplicaSync{Replica: replicaFromRegistry(res.Replica), Removed: res.Removed}
	if c := res.Copy; c != nil {
		out.FilesCopied, out.BytesCopied, out.FilesSkipped, out.Duration = c.FilesCopied, c.BytesCopied, c.FilesSkipped, c.Duration
	}
	return out, err
}

// ReplicaLagInfo is how far a replica is behind its repository, by file
// names and sizes.
type ReplicaLagInfo struct {
	MissingFiles     int   `json:"missing_files"`
	MissingBytes     int64 `json:"missing_bytes"`
	MissingSnapshots int   `json:"missing_snapshots"`
	ExtraFiles       int   `json:"extra_files"`       // there only (kept unless synced with Delete)
	Snapshots        int   `json:"replica_snapshots"` // snapshots the replica holds
}

// UpToDate reports whether the replica has every file of the repository.
func (l ReplicaLagInfo) UpToDate() bool { return l.MissingFiles == 0 }

// Compare lists both sides and says what the replica lacks; nothing is
// downloaded.
func (l *ReplicaList) Compare(ctx context.Context, name string) (Replica, ReplicaLagInfo, error) {
	rep, lag, err := replica.Status(ctx, l.dir, name)
	return replicaFromRegistry(rep), ReplicaLagInfo{MissingFiles: lag.MissingFiles, MissingBytes: lag.MissingBytes,
		MissingSnapshots: lag.MissingSnapshots, ExtraFiles: lag.ExtraFiles, Snapshots: lag.Snapshots}, err
}

// ReplicaCheck is what "connect and list" found at a replica's location.
type ReplicaCheck struct {
	Location  string `json:"location"`  // as the backend names it, without secrets
	Empty     bool   `json:"empty"`     // nothing there yet: the first sync fills it
	Copy      bool   `json:"copy"`      // holds a copy of this repository
	Other     bool   `json:"other"`     // holds another repository: a sync would be refused
	Snapshots int    `json:"snapshots"` // snapshot files there
}

// Test connects to a replica location and lists it, without writing: is
// it reachable, empty, a copy of this repository, or another repository?
func (l *ReplicaList) Test(ctx context.Context, url string) (ReplicaCheck, error) {
	if err := location.Check(url); err != nil {
		return ReplicaCheck{}, err
	}
	be, err := location.Open(ctx, url)
	if err != nil {
		return ReplicaCheck{}, fmt.Errorf("connect to %s: %w", url, err)
	}
	defer be.Close()
	out := ReplicaCheck{Location: be.Location()}
	theirs, err := loadAll(ctx, be, engine.ConfigFile)
	switch {
	case errors.Is(err, backend.ErrNotFound) || errors.Is(err, os.ErrNotExist):
	case err != nil:
		return out, fmt.Errorf("read %s: %w", be.Location(), err)
	default:
		ours, err := os.ReadFile(filepath.Join(l.dir, engine.ConfigFile))
		if err != nil {
			return out, fmt.Errorf("read the repository's config: %w", err)
		}
		out.Copy, out.Other = bytes.Equal(ours, theirs), !bytes.Equal(ours, theirs)
	}
	files := 0
	if err := be.List(ctx, "", func(fi backend.FileInfo) error {
		files++
		if engine.KindOf(fi.Name) == engine.KindSnapshot {
			out.Snapshots++
		}
		return nil
	}); err != nil && !errors.Is(err, os.ErrNotExist) {
		return out, fmt.Errorf("list %s: %w", be.Location(), err)
	}
	out.Empty = files == 0
	return out, nil
}

func loadAll(ctx context.Context, be backend.Backend, name string) ([]byte, error) {
	rc, err := be.Load(ctx, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, 1<<20))
}

// ErrNoRclone means the rclone program is not installed.
var ErrNoRclone = errors.New("rclone is not installed")

// RcloneRemotes lists the remotes `rclone config` defined (RCLONE_CONFIG
// picks the file), as "name:" ready to prefix a path.
func RcloneRemotes(ctx context.Context) ([]string, error) {
	prog, err := exec.LookPath("rclone")
	if err != nil {
		return nil, fmt.Errorf("list rclone remotes: %w (install it: sudo apt-get install rclone, or the installer from rclone.org)", ErrNoRclone)
	}
	// rclone runs with its own allow-listed environment (engine/childproc).
	remotes, err := rclone.Remotes(ctx, rclone.Options{Program: prog})
	if err != nil {
		return nil, fmt.Errorf("list rclone remotes: %w", err)
	}
	return remotes, nil
}

// ParseRate reads a bandwidth in bytes per second: "" or "0" (unlimited),
// "1048576", "512K", "2M", "1.5MiB/s", "1G". K, M, G are powers of 1024, as
// in rclone's --bwlimit.
func ParseRate(s string) (int64, error) {
	in := strings.TrimSpace(s)
	v := strings.TrimSuffix(strings.TrimSuffix(in, "/s"), "ps")
	if v == "" {
		return 0, nil
	}
	mult := 1.0
	upper := strings.ToUpper(v)
	for _, u := range []struct {
		suffix string
		mult   float64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(upper, u.suffix) {
			mult, v = u.mult, v[:len(v)-len(u.suffix)]
			break
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("bandwidth limit %q: write a rate like 512K, 2M or 1.5MiB/s", s)
	}
	rate := int64(f * mult)
	if rate > 0 && rate < 1024 {
		return 0, fmt.Errorf("bandwidth limit %q is below 1K/s", s)
	}
	return rate, nil
}
