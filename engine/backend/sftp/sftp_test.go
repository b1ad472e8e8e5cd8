package sftp

import (
	"context"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"testing"

	"cadang/engine/backend/backendtest"
)

// testOptions reads the server that scripts/services/sshd.sh started.
func testOptions(t *testing.T) Options {
	t.Helper()
	raw := os.Getenv("CADANG_TEST_SFTP_URL")
	if raw == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CADANG_TEST_SFTP_URL is not set: scripts/services/sshd.sh did not start")
		}
		t.Skip("CADANG_TEST_SFTP_URL not set (run scripts/services/sshd.sh start)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	return Options{
		User:           u.User.Username(),
		Host:           u.Hostname(),
		Port:           port,
		Path:           path.Join(u.Path, strings.ReplaceAll(t.Name(), "/", "_")+strconv.Itoa(os.Getpid())),
		KeyFile:        os.Getenv("CADANG_TEST_SFTP_KEY"),
		KnownHostsFile: os.Getenv("CADANG_TEST_SFTP_KNOWN_HOSTS"),
	}
}

func TestConformance(t *testing.T) {
	opt := testOptions(t)
	be, err := Open(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	defer be.client.RemoveAll(opt.Path)
	backendtest.Run(t, be)
}

func TestCleanTemp(t *testing.T) {
	opt := testOptions(t)
	ctx := context.Background()
	be, err := Open(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	defer be.client.RemoveAll(opt.Path)
	backendtest.MustSave(ctx, t, be, "packs/aa/aa1", "kept")
	if err := be.client.MkdirAll(path.Join(opt.Path, "packs/bb")); err != nil {
		t.Fatal(err)
	}
	f, err := be.client.Create(path.Join(opt.Path, "packs/bb", tempPrefix+"bb1-123"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	n, err := be.CleanTemp(ctx)
	if err != nil || n != 1 {
		t.Fatalf("CleanTemp = %d, %v; want 1, nil", n, err)
	}
	if got := backendtest.ListNames(ctx, t, be, ""); len(got) != 1 || got[0] != "packs/aa/aa1" {
		t.Errorf("after CleanTemp List = %v", got)
	}
}

func TestHostKeyChecked(t *testing.T) {
	opt := testOptions(t)
	tests := []struct {
		name, knownHosts, wantErr string
	}{
		{"unknown host", "", "is not in"},
		{"changed key", "[127.0.0.1]:" + strconv.Itoa(opt.Port) + " ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHnV0P0k8t0JkQ1Zb0mQ9Hq8X0cQ0cZ5oV3G2Lq0pP6E\n", "HAS CHANGED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kh := path.Join(t.TempDir(), "known_hosts")
			if err := os.WriteFile(kh, []byte(tt.knownHosts), 0o600); err != nil {
				t.Fatal(err)
			}
			opt.KnownHostsFile = kh
			be, err := Open(context.Background(), opt)
			if err == nil {
				be.Close()
				t.Fatal("Open trusted a host key that is not in known_hosts")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestWrongKeyRefused(t *testing.T) {
	opt := testOptions(t)
	opt.KeyFile = opt.KnownHostsFile // not a key at all
	if _, err := Open(context.Background(), opt); err == nil || !strings.Contains(err.Error(), "parse key") {
		t.Errorf("Open with a bad key file = %v, want a parse key error", err)
	}
}
