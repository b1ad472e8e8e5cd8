package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// A prune that repacks reads, checks and copies each kept blob through
// buffers it reuses, so what it allocates does not grow with the bytes it
// repacks. Before, each blob was read, decrypted and decompressed into new
// buffers: three times the repacked bytes. Not parallel: it reads the
// process's allocation counter.
func TestPruneRepackReusesItsBuffers(t *testing.T) {
	for _, password := range []string{"", "secret"} {
		t.Run(fmt.Sprintf("encrypted=%v", password != ""), func(t *testing.T) {
			ctx := context.Background()
			r, dir := newLocalRepoWith(t, InitOptions{Password: password, PackSize: 4 << 20})
			src := filepath.Join(t.TempDir(), "data")
			// Small files, every other one dropped later: each pack then holds
			// kept and dropped chunks side by side and is rewritten.
			files := map[string]string{}
			for i := range 3000 {
				data := randomBytes(uint64(i), 16<<10)
				if i%4 == 0 {
					data = bytes.Repeat([]byte(fmt.Sprintf("text line %d\n", i)), 1200)
				}
				files[fmt.Sprintf("f%04d", i)] = string(data)
			}
			writeTree(t, src, files)
			if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
				t.Fatal(err)
			}
			for i := 1; i < 3000; i += 2 {
				if err := os.Remove(filepath.Join(src, fmt.Sprintf("f%04d", i))); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Forget(ctx, RetentionPolicy{KeepLast: 1}, false); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			res, err := r.Prune(ctx, false)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			allocated := after.TotalAlloc - before.TotalAlloc
			kept := dirBytes(t, filepath.Join(dir, PacksDir)) // every pack held dropped chunks: all of it was repacked
			t.Logf("prune rewrote %d packs, %d bytes of packs left, allocated %d", res.PacksRewritten, kept, allocated)
			if res.PacksRewritten < 3 || kept < 10<<20 {
				t.Fatalf("prune rewrote %d packs, %d bytes left; the test needs it to repack at least 10 MiB", res.PacksRewritten, kept)
			}
			// The new packs' own buffers are allocated (once each): up to the
			// bytes repacked, plus the index and the plan.
			if allocated > uint64(kept)*3/2 {
				t.Errorf("prune allocated %d bytes to repack %d: its buffers are not reused", allocated, kept)
			}
			vr, err := r.Verify(ctx, VerifyOptions{ReadData: true})
			if err != nil || len(vr.Damage) != 0 {
				t.Fatalf("verify after prune = %+v, %v", vr, err)
			}
		})
	}
}
