// Package childproc starts the external programs Cadang runs (pg_dump,
// psql, mysqldump, rclone, lp, …). Every one of them gets an environment
// built from an allow-list, never a copy of Cadang's own: Cadang's process
// holds account and repository passwords ($CADANG_LOGIN, $CADANG_PASSWORD)
// and keys meant for one tool only (AWS_SECRET_ACCESS_KEY), and a child's
// environment is readable by whoever can read its /proc entry, is passed on
// to the child's own children and ends up in core dumps.
//
// Guarantees: a child sees the variables every program needs (Base), the
// ones its caller allowed by name or prefix, and the ones its caller set;
// no variable whose name starts with CADANG_ ever reaches a child, whatever
// was allowed. Non-guarantees: what a caller allows or sets is passed as
// is; arguments are the caller's (none of Cadang's callers puts a secret
// on a command line).
package childproc

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
)

// Base are the variables every program is given: where programs are, whose
// home it is, language and time zone, where temporary and per-user
// configuration files go, and what Windows programs cannot start without.
var Base = []string{
	"PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "LC_*", "TZ", "TMPDIR",
	"XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR",
	// Windows
	"SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT", "TEMP", "TMP", "USERPROFILE", "APPDATA", "LOCALAPPDATA",
	"PROGRAMDATA", "HOMEDRIVE", "HOMEPATH",
}

// never is the prefix of Cadang's own variables: account and repository
// passwords live there, and no tool reads them.
const never = "CADANG_"

// Env says what a child's environment holds besides Base.
type Env struct {
	// Allow names variables passed on from Cadang's environment when set
	// there; a name ending in "*" is a prefix ("PG*", "LC_*").
	Allow []string
	// Set are variables given to the child whatever Cadang's environment
	// holds ("LC_ALL=C"); they replace inherited ones of the same name.
	Set []string
}

// Environ is the child's environment, built from environ (os.Environ()
// form): Base and e.Allow filtered from it, then e.Set.
func (e Env) Environ(environ []string) []string {
	set := map[string]bool{}
	for _, kv := range e.Set {
		name, _, _ := strings.Cut(kv, "=")
		set[fold(name)] = true
	}
	var out []string
	for _, kv := range environ {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || name == "" || set[fold(name)] || !e.allowed(name) {
			continue
		}
		out = append(out, kv)
	}
	for _, kv := range e.Set {
		if name, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(fold(name), never) {
			out = append(out, kv)
		}
	}
	sort.Strings(out)
	return out
}

func (e Env) allowed(name string) bool {
	n := fold(name)
	if strings.HasPrefix(n, never) {
		return false
	}
	for _, lists := range [][]string{Base, e.Allow} {
		for _, pattern := range lists {
			p := fold(pattern)
			if prefix, ok := strings.CutSuffix(p, "*"); ok {
				if prefix != "" && strings.HasPrefix(n, prefix) {
					return true
				}
			} else if n == p {
				return true
			}
		}
	}
	return false
}

// fold makes names compare as the system compares them: Windows ignores case.
func fold(name string) string {
	if runtime.GOOS == "windows" {
		return strings.ToUpper(name)
	}
	return name
}

// Command is exec.CommandContext with the environment e builds from this
// process's: the one way Cadang starts a program.
func Command(ctx context.Context, e Env, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = e.Environ(os.Environ())
	if cmd.Env == nil {
		cmd.Env = []string{} // nil would mean "inherit everything"
	}
	return cmd
}
