package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"cadang/engine"
	"cadang/internal/heapbound"
)

func newVerifyCommand(g *globals) *cobra.Command {
	var f repoFlags
	var readData bool
	cmd := &cobra.Command{
		Use:   "verify --repo DIR [--read-data]",
		Short: "Check the repository; --read-data also decrypts and re-hashes every byte",
		Long: "Check that every snapshot's folders and chunks exist in the index and in packs.\n" +
			"With --read-data, read every pack, check its hash, decrypt, decompress and re-hash\n" +
			"every chunk. Damage names the affected snapshots and files; exit status 5.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := f.open(cmd.Context())
			if err != nil {
				return err
			}
			defer r.Close()
			defer heapbound.Bound(heapbound.Maintenance)()
			prog := newTermProgress(g.opt.Stderr)
			res, err := r.Verify(cmd.Context(), engine.VerifyOptions{ReadData: readData, Progress: prog.progress()})
			prog.done()
			if err != nil {
				return err
			}
			if err := emit(g, cmd.OutOrStdout(), res, func(w io.Writer) error { return printVerify(w, res) }); err != nil {
				return err
			}
			if !res.OK() {
				return exitf(ExitDamaged, "repository damaged: %d problem(s) found", len(res.Damage))
			}
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&readData, "read-data", false, "read and check every byte of every pack")
	return cmd
}

func printVerify(w io.Writer, res *engine.VerifyResult) error {
	for _, d := range res.Damage {
		fmt.Fprintf(w, "DAMAGED %s: %s\n", d.Object, d.Err)
		if len(d.Snapshots) > 0 {
			fmt.Fprintf(w, "  snapshots: %s\n", strings.Join(d.Snapshots, ", "))
		}
		for _, p := range d.Files {
			fmt.Fprintf(w, "  file: %s\n", p)
		}
	}
	mode := "structure"
	if res.ReadData {
		mode = "structure and all data"
	}
	state := "no damage found"
	if !res.OK() {
		state = fmt.Sprintf("%d problem(s)", len(res.Damage))
	}
	_, err := fmt.Fprintf(w, "checked %s: %d snapshots, %d packs, %d chunks: %s\n", mode, res.Snapshots, res.Packs, res.Chunks, state)
	return err
}

func newForgetCommand(g *globals) *cobra.Command {
	var f repoFlags
	var guard repoGuard
	var pol engine.RetentionPolicy
	var prune, dryRun bool
	cmd := &cobra.Command{
		Use:   "forget --repo DIR [--keep-last N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--keep-yearly N] [--prune] [--dry-run]",
		Short: "Remove snapshots outside the retention policy (restic's keep-* rules)",
		Long: "Keep the newest snapshot of each of the last N days/weeks/months/years and the\n" +
			"last N snapshots, per host and set of paths; remove the others. With no --keep-*\n" +
			"flag nothing is removed. --prune then removes the data no snapshot needs.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			r, err := f.open(ctx)
			if err != nil {
				return err
			}
			defer r.Close()
			finish := func(string) {}
			if !dryRun {
				if finish, err = guard.begin(cmd, g, r.ID(), f.location, "forget", fmt.Sprintf("policy %+v, prune %t", pol, prune)); err != nil {
					return err
				}
			}
			defer heapbound.Bound(heapbound.Maintenance)()
			res, err := r.Forget(ctx, pol, dryRun)
			if err != nil {
				finish(outcomeOf(err, ""))
				return err
			}
			out := map[string]any{"forget": res, "dry_run": dryRun}
			var pr *engine.PruneResult
			if prune {
				if pr, err = r.Prune(ctx, dryRun); err != nil {
					finish(outcomeOf(err, ""))
					return err
				}
				out["prune"] = pr
			}
			removed := make([]string, len(res.Remove))
			for i, s := range res.Remove {
				removed[i] = s.ShortID()
			}
			finish(fmt.Sprintf("removed %d snapshots: %s", len(removed), strings.Join(removed, ", ")))
			return emit(g, cmd.OutOrStdout(), out, func(w io.Writer) error {
				verb := "removed"
				if dryRun {
					verb = "would remove"
				}
				for _, s := range res.Remove {
					fmt.Fprintf(w, "%s snapshot %s (%s)\n", verb, s.ShortID(), s.Time.Local().Format("2006-01-02 15:04"))
				}
				fmt.Fprintf(w, "kept %d snapshot(s), %s %d\n", len(res.Keep), verb, len(res.Remove))
				if pr != nil {
					printPrune(w, pr, dryRun)
				}
				return nil
			})
		},
	}
	f.add(cmd)
	fl := cmd.Flags()
	fl.IntVar(&pol.KeepLast, "keep-last", 0, "keep the last N snapshots")
	fl.IntVar(&pol.KeepDaily, "keep-daily", 0, "keep the newest snapshot of each of the last N days")
	fl.IntVar(&pol.KeepWeekly, "keep-weekly", 0, "keep the newest snapshot of each of the last N weeks")
	fl.IntVar(&pol.KeepMonthly, "keep-monthly", 0, "keep the newest snapshot of each of the last N months")
	fl.IntVar(&pol.KeepYearly, "keep-yearly", 0, "keep the newest snapshot of each of the last N years")
	fl.BoolVar(&prune, "prune", false, "prune unreferenced data afterwards")
	fl.BoolVar(&dryRun, "dry-run", false, "only show what would be removed")
	guard.addFlags(cmd)
	return cmd
}

