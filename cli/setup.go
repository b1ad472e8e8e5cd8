package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"cadang/jobs"
)

// readSecretFile reads a password from a file, dropping one trailing newline.
func readSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read password file: %w", err)
	}
	return strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"), nil
}

// setupFlags are the flags of `cadang setup`.
type setupFlags struct {
	admin, fullName, passwordFile, company string
	records                                jobs.RecordsOptions
	recordsPasswordFile                    string
	noRecords                              bool
	restoreFrom, snapshot                  string
	catalog                                string
}

func newSetupCommand(g *globals) *cobra.Command {
	var sf setupFlags
	cmd := &cobra.Command{
		Use:   "setup --admin NAME --password-file F --records-repo REPO | --restore-from REPO | --catalog postgres://USER@HOST:PORT/DB",
		Short: "Create a workspace and its first administrator, or rebuild a lost one from its records backup",
		Long: "Create a workspace, its first administrator and the built-in job that backs the workspace itself up\n" +
			"every night (workspace-records, approved by the setup) into --records-repo, a repository outside the\n" +
			"workspace. --no-records-backup leaves the records without a backup (set it up later with `records setup`).\n\n" +
			"With --restore-from, rebuild a lost workspace on a new machine from that repository (or one of its\n" +
			"replicas): the workspace folder must be new or empty; the accounts come from the backup.\n\n" +
			"With --catalog, the workspace uses a team's shared catalog on PostgreSQL instead of its own: in an empty\n" +
			"database the catalog is created (with --admin, --password-file and --records-repo as above); a catalog that\n" +
			"has accounts is joined as it is (no --admin needed). The password comes from ~/.pgpass or PGPASSFILE, never\n" +
			"the URL. The workspace then keeps no catalog of its own: only its settings, keys, logs and a cache of the\n" +
			"documents, which live in the catalog.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if sf.restoreFrom != "" {
				return rebuildWorkspace(cmd, g, sf)
			}
			return setupWorkspace(cmd, g, sf)
		},
	}
	f := cmd.Flags()
	f.StringVar(&sf.admin, "admin", "", "name of the first administrator account")
	f.StringVar(&sf.fullName, "full-name", "", "the administrator's full name, for signature blocks")
	f.StringVar(&sf.passwordFile, "password-file", "", "file holding the administrator's password")
	f.StringVar(&sf.company, "company", "", "company name shown on forms")
	f.StringVar(&sf.records.Repository, "records-repo", "", "repository for the workspace's own nightly backup (outside the workspace)")
	f.StringVar(&sf.recordsPasswordFile, "records-password-file", "", "file holding the records repository's password (encrypts a new one)")
	f.StringArrayVar(&sf.records.Replicas, "records-replica", nil, "replica of the records repository to sync after each backup (repeatable)")
	f.BoolVar(&sf.noRecords, "no-records-backup", false, "set up without backing up the workspace's own records")
	f.StringVar(&sf.restoreFrom, "restore-from", "", "rebuild the workspace from this records repository or replica")
	f.StringVar(&sf.snapshot, "snapshot", "", "with --restore-from: the workspace backup to use (ID prefix; default the newest)")
	f.StringVar(&sf.catalog, "catalog", "", "a team's shared catalog, postgres://USER@HOST:PORT/DB (password in ~/.pgpass): created when empty, else joined")
	return cmd
}

func setupWorkspace(cmd *cobra.Command, g *globals, sf setupFlags) error {
	if sf.catalog != "" {
		if err := jobs.CheckCatalogURL(sf.catalog); err != nil {
			return withExit(ExitUsage, err)
		}
		joined, err := joinCatalog(cmd, g, sf)
		if joined || err != nil {
			return err
		}
	}
	switch {
	case sf.admin == "" || sf.passwordFile == "":
		return exitf(ExitUsage, "--admin and --password-file are required")
	case sf.records.Repository == "" && !sf.noRecords:
		return exitf(ExitUsage, "--records-repo is required: the workspace's own records are backed up every night (or give --no-records-backup)")
	case sf.records.Repository != "" && sf.noRecords:
		return exitf(ExitUsage, "give --records-repo or --no-records-backup, not both")
	case sf.snapshot != "":
		return exitf(ExitUsage, "--snapshot goes with --restore-from")
	}
	pw, err := readSecretFile(sf.passwordFile)
	if err != nil {
		return err
	}
	if sf.recordsPasswordFile != "" {
		if sf.records.Password, err = readSecretFile(sf.recordsPasswordFile); err != nil {
			return err
		}
	}
	ws, err := g.workspaceOrDefault()
	if err != nil {
		return err
	}
	svc, err := jobs.OpenWorkspace(cmd.Context(), ws, jobs.Options{Catalog: sf.catalog, DocumentKeyFile: os.Getenv(jobs.DocumentKeyEnv)})
	if err != nil {
		return err
	}
	defer svc.Close()
	u, err := svc.Setup(cmd.Context(), jobs.SetupOptions{Admin: sf.admin, FullName: sf.fullName, Password: pw, Company: sf.company, Records: sf.records})
	if err != nil {
		return refusalExit(err)
	}
	records, ok, err := svc.RecordsJob(cmd.Context(), u)
	if err != nil {
		return err
	}
	if g.json {
		out := map[string]any{"workspace": svc.Dir(), "admin": u}
		if ok {
			out["records_job"] = records
		}
		return json.NewEncoder(cmd.OutOrStdout()).Encode(out)
	}
	w := cmd.OutOrStdout()
	if _, err := fmt.Fprintf(w, "workspace %s ready; administrator %q created\n", svc.Dir(), u.Name); err != nil {
		return err
	}
	if !ok {
		_, err = fmt.Fprintf(cmd.ErrOrStderr(), "warning: the workspace's own records are NOT backed up; an administrator sets it up with `cadang records setup --repo REPO`\n")
		return err
	}
	_, err = fmt.Fprintf(w, "records backup %s %s by the setup: %s into %s\n", records.Name, records.State, records.Schedule, records.Repository)
	return err
}

