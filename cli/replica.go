package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"cadang/jobs"
)

// addReplicaCommands adds replica add|remove|list|sync|status.
func addReplicaCommands(root *cobra.Command, g *globals) {
	cmd := &cobra.Command{
		Use:   "replica",
		Short: "Offsite and cloud copies of a repository (folder, SFTP, rclone, S3)",
		Long: "A replica is a copy of a repository on another backend: a folder (a share from\n" +
			"another building), sftp://user@host:port/path, rclone:REMOTE:path (Google Drive\n" +
			"and every other rclone remote) or s3://host:port/bucket/prefix (s3+http:// for\n" +
			"plain HTTP). Replicas are recorded in the repository folder (replicas.json).\n" +
			"A sync copies what the replica lacks, snapshots last, and checks every file\n" +
			"it copied; it never deletes there unless --delete is given. Restore and\n" +
			"verify run straight from a replica: --repo accepts its URL.",
	}
	cmd.AddCommand(newReplicaAddCommand(g), newReplicaRemoveCommand(g), newReplicaListCommand(g),
		newReplicaSyncCommand(g), newReplicaStatusCommand(g))
	root.AddCommand(cmd)
}

// replicaList opens the replica list of --repo, a local repository folder.
func replicaList(ctx context.Context, repo string) (*jobs.ReplicaList, error) {
	if repo == "" {
		return nil, exitf(ExitUsage, "--repo is required")
	}
	l, err := jobs.OpenReplicaList(ctx, repo)
	if errors.Is(err, jobs.ErrNotLocalRepository) {
		return nil, withExit(ExitUsage, err)
	}
	return l, err
}

// replicaExit gives a replica list error its exit status: a definition
// the person must fix, or a name the list lacks, is a usage error.
func replicaExit(err error) error {
	var spec *jobs.ReplicaSpecError
	if errors.As(err, &spec) || errors.Is(err, jobs.ErrUnknownReplica) {
		return withExit(ExitUsage, err)
	}
	return err
}

func newReplicaAddCommand(g *globals) *cobra.Command {
	var repo, bwlimit string
	cmd := &cobra.Command{
		Use:   "add --repo R NAME URL",
		Short: "Record a replica of the repository",
		Example: "  cadang replica add --repo /srv/cadang offsite /mnt/gedung-b/cadang\n" +
			"  cadang replica add --repo /srv/cadang gdrive rclone:gdrive:cadang --bwlimit 2M\n" +
			"  cadang replica add --repo /srv/cadang dr sftp://backup@10.0.5.9:22/srv/cadang\n" +
			"  cadang replica add --repo /srv/cadang s3 s3://s3.example.com/backups/cadang",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			list, err := replicaList(cmd.Context(), repo)
			if err != nil {
				return err
			}
			rate, err := parseRate(bwlimit)
			if err != nil {
				return withExit(ExitUsage, err)
			}
			rep, err := list.Add(jobs.ReplicaSpec{Name: args[0], URL: args[1], BandwidthLimit: rate}, time.Now())
			if err != nil {
				return replicaExit(err)
			}
			return emit(g, cmd.OutOrStdout(), rep, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "replica %s added: %s\ncopy the repository there with: cadang replica sync --repo %s %s\n", rep.Name, rep.URL, repo, rep.Name)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&repo, "repo", "", "local repository folder (required)")
	cmd.Flags().StringVar(&bwlimit, "bwlimit", "", "default bandwidth limit for this replica, e.g. 512K, 2M (bytes per second)")
	return cmd
}

func newReplicaRemoveCommand(g *globals) *cobra.Command {
	var repo string
	cmd := &cobra.Command{
		Use:   "remove --repo R NAME",
		Short: "Forget a replica (its data stays where it is)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			list, err := replicaList(cmd.Context(), repo)
			if err != nil {
				return err
			}
			if ws, err := g.workspaceOrDefault(); err == nil { // as the window does: not from under a job
				if err := jobs.CheckReplicaRemoval(cmd.Context(), ws, list.Dir(), args[0]); err != nil {
					return refusalExit(err)
				}
			}
			if err := list.Remove(args[0]); err != nil {
				return replicaExit(err)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "replica %s forgotten; its data was not touched\n", args[0])
			return err
		},
	}
	cmd.Flags().StringVar(&repo, "repo", "", "local repository folder (required)")
	return cmd
}

