package jobs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"cadang/engine"
	"cadang/engine/dbsource"
	"cadang/store"
)

// RebuildOptions say where a lost workspace is rebuilt from.
type RebuildOptions struct {
	// Repository is the records repository, or one of its replicas (a
	// folder, sftp://…, s3://…, rclone:REMOTE:path).
	Repository string
	Password   string
	// Snapshot is an ID or ID prefix; "" takes the newest records backup.
	Snapshot string
	// Engine opens the repository; defaults to the real engine.
	Engine Engine
	Clock  clockwork.Clock
	Logger *slog.Logger
	// DocumentKeyFile is Options.DocumentKeyFile of the rebuilt workspace:
	// a document key kept outside the workspace is not in its backup.
	DocumentKeyFile string
}

// RebuildResult is what a rebuild restored and what it checked.
type RebuildResult struct {
	Workspace    string    `json:"workspace"`
	Repository   string    `json:"repository"`
	Snapshot     string    `json:"snapshot"`
	SnapshotTime time.Time `json:"snapshot_time"`
	Host         string    `json:"host"` // the workstation the backup was taken on
	Files        int64     `json:"files"`
	Bytes        int64     `json:"bytes"`
	// Tables is how many catalog tables matched the figures recorded at
	// backup time (SQLite's integrity_check passed as well).
	Tables int `json:"catalog_tables"`
	// Audit is the restored chain, checked before the rebuild added its own entries.
	Audit AuditReport `json:"audit"`
	// Documents is how many registered documents were checked against their SHA-256.
	Documents        int      `json:"documents"`
	DocumentProblems []string `json:"document_problems,omitempty"`
	// SetAside are PDFs filed after the backup's catalog copy: in the
	// snapshot, not in its register. They are moved to unregistered/.
	SetAside []string `json:"set_aside,omitempty"`
	// RunsClosed are runs the copy caught in progress, now closed.
	RunsClosed []int64 `json:"runs_closed,omitempty"`
	// RecordsRepository is where the rebuilt workspace's records job backs
	// up; when it is not Repository, check that it still exists.
	RecordsRepository string `json:"records_repository,omitempty"`
	// Notes are what a person should see to before relying on the rebuilt
	// workspace: files its settings name that are not on this machine.
	Notes []string `json:"notes,omitempty"`
}

// OK reports a rebuild whose audit chain and documents all verify.
func (r RebuildResult) OK() bool { return r.Audit.OK() && len(r.DocumentProblems) == 0 }

// ErrRebuildDamaged marks a backup that did not restore intact: a file or
// the catalog differs from what was recorded at backup time.
var ErrRebuildDamaged = errors.New("the records backup did not restore intact")

// SetAsideDir is where a rebuild puts documents its register does not know.
const SetAsideDir = "unregistered"

// recordsRepository is what a rebuild needs of a repository;
// *engine.Repository implements it.
type recordsRepository interface {
	Repository
	dbsource.Repository
	Snapshots(ctx context.Context) ([]engine.Snapshot, error)
}

// RebuildWorkspace rebuilds a lost workspace at dir from its records
// backup: the files of the workspace, then the catalog, restored and
// checked against the hashes and table figures recorded at backup time.
// dir must not exist, be empty, or hold only the empty workspace that
// opening it created (no account, no audit entry): a rebuild never
// replaces records. The result says what was restored and whether the
// audit chain and every registered document verify.
func RebuildWorkspace(ctx context.Context, dir string, opt RebuildOptions) (RebuildResult, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return RebuildResult{}, fmt.Errorf("rebuild workspace %s: %w", dir, err)
	}
	if opt.Engine == nil {
		opt.Engine = LocalEngine{}
	}
	res := RebuildResult{Workspace: abs, Repository: opt.Repository}
	if err := clearEmptyWorkspace(ctx, abs); err != nil {
		return res, err
	}
	if err := rebuild(ctx, abs, opt, &res); err != nil {
		// Everything in the folder came from this rebuild: leave it empty,
		// so that the rebuild can be tried again (another snapshot, a replica).
		return res, errors.Join(err, emptyFolder(abs))
	}
	return res, nil
}

