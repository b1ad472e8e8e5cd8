package engine

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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

	ixMu     sync.Mutex            // serialises index refreshes
	idx      atomic.Pointer[index] // replaced whole by a reload or prune
	idxReady atomic.Bool           // the stored index was loaded (listing snapshots needs none)

	keyMu     sync.Mutex
	legacyKey *openedKey // a key file that does not yet authenticate the config
}

// Init creates a new repository in be.
func Init(ctx context.Context, be backend.Backend, opt InitOptions) (*Repository, error) {
	if _, err := be.Stat(ctx, ConfigFile); err == nil {
		return nil, fmt.Errorf("init %s: %w", be.Location(), ErrRepositoryExists)
	} else if !isNotFound(err) {
		return nil, fmt.Errorf("init %s: %w", be.Location(), err)
	}
	if err := clearInterruptedInit(ctx, be); err != nil {
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
	data, err := encodeConfig(cfg)
	if err != nil {
		return nil, err
	}
	if cfg, err = decodeConfig(data); err != nil { // fills cfg.sum
		return nil, fmt.Errorf("init: %w", err)
	}
	var mk *masterKey
	if cfg.Encrypted {
		k, err := newMasterKey()
		if err != nil {
			return nil, err
		}
		k.Config = cfg.sum // the key file authenticates the config
		host, _ := os.Hostname()
		kf, err := newKeyFile(k, opt.Password, host)
		if err != nil {
			return nil, fmt.Errorf("init: key file: %w", err)
		}
		if _, err := saveNamed(ctx, be, KeysDir, kf); err != nil {
			return nil, fmt.Errorf("init %s: %w", be.Location(), err)
		}
		mk = &k
	}
	// The config is written last: a crash before it leaves no repository.
	if err := be.Save(ctx, ConfigFile, bytes.NewReader(data), int64(len(data))); err != nil {
		return nil, fmt.Errorf("init %s: %w", be.Location(), err)
	}
	return newRepository(be, cfg, mk)
}

// clearInterruptedInit removes the key files of an init that stopped before
// it wrote the config (the config comes last), so that they cannot be taken
// for this repository's keys. A location that holds packs, index files or
// snapshots without a config is refused: its config was lost, not never
// written.
func clearInterruptedInit(ctx context.Context, be backend.Backend) error {
	keys, err := listIDs(ctx, be, KeysDir)
	if err != nil || len(keys) == 0 {
		return err
	}
	for _, dir := range []string{SnapshotsDir, IndexDir, PacksDir} {
		found := false
		err := be.List(ctx, dir, func(backend.FileInfo) error {
			found = true
			return errStopList
		})
		if err != nil && !errors.Is(err, errStopList) {
			return err
		}
		if found {
			return fmt.Errorf("it holds %s and key files but no config: %w", dir, ErrRepositoryExists)
		}
	}
	for _, id := range keys {
		if err := be.Remove(ctx, KeysDir+id.String()); err != nil && !isNotFound(err) {
			return fmt.Errorf("remove the key file of an interrupted init: %w", err)
		}
	}
	return nil
}

// errStopList ends a List early.
var errStopList = errors.New("stop listing")

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

// Open opens an existing repository; password may be empty for an
// unencrypted one. A password for a repository that is not encrypted is
// refused (ErrNotEncrypted), and so is a config that contradicts the key
// files (ErrTampered): an edited config must never make Cadang write
// plaintext into an encrypted repository.
func Open(ctx context.Context, be backend.Backend, password string) (*Repository, error) {
	data, err := loadAll(ctx, be, ConfigFile)
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
	keys, err := listIDs(ctx, be, KeysDir)
	if err != nil {
		return nil, fmt.Errorf("open %s: list keys: %w", be.Location(), err)
	}
	if !cfg.Encrypted {
		switch {
		case len(keys) > 0:
			return nil, fmt.Errorf("open %s: the config says \"not encrypted\" but the repository has key files: %w", be.Location(), ErrTampered)
		case password != "":
			return nil, fmt.Errorf("open %s: %w", be.Location(), ErrNotEncrypted)
		}
		r, err := newRepository(be, cfg, nil)
		if err != nil {
			return nil, err
		}
		return r, nil // the index loads when first needed (refreshIndex)
	}
	if password == "" {
		return nil, fmt.Errorf("open %s: %w", be.Location(), ErrPasswordRequired)
	}
	k, err := findKey(ctx, be, keys, password, cfg.sum)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", be.Location(), err)
	}
	r, err := newRepository(be, cfg, &k.mk)
	if err != nil {
		return nil, err
	}
	if k.mk.Config == "" {
		r.legacyKey = &k // authenticated by the first writer (upgradeKey)
	}
	return r, nil
}

