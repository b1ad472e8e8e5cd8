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
// (user:password@, blanks included), any user information of an S3 URL
// (access keys), a parameter whose name says password, passphrase, secret,
// token, credential, signature or API/access/private key (?password=,
// ?sslpassword=, ?X-Amz-Signature=, ?pass%77ord=, libpq's "host=h
// password = …", ODBC's ";Pwd={…}", rclone's ",secret_access_key=…", a
// command line's --password=…), its value read as the tools read it
// (quotes, backslash escapes), and any inline rclone configuration
// (rclone:remote,option=…:path). Non-guarantees: a secret typed where a
// user or database name goes, in free text such as a request's reason, or
// as an unquoted value with a blank in it (the value ends at the blank),
// is not recognised.
package secrets

import (
	"cmp"
	"errors"
	"net/url"
	"regexp"
	"slices"
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
	// authorityRE finds scheme://authority: group 1 the scheme, group 2
	// the authority (up to the path, query or fragment, or a blank). A
	// scheme is ASCII: under (?i) [a-z] would take ſ and K (Kelvin) too,
	// and "ſs3://" would not be S3.
	authorityRE = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*)://([^/?#\s]*)`)
	// blankPasswordRE finds scheme://user:password@ whose password has
	// blanks in it (libpq reads the user information up to the last @
	// before the path): group 1 the scheme, 2 the user, 3 the password.
	blankPasswordRE = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*)://([^\s:@/?#]*):([^/?#\n]*)@`)
	// pairRE finds "name=": after the start, a blank, ? & ; or , (URL
	// queries, libpq keyword strings, ODBC strings, rclone connection
	// strings) or a quote or parenthesis (a quoted command or string).
	// Group 1 the separator, 2 the name (percent-escapes and leading
	// dashes included: %70assword, --password). Blanks may surround "="
	// (libpq skips every isspace, \v too). The value is read by valueEnd.
	pairRE = regexp.MustCompile(`(?:^|([\s\v?&;,"'(]))([A-Za-z0-9_.%-]+)[\s\v]*=`)
	// rcloneInlineRE finds an rclone remote with inline configuration:
	// rclone:name,opt=…: or rclone::type,opt=…: (a remote's name may hold
	// letters, digits, _ - . + @ and blanks).
	rcloneInlineRE = regexp.MustCompile(`(?i)rclone::?[A-Za-z0-9_.+@ -]*,`)
)

// secretWords are parts of parameter names that name a secret, compared
// in lower case without "_", "-" and ".".
var secretWords = []string{"password", "passwd", "passphrase", "secret", "token", "credential", "signature",
	"apikey", "accesskey", "privatekey", "accountkey", "sessionkey", "clientkey"}

// secretNames are whole parameter names that name a secret.
var secretNames = map[string]bool{"pass": true, "pwd": true, "pw": true, "sig": true}

var nameFolder = strings.NewReplacer("_", "", "-", "", ".", "")

