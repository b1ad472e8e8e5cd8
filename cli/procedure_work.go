package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"cadang/jobs"
)

// ---- job ----

// jobFlags are the definition flags of job new and job edit.
type jobFlags struct {
	spec               jobs.JobSpec
	window, cron, once string
	keepAll            bool
}

func (jf *jobFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&jf.spec.Name, "name", "", "job name")
	f.StringVar(&jf.spec.Repository, "repo", "", "repository folder (created at the first run)")
	f.StringArrayVar(&jf.spec.Sources, "source", nil, "path to back up (repeatable)")
	f.StringVar(&jf.window, "window", "", "daily window HH:MM-HH:MM (default 21:00-23:00)")
	f.StringVar(&jf.cron, "cron", "", "cron expression instead of a window")
	f.StringVar(&jf.once, "once", "", `one run at "YYYY-MM-DD HH:MM"`)
	f.StringArrayVar(&jf.spec.Excludes, "exclude", nil, "glob to leave out (repeatable)")
	f.StringArrayVar(&jf.spec.Replicas, "replica", nil, "replica name to copy to after each backup (repeatable)")
	f.StringVar(&jf.spec.PasswordFile, "repo-password-file", "", "file holding the repository password (encrypted repository)")
	f.IntVar(&jf.spec.Retention.KeepLast, "keep-last", 0, "keep the last N snapshots")
	f.IntVar(&jf.spec.Retention.KeepDaily, "keep-daily", 0, "keep N daily snapshots")
	f.IntVar(&jf.spec.Retention.KeepWeekly, "keep-weekly", 0, "keep N weekly snapshots")
	f.IntVar(&jf.spec.Retention.KeepMonthly, "keep-monthly", 0, "keep N monthly snapshots")
	f.IntVar(&jf.spec.Retention.KeepYearly, "keep-yearly", 0, "keep N yearly snapshots")
	f.BoolVar(&jf.keepAll, "keep-all", false, "keep every snapshot (no retention); a new job otherwise keeps the last 10, 7 daily, 4 weekly, 12 monthly")
	f.StringVar(&jf.spec.Host, "host", jobs.ThisHost(), `host whose daemon runs the job on a shared catalog (its sources are there; "" any host)`)
}

// apply merges the flags that were given into base (all of them for a new job).
func (jf *jobFlags) apply(cmd *cobra.Command, base jobs.JobSpec) (jobs.JobSpec, error) {
	f := cmd.Flags()
	isNew := base.Name == ""
	set := func(name string) bool { return f.Changed(name) }
	if set("name") {
		base.Name = jf.spec.Name
	}
	if set("repo") {
		base.Repository = jf.spec.Repository
	}
	if set("source") {
		base.Sources = jf.spec.Sources
	}
	if set("exclude") {
		base.Excludes = jf.spec.Excludes
	}
	if set("replica") {
		base.Replicas = jf.spec.Replicas
	}
	if set("repo-password-file") {
		base.PasswordFile = jf.spec.PasswordFile
	}
	if set("host") || isNew { // a new job runs on this machine unless told otherwise
		base.Host = jf.spec.Host
	}
	for _, k := range []string{"keep-last", "keep-daily", "keep-weekly", "keep-monthly", "keep-yearly"} {
		if set(k) {
			base.Retention = jf.spec.Retention
		}
	}
	if jf.keepAll {
		base.Retention = jobs.Retention{}
	}
	n := 0
	for _, k := range []string{"window", "cron", "once"} {
		if set(k) {
			n++
		}
	}
	if n > 1 {
		return base, exitf(ExitUsage, "give only one of --window, --cron and --once")
	}
	switch {
	case set("window"):
		a, b, err := jobs.ParseWindow(jf.window)
		if err != nil {
			return base, withExit(ExitUsage, err)
		}
		base.Schedule = jobs.Schedule{Kind: jobs.ScheduleWindow, WindowStart: a, WindowEnd: b}
	case set("cron"):
		base.Schedule = jobs.Schedule{Kind: jobs.ScheduleCron, Cron: jf.cron}
	case set("once"):
		t, err := parseAt(jf.once)
		if err != nil {
			return base, err
		}
		base.Schedule = jobs.Schedule{Kind: jobs.ScheduleOnce, Once: t}
	}
	return base, nil
}

