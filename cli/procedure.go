package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"cadang/jobs"
)

// addProcedureCommands adds user, job, request, docs, audit and daemon.
func addProcedureCommands(root *cobra.Command, g *globals) {
	root.AddCommand(newUserCommand(g), newJobCommand(g), newRequestCommand(g), newDocsCommand(g),
		newAuditCommand(g), newDaemonCommand(g), newSettingsCommand(g))
}

// login holds the acting account's flags shared by every procedure command.
type login struct {
	as        string
	loginFile string
}

func (l *login) addFlags(cmd *cobra.Command) {
	pf := cmd.PersistentFlags()
	pf.StringVar(&l.as, "as", "", "the account acting (required)")
	pf.StringVar(&l.loginFile, "login-file", "", "file holding the account's password (default: $CADANG_LOGIN)")
}

// session opens the workspace and logs in; close releases it.
type session struct {
	ctx context.Context
	svc *jobs.Service
	me  jobs.User
	g   *globals
	out io.Writer
}

func (l *login) open(cmd *cobra.Command, g *globals) (*session, error) {
	if l.as == "" {
		return nil, exitf(ExitUsage, "--as NAME is required: every procedure command acts as an account")
	}
	pw, ok := os.LookupEnv("CADANG_LOGIN")
	if l.loginFile != "" {
		var err error
		if pw, err = readSecretFile(l.loginFile); err != nil {
			return nil, err
		}
	} else if !ok {
		return nil, exitf(ExitUsage, "give the password of %q with --login-file F or $CADANG_LOGIN", l.as)
	}
	ws, err := g.workspaceOrDefault()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(ws); err != nil {
		return nil, fmt.Errorf("workspace %s: %w (create it with `cadang setup`)", ws, err)
	}
	svc, err := jobs.OpenWorkspace(cmd.Context(), ws, jobs.Options{DocumentKeyFile: os.Getenv(jobs.DocumentKeyEnv)})
	if err != nil {
		return nil, err
	}
	me, err := svc.Login(cmd.Context(), l.as, pw)
	if err != nil {
		svc.Close()
		return nil, refusalExit(err)
	}
	return &session{ctx: cmd.Context(), svc: svc, me: me, g: g, out: cmd.OutOrStdout()}, nil
}

// withSession wraps a command body with login and cleanup; refusals exit 3.
func withSession(g *globals, l *login, body func(cmd *cobra.Command, args []string, s *session) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		s, err := l.open(cmd, g)
		if err != nil {
			return err
		}
		defer s.svc.Close()
		return refusalExit(body(cmd, args, s))
	}
}

// print writes v as JSON with --json, else the text line(s).
func (s *session) print(v any, text string, a ...any) error {
	if s.g.json {
		return json.NewEncoder(s.out).Encode(v)
	}
	_, err := fmt.Fprintf(s.out, text+"\n", a...)
	return err
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, exitf(ExitUsage, "%q is not a request ID", s)
	}
	return id, nil
}

func parseAt(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := jobs.ParseLocalTime(s, time.Local)
	if err != nil {
		return time.Time{}, withExit(ExitUsage, err)
	}
	return t, nil
}

// ---- user ----

func newUserCommand(g *globals) *cobra.Command {
	l := &login{}
	cmd := &cobra.Command{Use: "user", Short: "Manage accounts (administrators)"}
	l.addFlags(cmd)
	var nu jobs.NewUser
	var pwFile string
	add := &cobra.Command{Use: "add --name N --role ROLE --password-file F", Short: "Create an account", Args: noArgs,
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			if nu.Name == "" || nu.Role == "" || pwFile == "" {
				return exitf(ExitUsage, "--name, --role and --password-file are required")
			}
			pw, err := readSecretFile(pwFile)
			if err != nil {
				return err
			}
			nu.Password = pw
			u, err := s.svc.AddUser(cmd.Context(), s.me, nu)
			if err != nil {
				return err
			}
			return s.print(u, "user %s (%s) created", u.Name, u.Role)
		})}
	f := add.Flags()
	f.StringVar(&nu.Name, "name", "", "login name")
	f.StringVar(&nu.Role, "role", "", "user, staff, manager or admin")
	f.StringVar(&pwFile, "password-file", "", "file holding the new account's password")
	f.StringVar(&nu.FullName, "full-name", "", "full name, printed on forms")
	f.StringVar(&nu.Department, "department", "", "department (for role user)")
	list := &cobra.Command{Use: "list", Short: "List accounts", Args: noArgs,
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			us, err := s.svc.Users(cmd.Context(), s.me)
			if err != nil {
				return err
			}
			if s.g.json {
				return s.print(us, "")
			}
			for _, u := range us {
				state := "active"
				if u.Disabled {
					state = "disabled"
				} else if u.Locked {
					state = "locked"
				}
				fmt.Fprintf(s.out, "%-16s %-8s %-9s %s %s\n", u.Name, u.Role, state, u.FullName, u.Department)
			}
			return nil
		})}
	disable := &cobra.Command{Use: "disable NAME", Short: "Disable an account", Args: cobra.ExactArgs(1),
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			if err := s.svc.SetUserDisabled(cmd.Context(), s.me, args[0], true); err != nil {
				return err
			}
			return s.print(map[string]string{"user": args[0], "state": "disabled"}, "user %s disabled", args[0])
		})}
	enable := &cobra.Command{Use: "enable NAME", Short: "Enable a disabled account", Args: cobra.ExactArgs(1),
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			if err := s.svc.SetUserDisabled(cmd.Context(), s.me, args[0], false); err != nil {
				return err
			}
			return s.print(map[string]string{"user": args[0], "state": "enabled"}, "user %s enabled", args[0])
		})}
	unlock := &cobra.Command{Use: "unlock NAME", Short: "Unlock an account locked by wrong passwords", Args: cobra.ExactArgs(1),
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			if err := s.svc.UnlockUser(cmd.Context(), s.me, args[0]); err != nil {
				return err
			}
			return s.print(map[string]string{"user": args[0], "state": "unlocked"}, "user %s unlocked", args[0])
		})}
	cmd.AddCommand(add, list, disable, enable, unlock)
	return cmd
}

