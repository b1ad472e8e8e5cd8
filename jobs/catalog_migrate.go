package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"cadang/store"
)

// MigrateResult is what moving a workspace's catalog to a shared one did
// and found (`cadang catalog migrate`).
type MigrateResult struct {
	Workspace string         `json:"workspace"`
	To        string         `json:"to"`
	Tables    map[string]int `json:"tables"` // rows copied per table
	// DocumentFiles is how many filed files (PDFs, content records,
	// attachments) went into the catalog with the register.
	DocumentFiles int `json:"document_files"`
	// Audit is `audit verify` of the copy; Documents is how many register
	// entries verified as `docs verify --code` does, read from the copy.
	Audit            AuditReport `json:"audit"`
	Documents        int         `json:"documents_verified"`
	DocumentProblems []string    `json:"document_problems,omitempty"`
	// SetAside is where the SQLite catalog was moved once the copy verified.
	SetAside string `json:"set_aside,omitempty"`
}

// OK reports a copy whose audit chain and documents all verify.
func (r MigrateResult) OK() bool { return r.Audit.OK() && len(r.DocumentProblems) == 0 }

// migratedSuffix names the SQLite catalog a migration set aside.
const migratedSuffix = ".migrated"

// MigrateCatalog moves the catalog of the workspace at dir into the shared
// catalog at url (an empty PostgreSQL database): an administrator
// (as, password) copies every table, the audit chain with it, and the
// bytes of every filed document, then checks the copy as a workstation
// joining it would see it: `audit verify`, and every document fetched from
// the catalog and verified by its code. Only when all of it verifies does
// the workspace switch to the shared catalog (catalog.url), and its SQLite
// catalog is set aside as catalog.db.migrated. Stop the window and the
// daemon of the workspace first: what they write meanwhile is not copied.
func MigrateCatalog(ctx context.Context, dir, as, password, url string, opt Options) (MigrateResult, error) {
	res := MigrateResult{To: url}
	if err := CheckCatalogURL(url); err != nil {
		return res, err
	}
	if opt.Catalog != "" {
		return res, errors.New("move the catalog: Options.Catalog is the destination's, given as url")
	}
	src, err := OpenWorkspace(ctx, dir, opt)
	if err != nil {
		return res, err
	}
	res.Workspace = src.Dir()
	me, keyFile, err := src.copyCatalogTo(ctx, as, password, url, &res)
	if err = errors.Join(err, src.Close()); err != nil {
		return res, err
	}
	if err := verifyMigrated(ctx, url, keyFile, me, opt, &res); err != nil {
		return res, err
	}
	if !res.OK() {
		return res, fmt.Errorf("move the catalog: the copy in %s does not verify (%d audit problem(s), %d document problem(s)); the workspace keeps its own catalog",
			url, len(res.Audit.Problems), len(res.DocumentProblems))
	}
	return res, switchToShared(res.Workspace, url, &res)
}

// copyCatalogTo logs in, audits the move and copies the catalog and the
// documents' bytes; it returns the administrator and the document key's file.
func (s *Service) copyCatalogTo(ctx context.Context, as, password, url string, res *MigrateResult) (User, string, error) {
	me, err := s.Login(ctx, as, password)
	if err != nil {
		return User{}, "", err
	}
	if _, err := s.act(ctx, me, "move the catalog to "+url, RoleAdmin); err != nil {
		return User{}, "", err
	}
	if s.catalog.Shared() {
		return User{}, "", refusedf("move the catalog: workspace %s already uses the shared catalog %s", s.dir, s.catalog.Path())
	}
	if err := s.audit(ctx, me.Name, "catalog.migrate", "catalog", "", "", "to "+url); err != nil {
		return User{}, "", err
	}
	dst, err := store.Open(ctx, url)
	if err != nil {
		return User{}, "", err
	}
	defer dst.Close()
	if res.Tables, err = store.Copy(ctx, dst, s.catalog); err != nil {
		return User{}, "", fmt.Errorf("move the catalog to %s: %w", url, err)
	}
	docs, err := s.catalog.Documents(ctx, store.DocumentFilter{})
	if err != nil {
		return User{}, "", err
	}
	for _, d := range docs {
		for _, f := range s.registeredFiles(d) {
			data, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(f.rel)))
			if err != nil {
				return User{}, "", fmt.Errorf("move the catalog: document %s: %w", d.Number, err)
			}
			if got := sha256Hex(data); got != f.sum {
				return User{}, "", fmt.Errorf("move the catalog: document %s: %s has SHA-256 %s, the register says %s: %w", d.Number, f.rel, got, f.sum, ErrDocumentMismatch)
			}
			if err := dst.PutDocumentFile(ctx, f.rel, f.sum, data); err != nil {
				return User{}, "", err
			}
			res.DocumentFiles++
		}
	}
	return me, s.keyFile, nil
}

// verifyMigrated opens the copy from an empty workspace, as a workstation
// joining the team would, and verifies the audit chain and every document
// (fetched from the catalog into that workspace's cache).
func verifyMigrated(ctx context.Context, url, keyFile string, me User, opt Options, res *MigrateResult) error {
	tmp, err := os.MkdirTemp("", "cadang-migrate-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	opt.Catalog, opt.DocumentKeyFile = url, keyFile
	v, err := OpenWorkspace(ctx, tmp, opt)
	if err != nil {
		return fmt.Errorf("move the catalog: open the copy: %w", err)
	}
	defer v.Close()
	if res.Audit, err = v.VerifyAudit(ctx, me); err != nil {
		return fmt.Errorf("move the catalog: verify the copy's audit log: %w", err)
	}
	docs, err := v.Documents(ctx, me, DocumentFilter{})
	if err != nil {
		return err
	}
	for _, d := range docs {
		var verr error
		if d.VerifyCode != "" {
			_, verr = v.VerifyDocumentCode(ctx, me, d.VerifyCode)
		} else {
			_, verr = v.VerifyDocument(ctx, me, d.Path)
		}
		if verr != nil {
			res.DocumentProblems = append(res.DocumentProblems, fmt.Sprintf("%s revision %d: %v", d.Number, d.Revision, verr))
			continue
		}
		res.Documents++
	}
	if !res.OK() {
		return nil
	}
	return v.audit(ctx, me.Name, "catalog.migrated", "catalog", "", "",
		fmt.Sprintf("from the workspace %s: %d audit entries and %d documents verified", res.Workspace, res.Audit.Entries, res.Documents))
}

// switchToShared points the workspace at the shared catalog and sets its
// SQLite catalog aside.
func switchToShared(dir, url string, res *MigrateResult) error {
	if err := writeFileAtomic(filepath.Join(dir, CatalogURLFile), []byte(url+"\n")); err != nil {
		return fmt.Errorf("move the catalog: %w", err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		from := filepath.Join(dir, CatalogFile+suffix)
		if _, err := os.Stat(from); errors.Is(err, os.ErrNotExist) {
			continue
		}
		to := filepath.Join(dir, CatalogFile+migratedSuffix+suffix)
		if err := os.Rename(from, to); err != nil {
			return fmt.Errorf("move the catalog: set %s aside: %w", from, err)
		}
	}
	res.SetAside = filepath.Join(dir, CatalogFile+migratedSuffix)
	return nil
}
