package dbsource

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		raw   string
		want  Database
		entry string
		err   error
	}{
		{raw: "sqlite:///var/lib/app/app.db", want: Database{Kind: SQLite, Name: "app.db", File: "/var/lib/app/app.db"}, entry: "db/sqlite/app.db"},
		{raw: "sqlite:///var/lib/../lib/app.db", want: Database{Kind: SQLite, Name: "app.db", File: "/var/lib/app.db"}, entry: "db/sqlite/app.db"},
		{raw: "postgres://cadang@127.0.0.1:55432/sales", want: Database{Kind: Postgres, Name: "sales", User: "cadang", Host: "127.0.0.1", Port: 55432}, entry: "db/postgres/sales"},
		{raw: "postgresql://db.example/sales?sslmode=require", want: Database{Kind: Postgres, Name: "sales", Host: "db.example"}, entry: "db/postgres/sales"},
		{raw: "mysql://root@localhost/shop", want: Database{Kind: MySQL, Name: "shop", User: "root", Host: "localhost"}, entry: "db/mysql/shop"},
		{raw: "mariadb://u@h:3307/shop", want: Database{Kind: MySQL, Name: "shop", User: "u", Host: "h", Port: 3307}, entry: "db/mysql/shop"},
		{raw: "postgres://u:secret@h/db", err: ErrPasswordInURL},
		{raw: "mysql://u:secret@h/db", err: ErrPasswordInURL},
		{raw: "sqlite://relative/app.db", err: ErrBadURL},
		{raw: "sqlite:app.db", err: ErrBadURL},
		{raw: "postgres://u@h:5432/", err: ErrBadURL},
		{raw: "postgres://u@h:99999/db", err: ErrBadURL},
		{raw: "postgres://u@h/a/b", err: ErrBadURL},
		{raw: "mysql://u@h/db?ssl=1", err: ErrBadURL},
		{raw: "oracle://u@h/db", err: ErrBadURL},
		{raw: "sqlite:///", err: ErrBadURL},
		{raw: "postgres://u@h/..", err: ErrBadURL},
		{raw: "mysql://u@h/a%2Fb", err: ErrBadURL},
		{raw: "/plain/path.db", err: ErrBadURL},
		{raw: "", err: ErrBadURL},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			got, err := Parse(tc.raw)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("got %v, want %v", err, tc.err)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Fatalf("error %q shows the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != tc.want.Kind || got.Name != tc.want.Name || got.File != tc.want.File || got.User != tc.want.User || got.Host != tc.want.Host || got.Port != tc.want.Port {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if got.EntryPath() != tc.entry {
				t.Fatalf("entry %q, want %q", got.EntryPath(), tc.entry)
			}
			again, err := Parse(got.String())
			if err != nil || again.EntryPath() != got.EntryPath() || again.String() != got.String() {
				t.Fatalf("String() %q does not parse back: %+v %v", got.String(), again, err)
			}
		})
	}
}

func TestKindOfEntry(t *testing.T) {
	for _, tc := range []struct {
		path string
		kind Kind
		name string
		ok   bool
	}{
		{"db/postgres/sales", Postgres, "sales", true},
		{"/db/mysql/shop", MySQL, "shop", true},
		{"db/sqlite/app.db", SQLite, "app.db", true},
		{"db/oracle/x", "", "", false},
		{"db/postgres", "", "", false},
		{"db/postgres/a/b", "", "", false},
		{"home/db/postgres/a", "", "", false},
	} {
		kind, name, ok := KindOfEntry(tc.path)
		if kind != tc.kind || name != tc.name || ok != tc.ok {
			t.Errorf("KindOfEntry(%q) = %q, %q, %v; want %q, %q, %v", tc.path, kind, name, ok, tc.kind, tc.name, tc.ok)
		}
	}
}