// ---- docs, audit ----

func newDocsCommand(g *globals) *cobra.Command {
	l := &login{}
	cmd := &cobra.Command{Use: "docs", Short: "The document register"}
	l.addFlags(cmd)
	var reqID int64
	var jobRef string
	list := &cobra.Command{Use: "list [--request ID | --job NAME]", Short: "List filed documents", Args: noArgs,
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			if reqID != 0 && jobRef != "" {
				return exitf(ExitUsage, "give --request or --job, not both")
			}
			f := jobs.DocumentFilter{RequestID: reqID}
			if jobRef != "" {
				j, err := s.svc.Job(cmd.Context(), s.me, jobRef)
				if err != nil {
					return err
				}
				f.JobID = j.ID
			}
			docs, err := s.svc.Documents(cmd.Context(), s.me, f)
			if err != nil {
				return err
			}
			if s.g.json {
				if docs == nil {
					docs = []jobs.Document{}
				}
				return s.print(docs, "")
			}
			for _, d := range docs {
				fmt.Fprintf(s.out, "%-30s rev %d  %-20s %s  %s  %s  %s\n", d.Number, d.Revision, d.Type, d.Date.Local().Format("2006-01-02 15:04"),
					d.VerifyCode, d.SHA256[:12], d.Path)
				if g := d.SnapshotRemoved; g != nil {
					fmt.Fprintf(s.out, "  note: snapshot %s, which it cites, was removed by retention on %s (%s)\n", shortSnap(d.SnapshotID), g.At.Local().Format("2006-01-02 15:04"), removedBy(g))
				}
			}
			return nil
		})}
	list.Flags().Int64Var(&reqID, "request", 0, "only the documents of this request")
	list.Flags().StringVar(&jobRef, "job", "", "only the documents of this job (its schedule records, runs and requests)")
	var code string
	verify := &cobra.Command{Use: "verify FILE.pdf | --code CODE", Short: "Check a PDF, or a code from paper, is a registered document, unchanged (exit 0, else 5)",
		Args: cobra.MaximumNArgs(1),
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			var d jobs.Document
			var err error
			var subject string
			switch {
			case len(args) == 1 && code == "":
				subject = args[0]
				d, err = s.svc.VerifyDocument(cmd.Context(), s.me, args[0])
			case len(args) == 0 && code != "":
				subject = "code " + jobs.NormalizeCode(code)
				d, err = s.svc.VerifyDocumentCode(cmd.Context(), s.me, code)
			default:
				return exitf(ExitUsage, "give a FILE.pdf or --code CODE")
			}
			if errors.Is(err, jobs.ErrDocumentMismatch) {
				if s.g.json {
					_ = s.print(map[string]any{"ok": false, "reason": err.Error()}, "") //nolint:errcheck // the exit status carries the result
				}
				return withExit(ExitDamaged, err)
			}
			if err != nil {
				return err
			}
			if err := s.print(map[string]any{"ok": true, "document": d}, "OK: %s is document %s revision %d (%s, filed %s by %s, verification code %s), registered and unchanged",
				subject, d.Number, d.Revision, d.Type, d.Date.Local().Format("2006-01-02 15:04"), d.FiledBy, d.VerifyCode); err != nil {
				return err
			}
			if g := d.SnapshotRemoved; g != nil && !s.g.json {
				fmt.Fprintf(s.out, "note: snapshot %s, which it cites, was removed by retention on %s (%s): it can no longer be restored\n",
					shortSnap(d.SnapshotID), g.At.Local().Format("2006-01-02 15:04"), removedBy(g))
			}
			return nil
		})}
	verify.Flags().StringVar(&code, "code", "", "the verification code printed on the document (or read from its QR code)")
	attach := &cobra.Command{Use: "attach NUMBER SCAN.pdf", Short: "Register the scanned, signed paper copy of a document (its own entry)", Args: cobra.ExactArgs(2),
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			d, err := s.svc.AttachSigned(cmd.Context(), s.me, args[0], args[1])
			if err != nil {
				return err
			}
			return s.print(d, "%s registered as %s (%s), SHA-256 %s, filed at %s", args[1], d.Number, d.Kind, d.SHA256, d.Path)
		})}
	var from, to string
	history := &cobra.Command{Use: "history --from DATE --to DATE", Short: "File the run history report for a date range", Args: noArgs,
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			f, err := parseAt(from)
			if err != nil {
				return err
			}
			t, err := parseAt(to)
			if err != nil {
				return err
			}
			if f.IsZero() || t.IsZero() || !t.After(f) {
				return exitf(ExitUsage, "give --from and a later --to (YYYY-MM-DD)")
			}
			d, err := s.svc.FileHistoryReport(cmd.Context(), s.me, f, t)
			if err != nil {
				return err
			}
			return s.print(d, "history report %s filed at %s", d.Number, d.Path)
		})}
	history.Flags().StringVar(&from, "from", "", "first day (YYYY-MM-DD)")
	history.Flags().StringVar(&to, "to", "", "day after the last (YYYY-MM-DD)")
	cmd.AddCommand(list, verify, attach, history)
	return cmd
}

