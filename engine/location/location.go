// Package location opens a repository backend from what a person types: a
// folder path or a URL.
package location

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"cadang/engine/backend"
	"cadang/engine/backend/local"
	"cadang/engine/secrets"
)

// Open returns the backend for urlOrPath: a plain path or file:// URL is a
// local folder; sftp://, rclone: and s3:// open the remote backends (remote.go).
func Open(ctx context.Context, urlOrPath string) (backend.Backend, error) {
	if strings.TrimSpace(urlOrPath) == "" {
		return nil, fmt.Errorf("no repository location given")
	}
	if err := secrets.Check(urlOrPath); err != nil {
		return nil, fmt.Errorf("repository location %s: %w", secrets.Redact(urlOrPath), err)
	}
	scheme, rest, ok := splitScheme(urlOrPath)
	if !ok {
		return local.New(urlOrPath)
	}
	switch scheme {
	case "file":
		u, err := url.Parse(urlOrPath)
		if err != nil {
			return nil, fmt.Errorf("repository location %q: %w", urlOrPath, err)
		}
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("repository location %q: file URLs must not name a host", urlOrPath)
		}
		if u.Path == "" {
			return nil, fmt.Errorf("repository location %q: no path", urlOrPath)
		}
		return local.New(u.Path)
	default:
		if isRemoteScheme(scheme) { // remote.go: sftp://, rclone:, s3://
			open, err := parseRemote(scheme, urlOrPath, rest)
			if err != nil {
				return nil, err
			}
			return open(ctx)
		}
		return nil, fmt.Errorf("repository location %q: unsupported scheme %q (use a folder path, file://, sftp://, rclone:, s3:// or s3+http://)", secrets.Redact(urlOrPath), scheme)
	}
}

// splitScheme recognises "scheme:rest" where scheme is a URL scheme of two or
// more letters, so Windows drive letters ("C:\x") stay paths.
func splitScheme(s string) (scheme, rest string, ok bool) {
	i := strings.Index(s, ":")
	if i < 2 {
		return "", "", false
	}
	for j, c := range s[:i] {
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !alpha && (j == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return "", "", false
		}
	}
	return strings.ToLower(s[:i]), s[i+1:], true
}
