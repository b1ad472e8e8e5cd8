package secrets

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
)

const marker = "Mk7secret"

// TestSecretInLocationRefused: every form a location can carry a secret in
// is refused, the refusal never shows it and says where it belongs.
func TestSecretInLocationRefused(t *testing.T) {
	for _, tc := range []struct {
		location string
		found    string
		hint     string
	}{
		{"postgres://u:" + marker + "@h/db", "password after the user name", "~/.pgpass"},
		{"postgresql://u:@h/db", "password after the user name", "PGPASSFILE"},
		{"postgres://u@h/db?password=" + marker, `parameter "password"`, "~/.pgpass"},
		{"postgres://u@h/db?sslmode=require&sslpassword=" + marker, `parameter "sslpassword"`, "~/.pgpass"},
		{"postgres://u@h/db?pass%77ord=" + marker, `parameter "password"`, "~/.pgpass"},
		{"postgres://u@h/db?oauth_client_secret=" + marker, `"oauth_client_secret"`, "~/.pgpass"},
		{"mysql://u:" + marker + "@h/db", "password after the user name", "~/.my.cnf"},
		{"mariadb://u@h/db?pwd=" + marker, `parameter "pwd"`, "~/.my.cnf"},
		{"host=db1 user=u password=" + marker + " dbname=x", `parameter "password"`, "password file"},
		{"host=db1 password='a " + marker + "'", `parameter "password"`, "password file"},
		{"Server=db1;Uid=u;Pwd=" + marker + ";", `parameter "Pwd"`, "password file"},
		{"sftp://u:" + marker + "@h/srv/copy", "password after the user name", "SSH key"},
		{"sftp://u@h/srv/copy?passphrase=" + marker, `parameter "passphrase"`, "SSH key"},
		{"s3://AKIAX:" + marker + "@s3.example/bucket", "key in the user part", "AWS_SECRET_ACCESS_KEY"},
		{"s3://" + marker + "@s3.example/bucket", "key in the user part", "~/.aws/credentials"},
		{"s3://s3.example/bucket?X-Amz-Signature=" + marker, `"X-Amz-Signature"`, "AWS_ACCESS_KEY_ID"},
		{"s3+http://h:9000/b?secret_key=" + marker, `"secret_key"`, "AWS_ACCESS_KEY_ID"},
		{"s3://h/b?aws_secret_access_key=" + marker, `"aws_secret_access_key"`, "AWS_ACCESS_KEY_ID"},
		{"rclone:gdrive,token=" + marker + ":cadang", "inline rclone configuration", "rclone config"},
		{"rclone::s3,provider=AWS,secret_access_key=" + marker + ":bucket", "inline rclone configuration", "rclone.conf"},
		{"rclone:offsite,shared_with_me:cadang", "inline rclone configuration", "rclone config"},
		{"https://h/x?api_key=" + marker, `"api_key"`, "password file"},
	} {
		t.Run(tc.location, func(t *testing.T) {
			err := Check(tc.location)
			if !errors.Is(err, ErrInLocation) {
				t.Fatalf("Check = %v, want ErrInLocation", err)
			}
			msg := err.Error()
			if strings.Contains(msg, marker) || !strings.Contains(msg, tc.found) || !strings.Contains(msg, tc.hint) || strings.Contains(msg, "\n") {
				t.Fatalf("Check = %q, want one line naming %q and %q, without the secret", msg, tc.found, tc.hint)
			}
			if got := Redact("cannot open " + tc.location + ": refused"); strings.Contains(got, marker) {
				t.Errorf("Redact left the secret: %q", got)
			}
		})
	}
}

