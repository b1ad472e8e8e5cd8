package dbsource

import (
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// Kind is a database engine.
type Kind string

// The supported kinds; they are also the middle part of an entry path.
const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
	MySQL    Kind = "mysql"
)

// EntryPrefix is where database entries live in a snapshot.
const EntryPrefix = "db/"

// Database is a parsed database URL.
type Database struct {
	Kind Kind
	// Name is the database name (for SQLite, the file's base name).
	Name string
	// File is the absolute path of a SQLite database.
	File string
	// User, Host and Port address a server; Port is 0 for the tool's default.
	User string
	Host string
	Port int
	// Query keeps extra libpq parameters (sslmode, …) of a PostgreSQL URL.
	Query url.Values
}

// Parse reads a database URL:
//
//	sqlite:///abs/path.db
//	postgres://user@host:port/db   (postgresql:// is accepted too)
//	mysql://user@host:port/db      (mariadb:// is accepted too)
//
// A URL with a password is refused: the password belongs in the tools' own
// files or environment.
func Parse(raw string) (Database, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return Database{}, fmt.Errorf("database URL %q: %w", redact(raw), ErrBadURL)
	}
	if _, ok := u.User.Password(); ok {
		return Database{}, fmt.Errorf("database URL %s: %w", redact(raw), ErrPasswordInURL)
	}
	switch strings.ToLower(u.Scheme) {
	case "sqlite", "sqlite3":
		return parseSQLite(u, raw)
	case "postgres", "postgresql":
		return parseServer(Postgres, u, raw)
	case "mysql", "mariadb":
		return parseServer(MySQL, u, raw)
	}
	return Database{}, fmt.Errorf("database URL %s: unknown kind %q (use sqlite://, postgres:// or mysql://): %w", redact(raw), u.Scheme, ErrBadURL)
}

func parseSQLite(u *url.URL, raw string) (Database, error) {
	p := u.Path
	if u.Opaque != "" {
		p = u.Opaque
	}
	if u.Host != "" || !filepath.IsAbs(p) {
		return Database{}, fmt.Errorf("database URL %s: a SQLite URL names an absolute path, e.g. sqlite:///var/lib/app/app.db: %w", raw, ErrBadURL)
	}
	p = filepath.Clean(p)
	if name := filepath.Base(p); !validEntryName(name) {
		return Database{}, fmt.Errorf("database URL %s: %q is not a database file: %w", raw, p, ErrBadURL)
	}
	return Database{Kind: SQLite, Name: filepath.Base(p), File: p}, nil
}

func parseServer(kind Kind, u *url.URL, raw string) (Database, error) {
	name := strings.TrimPrefix(u.Path, "/")
	if !validEntryName(name) {
		return Database{}, fmt.Errorf("database URL %s: name one database, e.g. %s://user@host:port/sales: %w", redact(raw), kind, ErrBadURL)
	}
	d := Database{Kind: kind, Name: name, Host: u.Hostname(), Query: u.Query()}
	if u.User != nil {
		d.User = u.User.Username()
	}
	if ps := u.Port(); ps != "" {
		port, err := strconv.Atoi(ps)
		if err != nil || port <= 0 || port > 65535 {
			return Database{}, fmt.Errorf("database URL %s: bad port %q: %w", redact(raw), ps, ErrBadURL)
		}
		d.Port = port
	}
	if kind == MySQL && len(d.Query) > 0 {
		return Database{}, fmt.Errorf("database URL %s: MySQL URLs take no parameters (put options in ~/.my.cnf): %w", redact(raw), ErrBadURL)
	}
	return d, nil
}

// validEntryName accepts names that make one path component of an entry.
func validEntryName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\\\x00")
}

// EntryPath is the database's entry in a snapshot: db/<kind>/<name>.
func (d Database) EntryPath() string {
	return path.Join("db", string(d.Kind), d.Name)
}

// WithName returns the same server address naming another database.
func (d Database) WithName(name string) Database {
	d.Name = name
	return d
}

// String is the URL again (never with a password).
func (d Database) String() string {
	if d.Kind == SQLite {
		return "sqlite://" + filepath.ToSlash(d.File)
	}
	u := url.URL{Scheme: string(d.Kind), Host: d.Host, Path: "/" + d.Name}
	if d.Port != 0 {
		u.Host += ":" + strconv.Itoa(d.Port)
	}
	if d.User != "" {
		u.User = url.User(d.User)
	}
	if len(d.Query) > 0 {
		u.RawQuery = d.Query.Encode()
	}
	return u.String()
}

// address is host:port for messages.
func (d Database) address() string {
	host := d.Host
	if host == "" {
		host = "localhost"
	}
	if d.Port == 0 {
		return host
	}
	return host + ":" + strconv.Itoa(d.Port)
}

// KindOfEntry returns the kind and name of a snapshot entry path
// "db/<kind>/<name>"; ok is false for other paths.
func KindOfEntry(p string) (kind Kind, name string, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimPrefix(p, "/"), EntryPrefix)
	if !found {
		return "", "", false
	}
	k, n, found := strings.Cut(rest, "/")
	if !found || n == "" || strings.Contains(n, "/") {
		return "", "", false
	}
	switch Kind(k) {
	case SQLite, Postgres, MySQL:
		return Kind(k), n, true
	}
	return "", "", false
}

// redact hides a password if one slipped into a URL, for error messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// IsURL reports whether a backup source names a database (a URL with one of
// the schemes Parse knows) rather than a file or folder.
func IsURL(source string) bool {
	scheme, _, ok := strings.Cut(source, "://")
	if !ok {
		return false
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3", "postgres", "postgresql", "mysql", "mariadb":
		return true
	}
	return false
}

// SplitSources separates a job's sources into paths and database URLs,
// keeping their order.
func SplitSources(sources []string) (paths, urls []string) {
	for _, s := range sources {
		if IsURL(s) {
			urls = append(urls, s)
		} else {
			paths = append(paths, s)
		}
	}
	return paths, urls
}
