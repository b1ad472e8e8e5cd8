// Package secrets keeps passwords and keys out of what Cadang stores and
// prints. A location — a database URL, a repository or replica URL, an
// rclone remote, a source path — is stored in the catalog, printed on
// forms, written to logs and passed to tools on their command line, so it
// must never carry a secret: Check refuses one and says where that kind of
// secret belongs instead. Redact hides any secret a location can carry in
// a text about to be printed, logged, stored or filed: the second line of
// defence, for text that comes from elsewhere (a tool's error message, a
// row written before Check existed).
//
// What counts as a secret: the password part of a URL's user information
// (user:password@), any user information of an S3 URL (access keys), a
// parameter whose name says password, passphrase, secret, token,
// credential, signature or API/access/private key (?password=,
// ?sslpassword=, ?X-Amz-Signature=, libpq's "host=h password=…",
// rclone's ",secret_access_key=…"), and any inline rclone configuration
// (rclone:remote,option=…:path). Non-guarantees: a secret typed where a
// user or database name goes, or in free text such as a request's reason,
// is not recognised.
package secrets

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
)

// ErrInLocation is wrapped by every refusal of Check.
var ErrInLocation = errors.New("a secret is written into the location")

// Error says what Check found (never the secret itself) and where that
// kind of secret belongs.
type Error struct {
	Found string // "a password after the user name", `the parameter "sslpassword"`
	Hint  string // where such secrets go instead
}

func (e *Error) Error() string {
	return e.Found + " is not accepted in a location: " + e.Hint
}

// Unwrap makes errors.Is(err, ErrInLocation) hold.
func (e *Error) Unwrap() error { return ErrInLocation }

// Mask replaces every secret Redact hides.
const Mask = "xxxxx"

var (
	// authority finds scheme://userinfo@host: group 1 the scheme, group 2
	// the authority (up to the path, query or fragment).
	authorityRE = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*)://([^/?#\s]*)`)
	// pairRE finds name=value: after the start, a blank, ? & ; or , (URL
	// queries, libpq keyword strings, ODBC strings, rclone connection
	// strings). Group 1 the separator, 2 the name, 3 the value (quoted
	// values whole).
	pairRE = regexp.MustCompile(`(^|[\s?&;,])([A-Za-z][A-Za-z0-9_.%-]*)[ \t]*=[ \t]*('[^']*'?|"[^"]*"?|[^\s&;,]*)`)
	// rcloneInlineRE finds an rclone remote with inline configuration:
	// rclone:name,opt=…: or rclone::type,opt=…:.
	rcloneInlineRE = regexp.MustCompile(`(?i)\brclone::?[A-Za-z0-9_. -]*,`)
)

// secretWords are parts of parameter names that name a secret, compared
// in lower case without "_", "-" and ".".
var secretWords = []string{"password", "passwd", "passphrase", "secret", "token", "credential", "signature",
	"apikey", "accesskey", "privatekey", "accountkey", "sessionkey", "clientkey"}

// secretNames are whole parameter names that name a secret.
var secretNames = map[string]bool{"pass": true, "pwd": true, "pw": true, "sig": true}

