package engine

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering: `import "cadang/engine"` links only the repository format
// and the local backend: no remote-storage client (replication and URL
// parsing live in engine/replica and engine/location) and nothing else of
// Cadang (docs: ../shared/STYLE.md, rule 1).
func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "cadang/engine").Output()
	if err != nil {
		t.Fatalf("go list -deps cadang/engine: %v", err)
	}
	deps := strings.Fields(string(out))
	allowedCadang := map[string]bool{"cadang/engine": true, "cadang/engine/backend": true, "cadang/engine/backend/local": true}
	rules := []struct {
		name   string
		breaks func(pkg string) bool
	}{
		{"no Cadang package outside the engine's format and local backend", func(p string) bool {
			// engine/internal/... is the engine's own (scrypt with huge pages):
			// nothing outside the engine can import it.
			return (p == "cadang" || strings.HasPrefix(p, "cadang/")) && !allowedCadang[p] &&
				!strings.HasPrefix(p, "cadang/engine/internal/")
		}},
		{"no S3 client", func(p string) bool { return strings.Contains(p, "minio") || strings.Contains(p, "aws") }},
		{"no SFTP or SSH client", func(p string) bool { return strings.Contains(p, "sftp") || strings.Contains(p, "x/crypto/ssh") }},
		{"no rclone", func(p string) bool { return strings.Contains(p, "rclone") }},
		{"no GUI or database", func(p string) bool {
			return strings.HasPrefix(p, "fyne.io/") || strings.Contains(p, "sqlite") || strings.Contains(p, "pgx")
		}},
	}
	if len(deps) < 10 || !contains(deps, "cadang/engine") {
		t.Fatalf("go list printed %d packages without cadang/engine: %q", len(deps), out)
	}
	for _, rule := range rules {
		t.Run(rule.name, func(t *testing.T) {
			for _, p := range deps {
				if rule.breaks(p) {
					t.Errorf("cadang/engine depends on %s", p)
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
