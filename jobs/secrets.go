package jobs

import (
	"fmt"

	"cadang/engine/secrets"
	"cadang/store"
)

// Locations a person types (a job's sources and repository, a restore
// target) are stored in the catalog, printed on forms and passed to tools,
// so none may carry a secret: checkLocation refuses one at the edge, saying
// where that kind of password goes instead. What is recorded anyway (tool
// messages in run errors, audit details, the run log, replica states) is
// masked with secrets.Redact on the way in, for rows and messages that did
// not pass through the check.

// checkLocation refuses a location that carries a password or key.
func checkLocation(what, loc string) error {
	if err := secrets.Check(loc); err != nil {
		return fmt.Errorf("%s %s: %w", what, secrets.Redact(loc), err)
	}
	return nil
}

// redactRun masks secrets in what a run record keeps of messages.
func redactRun(r *store.Run) {
	r.Error = secrets.Redact(r.Error)
	for i, w := range r.Warnings {
		r.Warnings[i] = store.RunWarning{Path: secrets.Redact(w.Path), Err: secrets.Redact(w.Err)}
	}
}

// redactAll masks secrets in each of locs (a job's sources on a form).
func redactAll(locs []string) []string {
	out := make([]string, len(locs))
	for i, l := range locs {
		out[i] = secrets.Redact(l)
	}
	return out
}
