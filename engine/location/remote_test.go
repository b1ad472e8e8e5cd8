package location

import (
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
		{in: "sftp://user:hunter2@host/x", wantErr: "passwords are not accepted"},
		{in: "sftp://host", wantErr: "sftp://user@host:port/path"},
		{in: "sftp://user@host:99999/x", wantErr: "bad port"},
		{in: "s3://host:9000", wantErr: "s3://host:port/bucket/prefix"},
		{in: "s3://AKIA:secret@host/bucket", wantErr: "keys are not accepted"},
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
