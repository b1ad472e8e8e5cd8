package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"cadang/jobs"
)

// replicaNameRE is what a replica name may look like (engine/replica's rule):
// anything else given to --repo is a path or a URL, never looked up.
var replicaNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// resolveRepo turns --repo into a location to open (issue 7: "--repo
// accepts a replica's URL or name"). An existing path or a URL is used as
// given; otherwise a replica name is looked up among the replicas of the
// repositories of the workspace's jobs, and its URL returned. An unknown or
// ambiguous name is one error listing the known names.
func resolveRepo(ctx context.Context, value string, cmd *cobra.Command) (string, error) {
	if isLocationURL(value) || !replicaNameRE.MatchString(value) {
		return value, nil
	}
	if _, err := os.Lstat(value); err == nil {
		return value, nil // a folder in the current directory wins over a name
	}
	ws, err := workspaceOf(cmd)
	if err != nil {
		return "", fmt.Errorf("--repo %s: not a folder here, and no workspace to look up a replica of that name: %w", value, err)
	}
	locs, err := jobs.ReplicaLocations(ctx, ws)
	if errors.Is(err, jobs.ErrNoWorkspace) {
		return "", fmt.Errorf("--repo %s: no such folder, and no workspace at %s to look up a replica of that name (use --workspace)", value, ws)
	}
	if err != nil {
		return "", fmt.Errorf("--repo %s: %w", value, err)
	}
	return pickReplica(value, locs)
}

// pickReplica finds name among locs: one URL (several jobs may share a
// repository, hence a replica) or an error listing what is known.
func pickReplica(name string, locs []jobs.ReplicaLocation) (string, error) {
	var match []jobs.ReplicaLocation
	urls := map[string]bool{}
	for _, l := range locs {
		if strings.EqualFold(l.Name, name) {
			match = append(match, l)
			urls[l.URL] = true
		}
	}
	switch {
	case len(match) == 0:
		return "", fmt.Errorf("--repo %s: no such folder, and no replica of that name among the workspace's jobs; known replicas: %s",
			name, knownReplicas(locs))
	case len(urls) > 1:
		var where []string
		for _, l := range match {
			where = append(where, fmt.Sprintf("%s (job %s) = %s", l.Name, l.Job, l.URL))
		}
		return "", fmt.Errorf("--repo %s: the name is ambiguous: %s; give the URL instead", name, strings.Join(where, "; "))
	}
	return match[0].URL, nil
}

func knownReplicas(locs []jobs.ReplicaLocation) string {
	if len(locs) == 0 {
		return "none (add one with `cadang replica add --repo DIR NAME URL`)"
	}
	var names []string
	seen := map[string]bool{}
	for _, l := range locs {
		if k := l.Name + " (job " + l.Job + ")"; !seen[k] {
			seen[k] = true
			names = append(names, k)
		}
	}
	return strings.Join(names, ", ")
}

// isLocationURL reports whether a --repo value names a remote location
// (sftp://, s3://, rclone:REMOTE:path) rather than a folder.
func isLocationURL(v string) bool {
	return strings.Contains(v, "://") || strings.HasPrefix(v, "rclone:")
}

// workspaceOf is --workspace as the command parsed it, else
// $CADANG_WORKSPACE, else the default workspace.
func workspaceOf(cmd *cobra.Command) (string, error) {
	if cmd != nil {
		if f := cmd.Flags().Lookup("workspace"); f != nil && f.Value.String() != "" {
			return f.Value.String(), nil
		}
	}
	if ws := os.Getenv("CADANG_WORKSPACE"); ws != "" {
		return ws, nil
	}
	return DefaultWorkspace()
}
