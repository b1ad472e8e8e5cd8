package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"cadang/jobs"
)

func printRequest(s *session, r jobs.Request) error {
	if s.g.json {
		return s.print(r, "")
	}
	fmt.Fprintf(s.out, "request %d: %s of %s, %s\n", r.ID, r.Kind, r.JobName, r.State)
	fmt.Fprintf(s.out, "  requester: %s (%s)\n  reason:    %s\n", r.Requester, r.Department, r.Reason)
	fmt.Fprintf(s.out, "  revision:  %s", jobs.ShortRevision(r.RevisionHash))
	if r.ApprovedRevision != "" && r.ApprovedRevision != r.RevisionHash {
		fmt.Fprintf(s.out, " (approved: %s, not this one)", jobs.ShortRevision(r.ApprovedRevision))
	}
	fmt.Fprintln(s.out)
	if !r.RequestedAt.IsZero() {
		if r.Kind == jobs.KindRestore {
			fmt.Fprintf(s.out, "  as of:     %s\n", jobs.FormatAsOf(r.RequestedAt))
		} else {
			fmt.Fprintf(s.out, "  time:      %s\n", r.RequestedAt.Local().Format("2006-01-02 15:04"))
		}
	}
	if r.Target != "" {
		fmt.Fprintf(s.out, "  target:    %s\n", r.Target)
	}
	if r.Overwrite {
		fmt.Fprintf(s.out, "  replaces:  existing files in the target\n")
	}
	if r.Notice != "" {
		fmt.Fprintf(s.out, "  warning:   %s\n", r.Notice)
	}
	for _, p := range r.Include {
		fmt.Fprintf(s.out, "  include:   %s\n", p)
	}
	if r.DecidedBy != "" {
		fmt.Fprintf(s.out, "  decided:   %s %s %s\n", r.DecidedBy, r.DecidedAt.Local().Format("2006-01-02 15:04"), r.RejectReason)
	}
	if r.Number != "" {
		fmt.Fprintf(s.out, "  form:      %s\n", r.Number)
	}
	if r.SnapshotID != "" {
		fmt.Fprintf(s.out, "  snapshot:  %s (attempts %d)\n", shortSnap(r.SnapshotID), r.Attempts)
	}
	docs, err := s.svc.Documents(s.ctx, s.me, jobs.DocumentFilter{RequestID: r.ID})
	if err != nil {
		return err
	}
	for _, d := range docs {
		fmt.Fprintf(s.out, "  document:  %s rev %d %s %s\n", d.Number, d.Revision, d.Type, d.Path)
	}
	return nil
}

