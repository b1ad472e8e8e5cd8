package cli

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"cadang/jobs"
)

// newCatalogCommand is `cadang catalog`: moving a workspace's catalog.
func newCatalogCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "catalog", Short: "The workspace's catalog: move it to a team's shared catalog"}
	l := &login{}
	var to string
	migrate := &cobra.Command{Use: "migrate --to postgres://USER@HOST:PORT/DB --as ADMIN",
		Short: "Copy this workspace's catalog, audit log and documents into an empty shared catalog, verify it, and use it",
		Long: "Copy this workspace's SQLite catalog (every table, the audit chain) and the bytes of every filed document\n" +
			"into an empty PostgreSQL database, then verify the copy as a workstation joining it would: `audit verify`, and\n" +
			"every document fetched from the catalog and checked by its code. Only when everything verifies does the\n" +
			"workspace switch to the shared catalog (catalog.url); its own is set aside as catalog.db.migrated. An\n" +
			"administrator does it (--as, password from --login-file or $CADANG_LOGIN). Stop the window and the daemon\n" +
			"of this workspace first. Exit 0 when it verified, 5 when the copy does not verify (the workspace is unchanged).",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if to == "" || l.as == "" {
				return exitf(ExitUsage, "give --to postgres://USER@HOST:PORT/DB and --as ADMIN")
			}
			if err := jobs.CheckCatalogURL(to); err != nil {
				return withExit(ExitUsage, err)
			}
			pw, ok := os.LookupEnv("CADANG_LOGIN")
			if l.loginFile != "" {
				var err error
				if pw, err = readSecretFile(l.loginFile); err != nil {
					return err
				}
			} else if !ok {
				return exitf(ExitUsage, "give the password of %q with --login-file F or $CADANG_LOGIN", l.as)
			}
			ws, err := g.workspaceOrDefault()
			if err != nil {
				return err
			}
			if _, err := os.Stat(ws); err != nil {
				return fmt.Errorf("workspace %s: %w", ws, err)
			}
			res, err := jobs.MigrateCatalog(cmd.Context(), ws, l.as, pw, to, jobs.Options{DocumentKeyFile: os.Getenv(jobs.DocumentKeyEnv)})
			if res.Tables != nil {
				if perr := printMigrate(cmd, g, res); perr != nil {
					return perr
				}
			}
			if err != nil && res.Tables != nil && !res.OK() {
				return withExit(ExitDamaged, err)
			}
			return refusalExit(err)
		}}
	migrate.Flags().StringVar(&to, "to", "", "the shared catalog: an empty PostgreSQL database (password in ~/.pgpass)")
	l.addFlags(migrate)
	cmd.AddCommand(migrate)
	return cmd
}

func printMigrate(cmd *cobra.Command, g *globals, res jobs.MigrateResult) error {
	if g.json {
		return json.NewEncoder(cmd.OutOrStdout()).Encode(res)
	}
	w := cmd.OutOrStdout()
	rows := 0
	for _, n := range res.Tables {
		rows += n
	}
	fmt.Fprintf(w, "catalog of %s copied to %s: %d rows in %d tables, %d document files\n", res.Workspace, res.To, rows, len(res.Tables), res.DocumentFiles)
	fmt.Fprintf(w, "  audit log: %d entries, %d problem(s), %d anchor(s) checked\n", res.Audit.Entries, len(res.Audit.Problems), len(res.Audit.Anchors))
	fmt.Fprintf(w, "  documents: %d verified from the catalog, %d problem(s)\n", res.Documents, len(res.DocumentProblems))
	for _, p := range res.DocumentProblems {
		fmt.Fprintf(w, "    %s\n", p)
	}
	if res.OK() && res.SetAside != "" {
		_, err := fmt.Fprintf(w, "the workspace now uses the shared catalog; its own was set aside as %s\n", res.SetAside)
		return err
	}
	return nil
}
