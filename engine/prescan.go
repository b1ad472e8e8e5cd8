package engine

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// A Prescan lists and stats the folders of a backup that is about to
// start, while its caller is still opening the repository. Opening an
// encrypted repository is mostly the key derivation (scrypt, one core,
// about 65 ms) and then the lock and the index: the other core is idle,
// and on an unchanged tree the walk's listings and lstat calls are most of
// what the backup has left to do. Backup takes what the prescan found
// (BackupOptions.Prescan) and stops it as its own walk begins, so the two
// never compete for the CPU.
//
// A prescanned folder is as the file system was some tenths of a second
// before the walk would have listed it. A backup never sees the tree at
// one instant anyway; a file changed in between is seen as changed by the
// next backup (its ctime moved), as one changed just after the walk
// passed it would be.
type Prescan struct {
	excludes []string
	limit    int // entries, at most
	cancel   context.CancelFunc
	done     chan struct{}

	mu      sync.Mutex
	dirs    map[string]*prescanned
	entries int
}

// prescanned is one folder as the prescan found it: its entries' names
// (sorted, as os.ReadDir returns them) and their lstat, nil where the
// entry was excluded, not a safe name, or failed (the walk then does it
// itself and reports what it finds).
type prescanned struct {
	names []string
	infos []fs.FileInfo
}

// prescanMaxEntries bounds the prescan's memory (about 200 bytes an
// entry). It is more than it can stat while a repository opens.
const prescanMaxEntries = 100_000

// StartPrescan starts listing paths, skipping what excludes (the
// patterns of BackupOptions.Excludes) skips. Stop it when the backup is
// not going to run; Backup stops it itself.
func StartPrescan(ctx context.Context, paths, excludes []string) *Prescan {
	return startPrescan(ctx, paths, excludes, prescanMaxEntries)
}

func startPrescan(ctx context.Context, paths, excludes []string, limit int) *Prescan {
	ctx, cancel := context.WithCancel(ctx)
	p := &Prescan{excludes: excludes, limit: limit, cancel: cancel, done: make(chan struct{}), dirs: map[string]*prescanned{}}
	go func() {
		defer close(p.done)
		for _, path := range paths {
			abs, err := filepath.Abs(path)
			if err != nil {
				continue
			}
			if fi, err := os.Lstat(abs); err == nil && fi.IsDir() {
				if err := p.scanDir(ctx, abs); err != nil {
					return
				}
			}
		}
	}()
	return p
}

var errPrescanFull = errors.New("prescan: entry limit reached")

// scanDir lists dir, stats its entries, records them and goes on into its
// folders, depth first in name order: the order the walk takes them.
func (p *Prescan) scanDir(ctx context.Context, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // the walk lists it again and reports the error
	}
	found := &prescanned{names: make([]string, len(entries)), infos: make([]fs.FileInfo, len(entries))}
	for i, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := e.Name()
		found.names[i] = name
		full := filepath.Join(dir, name)
		if !validName(name) || excludedBy(p.excludes, full, name) {
			continue
		}
		if fi, err := os.Lstat(full); err == nil {
			found.infos[i] = fi
		}
	}
	p.mu.Lock()
	p.dirs[dir] = found
	p.entries += len(entries)
	full := p.entries >= p.limit
	p.mu.Unlock()
	if full {
		return errPrescanFull
	}
	for i, fi := range found.infos {
		if fi != nil && fi.IsDir() {
			if err := p.scanDir(ctx, filepath.Join(dir, found.names[i])); err != nil {
				return err
			}
		}
	}
	return nil
}

// Stop ends the scan and waits for it; what it found stays for the
// backup to take. Stop on a nil Prescan does nothing.
func (p *Prescan) Stop() {
	if p == nil {
		return
	}
	p.cancel()
	<-p.done
}

// take hands over folder dir's listing, once; nil when the prescan did
// not get to it.
func (p *Prescan) take(dir string) *prescanned {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	found := p.dirs[dir]
	delete(p.dirs, dir)
	return found
}
