package dbsource

import (
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"cadang/engine/secrets"
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
	if err := secrets.Check(raw); err != nil {
		return Database{}, fmt.Errorf("database URL %s: %w", secrets.Redact(raw), err) // wraps ErrPasswordInURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return Database{}, fmt.Errorf("database URL %q: %w", secrets.Redact(raw), ErrBadURL)
	}
	if _, ok := u.User.Password(); ok { // Check saw it already; kept for what url.Parse reads differently
		return Database{}, fmt.Errorf("database URL %s: %w", redact(raw), &secrets.Error{Found: "a password after the user name", Hint: secrets.Hint(u.Scheme)})
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
		return Database{}, fmt.Errorf("database URL %s: a SQLite URL names an absolute path, e.g. sqlite:///var/lib/app/app.db: %w", secrets.Redact(raw), ErrBadURL)
	}
	p = filepath.Clean(p)
	if name := filepath.Base(p); !validEntryName(name) {
		return Database{}, fmt.Errorf("database URL %s: %q is not a database file: %w", secrets.Redact(raw), p, ErrBadURL)
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
		bare, _, _ := strings.Cut(raw, "?")
		return Database{}, fmt.Errorf("database URL %s: MySQL URLs take no parameters (put options in ~/.my.cnf): %w", redact(bare), ErrBadURL)
	}
	for name := range d.Query {
		if !pgParams[name] {
			bare, _, _ := strings.Cut(raw, "?") // an unknown parameter's value may be a secret
			return Database{}, fmt.Errorf("database URL %s: parameter %q is not one Cadang passes to PostgreSQL's tools (connection options such as sslmode, sslrootcert, passfile, service, connect_timeout; put the rest in a pg_service.conf service): %w", redact(bare), name, ErrBadURL)
		}
	}
	return d, nil
}

// pgParams are the libpq parameters a PostgreSQL URL may carry: how to
// connect, never a secret (password, sslpassword, oauth_client_secret) nor
// what the URL's own parts say (host, port, user, dbname: the entry's name
// and every message come from those).
var pgParams = map[string]bool{
	"application_name": true, "fallback_application_name": true, "connect_timeout": true, "client_encoding": true,
	"options": true, "keepalives": true, "keepalives_idle": true, "keepalives_interval": true, "keepalives_count": true,
	"tcp_user_timeout": true, "sslmode": true, "sslnegotiation": true, "sslcompression": true, "sslcert": true,
	"sslkey": true, "sslcertmode": true, "sslrootcert": true, "sslcrl": true, "sslcrldir": true, "sslsni": true,
	"requirepeer": true, "ssl_min_protocol_version": true, "ssl_max_protocol_version": true, "gssencmode": true,
	"krbsrvname": true, "gsslib": true, "gssdelegation": true, "channel_binding": true, "require_auth": true,
	"target_session_attrs": true, "load_balance_hosts": true, "service": true, "passfile": true, "hostaddr": true,
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

// redact hides any secret of a URL, for error messages.
func redact(raw string) string { return secrets.Redact(raw) }

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
