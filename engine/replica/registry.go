package replica

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"
)

// RegistryFile is the name of the replica list inside a local repository
// folder. It is a local setting: Copy never sends it to a replica.
const RegistryFile = "replicas.json"

// ErrUnknownReplica is returned for a name that is not in the registry.
var ErrUnknownReplica = errors.New("no replica with that name")

// Replica is one configured copy of a repository and the outcome of its
// last sync.
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

// Registry is the replica list of one local repository folder.
type Registry struct {
	dir      string
	Replicas []Replica `json:"replicas"`
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// LoadRegistry reads repoDir/replicas.json; a missing file is an empty list.
func LoadRegistry(repoDir string) (*Registry, error) {
	r := &Registry{dir: repoDir}
	data, err := os.ReadFile(filepath.Join(repoDir, RegistryFile))
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read replica list: %w", err)
	}
	if err := json.Unmarshal(data, r); err != nil {
		return nil, fmt.Errorf("read replica list %s: %w", filepath.Join(repoDir, RegistryFile), err)
	}
	return r, nil
}

// Get returns the replica called name.
func (r *Registry) Get(name string) (Replica, error) {
	for _, rep := range r.Replicas {
		if rep.Name == name {
			return rep, nil
		}
	}
	return Replica{}, fmt.Errorf("replica %q: %w in %s (record it with: cadang replica add --repo %s %s URL)",
		name, ErrUnknownReplica, filepath.Join(r.dir, RegistryFile), r.dir, name)
}

// Add registers a new replica. Secrets never belong in the URL: SSH keys,
// rclone's own configuration and the S3 environment hold them.
func (r *Registry) Add(rep Replica) error {
	if !nameRE.MatchString(rep.Name) {
		return fmt.Errorf("replica name %q: use letters, digits, '.', '_' or '-'", rep.Name)
	}
	if rep.URL == "" {
		return fmt.Errorf("replica %q: no URL", rep.Name)
	}
	if u, err := url.Parse(rep.URL); err == nil && u.User != nil {
		if _, hasPassword := u.User.Password(); hasPassword {
			return fmt.Errorf("replica %q: the URL contains a password; use an SSH key or the S3 environment instead", rep.Name)
		}
	}
	if _, err := r.Get(rep.Name); err == nil {
		return fmt.Errorf("replica %q already exists", rep.Name)
	}
	r.Replicas = append(r.Replicas, rep)
	sort.Slice(r.Replicas, func(i, j int) bool { return r.Replicas[i].Name < r.Replicas[j].Name })
	return nil
}

// Remove forgets the replica called name (its data stays where it is).
func (r *Registry) Remove(name string) error {
	for i, rep := range r.Replicas {
		if rep.Name == name {
			r.Replicas = append(r.Replicas[:i], r.Replicas[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("replica %q: %w", name, ErrUnknownReplica)
}

// RecordSync stores the outcome of a sync of name: res on success, err otherwise.
func (r *Registry) RecordSync(name string, at time.Time, res *Result, syncErr error) error {
	for i := range r.Replicas {
		rep := &r.Replicas[i]
		if rep.Name != name {
			continue
		}
		rep.LastAttempt = at
		if syncErr != nil {
			rep.LastError = syncErr.Error()
			return nil
		}
		rep.LastError = ""
		rep.LastSync = at
		if res != nil {
			rep.LastCopied, rep.LastBytes = res.FilesCopied, res.BytesCopied
		}
		return nil
	}
	return fmt.Errorf("replica %q: %w", name, ErrUnknownReplica)
}

// Save writes the list atomically (temporary file, fsync, rename).
func (r *Registry) Save() (err error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	final := filepath.Join(r.dir, RegistryFile)
	f, err := os.CreateTemp(r.dir, ".tmp-"+RegistryFile+"-")
	if err != nil {
		return fmt.Errorf("save replica list: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("save replica list: %w", err)
	}
	if err = errors.Join(f.Sync(), f.Close()); err != nil { // close before rename: Windows
		return fmt.Errorf("save replica list: %w", err)
	}
	if err = os.Rename(f.Name(), final); err != nil {
		return fmt.Errorf("save replica list: %w", err)
	}
	return nil
}
