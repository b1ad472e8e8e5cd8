package cli

import (
	"net/url"
	"os/exec"
	"strings"
	"testing"
)

// createDatabaseWithTools creates a database holding one table of 3 rows.
func createDatabaseWithTools(t *testing.T, kind, target string) {
	t.Helper()
	dropDatabaseWithTools(t, kind, target)
	u, name := adminURL(t, kind, target)
	sql := "CREATE TABLE customers (id INT PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'Ani'), (2, 'Budi'), (3, 'Citra');"
	var create, fill *exec.Cmd
	if kind == "postgres" {
		create = exec.Command("psql", "-X", "-q", "-w", "--dbname="+u.String(), "-c", `CREATE DATABASE "`+name+`"`)
		fill = exec.Command("psql", "-X", "-q", "-w", "--dbname="+target, "-c", sql)
	} else {
		create = mysqlCmd(u, "", "CREATE DATABASE `"+name+"`")
		fill = mysqlCmd(u, name, sql)
	}
	for _, cmd := range []*exec.Cmd{create, fill} {
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", cmd, err, out)
		}
	}
}

// adminURL is target with the maintenance database, and target's name.
func adminURL(t *testing.T, kind, target string) (*url.URL, string) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin := *u
	admin.Path = "/postgres"
	return &admin, name
}

func mysqlCmd(u *url.URL, db, sql string) *exec.Cmd {
	return exec.Command("mysql", "--host="+u.Hostname(), "--port="+u.Port(), "--protocol=TCP", "--user="+u.User.Username(), "--database="+db, "-e", sql)
}

// dropDatabaseWithTools drops a test database with psql or mysql (the
// password comes from the environment the test set).
func dropDatabaseWithTools(t *testing.T, kind, target string) {
	t.Helper()
	u, name := adminURL(t, kind, target)
	var cmd *exec.Cmd
	if kind == "postgres" {
		cmd = exec.Command("psql", "-X", "-q", "-w", "--dbname="+u.String(), "-c", `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`)
	} else {
		cmd = mysqlCmd(u, "", "DROP DATABASE IF EXISTS `"+name+"`")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("drop %s: %v %s", target, err, out)
	}
}