// openedKey is a key file that password opened.
type openedKey struct {
	name string // keys/<id>
	mk   masterKey
	kf   keyFile
	kek  []byte // wraps mk: lets upgradeKey rewrite the file without the password
}

// findKey tries the key files ids with password and returns the one whose
// master key authenticates config (its checksum sum). A key file written
// before key files authenticated the config is used only when no key file
// that does opens: an old key file left next to its replacement (on a
// replica, say) cannot be used to skip the check. A key file that opens but
// authenticates another config is ErrTampered.
func findKey(ctx context.Context, be backend.Backend, ids []ID, password, sum string) (openedKey, error) {
	if len(ids) == 0 {
		return openedKey{}, fmt.Errorf("no key files in %s", KeysDir)
	}
	var legacy *openedKey
	var firstErr error
	for _, id := range ids {
		name := KeysDir + id.String()
		data, err := loadNamed(ctx, be, name, id)
		if err == nil {
			var k openedKey
			if k.mk, k.kf, k.kek, err = unwrapKeyFile(data, password); err == nil {
				k.name = name
				switch {
				case k.mk.Config == sum:
					return k, nil
				case k.mk.Config == "":
					if legacy == nil {
						legacy = &k
					}
					continue
				default:
					err = fmt.Errorf("key %s authenticates another config: %w", id.String()[:8], ErrTampered)
				}
			}
		}
		if firstErr == nil || keyErrRank(err) > keyErrRank(firstErr) {
			firstErr = err
		}
	}
	if legacy != nil && !errors.Is(firstErr, ErrTampered) {
		return *legacy, nil
	}
	return openedKey{}, firstErr
}

// keyErrRank orders the failures of key files: the one reported is the most
// telling (a tampered config, then a wrong password, then damage).
func keyErrRank(err error) int {
	switch {
	case errors.Is(err, ErrTampered):
		return 2
	case errors.Is(err, ErrWrongPassword):
		return 1
	}
	return 0
}

// upgradeKey gives a repository written before key files authenticated the
// config a key file that does: the same master key, salt and password,
// plus the config's checksum; then it removes the old key file. The config
// is trusted as it is at this moment (docs/FORMAT.md §4). Called by writers
// under the exclusive lock; a no-op once done.
func (r *Repository) upgradeKey(ctx context.Context) error {
	r.keyMu.Lock()
	defer r.keyMu.Unlock()
	k := r.legacyKey
	if k == nil {
		return nil
	}
	mk := k.mk
	mk.Config = r.cfg.sum
	data, err := sealKeyFile(k.kf, k.kek, mk)
	if err != nil {
		return fmt.Errorf("authenticate the config: %w", err)
	}
	if _, err := saveNamed(ctx, r.be, KeysDir, data); err != nil {
		return fmt.Errorf("authenticate the config: save key: %w", err)
	}
	if err := r.be.Remove(ctx, k.name); err != nil && !isNotFound(err) {
		return fmt.Errorf("authenticate the config: remove the old key %s: %w", k.name, err)
	}
	r.legacyKey = nil
	return nil
}

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
func (r *Repository) refreshIndex(ctx context.Context) (err error) {
	r.ixMu.Lock()
	defer r.ixMu.Unlock()
	ids, err := listIDs(ctx, r.be, IndexDir)
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
	defer func() {
		if err == nil {
			r.idxReady.Store(true)
		}
	}()
	if gone || !r.idxReady.Load() { // a first load is a bulk load, sorted once
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
