package location

import (
	"context"
	"strings"
	"testing"

	"cadang/engine/backend/s3"
	"cadang/engine/backend/sftp"
)

func TestCheckRemote(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
	}{
		{in: "/srv/backup"},
		{in: "file:///srv/backup"},
		{in: "sftp://backup@offsite.example:2222/srv/cadang"},
		{in: "sftp://backup@offsite.example/~/cadang"},
		{in: "rclone:gdrive:cadang"},
		{in: "rclone:gdrive:"},
		{in: "s3://s3.example.com/bucket/prefix"},
		{in: "s3+http://127.0.0.1:7070/bucket"},
		{in: "", wantErr: "no location"},
		{in: "ftp://host/x", wantErr: "unsupported scheme"},
		{in: "rclone:gdrive", wantErr: "rclone:REMOTE:path"},
		{in: "sftp://user:hunter2@host/x", wantErr: "password after the user name is not accepted in a location: log in with an SSH key"},
		{in: "sftp://host", wantErr: "sftp://user@host:port/path"},
		{in: "sftp://user@host:99999/x", wantErr: "bad port"},
		{in: "s3://host:9000", wantErr: "s3://host:port/bucket/prefix"},
		{in: "s3://AKIA:secret@host/bucket", wantErr: "key in the user part of the URL is not accepted in a location: give S3 keys in AWS_ACCESS_KEY_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			err := Check(tt.in)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Check(%q) = %v, want %q", tt.in, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func TestParseRemoteFields(t *testing.T) {
	t.Setenv("CADANG_SFTP_KNOWN_HOSTS", "/etc/cadang/known_hosts")
	got, err := parseSFTP("sftp://backup@host.example:2200/~/cadang?key=/k/id_ed25519")
	if err != nil {
		t.Fatal(err)
	}
	want := sftp.Options{User: "backup", Host: "host.example", Port: 2200, Path: "cadang", KeyFile: "/k/id_ed25519", KnownHostsFile: "/etc/cadang/known_hosts"}
	if got != want {
		t.Errorf("parseSFTP = %+v, want %+v", got, want)
	}
	s, err := parseS3("s3+http://127.0.0.1:7070/bucket/a/b?region=id-1")
	if err != nil {
		t.Fatal(err)
	}
	wantS3 := s3.Options{Endpoint: "127.0.0.1:7070", Bucket: "bucket", Prefix: "a/b", Region: "id-1", Insecure: true}
	if s != wantS3 {
		t.Errorf("parseS3 = %+v, want %+v", s, wantS3)
	}
}

func TestIsLocal(t *testing.T) {
	tests := []struct {
		in   string
		dir  string
		want bool
	}{
		{"/srv/repo", "/srv/repo", true},
		{"file:///srv/repo", "/srv/repo", true},
		{"rclone:gdrive:x", "", false},
		{"sftp://u@h/x", "", false},
	}
	for _, tt := range tests {
		dir, ok := IsLocal(tt.in)
		if dir != tt.dir || ok != tt.want {
			t.Errorf("IsLocal(%q) = %q, %v; want %q, %v", tt.in, dir, ok, tt.dir, tt.want)
		}
	}
}

// TestSecretInRepositoryOrReplicaLocationRefused is the hole "no secret in
// any URL form" for repositories and replicas (--repo, replica add, a
// job's repository): refused by Check and by Open before any connection,
// one line, the secret never shown.
func TestSecretInRepositoryOrReplicaLocationRefused(t *testing.T) {
	const pw = "Zs9hunter2"
	for _, tc := range []struct{ in, want string }{
		{"sftp://backup:" + pw + "@offsite/srv/cadang", "SSH key"},
		{"sftp://backup@offsite/srv/cadang?password=" + pw, "SSH key"},
		{"sftp://backup@offsite/srv/cadang?identity=" + pw, `unknown parameter "identity"`},
		{"s3://AKIA:" + pw + "@s3.example/bucket", "AWS_SECRET_ACCESS_KEY"},
		{"s3://s3.example/bucket?secret_key=" + pw, "AWS_SECRET_ACCESS_KEY"},
		{"s3+http://127.0.0.1:7070/bucket?X-Amz-Credential=" + pw, "AWS_SECRET_ACCESS_KEY"},
		{"s3://s3.example/bucket?endpoint_key=" + pw, `unknown parameter "endpoint_key"`},
		{"rclone:gdrive,token=" + pw + ":cadang", "rclone config"},
		{"rclone::s3,access_key_id=AK,secret_access_key=" + pw + ":bucket", "rclone config"},
		{"/srv/backup password=" + pw, "password file"},
		{"file:///srv/backup?password=" + pw, "password file"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			for name, err := range map[string]error{"Check": Check(tc.in), "Open": openErr(tc.in)} {
				if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), pw) || strings.Contains(err.Error(), "\n") {
					t.Errorf("%s(%q) = %v, want one line with %q and no secret", name, tc.in, err, tc.want)
				}
			}
		})
	}
}

func openErr(loc string) error {
	be, err := Open(context.Background(), loc)
	if err == nil {
		be.Close()
		return nil
	}
	return err
}
