package jobs

import (
	"fmt"
	"os"
	"testing"

	"cadang/store/storetest"
)

// TestMain runs the suite on SQLite, or with CADANG_TEST_CATALOG=postgres
// on PostgreSQL: every new workspace folder a test opens gets a catalog of
// its own (a schema of one test database).
func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	if !storetest.Postgres() {
		return m.Run()
	}
	dir, err := storetest.PassFile()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	schemas, err := storetest.NewSchemas()
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