// emptyFolder removes everything inside dir.
func emptyFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func rebuild(ctx context.Context, abs string, opt RebuildOptions, res *RebuildResult) error {
	r, err := opt.Engine.Open(ctx, opt.Repository, opt.Password, false)
	if err != nil {
		return fmt.Errorf("rebuild workspace: %w", err)
	}
	defer r.Close()
	repo, ok := r.(recordsRepository)
	if !ok {
		return errors.New("rebuild workspace: this repository cannot list snapshots")
	}
	snap, err := recordsSnapshot(ctx, repo, opt.Snapshot)
	if err != nil {
		return err
	}
	res.Snapshot, res.SnapshotTime, res.Host = snap.ID, snap.Time, snap.Host
	if err := restoreWorkspace(ctx, repo, snap, abs, res); err != nil {
		return err
	}
	svc, err := OpenWorkspace(ctx, abs, Options{Engine: opt.Engine, Clock: opt.Clock, Logger: opt.Logger, DocumentKeyFile: opt.DocumentKeyFile})
	if err != nil {
		return fmt.Errorf("rebuild workspace: open the restored workspace: %w", err)
	}
	return errors.Join(svc.settleRebuilt(ctx, snap, res), svc.Close())
}

// clearEmptyWorkspace refuses a folder that holds anything a rebuild
// could replace, and removes the empty workspace OpenWorkspace makes (the
// window opens the folder before it offers a rebuild).
func clearEmptyWorkspace(ctx context.Context, dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return fmt.Errorf("rebuild workspace %s: %w", dir, err)
	}
	notEmpty := func(what string) error {
		return refusedf("rebuild workspace: %s is not empty (it holds %s); rebuild into a new, empty folder: a rebuild never replaces records", dir, what)
	}
	hasCatalog := false
	for _, e := range entries {
		switch name := e.Name(); {
		case name == "documents" || name == "logs":
			if inner, err := os.ReadDir(filepath.Join(dir, name)); err != nil || len(inner) > 0 {
				return notEmpty(name + "/")
			}
		case isCatalogFile(name):
			hasCatalog = hasCatalog || name == CatalogFile
		default:
			return notEmpty(name)
		}
	}
	if hasCatalog {
		if err := catalogIsEmpty(ctx, filepath.Join(dir, CatalogFile)); err != nil {
			return notEmpty(CatalogFile + " (" + err.Error() + ")")
		}
	}
	for _, e := range entries { // only an empty workspace is left: remove it
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("rebuild workspace %s: %w", dir, err)
		}
	}
	return nil
}

// catalogIsEmpty says why a catalog is not the one a fresh workspace has.
func catalogIsEmpty(ctx context.Context, path string) error {
	cat, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer cat.Close()
	if n, err := cat.CountUsers(ctx); err != nil || n > 0 {
		return errors.Join(err, fmt.Errorf("%d accounts", n))
	}
	if a, err := cat.Audit(ctx, store.AuditFilter{Limit: 1}); err != nil || len(a) > 0 {
		return errors.Join(err, errors.New("audit entries"))
	}
	return nil
}

// recordsSnapshot picks the records backup to rebuild from: the one named
// by ref (an ID prefix), else the newest.
func recordsSnapshot(ctx context.Context, repo recordsRepository, ref string) (engine.Snapshot, error) {
	all, err := repo.Snapshots(ctx)
	if err != nil {
		return engine.Snapshot{}, fmt.Errorf("rebuild workspace: list snapshots: %w", err)
	}
	var found []engine.Snapshot
	for _, s := range all {
		if slices.Contains(s.Tags, "job:"+RecordsJobName) && strings.HasPrefix(s.ID, ref) {
			found = append(found, s)
		}
	}
	switch {
	case len(found) == 0 && ref != "":
		return engine.Snapshot{}, fmt.Errorf("rebuild workspace: no workspace backup with ID %s in this repository: %w", ref, engine.ErrNoSnapshot)
	case len(found) == 0:
		return engine.Snapshot{}, fmt.Errorf("rebuild workspace: this repository holds no workspace backup (no snapshot of job %s): %w", RecordsJobName, engine.ErrNoSnapshot)
	case len(found) > 1 && ref != "" && len(ref) < len(found[0].ID):
		return engine.Snapshot{}, fmt.Errorf("rebuild workspace: snapshot %s: %w", ref, engine.ErrAmbiguous)
	}
	slices.SortFunc(found, func(a, b engine.Snapshot) int { return a.Time.Compare(b.Time) })
	return found[len(found)-1], nil
}

