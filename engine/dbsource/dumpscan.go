package dbsource

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"strings"
)

// dumpScanner counts and checksums the rows of a mysqldump script as it
// streams past, without keeping more than one table name in memory. It
// understands the two line shapes mysqldump writes for tables:
//
//	CREATE TABLE [IF NOT EXISTS] `name` (   registers the table (it may stay empty)
//	INSERT INTO `name` VALUES (…),(…);   (tuples may be on lines of their own)
//
// Each row tuple (the text between its parentheses, quotes and escapes
// included, exactly as written) is hashed; the sum of the hashes' first 64
// bits is the table's checksum, independent of row order.
type dumpScanner struct {
	state   scanState
	match   []byte // prefix being matched at the start of a line
	name    []byte // table name being read
	table   string // table whose INSERT is being read
	tables  map[string]*tableAcc
	depth   int
	inQuote bool
	escape  bool
	row     hash.Hash
}

type tableAcc struct {
	rows int64
	sum  uint64
}

type scanState int

const (
	scanLineStart scanState = iota // matching a known prefix
	scanSkipLine                   // uninteresting until the next newline
	scanName                       // inside `name`
	scanNameTick                   // saw a backtick inside a name: end or doubled?
	scanAfterName                  // until VALUES tuples begin (or the line ends)
	scanTuples                     // between tuples
	scanTuple                      // inside a tuple
)

// linePrefixes start the lines that name a table (log tables are created
// with IF NOT EXISTS).
var linePrefixes = [][]byte{
	[]byte("INSERT INTO `"),
	[]byte("CREATE TABLE `"),
	[]byte("CREATE TABLE IF NOT EXISTS `"),
}

func newDumpScanner() *dumpScanner {
	return &dumpScanner{tables: map[string]*tableAcc{}, row: sha256.New()}
}

// Write feeds the next part of the dump; it never fails.
func (s *dumpScanner) Write(p []byte) (int, error) {
	start := -1 // start of the part of p inside the current tuple
	for i, c := range p {
		switch s.state {
		case scanLineStart:
			s.lineStart(c)
		case scanSkipLine:
			if c == '\n' {
				s.newLine()
			}
		case scanName:
			if c == '`' {
				s.state = scanNameTick
			} else {
				s.name = append(s.name, c)
			}
		case scanNameTick:
			if c == '`' { // a doubled backtick is one backtick of the name
				s.name = append(s.name, c)
				s.state = scanName
			} else {
				s.endName(c)
			}
		case scanAfterName:
			s.afterName(c)
		case scanTuples:
			s.betweenTuples(c)
			if s.state == scanTuple {
				start = i + 1
			}
		case scanTuple:
			if start < 0 {
				start = i
			}
			if s.inTuple(c) {
				s.row.Write(p[start:i]) // the tuple without its closing parenthesis
				s.endTuple()
				start = -1
			}
		}
	}
	if s.state == scanTuple && start >= 0 {
		s.row.Write(p[start:])
	}
	return len(p), nil
}

func (s *dumpScanner) newLine() {
	s.state, s.match = scanLineStart, s.match[:0]
}

func (s *dumpScanner) lineStart(c byte) {
	if c == '\n' {
		s.newLine()
		return
	}
	s.match = append(s.match, c)
	n, partial := len(s.match), false
	for _, p := range linePrefixes {
		if n > len(p) || !bytes.Equal(p[:n], s.match) {
			continue
		}
		if n == len(p) {
			s.state, s.name = scanName, s.name[:0]
			return
		}
		partial = true
	}
	if !partial {
		s.state = scanSkipLine
	}
}

func (s *dumpScanner) endName(c byte) {
	name := string(s.name)
	if _, ok := s.tables[name]; !ok {
		s.tables[name] = &tableAcc{}
	}
	if bytes.HasPrefix(s.match, []byte("CREATE")) {
		s.state = scanSkipLine
	} else {
		s.table, s.state, s.match = name, scanAfterName, s.match[:0]
	}
	if c == '\n' {
		s.newLine()
	}
}

// afterName waits for "VALUES (": a column list, were one written, is not a
// row. MariaDB's mysqldump puts VALUES and each tuple on lines of their own,
// so only the statement's semicolon ends it, not a newline.
func (s *dumpScanner) afterName(c byte) {
	switch {
	case c == ';':
		s.state = scanSkipLine
	case c == '(' && strings.HasSuffix(strings.TrimRight(string(s.match), " \t\r\n"), "VALUES"):
		s.state = scanTuples
		s.betweenTuples(c)
	case len(s.match) < 64: // enough to hold " VALUES ", bounded whatever follows
		s.match = append(s.match, c)
	}
}

func (s *dumpScanner) betweenTuples(c byte) {
	switch c {
	case '(':
		s.state, s.depth, s.inQuote, s.escape = scanTuple, 1, false, false
		s.row.Reset()
	case ';':
		s.state = scanSkipLine
	}
}

// inTuple follows quotes and escapes; it reports the tuple's closing parenthesis.
func (s *dumpScanner) inTuple(c byte) bool {
	switch {
	case s.escape:
		s.escape = false
	case s.inQuote && c == '\\':
		s.escape = true
	case c == '\'':
		s.inQuote = !s.inQuote
	case s.inQuote:
	case c == '(':
		s.depth++
	case c == ')':
		s.depth--
		return s.depth == 0
	}
	return false
}

func (s *dumpScanner) endTuple() {
	var sum [sha256.Size]byte
	acc := s.tables[s.table]
	acc.rows++
	acc.sum += binary.BigEndian.Uint64(s.row.Sum(sum[:0]))
	s.state = scanTuples
}

// figures returns what was scanned.
func (s *dumpScanner) figures(name string) Figures {
	f := Figures{Kind: MySQL, Name: name, Method: methodMySQL, Tables: map[string]TableFigures{}}
	for t, acc := range s.tables {
		f.Tables[t] = TableFigures{Rows: acc.rows, Sum: fmt.Sprintf("%016x", acc.sum)}
	}
	return f
}
