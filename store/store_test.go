package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // buildAt on PostgreSQL

	"cadang/store/storetest"
)

// seeds insert, into a catalog at schema version v, rows that only that
// version's schema can hold; checks confirm they survived an upgrade.
// Add an entry with every new migration.
var seeds = map[int]struct {
	insert []string
	checks []string // each must return exactly one row
}{
	1: {
		insert: []string{
			`INSERT INTO settings(key,value) VALUES('company.name','PT Contoh')`,
			`INSERT INTO users(id,name,role,password_hash,created_at) VALUES(1,'ani','staff','$argon2id$x','2026-01-02T03:04:05Z')`,
		},
		checks: []string{
			`SELECT 1 FROM settings WHERE key='company.name' AND value='PT Contoh'`,
			`SELECT 1 FROM users WHERE id=1 AND name='ani' AND role='staff'`,
		},
	},
	2: {
		insert: []string{
			`INSERT INTO jobs(id,name,repository,schedule_kind,state,created_by,created_at,updated_at) VALUES(1,'erp','/r','window','approved',1,'t','t')`,
			`INSERT INTO requests(id,kind,job_id,requester_id,reason,state,created_at,updated_at) VALUES(1,'restore',1,1,'lost file','approved','t','t')`,
			`INSERT INTO runs(id,job_id,kind,trigger,status) VALUES(1,1,'backup','schedule','success')`,
			`INSERT INTO documents(number,type,created_at,sha256,path,verify_code) VALUES('F/2026/0001','request-form','t','ab','p','C')`,
			`INSERT INTO audit(seq,at,actor,action,object,prev_hash,hash) VALUES(1,'t','ani','x','y','0','1')`,
		},
		checks: []string{
			`SELECT 1 FROM jobs WHERE name='erp'`,
			`SELECT 1 FROM requests WHERE reason='lost file'`,
			`SELECT 1 FROM runs WHERE status='success'`,
			`SELECT 1 FROM documents WHERE number='F/2026/0001'`,
			`SELECT 1 FROM audit WHERE seq=1`,
		},
	},
	3: {
		insert: []string{`INSERT INTO runs(id,job_id,kind,trigger,status,owner) VALUES(2,1,'backup','manual','running','ws1:42')`},
		checks: []string{`SELECT 1 FROM runs WHERE id=2 AND owner='ws1:42'`},
	},
	4: {
		insert: []string{`INSERT INTO jobs(id,name,repository,schedule_kind,state,created_by,created_at,updated_at,edited_by) VALUES(2,'hr','/r2','cron','draft',1,'t','t',1)`},
		checks: []string{`SELECT 1 FROM jobs WHERE name='hr' AND edited_by=1`},
	},
	5: {
		insert: []string{`INSERT INTO requests(id,kind,job_id,requester_id,reason,state,created_at,updated_at,rescheduled_by) VALUES(2,'backup',1,1,'month end','submitted','t','t',1)`},
		checks: []string{`SELECT 1 FROM requests WHERE id=2 AND rescheduled_by=1`},
	},
	6: {
		insert: []string{`INSERT INTO requests(id,kind,job_id,requester_id,reason,state,created_at,updated_at,include) VALUES(3,'restore',1,1,'one folder','draft','t','t','["/home/a/docs"]')`},
		checks: []string{`SELECT 1 FROM requests WHERE id=3 AND include='["/home/a/docs"]'`},
	},
	7: {
		insert: []string{`INSERT INTO replica_state(job_id,name,url,run_id,status,last_attempt,lag_known,missing_snapshots) VALUES(1,'gdrive','rclone:gd:b',1,'ok','t',1,2)`},
		checks: []string{`SELECT 1 FROM replica_state WHERE job_id=1 AND name='gdrive' AND missing_snapshots=2`},
	},
	8: {
		insert: []string{
			`UPDATE jobs SET approved_revision='ab12', repo_id='r1', repo_encrypted=1 WHERE id=1`,
			`UPDATE requests SET approved_revision='cd34', overwrite=1 WHERE id=1`,
			`INSERT INTO forgotten(job_id,snapshot_id,snapshot_time,run_id,actor,at) VALUES(1,'5n4p','t',1,'ani','t')`,
		},
		checks: []string{
			`SELECT 1 FROM jobs WHERE id=1 AND approved_revision='ab12' AND repo_id='r1' AND repo_encrypted=1`,
			`SELECT 1 FROM requests WHERE id=1 AND approved_revision='cd34' AND overwrite=1`,
			`SELECT 1 FROM forgotten WHERE job_id=1 AND snapshot_id='5n4p'`,
		},
	},
	9: {
		insert: []string{`INSERT INTO documents(number,type,created_at,sha256,path,verify_code,kind,actor,parent_id,job_id,content_sha256,seal)
			VALUES('F/2026/0001-TTD1','signed-scan','t','cd','p2','D','signed scan of F/2026/0001','ani',1,1,'cd','e')`},
		checks: []string{`SELECT 1 FROM documents WHERE number='F/2026/0001-TTD1' AND parent_id=1 AND kind LIKE 'signed scan of %'`},
	},
	10: {
		insert: []string{`UPDATE requests SET replica='gdrive' WHERE id=3`},
		checks: []string{`SELECT 1 FROM requests WHERE id=3 AND replica='gdrive'`},
	},
	11: {
		insert: []string{
			`UPDATE jobs SET host='fs1' WHERE id=1`,
			`INSERT INTO document_files(path,sha256,content) VALUES('documents/2026/x.pdf','ab',CAST('%PDF-' AS BLOB))`,
		},
		checks: []string{
			`SELECT 1 FROM jobs WHERE id=1 AND host='fs1'`,
			`SELECT 1 FROM document_files WHERE path='documents/2026/x.pdf' AND length(content)=5`,
		},
	},
	12: {
		insert: []string{`INSERT INTO replica_state(job_id,name,status,retry_attempt,retry_at) VALUES(1,'nas-b','failed',1,'2026-03-02T21:30:00Z')`},
		checks: []string{`SELECT 1 FROM replica_state WHERE job_id=1 AND name='nas-b' AND retry_attempt=1 AND retry_at='2026-03-02T21:30:00Z'`},
	},
}

