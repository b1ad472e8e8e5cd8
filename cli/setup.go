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

func newSetupCommand(g *globals) *cobra.Command {
	var admin, fullName, passwordFile, company string
	cmd := &cobra.Command{
		Use:   "setup --admin NAME --password-file F",
		Short: "Create a workspace and its first administrator (the first run, headless)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if admin == "" || passwordFile == "" {
				return exitf(ExitUsage, "--admin and --password-file are required")
			}
			pw, err := readSecretFile(passwordFile)
			if err != nil {
				return err
			}
			ws, err := g.workspaceOrDefault()
			if err != nil {
				return err
			}
			svc, err := jobs.OpenWorkspace(cmd.Context(), ws, jobs.Options{})
			if err != nil {
				return err
			}
			defer svc.Close()
			u, err := svc.Setup(cmd.Context(), jobs.SetupOptions{Admin: admin, FullName: fullName, Password: pw, Company: company})
			if err != nil {
				return refusalExit(err)
			}
			if g.json {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]any{"workspace": svc.Dir(), "admin": u})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "workspace %s ready; administrator %q created\n", svc.Dir(), u.Name)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&admin, "admin", "", "name of the first administrator account")
	f.StringVar(&fullName, "full-name", "", "the administrator's full name, for signature blocks")
	f.StringVar(&passwordFile, "password-file", "", "file holding the administrator's password")
	f.StringVar(&company, "company", "", "company name shown on forms")
	return cmd
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
