package store

import (
	"os"
	"testing"

	"cadang/store/storetest"
)

// TestMain runs the suite on SQLite, or on PostgreSQL with
// CADANG_TEST_CATALOG=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Run(m)) }
