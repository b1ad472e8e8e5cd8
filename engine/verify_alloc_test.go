package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"runtime"
	"testing"
)

// verify --read-data reads each pack into a worker's reused buffer and
// decodes each chunk into another, so what it allocates does not grow with
// the data read (issue 13: verify had the highest peak memory of all
// steps). Before, every pack was read with a growing buffer and every
// chunk decoded into new ones: more than twice the packs' bytes. Not
// parallel: it reads the process's allocation counter.
func TestVerifyReadDataReusesItsBuffers(t *testing.T) {
	for _, password := range []string{"", "secret"} {
		t.Run(fmt.Sprintf("encrypted=%v", password != ""), func(t *testing.T) {
			ctx := context.Background()
			r, dir := newLocalRepoWith(t, InitOptions{Password: password, PackSize: 1 << 20})
			src := filepath.Join(t.TempDir(), "data")
			files := map[string]string{}
			for i := range 40 {
				files[fmt.Sprintf("f%02d.bin", i)] = string(randomBytes(uint64(i), 1<<20))
				files[fmt.Sprintf("t%02d.txt", i)] = string(bytes.Repeat([]byte(fmt.Sprintf("line %d\n", i)), 1<<17))
			}
			writeTree(t, src, files)
			if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			res, err := r.Verify(ctx, VerifyOptions{ReadData: true})
			runtime.ReadMemStats(&after)
			if err != nil || len(res.Damage) != 0 {
				t.Fatalf("verify = %+v, %v; want no damage", res, err)
			}
			read := dirBytes(t, filepath.Join(dir, PacksDir))
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("read %d bytes of packs, allocated %d", read, allocated)
			if read < 40<<20 {
				t.Fatalf("verify read %d bytes, want at least the 40 MiB of random data", read)
			}
			if allocated > uint64(read)/2 {
				t.Errorf("verify allocated %d bytes to read %d: its buffers are not reused", allocated, read)
			}
		})
	}
}

func dirBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		n += fi.Size()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A pack shorter than the index says is read as it is (its ID check then
// reports it); one the index claims is larger than a usual pack is read as
// it comes, not into a buffer of the claimed size.
func TestVerifyBuffersReadAll(t *testing.T) {
	tests := []struct {
		name        string
		data        string
		size, usual int64
		want        string
	}{
		{"exact", "abcdef", 6, 100, "abcdef"},
		{"shorter than indexed", "abc", 6, 100, "abc"},
		{"longer than indexed", "abcdefgh", 6, 100, "abcdef"},
		{"claimed larger than usual", "abc", 1 << 40, 100, "abc"},
	}
	var b verifyBuffers
	for _, tt := range tests {
		got, err := b.readAll(io.NopCloser(bytes.NewReader([]byte(tt.data))), tt.size, tt.usual)
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: readAll = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}
