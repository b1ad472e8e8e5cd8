package cli

import (
	"github.com/spf13/cobra"

	"cadang/jobs"
)

// newRecordsCommand is the workspace's own backup (SOP 5.5): the built-in
// job workspace-records, set up by `cadang setup --records-repo`.
func newRecordsCommand(g *globals) *cobra.Command {
	l := &login{}
	cmd := &cobra.Command{Use: "records", Short: "The workspace's own backup: catalog, documents, logs (SOP 5.5)",
		Long: "The built-in job " + jobs.RecordsJobName + " backs up this workspace (its catalog through SQLite's online\n" +
			"backup, its documents, logs and keys) every night into a repository outside it, with its replicas.\n" +
			"Change it with `job edit " + jobs.RecordsJobName + "` (an IT manager approves); it cannot be deleted.\n" +
			"Rebuild a lost workspace with `cadang setup --workspace NEW --restore-from REPO`."}
	l.addFlags(cmd)
	backup := &cobra.Command{Use: "backup", Short: "Run the workspace's records backup now", Args: noArgs,
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			p := newTermProgress(cmd.ErrOrStderr())
			r, err := s.svc.RunRecords(cmd.Context(), s.me, jobs.RunOptions{Progress: p.progress()})
			p.done()
			if err != nil {
				return err
			}
			return runExit(s, r)
		})}
	var opt jobs.RecordsOptions
	var passwordFile string
	setup := &cobra.Command{Use: "setup --repo REPO", Short: "Set up the records backup of a workspace that has none (administrators; an IT manager approves)",
		Args: noArgs,
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			if opt.Repository == "" {
				return exitf(ExitUsage, "--repo is required")
			}
			if passwordFile != "" {
				var err error
				if opt.Password, err = readSecretFile(passwordFile); err != nil {
					return err
				}
			}
			j, err := s.svc.ConfigureRecords(cmd.Context(), s.me, opt)
			if err != nil {
				return err
			}
			return s.print(j, "job %s %s: %s into %s; an IT manager approves it with `job approve %s`", j.Name, j.State, j.Schedule, j.Repository, j.Name)
		})}
	setup.Flags().StringVar(&opt.Repository, "repo", "", "repository outside the workspace (created when missing)")
	setup.Flags().StringVar(&passwordFile, "repo-password-file", "", "file holding the repository's password (encrypts a new one)")
	setup.Flags().StringArrayVar(&opt.Replicas, "replica", nil, "replica of the repository to sync after each backup (repeatable)")
	cmd.AddCommand(backup, setup)
	return cmd
}
