//go:build linux

package engine

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// sparseReader reads a file but produces the zeros of its holes itself
// (found with SEEK_DATA/SEEK_HOLE) instead of asking the kernel to copy
// them, which makes big sparse files (disk images) cheap to back up and to
// verify. On file systems without hole support it is a plain reader.
type sparseReader struct {
	f        *os.File
	size     int64
	pos      int64
	dataEnd  int64 // the current data extent ends here (a hole or EOF follows)
	holeEnd  int64 // when pos is in a hole, the next data starts here
	inHole   bool
	disabled bool
}

// newSparseReader reads f (at its start), described by fi. A file whose
// allocated blocks cover its size has no holes: it is read plainly, without the two lseek calls per file that finding holes costs
// (a third of the system calls of backing up a small file).
func newSparseReader(f *os.File, fi fs.FileInfo) io.Reader {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Blocks*512 >= fi.Size() {
		return f
	}
	return &sparseReader{f: f, size: fi.Size()}
}

func (s *sparseReader) Read(p []byte) (int, error) {
	if s.disabled {
		return s.f.Read(p)
	}
	if s.pos >= s.size {
		// The file may have grown since it was listed: read the rest plainly.
		s.disabled = true
		if _, err := s.f.Seek(s.pos, io.SeekStart); err != nil {
			return 0, err
		}
		return s.f.Read(p)
	}
	if s.pos >= s.dataEnd && !s.inHole || s.inHole && s.pos >= s.holeEnd {
		if err := s.locate(); err != nil {
			s.disabled = true
			if _, err := s.f.Seek(s.pos, io.SeekStart); err != nil {
				return 0, err
			}
			return s.f.Read(p)
		}
	}
	if s.inHole {
		n := int64(len(p))
		if rest := s.holeEnd - s.pos; n > rest {
			n = rest
		}
		clear(p[:n])
		s.pos += n
		return int(n), nil
	}
	if rest := s.dataEnd - s.pos; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := s.f.ReadAt(p, s.pos)
	s.pos += int64(n)
	if errors.Is(err, io.EOF) && n > 0 {
		err = nil
	}
	return n, err
}

// locate finds whether pos is in data or in a hole, and where that ends.
func (s *sparseReader) locate() error {
	fd := int(s.f.Fd())
	data, err := unix.Seek(fd, s.pos, unix.SEEK_DATA)
	if errors.Is(err, unix.ENXIO) { // only a hole up to the end
		s.inHole, s.holeEnd = true, s.size
		return nil
	}
	if err != nil {
		return err
	}
	if data > s.pos {
		s.inHole, s.holeEnd = true, min(data, s.size)
		return nil
	}
	hole, err := unix.Seek(fd, s.pos, unix.SEEK_HOLE)
	if err != nil {
		return err
	}
	s.inHole, s.dataEnd = false, hole
	if hole <= s.pos { // should not happen; avoid looping
		return errors.New("inconsistent SEEK_HOLE")
	}
	return nil
}
