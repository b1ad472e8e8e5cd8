package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"cadang/jobs"
)

// repoGuard holds the engine commands that change a repository (backup,
// forget, prune, unlock, and replica sync --delete, which removes from a
// copy) to the procedure when the repository, or a replica
// of it, is a job's: they then need --as with an account that may maintain
// repositories, and every such change is audited on the job. A repository
// no job of the workspace writes stays free to use, as in disaster recovery
// on a new machine.
type repoGuard struct {
	l login
	// check, when set, refuses what the command may not do to a job's
	// repository even with an account (before anything is written).
	check func() error
}

func (gd *repoGuard) addFlags(cmd *cobra.Command) { gd.l.addFlags(cmd) }

// begin authorizes op on the repository at loc (whose ID is id, when it
// was opened); finish records how it ended. Both are no-ops for a
// repository no job writes.
func (gd *repoGuard) begin(cmd *cobra.Command, g *globals, id, loc, op, detail string) (finish func(outcome string), err error) {
	none := func(string) {}
	ws, err := g.workspaceOrDefault()
	if err != nil {
		return none, nil //nolint:nilerr // no workspace to consult: not under the procedure here
	}
	names, err := jobs.RepositoryJobs(cmd.Context(), ws, loc, id)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return none, nil
	}
	if gd.check != nil {
		if err := gd.check(); err != nil {
			return nil, refusalExit(err)
		}
	}
	if gd.l.as == "" {
		return nil, exitf(ExitRefused, "%s: %s is the repository of job %s in workspace %s: changing it by hand needs --as ACCOUNT (IT staff, a manager or an administrator) and is audited",
			op, loc, names[0], ws)
	}
	s, err := gd.l.open(cmd, g)
	if err != nil {
		return nil, err
	}
	if err := s.svc.AuthorizeRepositoryWork(cmd.Context(), s.me, names, op, loc, detail); err != nil {
		s.svc.Close()
		return nil, refusalExit(err)
	}
	return func(outcome string) {
		defer s.svc.Close()
		if err := s.svc.RecordRepositoryWork(cmd.Context(), s.me, names, op, loc, outcome); err != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "cadang %s: the change is done, but its audit entry could not be written: %v\n", op, err)
		}
	}, nil
}

// outcomeOf is one line for the audit log: done, or why not.
func outcomeOf(err error, done string) string {
	if err != nil {
		return "failed: " + err.Error()
	}
	return done
}