// buildAt makes a catalog at loc (an SQLite file or a PostgreSQL URL) at
// schema version v holding every seed up to v.
func buildAt(t *testing.T, loc string, v int) {
	t.Helper()
	ctx := context.Background()
	c := &Catalog{path: loc, dialect: SQLite}
	var err error
	if IsURL(loc) {
		c.dialect = Postgres
		c.db, err = sql.Open("pgx", loc)
	} else {
		c.db, err = sql.Open("sqlite3", "file:"+escapePath(loc)+"?_foreign_keys=on")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.db.Close()
	if err := c.migrate(ctx, v); err != nil {
		t.Fatalf("build catalog at version %d: %v", v, err)
	}
	for i := 1; i <= v; i++ {
		for _, q := range seeds[i].insert {
			if c.dialect == Postgres {
				q = pgDDL(q) // a seed may name a type (CAST … AS BLOB)
			}
			if _, err := c.db.ExecContext(ctx, q); err != nil {
				t.Fatalf("seed version %d: %s: %v", i, q, err)
			}
		}
	}
}

func TestEverySchemaVersionHasASeed(t *testing.T) {
	for v := 1; v <= len(migrations); v++ {
		if _, ok := seeds[v]; !ok {
			t.Errorf("migration %d has no seed data in the upgrade test: add one", v)
		}
	}
}

func TestOpenUpgradesFromEveryEarlierVersion(t *testing.T) {
	ctx := context.Background()
	for v := 0; v < len(migrations); v++ {
		t.Run(fmt.Sprintf("from version %d", v), func(t *testing.T) {
			path := storetest.Location(t, t.TempDir())
			buildAt(t, path, v)
			c, err := Open(ctx, path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer c.Close()
			got, err := c.SchemaVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got != len(migrations) {
				t.Errorf("schema version = %d, want %d", got, len(migrations))
			}
			for i := 1; i <= v; i++ {
				for _, q := range seeds[i].checks {
					var one int
					if err := c.DB().QueryRowContext(ctx, q).Scan(&one); err != nil {
						t.Errorf("data of version %d lost after upgrade: %s: %v", i, q, err)
					}
				}
			}
			// The upgraded catalog works: every later seed fits the new schema.
			for i := v + 1; i <= len(migrations); i++ {
				for _, q := range seeds[i].insert {
					if c.dialect == Postgres {
						q = pgDDL(q)
					}
					if _, err := c.DB().ExecContext(ctx, q); err != nil {
						t.Errorf("upgraded schema rejects version %d data: %s: %v", i, q, err)
					}
				}
			}
		})
	}
}

func TestOpenRefusesNewerCatalogUnchanged(t *testing.T) {
	if storetest.Postgres() {
		testOpenRefusesNewerPostgres(t)
		return
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	buildAt(t, path, len(migrations))
	db, err := sql.Open("sqlite3", "file:"+escapePath(path))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, path)
	if !errors.Is(err, ErrNewerCatalog) {
		t.Fatalf("Open = %v, want ErrNewerCatalog", err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("Open changed a catalog it refused")
	}
}

// testOpenRefusesNewerPostgres: a shared catalog from a newer Cadang is
// refused and left at its version.
func testOpenRefusesNewerPostgres(t *testing.T) {
	ctx := context.Background()
	loc := storetest.NewDatabase(t)
	buildAt(t, loc, len(migrations))
	db, err := sql.Open("pgx", loc)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE schema_version SET version = 99`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, loc); !errors.Is(err, ErrNewerCatalog) {
		t.Fatalf("Open = %v, want ErrNewerCatalog", err)
	}
	var v int
	if err := db.QueryRow(`SELECT version FROM schema_version`).Scan(&v); err != nil || v != 99 {
		t.Errorf("schema version after the refusal = %d, %v; want 99 untouched", v, err)
	}
}

func TestOpenRefusesNonSQLite(t *testing.T) {
	if storetest.Postgres() {
		testOpenRefusesForeignDatabase(t)
		return
	}
	ctx := context.Background()
	dir := t.TempDir()
	tests := []struct {
		name    string
		content []byte
	}{
		{"text", []byte("this is my shopping list\n")},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")},
		{"short", []byte("SQLite")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(ctx, path)
			if !errors.Is(err, ErrNotCatalog) {
				t.Fatalf("Open = %v, want ErrNotCatalog", err)
			}
			got, _ := os.ReadFile(path)
			if !bytes.Equal(got, tt.content) {
				t.Error("Open changed the file it refused")
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		if _, err := Open(ctx, dir); !errors.Is(err, ErrNotCatalog) {
			t.Fatalf("Open(dir) = %v, want ErrNotCatalog", err)
		}
	})
}

// testOpenRefusesForeignDatabase: a PostgreSQL database that holds
// someone else's tables is not made into a catalog.
func testOpenRefusesForeignDatabase(t *testing.T) {
	ctx := context.Background()
	loc := storetest.NewDatabase(t)
	db, err := sql.Open("pgx", loc)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE invoices (id int)`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, loc); !errors.Is(err, ErrNotCatalog) {
		t.Fatalf("Open = %v, want ErrNotCatalog", err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("tables after the refusal = %d, %v; want only invoices", n, err)
	}
}

func openTemp(t *testing.T) *Catalog {
	t.Helper()
	c, err := Open(context.Background(), storetest.Location(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestDocumentNumbersIncreasePerCodeAndYear(t *testing.T) {
	ctx := context.Background()
	c := openTemp(t)
	steps := []struct {
		code string
		year int
		want int
	}{
		{"FRM-A", 2026, 1}, {"FRM-A", 2026, 2}, {"FRM-B", 2026, 1}, {"FRM-A", 2027, 1}, {"FRM-A", 2026, 3},
	}
	for _, s := range steps {
		got, err := c.NextDocumentNumber(ctx, s.code, s.year)
		if err != nil {
			t.Fatal(err)
		}
		if got != s.want {
			t.Errorf("NextDocumentNumber(%s, %d) = %d, want %d", s.code, s.year, got, s.want)
		}
	}
}

func TestOneRunningRunPerJob(t *testing.T) {
	ctx := context.Background()
	c := openTemp(t)
	uid, err := c.CreateUser(ctx, User{Name: "ani", Role: "staff", PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	jid, err := c.CreateJob(ctx, Job{Name: "erp", Repository: "/r", ScheduleKind: "window", State: "approved", CreatedBy: uid})
	if err != nil {
		t.Fatal(err)
	}
	first, err := c.InsertRun(ctx, Run{JobID: jid, Kind: "backup", Trigger: "manual", Status: "running", StartedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.InsertRun(ctx, Run{JobID: jid, Kind: "backup", Trigger: "schedule", Status: "running"}); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second running run: err = %v, want ErrAlreadyRunning", err)
	}
	r, err := c.RunByID(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	r.Status = "failed" // as jobs closes an interrupted run
	if err := c.UpdateRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := c.InsertRun(ctx, Run{JobID: jid, Kind: "backup", Trigger: "schedule", Status: "running"}); err != nil {
		t.Errorf("run after the interrupted one was closed: %v", err)
	}
}