// removedBy says who or what removed a snapshot.
func removedBy(g *jobs.SnapshotRemoval) string {
	if g.RunID != 0 {
		return fmt.Sprintf("run #%d, %s", g.RunID, g.By)
	}
	return "by " + g.By
}

func newAuditCommand(g *globals) *cobra.Command {
	l := &login{}
	cmd := &cobra.Command{Use: "audit", Short: "The hash-chained audit log"}
	l.addFlags(cmd)
	var limit int
	var object string
	list := &cobra.Command{Use: "list", Short: "Show audit entries", Args: noArgs,
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			es, err := s.svc.Audit(cmd.Context(), s.me, jobs.AuditFilter{Limit: limit, Object: object})
			if err != nil {
				return err
			}
			if s.g.json {
				return s.print(es, "")
			}
			for _, e := range es {
				fmt.Fprintf(s.out, "%5d %s %-10s %-18s %-12s %s → %s %s\n", e.Seq, e.At.Local().Format("2006-01-02 15:04:05"), e.Actor, e.Action, e.Object, e.FromState, e.ToState, e.Detail)
			}
			return nil
		})}
	list.Flags().IntVar(&limit, "last", 0, "only the newest N entries")
	list.Flags().StringVar(&object, "object", "", "only entries about this object, e.g. request#3")
	verify := &cobra.Command{Use: "verify", Short: "Check the audit chain for changed, inserted or deleted entries", Args: noArgs,
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			rep, err := s.svc.VerifyAudit(cmd.Context(), s.me)
			if err != nil {
				return err
			}
			if s.g.json {
				if err := s.print(rep, ""); err != nil {
					return err
				}
			} else {
				printAuditReport(s.out, rep)
			}
			if !rep.OK() {
				bad := len(rep.Problems)
				for _, a := range rep.Anchors {
					if !a.OK {
						bad++
					}
				}
				return exitf(ExitDamaged, "audit log: %d problems in %d entries and %d anchors: the log was tampered with", bad, rep.Entries, len(rep.Anchors))
			}
			return nil
		})}
	cmd.AddCommand(list, verify)
	return cmd
}