func TestStreamsRefusesTwoDatabasesOnOneEntry(t *testing.T) {
	_, err := Streams([]string{"sqlite:///a/app.db", "sqlite:///b/app.db"}, Options{})
	if err == nil || !strings.Contains(err.Error(), "both be stored as db/sqlite/app.db") {
		t.Fatalf("got %v", err)
	}
	s, err := Streams([]string{"sqlite:///a/app.db", "postgres://u@h/app.db"}, Options{})
	if err != nil || len(s) != 2 {
		t.Fatalf("got %v, %d streams", err, len(s))
	}
}

func TestSplitSources(t *testing.T) {
	paths, urls := SplitSources([]string{"/srv/data", "postgres://u@h/sales", "relative/dir", "sqlite:///a.db", "MySQL://u@h/shop", "s3://bucket/x", "C:\\data"})
	wantPaths := []string{"/srv/data", "relative/dir", "s3://bucket/x", "C:\\data"}
	wantURLs := []string{"postgres://u@h/sales", "sqlite:///a.db", "MySQL://u@h/shop"}
	if strings.Join(paths, "|") != strings.Join(wantPaths, "|") || strings.Join(urls, "|") != strings.Join(wantURLs, "|") {
		t.Fatalf("got %q and %q, want %q and %q", paths, urls, wantPaths, wantURLs)
	}
}

// TestSecretPasswordInDatabaseURLRefused is the hole
// "postgres://u@h/db?password=… passes the URL check": every way a database
// URL can carry a secret is refused, without showing it, with where the
// password goes instead; parameters libpq would read but Cadang does not
// know are refused too.
func TestSecretPasswordInDatabaseURLRefused(t *testing.T) {
	const pw = "Zs9hunter2"
	for _, tc := range []struct {
		raw  string
		err  error
		hint string
	}{
		{"postgres://u@h/db?password=" + pw, ErrPasswordInURL, "~/.pgpass"},
		{"postgres://u@h/db?sslmode=require&sslpassword=" + pw, ErrPasswordInURL, "~/.pgpass"},
		{"postgresql://u@h/db?PassWord=" + pw, ErrPasswordInURL, "~/.pgpass"},
		{"postgres://u@h/db?pass%77ord=" + pw, ErrPasswordInURL, "~/.pgpass"},
		{"postgres://u:" + pw + "@h/db", ErrPasswordInURL, "PGPASSFILE"},
		{"mysql://u:" + pw + "@h/db", ErrPasswordInURL, "~/.my.cnf"},
		{"mysql://u@h/db?password=" + pw, ErrPasswordInURL, "~/.my.cnf"},
		{"sqlite:///srv/app.db?password=" + pw, ErrPasswordInURL, ""},
		{"postgres://u@h/db?host=other", ErrBadURL, "sslmode"},
		{"postgres://u@h/db?dbname=other", ErrBadURL, "sslmode"},
		{"postgres://u@h/db?oauth_client_secret=" + pw, ErrPasswordInURL, "~/.pgpass"},
		{"postgres://u@h/db?x=" + pw, ErrBadURL, "sslmode"},
		{"mysql://u@h/db?x=" + pw, ErrBadURL, "~/.my.cnf"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			_, err := Parse(tc.raw)
			if !errors.Is(err, tc.err) {
				t.Fatalf("Parse = %v, want %v", err, tc.err)
			}
			if msg := err.Error(); strings.Contains(msg, pw) || !strings.Contains(msg, tc.hint) {
				t.Fatalf("Parse = %q, want the hint %q and no password", msg, tc.hint)
			}
		})
	}
	d, err := Parse("postgres://u@h/db?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem&passfile=/etc/cadang/pgpass")
	if err != nil {
		t.Fatal(err)
	}
	if got := pgURI(d); !strings.Contains(got, "passfile=%2Fetc%2Fcadang%2Fpgpass") || !strings.Contains(got, "sslmode=verify-full") {
		t.Errorf("connection options not passed on: %s", got)
	}
}
