package jobs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"cadang/engine/secrets"
	"cadang/store"
)

// A workspace's catalog is its own SQLite file (catalog.db) or a shared
// PostgreSQL catalog that catalog.url names. A workspace that joined a
// shared catalog keeps no SQLite catalog: only its settings, its key, its
// logs and its cache of the documents (which live in the catalog).

// CatalogURLFile names, inside a workspace, the shared catalog it uses: one
// line, a postgres:// URL without a password (~/.pgpass or PGPASSFILE).
const CatalogURLFile = "catalog.url"

// catalogForTest, when set (by the tests of this package, on PostgreSQL),
// names the catalog of a new workspace folder that has none yet.
var catalogForTest func(dir string) string

// WorkspaceCatalog says where the catalog of the workspace at dir is: the
// URL in catalog.url, else catalog.db; exists is false when neither is
// there yet.
func WorkspaceCatalog(dir string) (location string, exists bool, err error) {
	return workspaceCatalog(dir, true)
}

// workspaceCatalog is WorkspaceCatalog; withTest false leaves out the
// tests' catalog of a new folder (a workspace told which catalog to join).
func workspaceCatalog(dir string, withTest bool) (location string, exists bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, CatalogURLFile))
	switch {
	case err == nil:
		u := strings.TrimSpace(string(b))
		if !store.IsURL(u) {
			return "", false, fmt.Errorf("workspace %s: %s does not hold a postgres:// URL", dir, CatalogURLFile)
		}
		return u, true, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", false, fmt.Errorf("workspace %s: %w", dir, err)
	}
	file := filepath.Join(dir, CatalogFile)
	if _, err := os.Stat(file); err == nil {
		return file, true, nil
	}
	if catalogForTest != nil && withTest {
		if u := catalogForTest(dir); u != "" {
			return u, true, nil
		}
	}
	return file, false, nil
}

// CheckCatalogURL refuses a catalog URL that is not PostgreSQL's or that
// carries a secret.
func CheckCatalogURL(raw string) error {
	if err := secrets.Check(raw); err != nil {
		return fmt.Errorf("catalog %s: %w", secrets.Redact(raw), err)
	}
	if !store.IsURL(raw) {
		return fmt.Errorf("catalog %s: a shared catalog is a postgres://USER@HOST:PORT/DATABASE URL", raw)
	}
	return nil
}

// openCatalog opens the catalog of the workspace at abs. A non-empty want
// (Options.Catalog) joins that shared catalog and records it in the
// workspace; a workspace that already has another catalog is refused.
func openCatalog(ctx context.Context, abs, want string) (*store.Catalog, error) {
	loc, exists, err := workspaceCatalog(abs, want == "")
	if err != nil {
		return nil, err
	}
	if want == "" {
		return store.Open(ctx, loc)
	}
	if err := CheckCatalogURL(want); err != nil {
		return nil, err
	}
	if exists && loc != want {
		if store.IsURL(loc) {
			return nil, fmt.Errorf("open workspace %s: it uses the shared catalog %s, not %s", abs, loc, want)
		}
		return nil, fmt.Errorf("open workspace %s: it has its own catalog (%s); move it with `cadang catalog migrate --to URL`, or give a new folder", abs, CatalogFile)
	}
	cat, err := store.Open(ctx, want)
	if err != nil {
		return nil, err
	}
	if !exists {
		if err := writeFileAtomic(filepath.Join(abs, CatalogURLFile), []byte(want+"\n")); err != nil {
			return nil, errors.Join(fmt.Errorf("open workspace %s: %w", abs, err), cat.Close())
		}
	}
	return cat, nil
}