func newRequestCommand(g *globals) *cobra.Command {
	l := &login{}
	cmd := &cobra.Command{Use: "request", Short: "Backup and restore requests (Form Permintaan Back up / Restore)"}
	l.addFlags(cmd)
	var nr jobs.NewRequest
	var at string
	newCmd := &cobra.Command{Use: "new --kind backup|restore --job N --reason TEXT", Short: "Ask for a backup or a restore", Args: noArgs,
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			if nr.Kind == "" || nr.Job == "" || nr.Reason == "" {
				return exitf(ExitUsage, "--kind, --job and --reason are required")
			}
			if at != "" {
				t, prec, err := jobs.ParseTime(at, time.Local)
				if err != nil {
					return withExit(ExitUsage, err)
				}
				nr.RequestedAt, nr.Precision = t, prec
			}
			r, err := s.svc.CreateRequest(cmd.Context(), s.me, nr)
			if err != nil {
				return err
			}
			if r.Notice != "" && !s.g.json {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: request %d: %s\n", r.ID, r.Notice)
			}
			return s.print(map[string]any{"id": r.ID, "request": r}, "%d", r.ID)
		})}
	f := newCmd.Flags()
	f.StringVar(&nr.Kind, "kind", "", "backup or restore")
	f.StringVar(&nr.Job, "job", "", "the job whose data it is (name or ID)")
	f.StringVar(&at, "at", "", `backup: when to run; restore: the date of the data ("YYYY-MM-DD HH:MM")`)
	f.StringVar(&nr.Target, "target", "", "restore destination: a folder, or a database URL for a database job")
	f.StringArrayVar(&nr.Include, "include", nil, "restore only this file or folder of the snapshot (e.g. /Keuangan/laporan); repeatable; default: everything")
	f.BoolVar(&nr.Overwrite, "overwrite", false, "restore: existing files in the destination may be replaced (part of what is approved)")
	f.StringVar(&nr.Reason, "reason", "", "why")
	f.StringVar(&nr.Department, "department", "", "department asking (default: the account's)")

	byID := func(use, short string, fn func(cmd *cobra.Command, s *session, id int64) (jobs.Request, error)) *cobra.Command {
		return &cobra.Command{Use: use + " ID", Short: short, Args: cobra.ExactArgs(1),
			RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
				id, err := parseID(args[0])
				if err != nil {
					return err
				}
				r, err := fn(cmd, s, id)
				if err != nil {
					if r.ID != 0 {
						printRequest(s, r) //nolint:errcheck // the error below is what matters
					}
					return err
				}
				return printRequest(s, r)
			})}
	}
	var reason, newAt, target, revision string
	approve := byID("approve", "Approve a submitted request (IT manager): --revision names the revision you reviewed (request show)", func(cmd *cobra.Command, s *session, id int64) (jobs.Request, error) {
		return s.svc.ApproveRequest(cmd.Context(), s.me, id, revision)
	})
	approve.Flags().StringVar(&revision, "revision", "", "the revision you reviewed, as `cadang request show` prints it; refused if the request changed since")
	reject := byID("reject", "Reject a submitted request (--reason required)", func(cmd *cobra.Command, s *session, id int64) (jobs.Request, error) {
		return s.svc.RejectRequest(cmd.Context(), s.me, id, reason)
	})
	reject.Flags().StringVar(&reason, "reason", "", "why the request is rejected")
	reschedule := byID("reschedule", "Give a rejected request a new time and submit it again", func(cmd *cobra.Command, s *session, id int64) (jobs.Request, error) {
		t, prec, err := jobs.ParseTime(newAt, time.Local)
		if err != nil {
			return jobs.Request{}, withExit(ExitUsage, err)
		}
		if cur, err := s.svc.Request(cmd.Context(), s.me, id); err == nil && cur.Kind == jobs.KindRestore {
			t = jobs.AsOf(t, prec) // a restore as of a date: its whole day
		}
		return s.svc.RescheduleRequest(cmd.Context(), s.me, id, t)
	})
	reschedule.Flags().StringVar(&newAt, "at", "", `the new time "YYYY-MM-DD HH:MM"`)
	run := byID("run", "Carry out an approved request now", func(cmd *cobra.Command, s *session, id int64) (jobs.Request, error) {
		p := newTermProgress(cmd.ErrOrStderr())
		r, err := s.svc.RunRequest(cmd.Context(), s.me, id, jobs.RunRequestOptions{Target: target, Progress: p.progress()})
		p.done()
		if err != nil && r.State == jobs.RequestFailed && r.Kind == jobs.KindRestore {
			return r, withExit(ExitDamaged, err)
		}
		return r, err
	})
	run.Flags().StringVar(&target, "target", "", "the approved destination, as a check: a different one is refused (edit the request instead)")
	var er struct {
		at, target, reason string
		include            []string
		overwrite          bool
	}
	edit := byID("edit", "Change a request's time, destination, files or reason (an approved request goes back for approval)", func(cmd *cobra.Command, s *session, id int64) (jobs.Request, error) {
		var e jobs.RequestEdit
		fl := cmd.Flags()
		if er.at != "" {
			t, prec, err := jobs.ParseTime(er.at, time.Local)
			if err != nil {
				return jobs.Request{}, withExit(ExitUsage, err)
			}
			e.RequestedAt, e.Precision = t, prec
		}
		if fl.Changed("target") {
			e.Target = &er.target
		}
		if fl.Changed("include") {
			e.Include = &er.include
		}
		if fl.Changed("overwrite") {
			e.Overwrite = &er.overwrite
		}
		if fl.Changed("reason") {
			e.Reason = &er.reason
		}
		return s.svc.EditRequest(cmd.Context(), s.me, id, e)
	})
	ef := edit.Flags()
	ef.StringVar(&er.at, "at", "", `new time "YYYY-MM-DD HH:MM" (a restore: the data as of then; a date alone: that whole day)`)
	ef.StringVar(&er.target, "target", "", "new restore destination")
	ef.StringArrayVar(&er.include, "include", nil, "restore only these paths (replaces the list; repeatable)")
	ef.BoolVar(&er.overwrite, "overwrite", false, "existing files in the destination may be replaced")
	ef.StringVar(&er.reason, "reason", "", "new reason")
	var receiver, witness, notes string
	handover := &cobra.Command{Use: "handover ID", Short: "File the handover form of a verified restore for signatures (state: awaiting signatures)", Args: cobra.ExactArgs(1),
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			id, err := parseID(args[0])
			if err != nil {
				return err
			}
			d, err := s.svc.Handover(cmd.Context(), s.me, id, jobs.HandoverOptions{Receiver: receiver, Witness: witness, Notes: notes})
			if err != nil {
				return err
			}
			return s.print(d, "request %d awaits signatures; handover form %s filed at %s: print it, have it signed, then `cadang docs attach %s SCAN.pdf`",
				id, d.Number, d.Path, d.Number)
		})}
	var paperReason string
	paper := byID("paper-handover", "Record that a request awaiting signatures was handed over on paper (IT manager, --reason)", func(cmd *cobra.Command, s *session, id int64) (jobs.Request, error) {
		return s.svc.RecordPaperHandover(cmd.Context(), s.me, id, paperReason)
	})
	paper.Flags().StringVar(&paperReason, "reason", "", "why the signed form is not attached")
	handover.Flags().StringVar(&receiver, "receiver", "", "who receives the data (default: the requester)")
	handover.Flags().StringVar(&witness, "witness", "", "a witness, if any")
	handover.Flags().StringVar(&notes, "notes", "", "notes printed on the form")
	var states []string
	var mine bool
	list := &cobra.Command{Use: "list", Short: "List requests", Args: noArgs,
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			rs, err := s.svc.Requests(cmd.Context(), s.me, jobs.RequestFilter{States: states, Mine: mine})
			if err != nil {
				return err
			}
			if s.g.json {
				return s.print(rs, "")
			}
			for _, r := range rs {
				fmt.Fprintf(s.out, "%4d %-7s %-16s %-12s %-10s %s\n", r.ID, r.Kind, r.JobName, r.State, r.Requester, r.Reason)
			}
			return nil
		})}
	list.Flags().StringSliceVar(&states, "state", nil, "only these states")
	list.Flags().BoolVar(&mine, "mine", false, "only my requests")
	cmd.AddCommand(newCmd,
		byID("submit", "Submit a draft request to the IT manager", func(cmd *cobra.Command, s *session, id int64) (jobs.Request, error) {
			return s.svc.SubmitRequest(cmd.Context(), s.me, id)
		}),
		approve,
		reject, reschedule, run, edit, handover, paper, list,
		byID("show", "Show a request (and, for a restore, the backup it will restore)", func(cmd *cobra.Command, s *session, id int64) (jobs.Request, error) {
			r, err := s.svc.Request(cmd.Context(), s.me, id)
			if err != nil || r.Kind != jobs.KindRestore || s.g.json {
				return r, err
			}
			if snap, err := s.svc.RequestSnapshot(cmd.Context(), s.me, id); err == nil {
				r.Notice = ""
				fmt.Fprintf(s.out, "restores snapshot %s of %s\n", snap.ShortID(), snap.Time.Local().Format("2006-01-02 15:04:05"))
			} else {
				r.Notice = err.Error()
			}
			return r, nil
		}))
	return cmd
}
