package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"cadang/engine"
	"cadang/engine/location"
	"cadang/internal/heapbound"
	"cadang/jobs"
)

// addRepoCommands adds the engine commands: init, backup, snapshots, ls,
// restore, verify, forget, prune, unlock.
func addRepoCommands(root *cobra.Command, g *globals) {
	root.AddCommand(
		newInitCommand(g), newBackupCommand(g), newSnapshotsCommand(g), newLsCommand(g),
		newRestoreCommand(g), newVerifyCommand(g), newForgetCommand(g), newPruneCommand(g),
		newUnlockCommand(g),
	)
}

// repoFlags are the flags every repository command shares.
type repoFlags struct {
	repo         string
	passwordFile string
	location     string         // --repo resolved by open: a folder or URL
	cmd          *cobra.Command // for --workspace, where a replica name is looked up (reponame.go)
}

func (f *repoFlags) add(cmd *cobra.Command) {
	f.cmd = cmd
	cmd.Flags().StringVar(&f.repo, "repo", "", "repository folder or URL, or the name of a replica of a workspace job's repository (required)")
	cmd.Flags().StringVar(&f.passwordFile, "password-file", "", "file holding the repository password (default: $CADANG_PASSWORD)")
}

// password returns --password-file's content, else $CADANG_PASSWORD.
func (f *repoFlags) password() (string, error) {
	if f.passwordFile != "" {
		return readSecretFile(f.passwordFile)
	}
	return os.Getenv("CADANG_PASSWORD"), nil
}

// open opens the repository named by --repo.
func (f *repoFlags) open(ctx context.Context) (*engine.Repository, error) {
	if f.repo == "" {
		return nil, exitf(ExitUsage, "--repo is required")
	}
	pw, err := f.password()
	if err != nil {
		return nil, err
	}
	loc, err := resolveRepo(ctx, f.repo, f.cmd)
	if err != nil {
		return nil, err
	}
	f.location = loc
	be, err := location.Open(ctx, loc)
	if err != nil {
		return nil, err
	}
	r, err := engine.Open(ctx, be, pw)
	if err != nil {
		_ = be.Close()
		switch {
		case errors.Is(err, engine.ErrPasswordRequired):
			return nil, fmt.Errorf("%w (use --password-file or CADANG_PASSWORD)", err)
		case errors.Is(err, engine.ErrNotEncrypted):
			return nil, withExit(ExitRefused, fmt.Errorf("%w: if it was made without one, give no password (unset CADANG_PASSWORD); if it was made with one, its config was changed and its key files removed: do not back up into it", err))
		case errors.Is(err, engine.ErrTampered):
			return nil, withExit(ExitDamaged, fmt.Errorf("%w; do not back up into it: restore from a replica, or compare its config with a replica's", err))
		}
		return nil, err
	}
	return r, nil
}

// emit prints v as JSON with --json, else calls text.
func emit(g *globals, w io.Writer, v any, text func(io.Writer) error) error {
	if g.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	return text(w)
}

func newInitCommand(g *globals) *cobra.Command {
	var f repoFlags
	cmd := &cobra.Command{
		Use:   "init --repo DIR",
		Short: "Create a repository (encrypted when a password is given)",
		Long: "Create a repository. With --password-file or CADANG_PASSWORD it is encrypted\n" +
			"(AES-256-GCM, key from the password with scrypt); without, it is not.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if f.repo == "" {
				return exitf(ExitUsage, "--repo is required")
			}
			pw, err := f.password()
			if err != nil {
				return err
			}
			be, err := location.Open(ctx, f.repo)
			if err != nil {
				return err
			}
			r, err := engine.Init(ctx, be, engine.InitOptions{Password: pw})
			if err != nil {
				return err
			}
			defer r.Close()
			out := map[string]any{"repository": be.Location(), "id": r.ID(), "encrypted": r.Encrypted()}
			return emit(g, cmd.OutOrStdout(), out, func(w io.Writer) error {
				state := "unencrypted (no password given)"
				if r.Encrypted() {
					state = "encrypted"
				}
				_, err := fmt.Fprintf(w, "created %s repository %s at %s\n", state, r.ID()[:8], be.Location())
				return err
			})
		},
	}
	f.add(cmd)
	return cmd
}

