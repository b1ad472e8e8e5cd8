package dbsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"cadang/engine"
)

// Prepared is a SQLite database copied now, with the online backup API,
// and handed to a backup later as a stream. A caller that backs up a
// database together with files that refer to it (a catalog and the
// documents it registers) takes the copy first, so that everything the
// copy registers was already on disk when the files are read.
type Prepared struct {
	db     Database
	dump   *sqliteDump
	mu     sync.Mutex
	rc     io.ReadCloser
	opened bool
}

// PrepareSQLite copies the SQLite database d at once (consistent while
// other connections write; checked with integrity_check; its figures
// recorded) into a private temporary directory. Close removes the copy;
// the stream's reader removes it too once the engine has read it.
func PrepareSQLite(ctx context.Context, d Database, opt Options) (*Prepared, error) {
	if d.Kind != SQLite {
		return nil, fmt.Errorf("prepare %s: only SQLite databases are copied ahead", d)
	}
	dump := &sqliteDump{db: d, opt: opt}
	rc, err := dump.open(ctx)
	if err != nil {
		return nil, err
	}
	return &Prepared{db: d, dump: dump, rc: rc}, nil
}

// Figures are what the copy holds, as recorded with the stream.
func (p *Prepared) Figures() Figures {
	p.dump.mu.Lock()
	defer p.dump.mu.Unlock()
	return p.dump.figures
}

// Stream is the copy as an engine stream at the database's entry path. It
// can be opened once.
func (p *Prepared) Stream() engine.Stream {
	return engine.Stream{Path: p.db.EntryPath(), Meta: p.dump.meta, Open: func(ctx context.Context) (io.ReadCloser, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.opened {
			return nil, errors.New("the prepared copy of " + p.db.String() + " was already read")
		}
		p.opened = true
		return p.rc, nil
	}}
}

// Close removes the copy; calling it again, or after the engine read and
// closed the stream, does nothing more.
func (p *Prepared) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rc.Close()
}
