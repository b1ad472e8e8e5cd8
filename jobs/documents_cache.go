package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"cadang/store"
)

// On a shared catalog the filed documents live in the catalog with their
// register entries (store.PutDocumentFile), so every workstation opens and
// prints the same PDF; a workspace's documents folder is a cache of them.
// A file missing from the cache is fetched and checked against the
// SHA-256 the register holds before it is written; a file present but
// changed is not replaced silently: verifying it reports the mismatch
// (and whether the catalog's copy is intact).

// keepDocumentFiles keeps the files of register entry d in the catalog,
// inside the transaction that registers it. Only a shared catalog keeps them.
func (s *Service) keepDocumentFiles(ctx context.Context, tx *store.Tx, d store.Document) error {
	if !s.catalog.Shared() {
		return nil
	}
	for _, f := range s.registeredFiles(d) {
		data, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(f.rel)))
		if err != nil {
			return fmt.Errorf("keep %s in the catalog: %w", f.rel, err)
		}
		if got := sha256Hex(data); got != f.sum {
			return fmt.Errorf("keep %s in the catalog: its SHA-256 is %s, not the registered %s", f.rel, got, f.sum)
		}
		if err := tx.PutDocumentFile(ctx, f.rel, f.sum, data); err != nil {
			return err
		}
	}
	return nil
}

// registeredFile is one file of a register entry and the SHA-256 the
// register holds for it.
type registeredFile struct {
	rel string // relative to the workspace, with slashes
	sum string
}

// registeredFiles are the files of d with their registered SHA-256: the
// document, and a generated one's content record.
func (s *Service) registeredFiles(d store.Document) []registeredFile {
	files := s.documentFiles(d)
	out := []registeredFile{{rel: files[0], sum: d.SHA256}}
	if len(files) > 1 && d.ContentSHA256 != "" {
		out = append(out, registeredFile{rel: files[1], sum: d.ContentSHA256})
	}
	return out
}

// cacheDocument makes sure the files of d are in the workspace: a missing
// one is fetched from the catalog, checked against its registered SHA-256
// and written atomically. A file the catalog does not keep (an SQLite
// workspace's) is left for the caller to find missing.
func (s *Service) cacheDocument(ctx context.Context, d store.Document) error {
	for _, f := range s.registeredFiles(d) {
		abs := filepath.Join(s.dir, filepath.FromSlash(f.rel))
		if _, err := os.Stat(abs); err == nil || !errors.Is(err, os.ErrNotExist) {
			continue
		}
		sum, data, err := s.catalog.DocumentFile(ctx, f.rel)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if got := sha256Hex(data); got != f.sum || sum != f.sum {
			return fmt.Errorf("fetch %s from the catalog: %w: its SHA-256 is %s, the register says %s", f.rel, ErrDocumentMismatch, got, f.sum)
		}
		if err := writeFileAtomic(abs, data); err != nil {
			return fmt.Errorf("fetch %s from the catalog: %w", f.rel, err)
		}
	}
	return nil
}

// catalogCopyIntact says, for a cached file that does not match the
// register, whether the catalog's copy does (so the cache alone was changed).
func (s *Service) catalogCopyIntact(ctx context.Context, rel, want string) bool {
	_, data, err := s.catalog.DocumentFile(ctx, rel)
	return err == nil && sha256Hex(data) == want
}