func newBackupCommand(g *globals) *cobra.Command {
	var f repoFlags
	var guard repoGuard
	var excludes, tags, dbs []string
	var host string
	cmd := &cobra.Command{
		Use:   "backup --repo DIR [--exclude GLOB]... [--tag T] PATH...",
		Short: "Back up files and folders as a new snapshot",
		Long: "Back up PATHs as one new snapshot. Each PATH is stored at the snapshot's root\n" +
			"under its base name (/srv/data -> data), which is also where a restore puts it\n" +
			"under the target; two PATHs with the same base name are refused.\n" +
			"Unchanged files (same size, mtime, ctime, inode) are not read again.\n" +
			"Exit status 4 means the snapshot was saved but some files could not be read.",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if len(args) == 0 && len(dbs) == 0 {
				return exitf(ExitUsage, "nothing to back up: give at least one PATH or --db")
			}
			// The key derivation and the index load leave a core idle: the
			// walk's listings start on it now.
			prescan := engine.StartPrescan(ctx, args, excludes)
			defer prescan.Stop()
			streams, err := databaseStreams(ctx, dbs)
			if err != nil {
				return err
			}
			r, err := f.open(ctx)
			if err != nil {
				return err
			}
			defer r.Close()
			guard.check = func() error { return jobs.CheckHandBackupTags(tags) }
			finish, err := guard.begin(cmd, g, r.ID(), f.location, "backup", "paths "+strings.Join(args, ", "))
			if err != nil {
				return err
			}
			stopHeapBound := heapbound.Bound(heapbound.Backup)
			defer stopHeapBound()
			prog := newTermProgress(g.opt.Stderr)
			res, err := r.Backup(ctx, args, engine.BackupOptions{Excludes: excludes, Tags: tags, Host: host, Streams: streams, Progress: prog.progress(), Prescan: prescan})
			prog.done()
			if err != nil {
				finish(outcomeOf(err, ""))
				return err
			}
			finish(fmt.Sprintf("snapshot %s saved", res.Snapshot.ShortID()))
			if err := emit(g, cmd.OutOrStdout(), res, func(w io.Writer) error { return printBackup(w, res) }); err != nil {
				return err
			}
			if len(res.Warnings) > 0 {
				return exitf(ExitWarnings, "snapshot %s completed with warnings: %d path(s) could not be backed up", res.Snapshot.ShortID(), len(res.Warnings))
			}
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringArrayVar(&excludes, "exclude", nil, "skip files and folders matching GLOB (base name or full path; repeatable)")
	cmd.Flags().StringArrayVar(&tags, "tag", nil, "tag the snapshot (repeatable)")
	cmd.Flags().StringVar(&host, "host", "", "host name recorded in the snapshot (default: this machine's)")
	cmd.Flags().StringArrayVar(&dbs, "db", nil, "also back up this database URL (repeatable)")
	guard.addFlags(cmd)
	return cmd
}

func printBackup(w io.Writer, res *engine.BackupResult) error {
	for _, warn := range res.Warnings {
		fmt.Fprintf(w, "warning: %s: %s\n", warn.Path, warn.Err)
	}
	secs := res.Duration.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(res.BytesRead) / secs
	}
	_, err := fmt.Fprintf(w, "snapshot %s saved\nfiles: %d new, %d changed, %d unmodified; %d folders\n"+
		"read %s, added %s to the repository, in %s (%s/s)\n",
		res.Snapshot.ShortID(), res.FilesNew, res.FilesChanged, res.FilesUnmodified, res.DirsTotal,
		humanBytes(res.BytesRead), humanBytes(res.BytesAdded), res.Duration.Round(time.Millisecond), humanBytes(int64(rate)))
	return err
}

func newSnapshotsCommand(g *globals) *cobra.Command {
	var f repoFlags
	cmd := &cobra.Command{
		Use:   "snapshots --repo DIR",
		Short: "List snapshots: id, time, host, paths, tags, size",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := f.open(cmd.Context())
			if err != nil {
				return err
			}
			defer r.Close()
			snaps, err := r.Snapshots(cmd.Context())
			if err != nil {
				return err
			}
			if snaps == nil {
				snaps = []engine.Snapshot{}
			}
			return emit(g, cmd.OutOrStdout(), snaps, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tTIME\tHOST\tPATHS\tTAGS\tSIZE")
				for _, s := range snaps {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ShortID(), s.Time.Local().Format("2006-01-02 15:04:05"),
						s.Host, strings.Join(s.Paths, ","), strings.Join(s.Tags, ","), humanBytes(s.Summary.TotalBytes))
				}
				fmt.Fprintf(tw, "%d snapshot(s)\n", len(snaps))
				return tw.Flush()
			})
		},
	}
	f.add(cmd)
	return cmd
}

func newLsCommand(g *globals) *cobra.Command {
	var f repoFlags
	var recursive bool
	cmd := &cobra.Command{
		Use:   "ls --repo DIR SNAPSHOT [PATH]",
		Short: "List a folder of a snapshot (SNAPSHOT is an ID prefix or latest)",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			r, err := f.open(ctx)
			if err != nil {
				return err
			}
			defer r.Close()
			snap, err := r.FindSnapshot(ctx, args[0])
			if err != nil {
				return err
			}
			dir := "/"
			if len(args) == 2 {
				dir = args[1]
			}
			var nodes []engine.Node
			if recursive {
				prefix := strings.TrimSuffix("/"+strings.Trim(dir, "/"), "/") + "/"
				err = r.Walk(ctx, snap, func(n engine.Node) error {
					if prefix == "/" || strings.HasPrefix(n.Path, prefix) {
						nodes = append(nodes, n)
					}
					return nil
				})
			} else {
				nodes, err = r.List(ctx, snap, dir)
			}
			if err != nil {
				return err
			}
			if nodes == nil {
				nodes = []engine.Node{}
			}
			return emit(g, cmd.OutOrStdout(), nodes, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				for _, n := range nodes {
					name := n.Path
					if n.Type == engine.NodeDir {
						name += "/"
					} else if n.Type == engine.NodeSymlink {
						name += " -> " + n.LinkTarget
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", os.FileMode(n.Mode).String(), humanBytes(n.Size), n.ModTime.Local().Format("2006-01-02 15:04"), name)
				}
				return tw.Flush()
			})
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVarP(&recursive, "recursive", "r", false, "list everything below PATH")
	return cmd
}