func printPrune(w io.Writer, pr *engine.PruneResult, dryRun bool) {
	verb := "pruned"
	if dryRun {
		verb = "would prune"
	}
	fmt.Fprintf(w, "%s: %d pack(s) removed, %d rewritten, %s freed\n", verb, pr.PacksRemoved, pr.PacksRewritten, humanBytes(pr.BytesFreed))
}

func newPruneCommand(g *globals) *cobra.Command {
	var f repoFlags
	var guard repoGuard
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "prune --repo DIR",
		Short: "Remove data no snapshot references and leftovers of interrupted runs",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := f.open(cmd.Context())
			if err != nil {
				return err
			}
			defer r.Close()
			finish := func(string) {}
			if !dryRun {
				if finish, err = guard.begin(cmd, g, r.ID(), f.location, "prune", "remove unreferenced data"); err != nil {
					return err
				}
			}
			defer heapbound.Bound(heapbound.Maintenance)()
			pr, err := r.Prune(cmd.Context(), dryRun)
			if pr != nil {
				finish(outcomeOf(err, fmt.Sprintf("%d packs removed, %d rewritten, %d bytes freed", pr.PacksRemoved, pr.PacksRewritten, pr.BytesFreed)))
			} else {
				finish(outcomeOf(err, "done"))
			}
			if err != nil {
				return err
			}
			return emit(g, cmd.OutOrStdout(), pr, func(w io.Writer) error { printPrune(w, pr, dryRun); return nil })
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "only show what would be removed")
	guard.addFlags(cmd)
	return cmd
}

func newUnlockCommand(g *globals) *cobra.Command {
	var f repoFlags
	var guard repoGuard
	var all bool
	cmd := &cobra.Command{
		Use:   "unlock --repo DIR",
		Short: "Remove stale locks (holder gone, or not refreshed for 30 minutes)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := f.open(cmd.Context())
			if err != nil {
				return err
			}
			defer r.Close()
			finish, err := guard.begin(cmd, g, r.ID(), f.location, "unlock", fmt.Sprintf("remove-all %t", all))
			if err != nil {
				return err
			}
			removed, err := r.Unlock(cmd.Context(), all)
			finish(outcomeOf(err, fmt.Sprintf("%d locks removed", len(removed))))
			if err != nil {
				return err
			}
			if removed == nil {
				removed = []engine.LockInfo{}
			}
			return emit(g, cmd.OutOrStdout(), removed, func(w io.Writer) error {
				for _, l := range removed {
					fmt.Fprintf(w, "removed lock of %s PID %d (%s, %s) since %s\n", l.Host, l.PID, l.User, l.Operation, l.Since.Local().Format("2006-01-02 15:04:05"))
				}
				_, err := fmt.Fprintf(w, "%d lock(s) removed\n", len(removed))
				return err
			})
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&all, "remove-all", false, "also remove locks that are not stale (only when no Cadang process uses the repository)")
	guard.addFlags(cmd)
	return cmd
}