// printAuditReport says what was checked: the chain, then the anchors by
// kind, every failed one, and what could not be reached.
func printAuditReport(w io.Writer, rep jobs.AuditReport) {
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "entry %d: %s\n", p.Seq, p.Reason)
	}
	count := map[string][2]int{}
	for _, a := range rep.Anchors {
		c := count[a.Kind]
		c[0]++
		if !a.OK {
			c[1]++
			fmt.Fprintf(w, "anchor %s (%s, entry %d): %s\n", a.Where, a.Kind, a.Seq, a.Problem)
		}
		count[a.Kind] = c
	}
	for _, u := range rep.Unreachable {
		fmt.Fprintf(w, "not checked: %s\n", u)
	}
	if len(rep.Problems) == 0 {
		fmt.Fprintf(w, "chain: %d entries, unbroken\n", rep.Entries)
	}
	for _, k := range []struct{ kind, where string }{
		{jobs.AnchorReplica, "offsite replicas"}, {jobs.AnchorRepository, "job repositories"}, {jobs.AnchorDocument, "filed documents"},
	} {
		c := count[k.kind]
		fmt.Fprintf(w, "anchors in %s: %d checked, %d disagree\n", k.where, c[0], c[1])
	}
	if count[jobs.AnchorReplica][0] == 0 {
		fmt.Fprintln(w, "note: no offsite replica was checked: a rewrite by someone who can write both the catalog and the repositories would not be detected")
	}
	if rep.OK() {
		fmt.Fprintf(w, "audit log OK: %d entries, chain unbroken, %d anchors agree\n", rep.Entries, len(rep.Anchors))
	}
}

// ---- settings ----

func newSettingsCommand(g *globals) *cobra.Command {
	l := &login{}
	cmd := &cobra.Command{Use: "settings", Short: "Company, SOP header, form codes, signatories and document language"}
	l.addFlags(cmd)
	list := &cobra.Command{Use: "list", Short: "Show every setting", Args: noArgs,
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			set, err := s.svc.Settings(cmd.Context(), s.me)
			if err != nil {
				return err
			}
			if s.g.json {
				return s.print(set, "")
			}
			for _, k := range jobs.SettingKeys() {
				fmt.Fprintf(s.out, "%-22s %s\n", k, set[k])
			}
			return nil
		})}
	set := &cobra.Command{Use: "set KEY VALUE", Short: "Change a setting (administrators and IT managers)", Args: cobra.ExactArgs(2),
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			if err := s.svc.SetSetting(cmd.Context(), s.me, args[0], args[1]); err != nil {
				return err
			}
			return s.print(map[string]string{args[0]: args[1]}, "%s = %s", args[0], args[1])
		})}
	cmd.AddCommand(list, set)
	return cmd
}

// ---- daemon ----

func newDaemonCommand(g *globals) *cobra.Command {
	l := &login{}
	host := jobs.ThisHost()
	cmd := &cobra.Command{Use: "daemon --as ACCOUNT --login-file FILE", Short: "Run the scheduler without a window until SIGINT/SIGTERM",
		Long: "Run the scheduler without a window until SIGINT/SIGTERM. It logs in once, as an IT staff, manager or\n" +
			"administrator account (a service account such as `cadang-svc` with role staff is enough), with the password\n" +
			"from --login-file (preferred for services: a file only that OS user reads) or $CADANG_LOGIN. Scheduled runs\n" +
			"are recorded as the scheduler; they start only approved jobs, as always. Events are printed one per line.\n\n" +
			"On a shared (PostgreSQL) catalog it runs the jobs of its host (--host, default this machine's name) and,\n" +
			"if no other daemon does, the jobs that name no host. Several daemons may serve one host: one leads, the\n" +
			"others stand by and take over within a minute when it stops or dies.",
		Args: noArgs,
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if l.as == "" {
				return exitf(ExitUsage, "daemon: give the service account it runs as: cadang daemon --as NAME --login-file FILE (or the password in $CADANG_LOGIN)")
			}
			return nil
		},
		RunE: withSession(g, l, func(cmd *cobra.Command, args []string, s *session) error {
			ctx := cmd.Context()
			sched, err := s.svc.NewScheduler(ctx, s.me)
			if err != nil {
				return err
			}
			sched.SetHost(host)
			events, stop := s.svc.Subscribe()
			defer stop()
			if err := sched.Start(ctx); err != nil {
				return err
			}
			if !s.svc.Catalog().Shared() {
				fmt.Fprintf(cmd.ErrOrStderr(), "cadang daemon: scheduling approved jobs in %s (Ctrl-C to stop)\n", s.svc.Dir())
			} else if sched.Leading() {
				fmt.Fprintf(cmd.ErrOrStderr(), "cadang daemon: leading host %s on the shared catalog %s (Ctrl-C to stop)\n", host, s.svc.Catalog().Path())
			} else {
				fmt.Fprintf(cmd.ErrOrStderr(), "cadang daemon: standing by for host %s (another daemon leads it) on %s (Ctrl-C to stop)\n", host, s.svc.Catalog().Path())
			}
			go func() {
				for ev := range events {
					fmt.Fprintf(s.out, "%s %s\n", ev.At.Local().Format("2006-01-02 15:04:05"), ev.Message)
				}
			}()
			<-ctx.Done()
			return sched.Stop()
		})}
	cmd.Flags().StringVar(&host, "host", host, "on a shared catalog, the host whose jobs this daemon runs")
	l.addFlags(cmd)
	return cmd
}
