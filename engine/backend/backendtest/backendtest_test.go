package backendtest_test

import (
	"testing"

	"cadang/engine/backend/backendtest"
	"cadang/engine/backend/local"
)

// The suite itself is checked against the local folder, the reference backend.
func TestLocalConforms(t *testing.T) {
	be, err := local.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	backendtest.Run(t, be)
}
