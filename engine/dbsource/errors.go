package dbsource

import (
	"errors"
	"fmt"
	"strings"

	"cadang/engine/secrets"
)

// Conditions callers branch on (errors.Is).
var (
	ErrBadURL = errors.New("bad database URL")
	// ErrPasswordInURL: a URL carries a password (user:password@,
	// ?password=, ?sslpassword=, …); the message says where it goes instead.
	ErrPasswordInURL     = secrets.ErrInLocation
	ErrToolMissing       = errors.New("database tool not installed")
	ErrConnectionRefused = errors.New("connection refused")
	ErrUnreachable       = errors.New("server unreachable")
	ErrAuthFailed        = errors.New("login refused")
	ErrNoDatabase        = errors.New("database does not exist")
	ErrTargetNotEmpty    = errors.New("target database exists and is not empty")
	ErrNotDatabaseEntry  = errors.New("not a database entry")
	ErrKindMismatch      = errors.New("entry and target are different kinds of database")
)

// ToolError is a failure of pg_dump, mysql or another external tool. It
// wraps one of the sentinels above when the cause was recognised.
type ToolError struct {
	Tool   string // "pg_dump"
	Kind   Kind
	Addr   string // host:port
	User   string
	DB     string
	Err    error  // a sentinel, or nil when not recognised
	Detail string // the tool's own most telling line
}

func (e *ToolError) Unwrap() error { return e.Err }

func (e *ToolError) Error() string {
	server := kindTitle(e.Kind)
	switch {
	case errors.Is(e.Err, ErrToolMissing):
		return fmt.Sprintf("%s not found: install the %s client tools (Debian: apt-get install %s)", e.Tool, server, clientPackage(e.Kind))
	case errors.Is(e.Err, ErrConnectionRefused):
		return fmt.Sprintf("%s: cannot connect to %s at %s: connection refused (is the server running and listening there?)", e.Tool, server, e.Addr)
	case errors.Is(e.Err, ErrUnreachable):
		return fmt.Sprintf("%s: cannot reach %s at %s: %s", e.Tool, server, e.Addr, e.Detail)
	case errors.Is(e.Err, ErrAuthFailed):
		return fmt.Sprintf("%s: %s at %s refused the login of user %q: wrong or missing password (%s)", e.Tool, server, e.Addr, e.User, passwordHint(e.Kind))
	case errors.Is(e.Err, ErrNoDatabase):
		return fmt.Sprintf("%s: database %q does not exist on %s at %s", e.Tool, e.DB, server, e.Addr)
	}
	if e.Detail == "" {
		return fmt.Sprintf("%s failed", e.Tool)
	}
	return fmt.Sprintf("%s failed: %s", e.Tool, e.Detail)
}

func kindTitle(k Kind) string {
	switch k {
	case Postgres:
		return "PostgreSQL"
	case MySQL:
		return "MySQL/MariaDB"
	case SQLite:
		return "SQLite"
	}
	return string(k)
}

func clientPackage(k Kind) string {
	if k == MySQL {
		return "mariadb-client"
	}
	return "postgresql-client"
}

func passwordHint(k Kind) string {
	if k == MySQL {
		return "set it in ~/.my.cnf or MYSQL_PWD"
	}
	return "set it in ~/.pgpass or PGPASSFILE"
}

// classify recognises the usual failures in a tool's stderr. The tools run
// with LC_MESSAGES=C, so the English texts below are what they print.
func classify(k Kind, stderr string) (detail string, sentinel error) {
	low := strings.ToLower(stderr)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(low, s) {
				return true
			}
		}
		return false
	}
	detail = secrets.Redact(tellingLine(stderr)) // a tool may echo its connection string
	switch {
	case has("could not translate host name", "unknown server host", "no route to host", "timeout expired", "network is unreachable", "(110)", "(113)"):
		return detail, ErrUnreachable
	case has("connection refused", "can't connect to"): // MariaDB: error 2002/2003, errno 111 or 115
		return detail, ErrConnectionRefused
	case has("password authentication failed", "no password supplied", "authentication failed", "access denied for user", "pg_hba.conf rejects"):
		return detail, ErrAuthFailed
	case k == Postgres && has("role \"") && has("\" does not exist"):
		return detail, ErrAuthFailed
	case has("unknown database") || (k == Postgres && has("database \"") && has("\" does not exist")):
		return detail, ErrNoDatabase
	}
	return detail, nil
}

// tellingLine picks the line of a tool's stderr worth showing: the first
// error line, else the last non-empty line.
func tellingLine(stderr string) string {
	var last string
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		low := strings.ToLower(l)
		if strings.Contains(low, "error") || strings.Contains(low, "fatal") {
			return l
		}
		last = l
	}
	return last
}