// isSecretName reports whether a parameter of that name holds a secret.
// Names of files (passfile, sslkeyfile) hold where a secret is, which is
// what Cadang asks for. sep is the character before the name: after a
// comma (rclone's connection strings) "key" and "user" are secret too.
func isSecretName(name string, sep string) bool {
	n := nameFolder.Replace(strings.ToLower(unescape(name)))
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

// finding is one secret in a text: what Check says about it and the
// bytes Redact masks.
type finding struct {
	found  string // for Error.Found
	scheme string // whose Hint; "" for the location's own scheme
	// start, end are the secret's bytes; start < 0 when nothing is masked
	// (inline rclone options that name no secret). An empty span is
	// masked too (postgres://u:@h shows u:xxxxx@h).
	start, end int
}

// findings lists every secret in text, in the order Check reports them:
// the URL's user information, inline rclone configuration, parameters.
// Check refuses a location with any; Redact masks each one's bytes, so
// what Check refuses Redact hides by construction. Every rule finds its
// secret whatever text surrounds the location.
func findings(text string) []finding {
	var fs []finding
	// The patterns are searched only where their literal part is: Redact
	// runs on every line logged.
	hasUserinfo := strings.Contains(text, "://") && strings.Contains(text, "@")
	pairs := strings.Contains(text, "=")
	// The user information of a URL. The search resumes inside the
	// previous authority: in "a://postgres://u:pw@h" the first match
	// took "postgres:" as a's authority.
	for pos := 0; hasUserinfo && pos < len(text); {
		m := authorityRE.FindStringSubmatchIndex(text[pos:])
		if m == nil {
			break
		}
		scheme, aStart := strings.ToLower(text[pos+m[2]:pos+m[3]]), pos+m[4]
		authority := text[aStart : pos+m[5]]
		if i := strings.LastIndex(authority, "@"); i >= 0 {
			userinfo := authority[:i]
			if isS3(scheme) {
				fs = append(fs, finding{"a key in the user part of the URL", scheme, aStart, aStart + i})
			} else if j := strings.Index(userinfo, ":"); j >= 0 {
				fs = append(fs, finding{"a password after the user name", scheme, aStart + j + 1, aStart + i})
			}
		}
		pos = aStart
	}
	for pos := 0; hasUserinfo && pos < len(text); {
		m := blankPasswordRE.FindStringSubmatchIndex(text[pos:])
		if m == nil {
			break
		}
		scheme := strings.ToLower(text[pos+m[2] : pos+m[3]])
		if isS3(scheme) {
			fs = append(fs, finding{"a key in the user part of the URL", scheme, pos + m[4], pos + m[7]})
		} else {
			fs = append(fs, finding{"a password after the user name", scheme, pos + m[6], pos + m[7]})
		}
		pos += m[4]
	}
	if strings.Contains(text, ",") && rcloneInlineRE.MatchString(text) {
		fs = append(fs, finding{"inline rclone configuration (options after the remote's name)", "rclone", -1, -1})
	}
	// name=value pairs. Each "name=" after a separator counts, also one
	// inside another pair's value ("A= password=x": libpq reads
	// password=x as A's value, a tool's message may not).
	var pairMatches [][]int
	if pairs {
		pairMatches = pairRE.FindAllStringSubmatchIndex(text, -1)
	}
	for _, m := range pairMatches {
		sep := ""
		if m[2] >= 0 {
			sep = text[m[2]:m[3]]
		}
		if name := text[m[4]:m[5]]; isSecretName(name, sep) {
			start, end := valueSpan(text, m[1], sep)
			fs = append(fs, finding{"the parameter " + quote(name), "", start, end})
		}
	}
	// A URL query's parameters by their decoded names, whatever their
	// characters (?x:token=, ?%70assword=): the tools decode them. A
	// parameter starts after any ? or &.
	for i := 0; i < len(text); i++ {
		if text[i] != '?' && text[i] != '&' {
			continue
		}
		piece := text[i+1:]
		if j := strings.IndexByte(piece, '&'); j >= 0 {
			piece = piece[:j]
		}
		name, _, ok := strings.Cut(piece, "=")
		if !ok || !(len(name) > maxName || isSecretName(name, "?")) {
			continue
		}
		start := i + 1 + len(name) + 1
		end := start
		for end < i+1+len(piece) && !isBlank(text[end]) {
			end++
		}
		fs = append(fs, finding{"the parameter " + quote(name), "", start, end})
	}
	return fs
}

// maxName bounds the parameter names findings reads in a query: a longer
// one counts as secret (so a text's many ? cannot make it slow).
const maxName = 256

func isS3(scheme string) bool { return scheme == "s3" || scheme == "s3+http" || scheme == "s3+https" }

// isBlank is C's isspace: what libpq skips around keywords and values.
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// valueSpan returns the bytes of the value that starts at i (after "="),
// as the tools read it, or more: blanks after "=" are skipped (libpq);
// a value in quotes runs to its closing quote (a backslash escapes one
// character, as in libpq; a doubled quote is one, as in rclone); one in
// braces to "}" (ODBC; "}}" is one); any other value to a blank (a
// backslash escapes one character, as in libpq), and in a URL query
// (after ? or &) to "&" too, after ";" (ODBC) to ";", after "," (rclone)
// to ",".
func valueSpan(text string, i int, sep string) (start, end int) {
	for i < len(text) && isBlank(text[i]) {
		i++
	}
	start = i
	if i == len(text) {
		return start, i
	}
	switch q := text[i]; q {
	case '\'', '"', '{':
		closing := q
		if q == '{' {
			closing = '}'
		}
		for i++; i < len(text); i++ {
			switch {
			case text[i] == '\\' && q != '{':
				i++
			case text[i] == closing && i+1 < len(text) && text[i+1] == closing:
				i++
			case text[i] == closing:
				return start, i + 1
			}
		}
		return start, len(text)
	}
	stop := ""
	switch sep {
	case "?", "&":
		stop = "&"
	case ";", ",":
		stop = sep
	}
	for ; i < len(text) && !isBlank(text[i]) && !strings.Contains(stop, text[i:i+1]); i++ {
		if text[i] == '\\' {
			i++
		}
	}
	return start, min(i, len(text))
}

// Check refuses a location that carries a secret; nil when it carries none.
func Check(location string) error {
	fs := findings(location)
	if len(fs) == 0 {
		return nil
	}
	scheme := fs[0].scheme
	if scheme == "" {
		scheme = schemeOf(location)
	}
	return &Error{Found: fs[0].found, Hint: Hint(scheme)}
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
// Mask: URL passwords, secret parameters' values and S3 keys. Text without
// one is returned unchanged.
func Redact(text string) string {
	var spans [][2]int
	for _, f := range findings(text) {
		if f.start >= 0 {
			spans = append(spans, [2]int{f.start, f.end})
		}
	}
	if len(spans) == 0 {
		return text
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	var b strings.Builder
	done := 0 // text[:done] is written
	for i := 0; i < len(spans); {
		start, end := spans[i][0], spans[i][1]
		for i++; i < len(spans) && spans[i][0] <= end; i++ {
			end = max(end, spans[i][1])
		}
		b.WriteString(text[done:start])
		b.WriteString(Mask)
		done = end
	}
	b.WriteString(text[done:])
	return b.String()
}