func printJob(s *session, j jobs.Job) error {
	if s.g.json {
		return s.print(j, "")
	}
	fmt.Fprintf(s.out, "job %d %s: %s (revision %d, %s)\n", j.ID, j.Name, j.State, j.Revision, jobs.ShortRevision(j.RevisionHash))
	fmt.Fprintf(s.out, "  schedule:   %s\n  repository: %s\n  sources:    %s\n", j.Schedule, j.Repository, strings.Join(j.Sources, ", "))
	fmt.Fprintf(s.out, "  retention:  %s\n", retentionLine(j.Retention))
	if j.Host != "" {
		fmt.Fprintf(s.out, "  host:       %s (its daemon runs the job on a shared catalog)\n", j.Host)
	}
	if j.ApprovedRevision != "" && j.ApprovedRevision != j.RevisionHash {
		fmt.Fprintf(s.out, "  approved:   revision %s, not this one: it does not run until approved again\n", jobs.ShortRevision(j.ApprovedRevision))
	}
	if len(j.Excludes) > 0 {
		fmt.Fprintf(s.out, "  excludes:   %s\n", strings.Join(j.Excludes, ", "))
	}
	if len(j.Replicas) > 0 {
		states, err := s.svc.ReplicaStates(s.ctx, s.me, strconv.FormatInt(j.ID, 10))
		if err != nil {
			return err
		}
		for _, st := range states {
			fmt.Fprintf(s.out, "  replica:    %s\n", replicaLine(st))
		}
	}
	if j.DecidedBy != "" {
		fmt.Fprintf(s.out, "  decided by: %s at %s %s\n", j.DecidedBy, j.DecidedAt.Local().Format("2006-01-02 15:04"), j.RejectReason)
	}
	return nil
}

func retentionLine(r jobs.Retention) string {
	if r == (jobs.Retention{}) {
		return "keep every snapshot"
	}
	return fmt.Sprintf("keep last %d, daily %d, weekly %d, monthly %d, yearly %d", r.KeepLast, r.KeepDaily, r.KeepWeekly, r.KeepMonthly, r.KeepYearly)
}

// replicaLine is one replica's state: "gdrive up to date (synced 2026-11-25 21:14)".
func replicaLine(st jobs.ReplicaResult) string {
	line := st.Name + " "
	switch {
	case st.UpToDate():
		line += "up to date"
	case st.Lag != nil && st.Lag.Snapshots > 0:
		line += fmt.Sprintf("%d snapshots behind", st.Lag.Snapshots)
		if st.Status == jobs.ReplicaFailed {
			line += ", failed: " + st.Error
		}
	case st.Status == jobs.ReplicaFailed:
		line += "failed: " + st.Error
	default:
		line += st.Status
	}
	if !st.LastSync.IsZero() {
		line += " (synced " + st.LastSync.Local().Format("2006-01-02 15:04") + ")"
	}
	return line
}

