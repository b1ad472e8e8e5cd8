package dbsource

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
)

// ErrTargetChanged: a later attempt of a restore found data in its target
// that the restore did not write; the target is left as it is. It is a
// kind of ErrTargetNotEmpty.
var ErrTargetChanged = fmt.Errorf("%w: it holds data this restore did not write", ErrTargetNotEmpty)

// Presence is what a restore target holds before a restore.
type Presence struct {
	Exists bool   // the database (SQLite: the file) exists
	Empty  bool   // it exists and holds nothing: a database someone prepared
	Detail string // what it holds, for messages: "12 objects", "3 tables"
}

// Probe looks at target without changing anything: whether it exists and
// whether it is empty. A caller that retries a restore decides from it,
// once, before the first attempt, whether a later attempt may replace what
// an earlier one left (RestoreOptions.ReplaceOwn).
func Probe(ctx context.Context, target Database, opt Options) (Presence, error) {
	if target.Kind == SQLite {
		st, err := os.Stat(target.File)
		if err != nil {
			if os.IsNotExist(err) {
				return Presence{}, nil
			}
			return Presence{}, fmt.Errorf("look at %s: %w", target.File, err)
		}
		return Presence{Exists: true, Empty: st.Size() == 0, Detail: "the file exists"}, nil
	}
	te, err := newToolEnv(target, opt)
	if err != nil {
		return Presence{}, err
	}
	defer te.Close()
	if target.Kind == Postgres {
		_, p, err := pgLookTarget(ctx, te, target)
		return p, err
	}
	return mysqlLookTarget(ctx, te, target)
}

// onlyOwn returns nil when cur (what the target holds now) can be nothing
// but a restore of want left it: every table is one of want's, with fewer
// rows than recorded (a partly loaded table) or with the recorded rows and
// checksum. A table the backup lacks, more rows than recorded, or the
// recorded number of rows with other content was written by someone else.
// Rows another process added to a partly loaded table without exceeding
// the recorded count cannot be told apart; non-table objects are not
// compared.
func onlyOwn(cur, want Figures) error {
	if want.Tables == nil {
		return fmt.Errorf("%w (the backup's figures are unknown, so nothing there can be shown to be the restore's)", ErrTargetChanged)
	}
	var foreign []string
	for name, c := range cur.Tables {
		w, ok := want.Tables[name]
		switch {
		case !ok:
			foreign = append(foreign, fmt.Sprintf("table %s is not in the backup", name))
		case c.Rows > w.Rows:
			foreign = append(foreign, fmt.Sprintf("table %s has %d rows, the backup %d", name, c.Rows, w.Rows))
		case c.Rows == w.Rows && c.Sum != w.Sum:
			foreign = append(foreign, fmt.Sprintf("table %s has rows the backup does not", name))
		}
	}
	if len(foreign) == 0 {
		return nil
	}
	sort.Strings(foreign)
	return fmt.Errorf("%w (%s): give the data's owner the database, and restore into another name", ErrTargetChanged, strings.Join(foreign, "; "))
}
