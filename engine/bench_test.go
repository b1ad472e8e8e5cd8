package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/zeebo/blake3"
)

// mixedData is half text-like (compressible) and half random.
func mixedData(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n/2; i++ {
		fmt.Fprintf(&b, "%d,customer-%d,2026-01-%02d,%d.%02d,Jakarta\n", i, i%977, i%28+1, i*37%10000, i%100)
	}
	b.Write(randomBytes(5, n-b.Len()))
	return b.Bytes()[:n]
}

func BenchmarkChunker(b *testing.B) {
	data := randomBytes(1, 64<<20)
	c := newChunker(defaultChunker, newGearTable(nil))
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		c.reset(bytes.NewReader(data))
		for {
			if _, err := c.next(); err == io.EOF {
				break
			}
		}
	}
}

func BenchmarkHash(b *testing.B) {
	data := randomBytes(2, 1<<20)
	key := bytes.Repeat([]byte{1}, 32)
	for _, h := range []struct {
		name string
		fn   func([]byte)
	}{
		{"sha256", func(p []byte) { sha256.Sum256(p) }},
		{"blake3", func(p []byte) { blake3.Sum256(p) }},
		{"blake3-keyed", func(p []byte) { (&crypter{idKey: key}).contentID(p) }},
	} {
		b.Run(h.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				h.fn(data)
			}
		})
	}
}

func BenchmarkCompress(b *testing.B) {
	for _, d := range []struct {
		name string
		data []byte
	}{{"text", mixedData(2 << 20)[:1<<20]}, {"random", randomBytes(3, 1<<20)}} {
		// The blob workers' path: the reference C LZ4 with cgo, pierrec
		// without (CGO_ENABLED=0 go test -bench Compress compares them).
		b.Run("lz4-"+d.name, func(b *testing.B) {
			var e blobEncoder
			b.SetBytes(int64(len(d.data)))
			for i := 0; i < b.N; i++ {
				e.compress(d.data)
			}
		})
	}
	b.Run("seal-aes-gcm", func(b *testing.B) {
		k := fuzzKey
		c, _ := newCrypter(&k)
		data := randomBytes(4, 1<<20)
		buf := make([]byte, 0, len(data)+64)
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			if _, err := c.seal(buf[:0], data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchSource writes a mixed source tree: big text and random files and
// many small files.
func benchSource(b *testing.B, dir string, total int) int64 {
	var n int64
	write := func(name string, data []byte) {
		p := filepath.Join(dir, name)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
		n += int64(len(data))
	}
	big := mixedData(total / 2)
	for i := 0; i < 4; i++ {
		write(fmt.Sprintf("big/part%d.bin", i), big[i*len(big)/4:(i+1)*len(big)/4])
	}
	small := total / 2 / 2000
	for i := 0; i < 2000; i++ {
		write(fmt.Sprintf("small/d%02d/f%04d.txt", i%50, i), []byte(strings.Repeat(fmt.Sprintf("line %d of a small file\n", i), small/20+1))[:small])
	}
	return n
}

func BenchmarkBackupRestore(b *testing.B) {
	for _, pw := range []string{"", "pw"} {
		b.Run(map[string]string{"": "plain", "pw": "encrypted"}[pw], func(b *testing.B) {
			ctx := context.Background()
			src := filepath.Join(b.TempDir(), "src")
			size := benchSource(b, src, 256<<20)
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				r, _ := newLocalRepoTB(b, pw)
				b.StartTimer()
				res, err := r.Backup(ctx, []string{src}, BackupOptions{})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(size)/res.Duration.Seconds()/1e6, "backup-MB/s")
				res2, err := r.Backup(ctx, []string{src}, BackupOptions{})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(res2.Duration.Seconds()*1000, "nochange-ms")
				rr, err := r.Restore(ctx, res.Snapshot, filepath.Join(b.TempDir(), "t"), RestoreOptions{})
				if err != nil || len(rr.Failed) > 0 {
					b.Fatal(err, rr.Failed)
				}
				b.ReportMetric(float64(size)/rr.Duration.Seconds()/1e6, "restore-MB/s")
			}
		})
	}
}

// BenchmarkBackupDir backs up $CADANG_BENCH_SRC (skipped when unset), for
// profiling the pipeline on real data: go test -bench BackupDir -trace t.out
func BenchmarkBackupDir(b *testing.B) {
	src := os.Getenv("CADANG_BENCH_SRC")
	if src == "" {
		b.Skip("set CADANG_BENCH_SRC to a folder")
	}
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		r, dir := newLocalRepoTB(b, "pw")
		b.StartTimer()
		stop := make(chan struct{})
		go peakHeapProfile(stop)
		res, err := r.Backup(ctx, []string{src}, BackupOptions{})
		close(stop)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.BytesRead)/res.Duration.Seconds()/1e6, "MB/s")
		if os.Getenv("CADANG_BENCH_RESTORE") == "1" {
			rr, err := r.Restore(ctx, res.Snapshot, filepath.Join(dir, "..", "restore"), RestoreOptions{})
			if err != nil || len(rr.Failed) > 0 {
				b.Fatal(err)
			}
			b.ReportMetric(float64(rr.Bytes)/rr.Duration.Seconds()/1e6, "restore-MB/s")
		}
	}
}

