package dbsource

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Keys of a database entry's Meta. Per-table figures are "rows:<table>" and
// "sum:<table>", where <table> is schema-qualified for PostgreSQL.
const (
	MetaKind        = "db.kind"
	MetaName        = "db.name"
	MetaMethod      = "db.checksum"    // how sums were computed; compared before sums are
	MetaConsistency = "db.consistency" // why the figures match the dump
	MetaTables      = "db.tables"      // number of tables
	metaRows        = "rows:"
	metaSum         = "sum:"
)

// Checksum methods. Each sums a per-row hash so that the result does not
// depend on row order and needs no sort or memory per table.
const (
	// md5 of the row's text form (ROW(t.*)::text under fixed settings); the
	// first 64 bits as a signed bigint, summed exactly as numeric.
	methodPostgres = "pg-row-md5-sum/1"
	// sha256 of each row tuple as mysqldump writes it; first 64 bits summed mod 2^64.
	methodMySQL = "mysqldump-tuple-sha256-sum/1"
	// sha256 of each row's typed values; first 64 bits summed mod 2^64.
	methodSQLite = "sqlite-row-sha256-sum/1"
)

// TableFigures are one table's row count and checksum.
type TableFigures struct {
	Rows int64  `json:"rows"`
	Sum  string `json:"sum"`
}

// Figures describe a database's tables at one moment.
type Figures struct {
	Kind        Kind
	Name        string
	Method      string
	Consistency string
	Tables      map[string]TableFigures
}

// Meta encodes the figures for an entry's Meta.
func (f Figures) Meta() map[string]string {
	m := map[string]string{
		MetaKind:        string(f.Kind),
		MetaName:        f.Name,
		MetaMethod:      f.Method,
		MetaConsistency: f.Consistency,
		MetaTables:      strconv.Itoa(len(f.Tables)),
	}
	for name, t := range f.Tables {
		m[metaRows+name] = strconv.FormatInt(t.Rows, 10)
		m[metaSum+name] = t.Sum
	}
	return m
}

// FiguresFromMeta decodes what Meta wrote.
func FiguresFromMeta(m map[string]string) (Figures, error) {
	f := Figures{
		Kind:        Kind(m[MetaKind]),
		Name:        m[MetaName],
		Method:      m[MetaMethod],
		Consistency: m[MetaConsistency],
		Tables:      map[string]TableFigures{},
	}
	if f.Kind == "" || f.Method == "" {
		return Figures{}, fmt.Errorf("entry records no table figures (backed up without %s?)", MetaMethod)
	}
	for k, v := range m {
		name, ok := strings.CutPrefix(k, metaRows)
		if !ok {
			continue
		}
		rows, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return Figures{}, fmt.Errorf("recorded row count of %s: %w", name, err)
		}
		f.Tables[name] = TableFigures{Rows: rows, Sum: m[metaSum+name]}
	}
	if want := m[MetaTables]; want != strconv.Itoa(len(f.Tables)) {
		return Figures{}, fmt.Errorf("entry records %s tables but figures for %d", want, len(f.Tables))
	}
	return f, nil
}

// TableCheck compares one table of a restored database with the figures
// recorded at backup time.
type TableCheck struct {
	Table    string `json:"table"`
	WantRows int64  `json:"want_rows"`
	GotRows  int64  `json:"got_rows"`
	WantSum  string `json:"want_sum"`
	GotSum   string `json:"got_sum"`
	OK       bool   `json:"ok"`
	Problem  string `json:"problem,omitempty"`
}

// Verification is the check of a restored database.
type Verification struct {
	Kind      Kind         `json:"kind"`
	Target    string       `json:"target"` // URL of the checked database
	Method    string       `json:"method"`
	Integrity string       `json:"integrity,omitempty"` // SQLite's integrity_check answer
	Tables    []TableCheck `json:"tables"`
}

// OK reports whether every table matched (and SQLite's integrity check passed).
func (v *Verification) OK() bool {
	if v.Kind == SQLite && v.Integrity != "ok" {
		return false
	}
	return len(v.Failed()) == 0
}

// Failed lists the tables that did not match.
func (v *Verification) Failed() []TableCheck {
	var bad []TableCheck
	for _, t := range v.Tables {
		if !t.OK {
			bad = append(bad, t)
		}
	}
	return bad
}

// Rows is the total number of rows found.
func (v *Verification) Rows() int64 {
	var n int64
	for _, t := range v.Tables {
		n += t.GotRows
	}
	return n
}

// compare checks got against want table by table, sorted by name. A table
// missing on either side is a failure.
func compare(want, got Figures) []TableCheck {
	names := map[string]bool{}
	for n := range want.Tables {
		names[n] = true
	}
	for n := range got.Tables {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	checks := make([]TableCheck, 0, len(sorted))
	for _, n := range sorted {
		w, inWant := want.Tables[n]
		g, inGot := got.Tables[n]
		c := TableCheck{Table: n, WantRows: w.Rows, GotRows: g.Rows, WantSum: w.Sum, GotSum: g.Sum}
		switch {
		case !inGot:
			c.Problem = "table missing from the restored database"
		case !inWant:
			c.Problem = "table not in the backup"
		case w.Rows != g.Rows:
			c.Problem = fmt.Sprintf("%d rows, backup recorded %d", g.Rows, w.Rows)
		case w.Sum != g.Sum:
			c.Problem = "row checksum differs from the backup (same row count, changed content)"
		default:
			c.OK = true
		}
		checks = append(checks, c)
	}
	return checks
}

// verification builds the result of comparing figures.
func verification(target Database, want, got Figures) (*Verification, error) {
	if want.Method != got.Method {
		return nil, fmt.Errorf("backup used checksum %q, this Cadang computes %q: cannot compare", want.Method, got.Method)
	}
	return &Verification{Kind: target.Kind, Target: target.String(), Method: got.Method, Tables: compare(want, got)}, nil
}

// recorded holds the figures a dump counted: its reader records them when
// the dump ends, and the engine reads them as the entry's Meta after the
// stream is closed, possibly from another goroutine.
type recorded struct {
	mu      sync.Mutex
	figures Figures
}

func (r *recorded) record(f Figures) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.figures = f
}

func (r *recorded) meta() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.figures.Meta()
}
