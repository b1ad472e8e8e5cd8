package cli

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"cadang/pdfdoc/pdftest"
)

// secretsFlow is a workspace driven through the command line, recording
// everything a person or another program could read of it.
type secretsFlow struct {
	t       *testing.T
	ws      string
	outputs []string // every command's stdout and stderr
}

func (f *secretsFlow) run(args ...string) (int, string) {
	f.t.Helper()
	code, out, stderr := run(f.t, append(args, "--workspace", f.ws)...)
	f.outputs = append(f.outputs, out+stderr) // not the arguments: some carry the marker on purpose
	return code, out + stderr
}

func (f *secretsFlow) ok(args ...string) string {
	f.t.Helper()
	code, out := f.run(args...)
	if code != ExitOK {
		f.t.Fatalf("cadang %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// rev is the revision of a job or request the reviewer sees (show --json).
func (f *secretsFlow) rev(who []string, kind, ref string) string {
	f.t.Helper()
	out := f.ok(append([]string{kind, "show", ref, "--json"}, who...)...)
	var v struct {
		RevisionHash string `json:"revision_hash"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.RevisionHash == "" {
		f.t.Fatalf("%s show %s --json = %q (%v): no revision_hash", kind, ref, out, err)
	}
	return v.RevisionHash
}

// refused runs a command that must fail on a secret in a location.
func (f *secretsFlow) refused(args ...string) {
	f.t.Helper()
	code, out := f.run(args...)
	if code != ExitUsage || !strings.Contains(out, "not accepted in a location") || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		f.t.Errorf("cadang %s: exit %d, want %d and one line refusing the secret:\n%s", strings.Join(args, " "), code, ExitUsage, out)
	}
}

// TestSecretMarkerPlantedEverywhereIsFoundNowhere is the hole "no secret in
// any URL form, argument list, child environment, log, catalog row or PDF".
// A marker secret is planted through every input — account passwords in
// --login-file, --password-file and $CADANG_LOGIN, the repository password
// in $CADANG_PASSWORD and a job's password file, AWS_SECRET_ACCESS_KEY, a
// pgpass line, and URLs that try to carry it — and a realistic flow runs
// against the test PostgreSQL server: setup, accounts, a job with a real
// database source, backups by the job and by `cadang backup`, a restore
// request carried out and handed over, a restore from the command line, an
// rclone replica, the run history report. pg_dump, psql, pg_restore and
// rclone are wrapped by scripts that record their arguments and
// environment. Then every output is searched for the marker (and for the
// database's real password): command output, the tools' arguments and
// environments, every row of every catalog table, every file of the
// workspace, the text of every PDF, the repository and the replica.
func TestSecretMarkerPlantedEverywhereIsFoundNowhere(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the recording tool wrappers are shell scripts")
	}
	pgURL, pgPW := os.Getenv("CADANG_TEST_PG_URL"), os.Getenv("CADANG_TEST_PG_PASSWORD")
	if pgURL == "" || pgPW == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CADANG_TEST_PG_URL is not set: scripts/services.sh start must run before the tests in CI")
		}
		t.Skip("CADANG_TEST_PG_URL is not set")
	}
	marker := "Zq" + randomSuffix(t) + "secret"
	dir := t.TempDir()
	f := &secretsFlow{t: t, ws: filepath.Join(dir, "ws")}

	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatal(err)
	}
	// The tools, wrapped: each call appends its arguments and environment.
	record := filepath.Join(dir, "children.log")
	bin := filepath.Join(dir, "bin")
	wrapTools(t, bin, record, "psql", "pg_dump", "pg_restore", "rclone")
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	// Every secret input carries the marker.
	pw := func(name string) string { return writeFile(t, name+".pw", marker+"-"+name+"\n") }
	adminPW, staffPW, mgrPW, userPW, repoPW := pw("admin"), pw("staff"), pw("manager"), pw("user"), pw("repo")
	t.Setenv("CADANG_LOGIN", marker+"-staff") // yoga logs in from the environment
	t.Setenv("CADANG_PASSWORD", marker+"-repo")
	t.Setenv("AWS_SECRET_ACCESS_KEY", marker+"-aws")
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	pgpass := writeFile(t, "pgpass", fmt.Sprintf("db.elsewhere:5432:*:*:%s-pgpass\n%s:%s:*:%s:%s\n",
		marker, u.Hostname(), u.Port(), u.User.Username(), pgPW))
	t.Setenv("PGPASSFILE", pgpass)
	unsetenv(t, "PGPASSWORD")

	src, tgtCLI, tgtReq := "cadang_secret_src_"+randomSuffix(t), "cadang_secret_cli_"+randomSuffix(t), "cadang_secret_req_"+randomSuffix(t)
	dbURL := func(name string) string { v := *u; v.Path = "/" + name; return v.String() }
	for _, name := range []string{src, tgtCLI, tgtReq} {
		t.Cleanup(func() { pgAdmin(t, psql, pgpass, dbURL("postgres"), `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`) })
	}
	pgAdmin(t, psql, pgpass, dbURL("postgres"), `CREATE DATABASE "`+src+`"`)
	pgAdmin(t, psql, pgpass, dbURL(src), "CREATE TABLE invoices (id INT PRIMARY KEY, total NUMERIC); INSERT INTO invoices VALUES (1, 10), (2, 20), (3, 30);")

	// Setup and accounts.
	asAdmin := []string{"--as", "admin", "--login-file", adminPW}
	asStaff := []string{"--as", "yoga"} // password from $CADANG_LOGIN
	asMgr := []string{"--as", "gideon", "--login-file", mgrPW}
	asUser := []string{"--as", "siti", "--login-file", userPW}
	with := func(who []string, args ...string) []string { return append(args, who...) }
	f.ok("setup", "--admin", "admin", "--password-file", adminPW, "--no-records-backup")
	f.ok(with(asAdmin, "user", "add", "--name", "yoga", "--role", "staff", "--password-file", staffPW)...)
	f.ok(with(asAdmin, "user", "add", "--name", "gideon", "--role", "manager", "--password-file", mgrPW)...)
	f.ok(with(asAdmin, "user", "add", "--name", "siti", "--role", "user", "--department", "Keuangan", "--password-file", userPW)...)

	// The repository ($CADANG_PASSWORD) and, when the rclone test remote is
	// there, an rclone replica.
	repo := filepath.Join(dir, "repo")
	f.ok("init", "--repo", repo)
	replicaArgs, replicaDir := []string{}, ""
	if cfg, remote := os.Getenv("CADANG_TEST_RCLONE_CONFIG"), os.Getenv("CADANG_TEST_RCLONE_LOCAL"); cfg != "" && remote != "" {
		t.Setenv("RCLONE_CONFIG", cfg)
		name, root, _ := strings.Cut(remote, ":")
		replicaDir = filepath.Join(root, "secrets-"+randomSuffix(t))
		t.Cleanup(func() { os.RemoveAll(replicaDir) })
		f.ok("replica", "add", "--repo", repo, "offsite", "rclone:"+name+":"+replicaDir)
		replicaArgs = []string{"--replica", "offsite"}
	}

	// Every way to put the secret into a location is refused.
	srcURL := dbURL(src)
	withPW := strings.Replace(srcURL, "@", ":"+marker+"-url@", 1)
	for _, loc := range []string{withPW, srcURL + "?password=" + marker, srcURL + "?sslmode=prefer&sslpassword=" + marker,
		"host=" + u.Hostname() + " password=" + marker, "mysql://u:" + marker + "@h/db"} {
		f.refused(with(asStaff, "job", "new", "--name", "bad", "--repo", repo, "--source", loc)...)
		f.refused("backup", "--repo", repo, "--db", loc)
	}
	for _, loc := range []string{"sftp://backup:" + marker + "@offsite/srv", "s3://AKIA:" + marker + "@s3.example/b",
		"s3+http://127.0.0.1:7070/b?secret_key=" + marker, "rclone::s3,secret_access_key=" + marker + ":b", "rclone:cadanglocal,pass=" + marker + ":x"} {
		f.refused(with(asStaff, "job", "new", "--name", "bad", "--repo", loc, "--source", srcURL)...)
		f.refused("snapshots", "--repo", loc)
		f.refused("replica", "add", "--repo", repo, "bad", loc)
	}
	f.refused("restore", "--repo", repo, "--snapshot", "latest", "--db-target", strings.Replace(dbURL(tgtCLI), "@", ":"+marker+"@", 1))

	// The job: defined, approved, run (pg_dump, rclone).
	f.ok(with(asStaff, append([]string{"job", "new", "--name", "penjualan", "--repo", repo, "--repo-password-file", repoPW, "--source", srcURL}, replicaArgs...)...)...)
	f.ok(with(asStaff, "job", "submit", "penjualan")...)
	f.ok(with(asMgr, "job", "approve", "penjualan", "--revision", f.rev(asMgr, "job", "penjualan"))...)
	if out := f.ok(with(asStaff, "job", "run", "penjualan")...); !strings.Contains(out, "success") {
		t.Fatalf("job run did not succeed:\n%s", out)
	}
	f.refused(with(asUser, "request", "new", "--kind", "restore", "--job", "penjualan", "--at", time.Now().Add(time.Hour).Format("2006-01-02 15:04"),
		"--target", dbURL(tgtReq)+"?password="+marker, "--reason", "wrong target")...)

	// The engine commands, with $CADANG_PASSWORD.
	f.ok(with(asStaff, "backup", "--repo", repo, "--db", srcURL)...) // a job's repository: an account acts
	if out := f.ok("restore", "--repo", repo, "--snapshot", "latest", "--db-target", dbURL(tgtCLI)); !strings.Contains(out, "every table matches") {
		t.Fatalf("restore --db-target:\n%s", out)
	}

	// A restore request, carried out (pg_restore) and handed over.
	id := strings.TrimSpace(f.ok(with(asUser, "request", "new", "--kind", "restore", "--job", "penjualan",
		"--at", time.Now().Add(time.Hour).Format("2006-01-02 15:04"), "--target", dbURL(tgtReq), "--reason", "invoices deleted")...))
	f.ok(with(asUser, "request", "submit", id)...)
	f.ok(with(asMgr, "request", "approve", id, "--revision", f.rev(asMgr, "request", id))...)
	f.ok(with(asStaff, "request", "run", id)...)
	f.ok(with(asStaff, "request", "handover", id)...)

	// Reports and reading.
	today := time.Now().Format("2006-01-02")
	f.ok(with(asStaff, "docs", "history", "--from", today, "--to", time.Now().AddDate(0, 0, 1).Format("2006-01-02"))...)
	f.ok(with(asMgr, "docs", "list")...)
	f.ok(with(asMgr, "audit", "list")...)
	f.ok(with(asMgr, "audit", "verify")...)
	f.ok(with(asStaff, "job", "show", "penjualan")...)
	f.ok("snapshots", "--repo", repo)

	// Search.
	children, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ARGV pg_dump", "ARGV pg_restore", "ARGV psql", "ENV PGPASSFILE=" + pgpass} {
		if !bytes.Contains(children, []byte(want)) {
			t.Fatalf("the recording wrappers did not see %q: the flow did not run the tools through them", want)
		}
	}
	if replicaDir != "" && !bytes.Contains(children, []byte("ARGV rclone")) {
		t.Fatal("the replica was not copied with rclone")
	}
	found := map[string]string{
		"command output":                   strings.Join(f.outputs, "\n"),
		"tools' arguments and environment": string(children),
		"catalog rows":                     catalogRows(t, filepath.Join(f.ws, "catalog.db")),
	}
	pdfs := 0
	for _, root := range []string{f.ws, repo, replicaDir} {
		if root == "" {
			continue
		}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			found["file "+path] = string(b)
			if strings.HasSuffix(path, ".pdf") {
				pdfs++
				found["text of "+path] = pdftest.Text(t, b)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if pdfs < 5 || !strings.Contains(found["catalog rows"], src) {
		t.Fatalf("%d PDFs filed, catalog mentions the source: %v: the flow or the search is incomplete", pdfs, strings.Contains(found["catalog rows"], src))
	}
	for where, text := range found {
		for _, secret := range []string{marker, pgPW} {
			if i := strings.Index(text, secret); i >= 0 {
				lo, hi := max(0, i-120), min(len(text), i+len(secret)+40)
				t.Errorf("%s holds a secret: …%s…", where, text[lo:hi])
			}
		}
	}
}

// wrapTools puts scripts named tools in bin that append "ARGV name [arg]…"
// and "ENV name=value" lines to record, then run the real tool.
func wrapTools(t *testing.T, bin, record string, tools ...string) {
	t.Helper()
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tool := range tools {
		real, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s not installed: %v", tool, err)
		}
		script := fmt.Sprintf("#!/bin/sh\n{ printf 'ARGV %s'; for a in \"$@\"; do printf ' [%%s]' \"$a\"; done; printf '\\n'; env | sed 's/^/ENV /'; } >> '%s'\nexec '%s' \"$@\"\n",
			tool, record, real)
		if err := os.WriteFile(filepath.Join(bin, tool), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// pgAdmin runs SQL with the real psql as a database administrator would,
// outside the flow (its own small environment, not recorded).
func pgAdmin(t *testing.T, psql, pgpass, dbURL, stmt string) {
	t.Helper()
	cmd := exec.Command(psql, "-X", "-q", "-w", "-v", "ON_ERROR_STOP=1", "--dbname="+dbURL, "-c", stmt)
	cmd.Env = []string{"PGPASSFILE=" + pgpass, "LC_ALL=C"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v %s", stmt, err, out)
	}
}

// catalogRows is every row of every table of the catalog, as text.
func catalogRows(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 5 {
		t.Fatalf("catalog tables %v: want the whole catalog", tables)
	}
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s:", table)
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, " %v", v)
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	return b.String()
}

// unsetenv removes name for the test and puts it back afterwards.
func unsetenv(t *testing.T, name string) {
	t.Helper()
	if old, ok := os.LookupEnv(name); ok {
		t.Setenv(name, old) // registers the restore
		os.Unsetenv(name)
	}
}