// restoreWorkspace restores the workspace's files, every one checked
// against its recorded hash, then the catalog from its online-backup copy,
// checked with integrity_check and against its table figures.
func restoreWorkspace(ctx context.Context, repo recordsRepository, snap engine.Snapshot, dir string, res *RebuildResult) error {
	root, err := repo.List(ctx, snap, "/")
	if err != nil {
		return fmt.Errorf("rebuild workspace: list snapshot %s: %w", snap.ShortID(), err)
	}
	var include []string
	for _, n := range root {
		if n.Name != strings.TrimSuffix(dbsource.EntryPrefix, "/") {
			include = append(include, "/"+n.Name)
		}
	}
	entry := path.Join("/", dbsource.EntryPrefix, string(dbsource.SQLite), CatalogFile)
	if len(include) > 0 {
		r, err := repo.Restore(ctx, snap, dir, engine.RestoreOptions{Include: include})
		if err != nil {
			return fmt.Errorf("rebuild workspace: restore the files: %w", err)
		}
		res.Files, res.Bytes = r.Files, r.Bytes
		if len(r.Failed) > 0 {
			return fmt.Errorf("rebuild workspace: %w: %d file(s) could not be restored or differ from their recorded SHA-256, first %s", ErrRebuildDamaged, len(r.Failed), r.Failed[0].Path)
		}
	}
	target := dbsource.Database{Kind: dbsource.SQLite, Name: CatalogFile, File: filepath.Join(dir, CatalogFile)}
	v, err := dbsource.RestoreEntry(ctx, repo, snap, entry, target, dbsource.RestoreOptions{})
	if err != nil {
		return fmt.Errorf("rebuild workspace: restore the catalog: %w", err)
	}
	if !v.OK() {
		return fmt.Errorf("rebuild workspace: %w: the catalog fails its check (integrity %q, %d table(s) differ)", ErrRebuildDamaged, v.Integrity, len(v.Failed()))
	}
	res.Tables = len(v.Tables)
	for _, sub := range []string{"", "documents", "logs"} { // as OpenWorkspace makes them
		if err := os.Chmod(filepath.Join(dir, sub), 0o700); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("rebuild workspace: %w", err)
		}
	}
	return nil
}

// settleRebuilt checks the restored audit chain, closes the runs the copy
// caught in progress, sets aside documents the register does not know,
// checks every registered document, and records the rebuild.
func (s *Service) settleRebuilt(ctx context.Context, snap engine.Snapshot, res *RebuildResult) error {
	n, problems, err := s.catalog.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	res.Audit = AuditReport{Entries: n, Problems: problems}
	if err := s.closeCopiedRuns(ctx, snap, res); err != nil {
		return err
	}
	if err := s.checkRebuiltDocuments(ctx, res); err != nil {
		return err
	}
	codes, years, err := s.numberingToSkip(ctx, snap)
	if err != nil {
		return err
	}
	if id, err := s.recordsJobID(ctx); err == nil && id != 0 {
		if j, err := s.catalog.JobByID(ctx, id); err == nil {
			res.RecordsRepository = j.Repository
		}
	}
	res.Notes = s.rebuildNotes(ctx, res)
	detail := fmt.Sprintf("rebuilt at %s from snapshot %s (taken %s on %s) of %s: %d files, catalog %d tables verified, audit chain %d entries, %d documents checked, %d problems, %d set aside; document numbers of %v continue after a gap of %d",
		res.Workspace, snap.ShortID(), snap.Time.Format(time.RFC3339), snap.Host, res.Repository, res.Files, res.Tables,
		res.Audit.Entries, res.Documents, len(res.DocumentProblems), len(res.SetAside), years, RebuildNumberGap)
	return s.catalog.Update(ctx, func(tx *store.Tx) error {
		if err := tx.SkipDocumentNumbers(ctx, codes, years, RebuildNumberGap); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, store.AuditEntry{At: s.now(), Actor: "setup", Action: "workspace.rebuild", Object: "workspace", ToState: "rebuilt", Detail: detail})
		return err
	})
}

// rebuildNotes names what the rebuilt workspace refers to and this machine
// lacks: the company logo (a path in the settings, outside the backup when
// it is outside the workspace) and a local records repository.
func (s *Service) rebuildNotes(ctx context.Context, res *RebuildResult) []string {
	var notes []string
	if logo, err := s.catalog.Setting(ctx, KeyLogo, ""); err == nil && logo != "" {
		if _, err := os.Stat(logo); err != nil {
			notes = append(notes, fmt.Sprintf("the company logo %s is not on this machine: documents print without it until it is copied there or %s is set again (keep it inside the workspace, and the records backup carries it)", logo, KeyLogo))
		}
	}
	if r := res.RecordsRepository; r != "" && r != res.Repository && filepath.IsAbs(r) {
		if _, err := os.Stat(r); err != nil {
			notes = append(notes, fmt.Sprintf("the records backup goes to %s, which is not on this machine: point it at a surviving copy with `job edit %s --repo …` (an IT manager approves)", r, RecordsJobName))
		}
	}
	return notes
}

