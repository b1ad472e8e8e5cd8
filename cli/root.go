package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"cadang/engine/secrets"
)

// Version is set at build time with -ldflags "-X cadang/cli.Version=…".
var Version = "0.1.0-dev"

// Options wires the command line to the parts main.go owns.
type Options struct {
	// OpenWindow starts the desktop window; workspace may be "" (ask the user).
	OpenWindow func(ctx context.Context, workspace string) error
	Stdout     io.Writer
	Stderr     io.Writer
	Stdin      io.Reader
}

// globals are the flags every command shares.
type globals struct {
	workspace string
	json      bool
	opt       Options
}

// Workspace returns the workspace directory: --workspace, else
// $CADANG_WORKSPACE, else "" (callers use DefaultWorkspace or ask).
func (g *globals) Workspace() string {
	if g.workspace != "" {
		return g.workspace
	}
	return os.Getenv("CADANG_WORKSPACE")
}

// workspaceOrDefault is Workspace() falling back to DefaultWorkspace.
func (g *globals) workspaceOrDefault() (string, error) {
	if ws := g.Workspace(); ws != "" {
		return ws, nil
	}
	return DefaultWorkspace()
}

// DefaultWorkspace is the workspace under the user's configuration directory.
func DefaultWorkspace() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user's configuration directory: %w (use --workspace)", err)
	}
	return filepath.Join(dir, "cadang"), nil
}

// NewRootCommand builds the whole command tree.
func NewRootCommand(opt Options) *cobra.Command {
	if opt.Stdout == nil {
		opt.Stdout = os.Stdout
	}
	if opt.Stderr == nil {
		opt.Stderr = os.Stderr
	}
	if opt.Stdin == nil {
		opt.Stdin = os.Stdin
	}
	g := &globals{opt: opt}
	root := &cobra.Command{
		Use:   "cadang",
		Short: "Cadang: controlled backup and restore for IT departments",
		Long: "Cadang backs up and restores files and databases under a controlled procedure\n" +
			"(request, approval, scheduled run, execution report, verified restore, handover).\n" +
			"Without a command it opens the window; the commands below run headless.",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opt.OpenWindow == nil {
				return errors.New("this build has no window; see cadang --help")
			}
			return opt.OpenWindow(cmd.Context(), g.Workspace())
		},
	}
	root.SetOut(opt.Stdout)
	root.SetErr(opt.Stderr)
	root.SetIn(opt.Stdin)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return withExit(ExitUsage, fmt.Errorf("%w (see %s --help)", err, c.CommandPath()))
	})
	pf := root.PersistentFlags()
	pf.StringVar(&g.workspace, "workspace", "", "workspace directory (default: $CADANG_WORKSPACE, else the user's config dir)")
	pf.BoolVar(&g.json, "json", false, "print machine-readable JSON")

	root.AddCommand(newVersionCommand(g), newSetupCommand(g), newRecordsCommand(g), newCatalogCommand(g))
	addRepoCommands(root, g)
	addProcedureCommands(root, g)
	addReplicaCommands(root, g)
	requireSubcommands(root)
	return root
}

// requireSubcommands makes every group of commands ("job", "request", …)
// refuse a word that is none of its commands, with exit status 2, instead
// of printing its help and succeeding; alone, a group prints its help.
func requireSubcommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		requireSubcommands(sub)
	}
	if c.Runnable() || !c.HasSubCommands() {
		return
	}
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return withExit(ExitUsage, fmt.Errorf("unknown command %q for %q (see %s --help)", args[0], cmd.CommandPath(), cmd.CommandPath()))
		}
		return cmd.Help()
	}
}

// Execute runs the command line and returns the process exit status.
func Execute(ctx context.Context, args []string, opt Options) int {
	root := NewRootCommand(opt)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	code := ExitCode(err)
	if code == ExitError && (isUsageError(err) || errors.Is(err, secrets.ErrInLocation)) {
		code = ExitUsage // a secret in a location is what was typed: fix it and run again
	}
	if code == ExitError && errors.Is(err, context.Canceled) {
		fmt.Fprintln(root.ErrOrStderr(), "cadang: interrupted")
		return code
	}
	name := "cadang"
	if cmd != nil {
		name = cmd.CommandPath()
	}
	// Last line of defence: a tool's message may quote a location with a secret.
	fmt.Fprintf(root.ErrOrStderr(), "%s: %s\n", name, secrets.Redact(err.Error()))
	return code
}

// isUsageError recognises cobra's own argument errors (unknown command, wrong arg count).
func isUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires at most", "flag needs an argument", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// noArgs is the argument rule of a command whose input is all flags: a
// word typed where a flag was meant ("restore latest") is named with the
// command's usage line, instead of cobra's "unknown command".
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return withExit(ExitUsage, fmt.Errorf("%q is not expected here: %s takes its input as flags: %s", args[0], cmd.CommandPath(), cmd.UseLine()))
}