func newJobCommand(g *globals) *cobra.Command {
	l := &login{}
	cmd := &cobra.Command{Use: "job", Short: "Backup jobs (schedules) and their approval"}
	l.addFlags(cmd)
	nf, ef := &jobFlags{}, &jobFlags{}
	newCmd := &cobra.Command{Use: "new --name N --repo DIR --source PATH...", Short: "Define a job (draft)", Args: noArgs,
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			spec, err := nf.apply(cmd, jobs.JobSpec{Retention: jobs.DefaultRetention})
			if err != nil {
				return err
			}
			j, err := s.svc.CreateJob(cmd.Context(), s.me, spec)
			if err != nil {
				return err
			}
			return s.print(map[string]any{"id": j.ID, "job": j}, "%d", j.ID)
		})}
	nf.add(newCmd)
	edit := &cobra.Command{Use: "edit JOB [flags]", Short: "Change a job (an approved job needs approval again)", Args: cobra.ExactArgs(1),
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			cur, err := s.svc.Job(cmd.Context(), s.me, args[0])
			if err != nil {
				return err
			}
			spec, err := ef.apply(cmd, cur.JobSpec)
			if err != nil {
				return err
			}
			j, err := s.svc.EditJob(cmd.Context(), s.me, args[0], spec)
			if err != nil {
				return err
			}
			return printJob(s, j)
		})}
	ef.add(edit)
	move := func(use, short string, fn func(s *session, cmd *cobra.Command, ref string) (jobs.Job, error)) *cobra.Command {
		return &cobra.Command{Use: use + " JOB", Short: short, Args: cobra.ExactArgs(1),
			RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
				j, err := fn(s, cmd, args[0])
				if err != nil {
					return err
				}
				return s.print(j, "job %s is %s", j.Name, j.State)
			})}
	}
	var reason string
	reject := move("reject", "Reject a submitted job (--reason required)", func(s *session, cmd *cobra.Command, ref string) (jobs.Job, error) {
		return s.svc.RejectJob(cmd.Context(), s.me, ref, reason)
	})
	reject.Flags().StringVar(&reason, "reason", "", "why the job is rejected")
	var revision string
	approve := move("approve", "Approve a submitted job (IT manager): --revision names the revision you reviewed (job show)", func(s *session, cmd *cobra.Command, ref string) (jobs.Job, error) {
		return s.svc.ApproveJob(cmd.Context(), s.me, ref, revision)
	})
	approve.Flags().StringVar(&revision, "revision", "", "the revision you reviewed, as `cadang job show` prints it; refused if the job changed since")
	var listAll bool
	list := &cobra.Command{Use: "list", Short: "List jobs", Args: noArgs,
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			state := ""
			if listAll {
				state = jobs.JobAny
			}
			js, err := s.svc.Jobs(cmd.Context(), s.me, state)
			if err != nil {
				return err
			}
			if s.g.json {
				return s.print(js, "")
			}
			for _, j := range js {
				fmt.Fprintf(s.out, "%4d %-20s %-10s %s\n", j.ID, j.Name, j.State, j.Schedule)
			}
			return nil
		})}
	list.Flags().BoolVar(&listAll, "all", false, "include deleted (retired) jobs")
	show := &cobra.Command{Use: "show JOB", Short: "Show a job", Args: cobra.ExactArgs(1),
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			j, err := s.svc.Job(cmd.Context(), s.me, args[0])
			if err != nil {
				return err
			}
			return printJob(s, j)
		})}
	run := &cobra.Command{Use: "run JOB", Short: "Run an approved job now", Args: cobra.ExactArgs(1),
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			p := newTermProgress(cmd.ErrOrStderr())
			r, err := s.svc.RunJob(cmd.Context(), s.me, args[0], jobs.RunOptions{Progress: p.progress()})
			p.done()
			if err != nil {
				return err
			}
			return runExit(s, r)
		})}
	catchUp := &cobra.Command{Use: "catch-up RUN", Short: "Run now the job of a missed run", Args: cobra.ExactArgs(1),
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			p := newTermProgress(cmd.ErrOrStderr())
			r, err := s.svc.CatchUp(cmd.Context(), s.me, id, jobs.RunOptions{Progress: p.progress()})
			p.done()
			if err != nil {
				return err
			}
			return runExit(s, r)
		})}
	del := &cobra.Command{Use: "delete JOB", Short: "Delete (retire) a job: it is never scheduled again; its history and repository are kept",
		Long: "Delete (retire) a job. It stops being scheduled and can no longer run; its runs, documents and audit\n" +
			"history stay in the catalog; its repository and replicas are NOT deleted (restore requests can still use them).\n" +
			"A deleted job is hidden from `job list` unless --all is given.", Args: cobra.ExactArgs(1),
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			j, err := s.svc.RetireJob(cmd.Context(), s.me, args[0])
			if err != nil {
				return err
			}
			return s.print(j, "job %s deleted: no longer scheduled; runs, documents and audit history kept; repository %s not deleted", j.Name, j.Repository)
		})}
	cmd.AddCommand(newCmd, edit, del,
		move("submit", "Submit a job for approval", func(s *session, cmd *cobra.Command, ref string) (jobs.Job, error) {
			return s.svc.SubmitJob(cmd.Context(), s.me, ref)
		}),
		approve,
		reject,
		move("pause", "Pause an approved job", func(s *session, cmd *cobra.Command, ref string) (jobs.Job, error) {
			return s.svc.PauseJob(cmd.Context(), s.me, ref)
		}),
		move("resume", "Resume a paused job", func(s *session, cmd *cobra.Command, ref string) (jobs.Job, error) {
			return s.svc.ResumeJob(cmd.Context(), s.me, ref)
		}),
		list, show, run, catchUp)
	return cmd
}

// runExit prints a run and maps its status to the exit status.
func runExit(s *session, r jobs.Run) error {
	if err := s.print(r, "run %d of %s: %s, snapshot %s, %d new, %d changed, %d unmodified, report %s",
		r.ID, r.JobName, r.Status, shortSnap(r.SnapshotID), r.FilesNew, r.FilesChanged, r.FilesUnmodified, r.Report); err != nil {
		return err
	}
	if r.Status == jobs.RunWarnings {
		return exitf(ExitWarnings, "completed with %d warnings", len(r.Warnings))
	}
	return nil
}

func shortSnap(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
