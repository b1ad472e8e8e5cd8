package s3

import (
	"context"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"cadang/engine/backend/backendtest"
)

// testOptions reads the server that scripts/services/s3.sh started and gives
// each test its own prefix.
func testOptions(t *testing.T) Options {
	t.Helper()
	raw := os.Getenv("CADANG_TEST_S3_URL")
	if raw == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CADANG_TEST_S3_URL is not set: scripts/services/s3.sh did not start")
		}
		t.Skip("CADANG_TEST_S3_URL not set (run scripts/services/s3.sh start)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	return Options{
		Endpoint: u.Host,
		Bucket:   bucket,
		Prefix:   prefix + "/" + strings.ReplaceAll(t.Name(), "/", "_") + "-" + strconv.Itoa(os.Getpid()),
		Insecure: u.Scheme == "s3+http",
	}
}

func TestConformance(t *testing.T) {
	be, err := Open(context.Background(), testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	backendtest.Run(t, be)
}

func TestOpenErrors(t *testing.T) {
	good := testOptions(t)
	tests := []struct {
		name    string
		change  func(o *Options)
		wantErr string
	}{
		{"wrong secret", func(o *Options) { o.AccessKey, o.SecretKey = "cadangtest", "wrong" }, "check AWS_ACCESS_KEY_ID"},
		{"https to an http server", func(o *Options) { o.Insecure = false }, "s3+http://"},
		{"no bucket", func(o *Options) { o.Bucket = "" }, "bucket are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := good
			tt.change(&opt)
			_, err := Open(context.Background(), opt)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Open = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestCreatesMissingBucket(t *testing.T) {
	opt := testOptions(t)
	opt.Bucket = "cadang-new-" + strconv.Itoa(os.Getpid())
	ctx := context.Background()
	be, err := Open(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	backendtest.MustSave(ctx, t, be, "config", "x")
	if err := be.Remove(ctx, "config"); err != nil {
		t.Fatal(err)
	}
	if err := be.client.RemoveBucket(ctx, opt.Bucket); err != nil {
		t.Errorf("remove the test bucket: %v", err)
	}
}

// TestConcurrentOpensCreateOneBucket: jobs (or test packages) opening a
// bucket that does not exist yet at the same moment all succeed; the ones
// that lose the race to create it find it there.
func TestConcurrentOpensCreateOneBucket(t *testing.T) {
	opt := testOptions(t)
	opt.Bucket = "cadang-race-" + strconv.Itoa(os.Getpid())
	ctx := context.Background()
	errs := make(chan error, 8)
	bes := make(chan *Backend, 8)
	for range 8 {
		go func() {
			be, err := Open(ctx, opt)
			errs <- err
			bes <- be
		}()
	}
	var last *Backend
	for range 8 {
		if err := <-errs; err != nil {
			t.Errorf("open while others create the bucket: %v", err)
		}
		if be := <-bes; be != nil {
			last = be
		}
	}
	if last != nil {
		if err := last.client.RemoveBucket(ctx, opt.Bucket); err != nil {
			t.Errorf("remove the test bucket: %v", err)
		}
	}
}