func newReplicaListCommand(g *globals) *cobra.Command {
	var repo string
	cmd := &cobra.Command{
		Use:   "list --repo R",
		Short: "List the replicas and their last sync",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			list, err := replicaList(cmd.Context(), repo)
			if err != nil {
				return err
			}
			reps, err := list.Replicas()
			if err != nil {
				return err
			}
			return emit(g, cmd.OutOrStdout(), reps, func(w io.Writer) error {
				if len(reps) == 0 {
					_, err := fmt.Fprintln(w, "no replicas; add one with: cadang replica add --repo R NAME URL")
					return err
				}
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tURL\tBWLIMIT\tLAST SYNC\tLAST ERROR")
				for _, r := range reps {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.URL, rateString(r.BandwidthLimit), when(r.LastSync), r.LastError)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&repo, "repo", "", "local repository folder (required)")
	return cmd
}

// selectReplicas returns the names to act on: the one given, else all.
func selectReplicas(list *jobs.ReplicaList, args []string) ([]string, error) {
	if len(args) == 1 {
		if _, err := list.Get(args[0]); err != nil {
			return nil, replicaExit(err)
		}
		return args, nil
	}
	reps, err := list.Replicas()
	if err != nil {
		return nil, err
	}
	if len(reps) == 0 {
		return nil, exitf(ExitUsage, "no replicas; add one with: cadang replica add --repo R NAME URL")
	}
	names := make([]string, len(reps))
	for i, r := range reps {
		names[i] = r.Name
	}
	return names, nil
}

func newReplicaSyncCommand(g *globals) *cobra.Command {
	var repo, bwlimit string
	var del bool
	var guard repoGuard
	cmd := &cobra.Command{
		Use:   "sync --repo R [NAME]",
		Short: "Copy to each replica (or NAME) what it lacks, then check what was copied",
		Long: "Copy to each replica (or only NAME) every repository file it lacks, snapshots\n" +
			"last, checking each copied file's size and BLAKE3 hash. An interrupted sync\n" +
			"resumes: files that arrived are not copied again. Nothing is deleted on the\n" +
			"replica unless --delete is given, which then removes what forget/prune removed\n" +
			"here (snapshots first). The outcome is recorded in the repository's replicas.json.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			list, err := replicaList(ctx, repo)
			if err != nil {
				return err
			}
			rate, err := parseRate(bwlimit)
			if err != nil {
				return withExit(ExitUsage, err)
			}
			names, err := selectReplicas(list, args)
			if err != nil {
				return err
			}
			if !del {
				return runSync(ctx, g, cmd.OutOrStdout(), cmd.ErrOrStderr(), list, names, rate, del)
			}
			// Removing from a copy of a job's repository is a change by hand.
			finish, err := guard.begin(cmd, g, "", list.Dir(), "replica-sync-delete", "replicas "+strings.Join(names, ", "))
			if err != nil {
				return err
			}
			err = runSync(ctx, g, cmd.OutOrStdout(), cmd.ErrOrStderr(), list, names, rate, del)
			finish(outcomeOf(err, "synced, removing there what the repository no longer has"))
			return err
		},
	}
	cmd.Flags().StringVar(&repo, "repo", "", "local repository folder (required)")
	cmd.Flags().StringVar(&bwlimit, "bwlimit", "", "bandwidth limit for this run, e.g. 512K, 2M, 1.5MiB/s (bytes per second; default: the replica's)")
	cmd.Flags().BoolVar(&del, "delete", false, "also remove from the replica what forget/prune removed here (after the copy); on a job's repository it needs --as and is audited")
	guard.addFlags(cmd)
	return cmd
}

func runSync(ctx context.Context, g *globals, out, errw io.Writer, list *jobs.ReplicaList, names []string, rate int64, del bool) error {
	var results []*jobs.ReplicaSync
	failed := 0
	for _, name := range names {
		p := newTermProgress(errw)
		res, err := list.Sync(ctx, name, jobs.ReplicaSyncOptions{BandwidthLimit: rate, Progress: p, Delete: del})
		p.done()
		if errors.Is(err, context.Canceled) {
			return err
		}
		if err != nil {
			failed++
			fmt.Fprintf(errw, "FAILED: %v\n", err)
		}
		if res != nil {
			results = append(results, res)
			if err == nil && !g.json {
				printSync(out, res)
			}
		}
	}
	if g.json {
		if err := emit(g, out, results, nil); err != nil {
			return err
		}
	}
	if failed > 0 {
		return exitf(ExitError, "%d of %d replica(s) failed; run the sync again to resume", failed, len(names))
	}
	return nil
}

func printSync(w io.Writer, res *jobs.ReplicaSync) {
	fmt.Fprintf(w, "replica %s: %d file(s) copied (%s) and checked, %d already there, in %s",
		res.Replica.Name, res.FilesCopied, humanBytes(res.BytesCopied), res.FilesSkipped, res.Duration.Round(time.Millisecond))
	if len(res.Removed) > 0 {
		fmt.Fprintf(w, "; %d file(s) removed that the repository no longer has", len(res.Removed))
	}
	fmt.Fprintln(w)
}

// replicaStatus is one line of `replica status`.
type replicaStatus struct {
	jobs.Replica
	Lag      *jobs.ReplicaLagInfo `json:"lag,omitempty"`
	UpToDate bool                 `json:"up_to_date"`
	Error    string               `json:"error,omitempty"`
}

func newReplicaStatusCommand(g *globals) *cobra.Command {
	var repo string
	cmd := &cobra.Command{
		Use:   "status --repo R [NAME]",
		Short: "Compare each replica (or NAME) with the repository: what it lacks, last sync",
		Long: "Compare each replica with the repository by file names and sizes (nothing is\n" +
			"downloaded). Exit status 0: every replica is up to date; 4: one lags behind\n" +
			"(run cadang replica sync); 1: one could not be reached.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			list, err := replicaList(ctx, repo)
			if err != nil {
				return err
			}
			names, err := selectReplicas(list, args)
			if err != nil {
				return err
			}
			var all []replicaStatus
			for _, name := range names {
				rep, lag, err := list.Compare(ctx, name)
				if errors.Is(err, context.Canceled) {
					return err
				}
				st := replicaStatus{Replica: rep}
				if err != nil {
					st.Error = err.Error()
				} else {
					st.Lag, st.UpToDate = &lag, lag.UpToDate()
				}
				all = append(all, st)
			}
			if err := emit(g, cmd.OutOrStdout(), all, func(w io.Writer) error { return printStatus(w, all) }); err != nil {
				return err
			}
			return statusExit(all)
		},
	}
	cmd.Flags().StringVar(&repo, "repo", "", "local repository folder (required)")
	return cmd
}

