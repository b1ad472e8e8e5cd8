package dbsource

import (
	"errors"
	"io"
	"os"
	"testing"

	"cadang/engine"
)

func nodeFor(path string, meta map[string]string) engine.Node {
	return engine.Node{Path: path, Type: engine.NodeStream, Meta: meta}
}

// serviceEnv returns the test server's variable, skipping the test when the
// project's service scripts did not run (failing in CI, where they must).
func serviceEnv(t *testing.T, names ...string) []string {
	t.Helper()
	vals := make([]string, len(names))
	for i, n := range names {
		vals[i] = os.Getenv(n)
		if vals[i] == "" {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not set: scripts/services.sh start must run before the tests in CI", n)
			}
			t.Skipf("%s is not set: run eval \"$(bash scripts/services.sh start)\" first", n)
		}
	}
	return vals
}

func readAllClose(rc io.ReadCloser) ([]byte, error) {
	b, err := io.ReadAll(rc)
	return b, errors.Join(err, rc.Close())
}