// RebuildNumberGap is how far a rebuild moves each document sequence on:
// the lost workspace went on numbering after its last backup (at least
// the records run's own execution report, and whatever was filed until
// the loss), and those numbers may be on paper. They are never given
// again; the gap is recorded with the rebuild.
const RebuildNumberGap = 100

// numberingToSkip names the sequences a rebuild moves on: every form code
// of the settings, in the backup's year and in this year.
func (s *Service) numberingToSkip(ctx context.Context, snap engine.Snapshot) (codes []string, years []int, err error) {
	set, err := s.settings(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, key := range formKeyOf {
		if c := set[key]; c != "" && !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	years = []int{snap.Time.In(time.Local).Year()}
	if now := s.now().Year(); now != years[0] {
		years = append(years, now)
	}
	return codes, years, nil
}

// closeCopiedRuns ends the runs that were going on when the catalog was
// copied. The records run that made the snapshot is closed with it; the
// others' results were lost with the old workspace.
func (s *Service) closeCopiedRuns(ctx context.Context, snap engine.Snapshot, res *RebuildResult) error {
	running, err := s.catalog.Runs(ctx, store.RunFilter{Statuses: []string{RunRunning}})
	if err != nil {
		return err
	}
	recordsID, err := s.recordsJobID(ctx)
	if err != nil {
		return err
	}
	for _, r := range running {
		from := r.Status
		if r.JobID == recordsID && recordsID != 0 {
			r.Status, r.SnapshotID, r.FinishedAt = RunWarnings, snap.ID, snap.Time
			r.Warnings = append(r.Warnings, store.RunWarning{Path: "workspace rebuild", Err: "this run's end was not recorded: the workspace was rebuilt from its snapshot " +
				snap.ShortID() + ", whose catalog copy was taken during the run; its retention and replicas are not known here"})
		} else {
			r.Status, r.FinishedAt = RunFailed, s.now()
			r.Error = "interrupted: the workspace was rebuilt from a copy of the catalog taken while this run was going on; its result was lost with the old workspace"
		}
		err := s.catalog.Update(ctx, func(tx *store.Tx) error {
			if err := tx.UpdateRun(ctx, r); err != nil {
				return err
			}
			_, err := tx.AppendAudit(ctx, store.AuditEntry{At: s.now(), Actor: "setup", Action: "run.finish", Object: runObject(r.ID),
				FromState: from, ToState: r.Status, Detail: "closed by the workspace rebuild"})
			return err
		})
		if err != nil {
			return err
		}
		res.RunsClosed = append(res.RunsClosed, r.ID)
	}
	return nil
}

// checkRebuiltDocuments checks every registered document against its
// SHA-256 and moves PDFs the register does not know to unregistered/.
func (s *Service) checkRebuiltDocuments(ctx context.Context, res *RebuildResult) error {
	docs, err := s.catalog.Documents(ctx, store.DocumentFilter{})
	if err != nil {
		return err
	}
	registered := map[string]bool{}
	for _, d := range docs {
		for _, f := range s.documentFiles(d) { // the PDF and its content record
			registered[f] = true
		}
		if err := s.cacheDocument(ctx, d); err != nil { // a copy of a shared catalog keeps the documents
			res.DocumentProblems = append(res.DocumentProblems, fmt.Sprintf("%s revision %d: %v", d.Number, d.Revision, err))
			continue
		}
		sum, err := fileSHA256(filepath.Join(s.dir, filepath.FromSlash(d.Path)))
		if err != nil {
			res.DocumentProblems = append(res.DocumentProblems, fmt.Sprintf("%s revision %d: %v", d.Number, d.Revision, err))
			continue
		}
		// As `docs verify` checks it: SHA-256, seal and code under the
		// document key, content record. A key kept outside the workspace
		// (Options.DocumentKeyFile) is not in the backup: without it in
		// place, every sealed document is reported here.
		if problems := s.checkSealed(ctx, d, sum); len(problems) > 0 {
			res.DocumentProblems = append(res.DocumentProblems, fmt.Sprintf("%s revision %d: %s", d.Number, d.Revision, strings.Join(problems, "; ")))
		}
	}
	res.Documents = len(docs)
	root := filepath.Join(s.dir, "documents")
	return filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(s.dir, p)
		if err != nil || registered[filepath.ToSlash(rel)] {
			return err
		}
		aside := filepath.Join(s.dir, SetAsideDir, rel)
		if err := os.MkdirAll(filepath.Dir(aside), 0o700); err != nil {
			return err
		}
		if err := os.Rename(p, aside); err != nil {
			return fmt.Errorf("set aside %s: %w", rel, err)
		}
		res.SetAside = append(res.SetAside, filepath.ToSlash(filepath.Join(SetAsideDir, rel)))
		return nil
	})
}
