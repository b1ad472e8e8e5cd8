package dbsource

import (
	"errors"
	"strings"
	"testing"
)

// The tools' own messages (captured from PostgreSQL 15 and MariaDB 10.11
// clients) and what they must be recognised as.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		kind   Kind
		stderr string
		want   error
	}{
		{Postgres, `pg_dump: error: connection to server at "127.0.0.1", port 1 failed: Connection refused
	Is the server running on that host and accepting TCP/IP connections?`, ErrConnectionRefused},
		{Postgres, `psql: error: connection to server at "127.0.0.1", port 55432 failed: FATAL:  password authentication failed for user "cadang"`, ErrAuthFailed},
		{Postgres, `psql: error: connection to server at "127.0.0.1", port 55432 failed: fe_sendauth: no password supplied`, ErrAuthFailed},
		{Postgres, `psql: error: connection to server at "127.0.0.1", port 55432 failed: FATAL:  role "nobody" does not exist`, ErrAuthFailed},
		{Postgres, `psql: error: connection to server at "127.0.0.1", port 55432 failed: FATAL:  database "nope" does not exist`, ErrNoDatabase},
		{Postgres, `psql: error: could not translate host name "db.invalid" to address: Name or service not known`, ErrUnreachable},
		{Postgres, `pg_dump: error: query failed: ERROR:  permission denied for table secrets`, nil},
		{MySQL, `mysqldump: Got error: 2002: "Can't connect to server on '127.0.0.1' (115)" when trying to connect`, ErrConnectionRefused},
		{MySQL, `ERROR 2003 (HY000): Can't connect to MySQL server on '127.0.0.1:1' (111)`, ErrConnectionRefused},
		{MySQL, `ERROR 2002 (HY000): Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)`, ErrConnectionRefused},
		{MySQL, `mysqldump: Got error: 1045: "Access denied for user 'cadang'@'127.0.0.1' (using password: YES)" when trying to connect`, ErrAuthFailed},
		{MySQL, `mysqldump: Got error: 1049: "Unknown database 'nope'" when selecting the database`, ErrNoDatabase},
		{MySQL, `ERROR 2005 (HY000): Unknown server host 'db.invalid' (-2)`, ErrUnreachable},
		{MySQL, `ERROR 1064 (42000) at line 3: You have an error in your SQL syntax`, nil},
	} {
		detail, got := classify(tc.kind, tc.stderr)
		if !errors.Is(got, tc.want) || (tc.want == nil && got != nil) {
			t.Errorf("classify(%q) = %v, want %v", tc.stderr, got, tc.want)
		}
		if detail == "" || strings.Contains(detail, "\n") {
			t.Errorf("detail %q: want one line", detail)
		}
	}
}

func TestToolErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		err  ToolError
		want string
	}{
		{ToolError{Tool: "pg_dump", Kind: Postgres, Err: ErrToolMissing}, "pg_dump not found: install the PostgreSQL client tools (Debian: apt-get install postgresql-client)"},
		{ToolError{Tool: "mysqldump", Kind: MySQL, Err: ErrToolMissing}, "mysqldump not found: install the MySQL/MariaDB client tools (Debian: apt-get install mariadb-client)"},
		{ToolError{Tool: "psql", Kind: Postgres, Addr: "h:1", Err: ErrConnectionRefused}, "psql: cannot connect to PostgreSQL at h:1: connection refused (is the server running and listening there?)"},
		{ToolError{Tool: "mysql", Kind: MySQL, Addr: "h", User: "u", Err: ErrAuthFailed}, `mysql: MySQL/MariaDB at h refused the login of user "u": wrong or missing password (set it in ~/.my.cnf or MYSQL_PWD)`},
		{ToolError{Tool: "pg_restore", Kind: Postgres, Detail: "pg_restore: error: could not execute query"}, "pg_restore failed: pg_restore: error: could not execute query"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

// TestSecretToolMessageRedacted: a tool's line that echoes a connection
// string with a secret reaches errors (and from there run records, logs
// and reports) masked.
func TestSecretToolMessageRedacted(t *testing.T) {
	for _, stderr := range []string{
		`pg_dump: error: invalid connection string "postgresql://u:Zs9hunter2@h/db": bad`,
		`psql: error: invalid URI query parameter: "x" in postgresql://u@h/db?sslpassword=Zs9hunter2`,
		`mysql: error: host=h password=Zs9hunter2 refused`,
	} {
		detail, _ := classify(Postgres, stderr)
		if strings.Contains(detail, "Zs9hunter2") || !strings.Contains(detail, "xxxxx") {
			t.Errorf("classify(%q) detail = %q, want the secret masked", stderr, detail)
		}
	}
}