// peakHeapProfile writes a heap profile to $CADANG_PEAK_HEAP whenever the
// heap in use reaches a new high, until stop is closed.
func peakHeapProfile(stop chan struct{}) {
	path := os.Getenv("CADANG_PEAK_HEAP")
	if path == "" {
		return
	}
	var peak uint64
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak {
				peak = ms.HeapInuse
				if f, err := os.Create(path); err == nil {
					_ = pprof.WriteHeapProfile(f)
					f.Close()
				}
			}
		}
	}
}

// BenchmarkNoChangeDir measures a backup of $CADANG_BENCH_SRC with nothing
// changed since the previous one.
func BenchmarkNoChangeDir(b *testing.B) {
	src := os.Getenv("CADANG_BENCH_SRC")
	if src == "" {
		b.Skip("set CADANG_BENCH_SRC to a folder")
	}
	ctx := context.Background()
	r, _ := newLocalRepoTB(b, "pw")
	if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := r.Backup(ctx, []string{src}, BackupOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchTree is a folder of the bench data set's shape: office files of one
// chunk each, a big file of many, a sub-folder and a link.
func benchTree() *treeJSON {
	t := &treeJSON{}
	mtime := time.Date(2026, 11, 20, 8, 0, 0, 123456789, time.UTC)
	for i := range 8 {
		n := treeNode{Name: fmt.Sprintf("laporan-%02d.xlsx", i), Type: NodeFile, Mode: 0o644, ModTime: mtime,
			CTime: mtime.UnixNano(), Inode: uint64(1000 + i), Device: 64768, Size: 45678,
			SHA256: strings.Repeat("ab", 32), Content: []ID{fileID([]byte{byte(i)})}}
		if i == 0 {
			for j := range 20 {
				n.Content = append(n.Content, fileID([]byte{byte(j), 1}))
			}
		}
		t.Nodes = append(t.Nodes, n)
	}
	sub := fileID([]byte("sub"))
	t.Nodes = append(t.Nodes,
		treeNode{Name: "2026", Type: NodeDir, Mode: uint32(os.ModeDir | 0o755), ModTime: mtime, Subtree: &sub},
		treeNode{Name: "current", Type: NodeSymlink, Mode: uint32(os.ModeSymlink | 0o777), ModTime: mtime, LinkTarget: "laporan-01.xlsx"})
	return t
}

// BenchmarkDecodeTree: a no-change backup decodes every tree of the parent
// snapshot; on the bench data set that is 3,856 of them.
func BenchmarkDecodeTree(b *testing.B) {
	plain, err := encodeTree(benchTree())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeTree(plain); err != nil {
			b.Fatal(err)
		}
	}
}