func printStatus(w io.Writer, all []replicaStatus) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATE\tSNAPSHOTS\tLAST SYNC\tURL")
	for _, s := range all {
		state, snaps := "unreachable: "+s.Error, "-"
		if s.Lag != nil {
			snaps = strconv.Itoa(s.Lag.Snapshots)
			state = "up to date"
			if !s.UpToDate {
				state = fmt.Sprintf("behind: %d file(s), %s, %d snapshot(s) missing", s.Lag.MissingFiles, humanBytes(s.Lag.MissingBytes), s.Lag.MissingSnapshots)
			}
			if s.Lag.ExtraFiles > 0 {
				state += fmt.Sprintf(" (+%d file(s) pruned here, kept there)", s.Lag.ExtraFiles)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, state, snaps, when(s.LastSync), s.URL)
	}
	return tw.Flush()
}

func statusExit(all []replicaStatus) error {
	unreachable, behind := 0, 0
	for _, s := range all {
		switch {
		case s.Error != "":
			unreachable++
		case !s.UpToDate:
			behind++
		}
	}
	if unreachable > 0 {
		return exitf(ExitError, "%d replica(s) could not be reached", unreachable)
	}
	if behind > 0 {
		return exitf(ExitWarnings, "%d replica(s) behind the repository; run cadang replica sync", behind)
	}
	return nil
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func rateString(r int64) string {
	if r == 0 {
		return "unlimited"
	}
	return humanBytes(r) + "/s"
}

// parseRate reads a bandwidth limit (jobs.ParseRate, shared with the window).
func parseRate(s string) (int64, error) { return jobs.ParseRate(s) }