// TestSecretFreeLocationsAccepted: locations without a secret pass, and
// Redact leaves them as they are.
func TestSecretFreeLocationsAccepted(t *testing.T) {
	for _, loc := range []string{
		"/srv/keuangan", `C:\data\keuangan`, "relative/dir", "/home/ani/key=value/x",
		"postgres://cadang_backup@db1:5432/penjualan",
		"postgresql://db.example/sales?sslmode=require&passfile=/etc/cadang/pgpass&sslkey=/k/client.key&require_auth=scram-sha-256",
		"mysql://root@localhost/shop", "sqlite:///var/lib/app/app.db",
		"sftp://backup@10.0.5.9:22/srv/cadang?key=/etc/cadang/id_ed25519&known_hosts=/etc/cadang/known_hosts",
		"s3://s3.example.com/backups/cadang?region=id-1", "s3+http://127.0.0.1:7070/bucket",
		"rclone:gdrive:cadang", "rclone::local:/srv/copy", "file:///srv/backup",
	} {
		t.Run(loc, func(t *testing.T) {
			if err := Check(loc); err != nil {
				t.Fatalf("Check = %v, want nil", err)
			}
			if got := Redact(loc); got != loc {
				t.Errorf("Redact = %q, want it unchanged", got)
			}
		})
	}
}

// TestSecretRedactInText: secrets inside longer texts (tool messages, old
// catalog rows) are masked, the rest is kept.
func TestSecretRedactInText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`pg_dump: error: connection to "postgresql://u:` + marker + `@h/db" failed`, `pg_dump: error: connection to "postgresql://u:xxxxx@h/db" failed`},
		{"open repository sftp://u:" + marker + "@h/x: refused", "open repository sftp://u:xxxxx@h/x: refused"},
		{"postgres://u@h/db?sslmode=require&password=" + marker + "&x=1", "postgres://u@h/db?sslmode=require&password=xxxxx&x=1"},
		{"host=h password='" + marker + " x' dbname=d", "host=h password=xxxxx dbname=d"},
		{"rclone: remote \"s3r,key=" + marker + "\" unknown", "rclone: remote \"s3r,key=xxxxx unknown"}, // a value runs to a blank: the quote goes too
		{"s3://AK:" + marker + "@h/b and s3://h/b", "s3://xxxxx@h/b and s3://h/b"},
		{"nothing secret here: keep-daily=7", "nothing secret here: keep-daily=7"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q)\n = %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// TestSecretLogHandlerRedacts: messages, string attributes, errors and
// groups reach the wrapped handler masked.
func TestSecretLogHandlerRedacts(t *testing.T) {
	var buf strings.Builder
	log := slog.New(LogHandler(slog.NewTextHandler(&buf, nil))).With("repo", "sftp://u:"+marker+"@h/x")
	log.Error("open postgres://u@h/db?password="+marker, "err", errors.New("dial s3://AK:"+marker+"@h/b"),
		slog.Group("job", "source", "host=h password="+marker), "n", 3)
	got := buf.String()
	if strings.Contains(got, marker) || strings.Count(got, Mask) != 4 || !strings.Contains(got, "n=3") {
		t.Fatalf("log line %q: want 4 masked secrets and the rest kept", got)
	}
}

// FuzzRedactHidesWhatCheckRefuses: whatever surrounds it, a secret written
// as a password parameter or after a user name is refused by Check and
// absent from Redact's output.
func FuzzRedactHidesWhatCheckRefuses(f *testing.F) {
	f.Add("postgres://u@h/db?sslmode=require&", "", "Zs9hunter2")
	f.Add("host=h ", " dbname=x", "pa ss")
	f.Add("rclone::s3,", ":bucket", "K3y")
	f.Add("", "", "00000\f")    // found by CI: a form feed is a blank, outside the domain
	f.Add("A= ", "", "0000000") // found by CI: "A= password=…" reads as A's value
	f.Fuzz(func(t *testing.T, before, after, secret string) {
		if len(secret) < 6 || strings.ContainsAny(secret, " \t\n\v\f\r&;,'\"=%@/?#:") || strings.Contains(before+after, secret) {
			return // a value that ends where it starts (no blank of any kind: \f ends a URL's authority too), and appears nowhere else
		}
		for _, loc := range []string{
			before + "password=" + secret + after,
			"sftp://u:" + secret + "@h/x " + before + after,
		} {
			if before != "" && !strings.ContainsAny(before[len(before)-1:], " ?&;,") && strings.HasPrefix(loc, before+"password") {
				continue // "xpassword=" is another name
			}
			if Check(loc) == nil {
				t.Fatalf("Check(%q) = nil", loc)
			}
			if got := Redact(loc); strings.Contains(got, secret) {
				t.Fatalf("Redact(%q) = %q keeps the secret", loc, got)
			}
		}
	})
}
