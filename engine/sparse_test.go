package engine

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestSparseReader(t *testing.T) {
	tests := []struct {
		name   string
		size   int64
		writes map[int64]string
	}{
		{"empty", 0, nil},
		{"all hole", 3 << 20, nil},
		{"data only", 0, map[int64]string{0: "hello"}},
		{"data hole data", 8 << 20, map[int64]string{0: "head", 5 << 20: "middle", 8<<20 - 3: "end"}},
		{"hole at start", 2 << 20, map[int64]string{1<<20 + 7: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "f")
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(tt.size); err != nil {
				t.Fatal(err)
			}
			for off, s := range tt.writes {
				if _, err := f.WriteAt([]byte(s), off); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			st, _ := f.Stat()
			for _, bufSize := range []int{1, 4096, 1 << 20, 3<<20 + 5} {
				if bufSize == 1 && len(want) > 1<<16 {
					continue
				}
				if _, err := f.Seek(0, io.SeekStart); err != nil { // a file without holes is read plainly
					t.Fatal(err)
				}
				r := newSparseReader(f, st)
				var got bytes.Buffer
				buf := make([]byte, bufSize)
				if _, err := io.CopyBuffer(&got, onlyReader{r}, buf); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Fatalf("buffer %d: read %d bytes differing from the file's %d", bufSize, got.Len(), len(want))
				}
			}
		})
	}
}

type onlyReader struct{ io.Reader }