// isSecretName reports whether a parameter of that name holds a secret.
// Names of files (passfile, sslkeyfile) hold where a secret is, which is
// what Cadang asks for. sep is the character before the name: after a
// comma (rclone's connection strings) "key" and "user" are secret too.
func isSecretName(name string, sep string) bool {
	n := strings.NewReplacer("_", "", "-", "", ".", "").Replace(strings.ToLower(unescape(name)))
	if strings.HasSuffix(n, "file") || strings.HasSuffix(n, "path") {
		return false
	}
	if secretNames[n] || (sep == "," && (n == "key" || n == "user")) {
		return true
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Check refuses a location that carries a secret; nil when it carries none.
func Check(location string) error {
	scheme := schemeOf(location)
	hint := Hint(scheme)
	for _, m := range authorityRE.FindAllStringSubmatch(location, -1) {
		s := strings.ToLower(m[1])
		i := strings.LastIndex(m[2], "@")
		if i < 0 {
			continue
		}
		userinfo := m[2][:i]
		switch {
		case s == "s3" || s == "s3+http" || s == "s3+https":
			return &Error{Found: "a key in the user part of the URL", Hint: Hint(s)}
		case strings.Contains(userinfo, ":"):
			return &Error{Found: "a password after the user name", Hint: Hint(s)}
		}
	}
	if rcloneInlineRE.MatchString(location) {
		return &Error{Found: "inline rclone configuration (options after the remote's name)", Hint: Hint("rclone")}
	}
	if name, ok := secretPair(location); ok {
		return &Error{Found: "the parameter " + quote(name), Hint: hint}
	}
	// A query spelled with escapes the patterns above do not see
	// (?pass%77ord=) is decoded by the tools: look at it decoded too.
	if i := strings.Index(location, "?"); i >= 0 {
		if q, err := url.ParseQuery(location[i+1:]); err == nil {
			for name := range q {
				if isSecretName(name, "?") {
					return &Error{Found: "the parameter " + quote(name), Hint: hint}
				}
			}
		}
	}
	return nil
}

func quote(name string) string { return `"` + unescape(name) + `"` }

// unescape decodes a parameter name as the tools do (pass%77ord is password).
func unescape(name string) string {
	if n, err := url.QueryUnescape(name); err == nil {
		return n
	}
	return name
}

// schemeOf is the location's scheme in lower case ("" for a path).
func schemeOf(location string) string {
	i := strings.Index(location, ":")
	if i < 2 {
		return ""
	}
	s := strings.ToLower(location[:i])
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return ""
		}
	}
	return s
}

// Hint says where the secrets of a location with that scheme belong.
func Hint(scheme string) string {
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		return "put PostgreSQL passwords in ~/.pgpass (mode 0600) or the file PGPASSFILE names"
	case "mysql", "mariadb":
		return "put MySQL/MariaDB passwords in ~/.my.cnf or another option file ([client] password=…, mode 0600)"
	case "sftp":
		return "log in with an SSH key (?key=FILE, CADANG_SFTP_KEY or ssh-agent)"
	case "s3", "s3+http", "s3+https":
		return "give S3 keys in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or ~/.aws/credentials"
	case "rclone":
		return "set the remote up with `rclone config`; its passwords and tokens stay in rclone.conf"
	}
	return "keep passwords in the tools' own files (~/.pgpass, ~/.my.cnf, SSH keys, rclone.conf, ~/.aws/credentials) and a repository's in its password file"
}

// Redact returns text with every secret Check would refuse replaced by
// Mask: URL passwords, secret parameters' values, S3 keys and inline
// rclone options. Text without one is returned unchanged.
func Redact(text string) string {
	text = authorityRE.ReplaceAllStringFunc(text, func(m string) string {
		sub := authorityRE.FindStringSubmatch(m)
		i := strings.LastIndex(sub[2], "@")
		if i < 0 {
			return m
		}
		userinfo, host := sub[2][:i], sub[2][i:]
		s := strings.ToLower(sub[1])
		user, _, hasPassword := strings.Cut(userinfo, ":")
		switch {
		case s == "s3" || s == "s3+http" || s == "s3+https":
			return sub[1] + "://" + Mask + host
		case hasPassword:
			return sub[1] + "://" + user + ":" + Mask + host
		}
		return m
	})
	// Inline rclone options are name=value pairs after commas: masked here.
	return redactPairs(text)
}

// secretPair finds the first name=value pair in text whose name holds a
// secret. A value may itself read as a pair: in "host= password=x" the
// pattern takes "password=x" as host's value (blanks may surround "="), so
// values are searched too.
func secretPair(text string) (name string, found bool) {
	for _, m := range pairRE.FindAllStringSubmatch(text, -1) {
		if isSecretName(m[2], m[1]) {
			return m[2], true
		}
		if strings.Contains(m[3], "=") {
			if name, found := secretPair(m[3]); found {
				return name, true
			}
		}
	}
	return "", false
}

// redactPairs masks the value of every pair secretPair would find.
func redactPairs(text string) string {
	return pairRE.ReplaceAllStringFunc(text, func(m string) string {
		sub := pairRE.FindStringSubmatch(m)
		if isSecretName(sub[2], sub[1]) {
			return sub[1] + sub[2] + "=" + Mask
		}
		if strings.Contains(sub[3], "=") {
			return m[:len(m)-len(sub[3])] + redactPairs(sub[3])
		}
		return m
	})
}