func rebuildWorkspace(cmd *cobra.Command, g *globals, sf setupFlags) error {
	if sf.admin != "" || sf.passwordFile != "" || sf.records.Repository != "" || sf.noRecords || len(sf.records.Replicas) > 0 {
		return exitf(ExitUsage, "--restore-from rebuilds the accounts and the records backup from the backup: leave out --admin, --password-file and --records-*, except --records-password-file")
	}
	ws := g.Workspace()
	if ws == "" {
		return exitf(ExitUsage, "--restore-from needs --workspace NEW (or $CADANG_WORKSPACE): the folder to rebuild into")
	}
	pw := os.Getenv("CADANG_PASSWORD")
	if sf.recordsPasswordFile != "" {
		var err error
		if pw, err = readSecretFile(sf.recordsPasswordFile); err != nil {
			return err
		}
	}
	res, err := jobs.RebuildWorkspace(cmd.Context(), ws, jobs.RebuildOptions{Repository: sf.restoreFrom, Password: pw, Snapshot: sf.snapshot,
		DocumentKeyFile: os.Getenv(jobs.DocumentKeyEnv)}) // a key kept outside the workspace is not in its backup
	if errors.Is(err, jobs.ErrRebuildDamaged) {
		return withExit(ExitDamaged, err)
	}
	if err != nil {
		return refusalExit(err)
	}
	if g.json {
		if err := json.NewEncoder(cmd.OutOrStdout()).Encode(res); err != nil {
			return err
		}
	} else if err := printRebuild(cmd, res); err != nil {
		return err
	}
	if !res.OK() {
		return exitf(ExitDamaged, "the rebuilt workspace does not verify: %d audit problem(s), %d document problem(s)", len(res.Audit.Problems), len(res.DocumentProblems))
	}
	return nil
}

func printRebuild(cmd *cobra.Command, res jobs.RebuildResult) error {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "workspace %s rebuilt from snapshot %s (taken %s on %s) of %s\n", res.Workspace, shortSnap(res.Snapshot),
		res.SnapshotTime.Local().Format("2006-01-02 15:04"), res.Host, res.Repository)
	fmt.Fprintf(w, "  files:     %d restored, each matching its recorded SHA-256\n", res.Files)
	fmt.Fprintf(w, "  catalog:   integrity_check ok, %d tables match the backup's figures\n", res.Tables)
	fmt.Fprintf(w, "  audit log: %d entries, %d problem(s)\n", res.Audit.Entries, len(res.Audit.Problems))
	fmt.Fprintf(w, "  documents: %d registered, %d problem(s)\n", res.Documents, len(res.DocumentProblems))
	for _, p := range res.DocumentProblems {
		fmt.Fprintf(w, "    %s\n", p)
	}
	for _, p := range res.SetAside {
		fmt.Fprintf(w, "  set aside: %s (filed after the backup's catalog copy; not in the register)\n", p)
	}
	if len(res.RunsClosed) > 0 {
		fmt.Fprintf(w, "  runs in progress at the copy, now closed: %v\n", res.RunsClosed)
	}
	if res.RecordsRepository != "" && res.RecordsRepository != res.Repository {
		fmt.Fprintf(w, "  the records backup goes on into %s\n", res.RecordsRepository)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	_, err := fmt.Fprintln(w, "log in with the accounts of the lost workspace")
	return err
}

// refusalExit gives procedure refusals exit status 3.
func refusalExit(err error) error {
	if err == nil {
		return nil
	}
	if isRefused(err) {
		return withExit(ExitRefused, err)
	}
	return err
}

func isRefused(err error) bool { return errors.Is(err, jobs.ErrRefused) }

// joinCatalog opens the workspace on the shared catalog and, when the
// catalog already has accounts, reports the workspace joined (joined
// true). An empty catalog is left for the setup to create its first
// administrator.
func joinCatalog(cmd *cobra.Command, g *globals, sf setupFlags) (joined bool, err error) {
	ws, err := g.workspaceOrDefault()
	if err != nil {
		return false, err
	}
	svc, err := jobs.OpenWorkspace(cmd.Context(), ws, jobs.Options{Catalog: sf.catalog, DocumentKeyFile: os.Getenv(jobs.DocumentKeyEnv)})
	if err != nil {
		return false, err
	}
	defer svc.Close()
	need, err := svc.NeedsSetup(cmd.Context())
	if err != nil || need {
		return false, err
	}
	if sf.admin != "" || sf.records.Repository != "" || sf.noRecords {
		return true, exitf(ExitUsage, "the catalog %s already has accounts: it is joined as it is; leave out --admin and --records-*", sf.catalog)
	}
	if g.json {
		return true, json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]any{"workspace": svc.Dir(), "catalog": sf.catalog, "joined": true})
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "workspace %s joined the shared catalog %s; log in with your account\n"+
		"(the documents are fetched from the catalog as they are opened; copy keys/documents.key from a workstation of the team to verify and file them)\n",
		svc.Dir(), sf.catalog)
	return true, err
}
