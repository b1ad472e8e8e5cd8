package engine

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zeebo/blake3"

	"cadang/engine/backend"
)

// Repository is an open repository. Its methods are safe for concurrent use;
// Forget and Prune wait for other operations of the same Repository value.
type Repository struct {
	be    backend.Backend
	cfg   repoConfig
	crypt *crypter
	gear  *gearTable

	opMu  sync.RWMutex // Prune and Forget hold it exclusively
	packs packCache    // open packs for reading single blobs

	ixMu sync.Mutex            // serialises index refreshes
	idx  atomic.Pointer[index] // replaced whole by a reload or prune
}

// Init creates a new repository in be.
func Init(ctx context.Context, be backend.Backend, opt InitOptions) (*Repository, error) {
	if _, err := be.Stat(ctx, configFile); err == nil {
		return nil, fmt.Errorf("init %s: %w", be.Location(), ErrRepositoryExists)
	} else if !isNotFound(err) {
		return nil, fmt.Errorf("init %s: %w", be.Location(), err)
	}
	rid := make([]byte, 32)
	if _, err := rand.Read(rid); err != nil {
		return nil, err
	}
	cfg := repoConfig{
		Version: formatVersion, ID: hex.EncodeToString(rid), Encrypted: opt.Password != "",
		Chunker: defaultChunker, PackSize: defaultPackSize, Created: time.Now().UTC().Truncate(time.Second),
	}
	if opt.PackSize != 0 {
		cfg.PackSize = opt.PackSize
	}
	if cfg.PackSize < 1<<20 || cfg.PackSize > 1<<30 {
		return nil, fmt.Errorf("init: pack size %d out of range (1 MiB to 1 GiB)", cfg.PackSize)
	}
	var mk *masterKey
	if cfg.Encrypted {
		k, err := newMasterKey()
		if err != nil {
			return nil, err
		}
		host, _ := os.Hostname()
		kf, err := newKeyFile(k, opt.Password, host)
		if err != nil {
			return nil, fmt.Errorf("init: key file: %w", err)
		}
		if _, err := saveNamed(ctx, be, keysDir, kf); err != nil {
			return nil, fmt.Errorf("init %s: %w", be.Location(), err)
		}
		mk = &k
	}
	data, err := encodeConfig(cfg)
	if err != nil {
		return nil, err
	}
	// The config is written last: a crash before it leaves no repository.
	if err := be.Save(ctx, configFile, bytes.NewReader(data), int64(len(data))); err != nil {
		return nil, fmt.Errorf("init %s: %w", be.Location(), err)
	}
	return newRepository(be, cfg, mk)
}

func newRepository(be backend.Backend, cfg repoConfig, mk *masterKey) (*Repository, error) {
	c, err := newCrypter(mk)
	if err != nil {
		return nil, err
	}
	var seed []byte
	if mk != nil {
		seed = make([]byte, 32)
		blake3.DeriveKey("cadang 2026 chunker gear seed", mk.ID, seed)
	}
	r := &Repository{be: be, cfg: cfg, crypt: c, gear: newGearTable(seed)}
	r.idx.Store(newIndex())
	return r, nil
}

// Open opens an existing repository; password may be empty for an unencrypted one.
func Open(ctx context.Context, be backend.Backend, password string) (*Repository, error) {
	data, err := loadAll(ctx, be, configFile)
	if err != nil {
		if isNotFound(err) {
			return nil, fmt.Errorf("open %s: %w", be.Location(), ErrNotRepository)
		}
		return nil, fmt.Errorf("open %s: %w", be.Location(), err)
	}
	cfg, err := decodeConfig(data)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", be.Location(), err)
	}
	if !cfg.Encrypted {
		r, err := newRepository(be, cfg, nil)
		if err != nil {
			return nil, err
		}
		return r, r.refreshIndex(ctx)
	}
	if password == "" {
		return nil, fmt.Errorf("open %s: %w", be.Location(), ErrPasswordRequired)
	}
	mk, err := findKey(ctx, be, password)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", be.Location(), err)
	}
	r, err := newRepository(be, cfg, &mk)
	if err != nil {
		return nil, err
	}
	return r, r.refreshIndex(ctx)
}

// findKey tries every key file with password.
func findKey(ctx context.Context, be backend.Backend, password string) (masterKey, error) {
	ids, err := listIDs(ctx, be, keysDir)
	if err != nil {
		return masterKey{}, fmt.Errorf("list keys: %w", err)
	}
	if len(ids) == 0 {
		return masterKey{}, fmt.Errorf("no key files in %s", keysDir)
	}
	var firstErr error
	for _, id := range ids {
		data, err := loadNamed(ctx, be, keysDir+id.String(), id)
		if err == nil {
			var mk masterKey
			if mk, err = openKeyFile(data, password); err == nil {
				return mk, nil
			}
		}
		if firstErr == nil || errIsWrongPassword(err) {
			firstErr = err
		}
	}
	return masterKey{}, firstErr
}

func errIsWrongPassword(err error) bool { return err == ErrWrongPassword }

// Close releases the repository (and its backend).
func (r *Repository) Close() error {
	r.packs.closeAll()
	return r.be.Close()
}

// Encrypted reports whether the repository has a password.
func (r *Repository) Encrypted() bool { return r.crypt.encrypted() }

// Backend is where the repository lives.
func (r *Repository) Backend() backend.Backend { return r.be }

// ID is the repository's random identity (hex).
func (r *Repository) ID() string { return r.cfg.ID }

// refreshIndex loads index files written since the last load; when one that
// was loaded has gone (another process pruned), it reloads everything.
func (r *Repository) refreshIndex(ctx context.Context) error {
	r.ixMu.Lock()
	defer r.ixMu.Unlock()
	ids, err := listIDs(ctx, r.be, indexDir)
	if err != nil {
		return fmt.Errorf("list index files: %w", err)
	}
	present := make(map[ID]bool, len(ids))
	for _, id := range ids {
		present[id] = true
	}
	ix := r.idx.Load()
	ix.mu.RLock()
	loaded := make(map[ID]bool, len(ix.files))
	gone := false
	for _, id := range ix.files {
		loaded[id] = true
		gone = gone || !present[id]
	}
	ix.mu.RUnlock()
	if gone {
		return r.loadIndex(ctx)
	}
	for _, id := range ids {
		if loaded[id] {
			continue
		}
		packs, err := r.loadIndexFile(ctx, id)
		if err != nil {
			// A damaged index file must not make the repository unusable:
			// verify reports it and packs can be rescanned.
			continue
		}
		for _, p := range packs {
			ix.addPack(p, true)
		}
		ix.mu.Lock()
		ix.files = append(ix.files, id)
		ix.mu.Unlock()
	}
	return nil
}
