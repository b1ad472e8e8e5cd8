package jobs

import (
	"context"
	"fmt"
	"os"
	"testing"

	"cadang/store"
	"cadang/store/storetest"
)

// TestMain runs the suite on SQLite, or with CADANG_TEST_CATALOG=postgres
// on PostgreSQL: every new workspace folder a test opens gets a catalog of
// its own (a schema of one test database).
func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	if os.Getenv("CADANG_TEST_PG_PASSWORD") != "" { // the tests of a shared catalog use the server either way
		dir, err := storetest.PassFile()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
	}
	if !storetest.Postgres() || os.Getenv(teamCatalogEnv) != "" { // a daemon of the team test names its catalog
		return m.Run()
	}
	schemas, err := storetest.NewSchemas(func(u string) error { // the catalog's tables made ahead
		c, err := store.Open(context.Background(), u)
		if err != nil {
			return err
		}
		return c.Close()
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if err := schemas.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "drop the test database:", err)
		}
	}()
	catalogForTest = schemas.For
	return m.Run()
}
