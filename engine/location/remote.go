package location

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"

	"cadang/engine/backend"
	"cadang/engine/backend/rclone"
	"cadang/engine/backend/s3"
	"cadang/engine/backend/sftp"
	"cadang/engine/secrets"
)

// Remote locations (replicas, or a repository kept remotely):
//
//	sftp://user@host:port/abs/path   ?key=FILE&known_hosts=FILE (or CADANG_SFTP_KEY, CADANG_SFTP_KNOWN_HOSTS)
//	sftp://user@host/~/rel/path      a path relative to the login folder
//	rclone:REMOTE:path               a remote made with `rclone config` (RCLONE_CONFIG picks the file)
//	s3://host:port/bucket/prefix     HTTPS; s3+http:// for plain HTTP; ?region=NAME
//
// Secrets are never part of a location (secrets.Check refuses them, and
// inline rclone options and unknown parameters too): SSH keys are files,
// rclone keeps its own configuration, S3 keys come from
// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws/credentials.

// isRemoteScheme reports the schemes openRemote handles.
func isRemoteScheme(scheme string) bool {
	switch scheme {
	case "sftp", "rclone", "s3", "s3+http":
		return true
	}
	return false
}

// opener connects to a parsed remote location.
type opener func(ctx context.Context) (backend.Backend, error)

// parseRemote checks the syntax of a remote location without connecting.
func parseRemote(scheme, loc, rest string) (opener, error) {
	if err := secrets.Check(loc); err != nil {
		return nil, fmt.Errorf("location %s: %w", secrets.Redact(loc), err)
	}
	switch scheme {
	case "rclone":
		if !strings.Contains(rest, ":") {
			return nil, fmt.Errorf("location %q: write rclone:REMOTE:path, e.g. rclone:gdrive:cadang", loc)
		}
		return func(ctx context.Context) (backend.Backend, error) {
			return rclone.New(ctx, rclone.Options{Remote: rest})
		}, nil
	case "sftp":
		opt, err := parseSFTP(loc)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) (backend.Backend, error) { return sftp.Open(ctx, opt) }, nil
	default: // s3, s3+http
		opt, err := parseS3(loc)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) (backend.Backend, error) { return s3.Open(ctx, opt) }, nil
	}
}

func parseSFTP(loc string) (sftp.Options, error) {
	u, err := url.Parse(loc)
	if err != nil {
		return sftp.Options{}, fmt.Errorf("location %q: %w", loc, err)
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		return sftp.Options{}, fmt.Errorf("location %q: passwords are not accepted in URLs; use an SSH key", redact(u))
	}
	if err := onlyParams(u, "key", "known_hosts"); err != nil {
		return sftp.Options{}, err
	}
	opt := sftp.Options{
		User:           u.User.Username(),
		Host:           u.Hostname(),
		Path:           u.Path,
		KeyFile:        firstOf(u.Query().Get("key"), os.Getenv("CADANG_SFTP_KEY")),
		KnownHostsFile: firstOf(u.Query().Get("known_hosts"), os.Getenv("CADANG_SFTP_KNOWN_HOSTS")),
	}
	if opt.Host == "" || opt.Path == "" || opt.Path == "/" {
		return opt, fmt.Errorf("location %q: write sftp://user@host:port/path", loc)
	}
	opt.Path = strings.TrimPrefix(opt.Path, "/~/") // relative to the login folder
	if p := u.Port(); p != "" {
		if opt.Port, err = strconv.Atoi(p); err != nil || opt.Port <= 0 || opt.Port > 65535 {
			return opt, fmt.Errorf("location %q: bad port %q", loc, p)
		}
	}
	if opt.User == "" {
		if me, err := user.Current(); err == nil {
			opt.User = me.Username
		}
	}
	return opt, nil
}

func parseS3(loc string) (s3.Options, error) {
	u, err := url.Parse(loc)
	if err != nil {
		return s3.Options{}, fmt.Errorf("location %q: %w", loc, err)
	}
	if u.User != nil {
		return s3.Options{}, fmt.Errorf("location %q: keys are not accepted in URLs; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", redact(u))
	}
	if err := onlyParams(u, "region"); err != nil {
		return s3.Options{}, err
	}
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if u.Host == "" || bucket == "" {
		return s3.Options{}, fmt.Errorf("location %q: write s3://host:port/bucket/prefix", loc)
	}
	return s3.Options{
		Endpoint: u.Host,
		Bucket:   bucket,
		Prefix:   prefix,
		Region:   u.Query().Get("region"),
		Insecure: u.Scheme == "s3+http",
	}, nil
}

// redact hides any secret of a URL in error messages.
func redact(u *url.URL) string { return secrets.Redact(u.String()) }

// onlyParams refuses query parameters other than names: a parameter Cadang
// does not read would be stored and printed with the location for nothing,
// and may be a key.
func onlyParams(u *url.URL, names ...string) error {
	for p := range u.Query() {
		if !slices.Contains(names, p) {
			bare := *u
			bare.RawQuery = "" // the value of a parameter Cadang does not know may be a secret
			return fmt.Errorf("location %q: unknown parameter %q (%s URLs take %s)", redact(&bare), p, u.Scheme, strings.Join(names, ", "))
		}
	}
	return nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Check validates the syntax of urlOrPath without touching the network or
// the disk, e.g. before recording a replica.
func Check(urlOrPath string) error {
	if strings.TrimSpace(urlOrPath) == "" {
		return fmt.Errorf("no location given")
	}
	if err := secrets.Check(urlOrPath); err != nil {
		return fmt.Errorf("location %s: %w", secrets.Redact(urlOrPath), err)
	}
	scheme, rest, ok := splitScheme(urlOrPath)
	if !ok || scheme == "file" {
		return nil
	}
	if !isRemoteScheme(scheme) {
		return fmt.Errorf("location %q: unsupported scheme %q (use a folder, sftp://, rclone:, s3:// or s3+http://)", secrets.Redact(urlOrPath), scheme)
	}
	_, err := parseRemote(scheme, urlOrPath, rest)
	return err
}

// IsLocal reports whether urlOrPath is a folder on this machine, and which.
func IsLocal(urlOrPath string) (dir string, ok bool) {
	scheme, _, isURL := splitScheme(urlOrPath)
	if !isURL {
		return urlOrPath, true
	}
	if scheme == "file" {
		if u, err := url.Parse(urlOrPath); err == nil && (u.Host == "" || u.Host == "localhost") && u.Path != "" {
			return u.Path, true
		}
	}
	return "", false
}
