package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Hard links, special files and holes: what makes a restore an exact copy
// beyond each file's content.

// inodeKey names a file as its file system did at backup time.
type inodeKey struct{ dev, ino uint64 }

// restoreHardLink is a name restored as a hard link to an earlier
// restored name of the same file (its leader).
type restoreHardLink struct {
	rel    string
	node   restoreNode
	parent *restoreDir
	leader *restoreFile
}

// linkLeader returns the already planned file that n is another name of,
// or nil; a file with more than one link becomes the leader of its group.
// Only names whose content matches are linked: an inode number reused
// during the backup must not merge two files.
func (rs *restorer) linkLeader(n *treeNode) *restoreFile {
	if n.Type != NodeFile || n.Links < 2 || n.Inode == 0 {
		return nil
	}
	f := rs.leaders[inodeKey{n.Device, n.Inode}]
	if f == nil || f.node.sha256 != n.SHA256 || f.node.size != n.Size {
		return nil
	}
	return f
}

// noteLeader records f, planned from n, as the first restored name of its inode.
func (rs *restorer) noteLeader(f *restoreFile, n *treeNode) {
	if n.Type != NodeFile || n.Links < 2 || n.Inode == 0 {
		return
	}
	key := inodeKey{n.Device, n.Inode}
	if rs.leaders[key] == nil {
		rs.leaders[key] = f
	}
}

// finishHardLinks links every further name of a restored file to its
// leader, after the leader was verified and got its metadata (which the
// names share). Where the target cannot hold hard links (vfat, some
// shares), the name becomes a copy, checked like any restored file.
func (rs *restorer) finishHardLinks(ctx context.Context) {
	for _, h := range rs.hardLinks {
		if ctx.Err() != nil {
			return
		}
		c := FileCheck{Path: h.rel, Size: h.node.size, Want: h.node.sha256}
		lead := h.leader.result()
		var err error
		switch {
		case !parentOK(h.parent):
			err = errors.New("its folder could not be restored")
		case !lead.OK:
			err = fmt.Errorf("it is a hard link to %s, which could not be restored", h.leader.rel)
		default:
			err = rs.link(ctx, h, &c)
		}
		if err != nil {
			c.Err = err.Error()
			rs.res.Failed = append(rs.res.Failed, c)
		} else {
			rs.res.Files++
			rs.res.Bytes += c.Size
		}
		rs.res.Checks = append(rs.res.Checks, c)
	}
}

func (rs *restorer) link(ctx context.Context, h restoreHardLink, c *FileCheck) error {
	dst := rs.dst(h.rel)
	if rs.opt.Overwrite {
		if fi, err := os.Lstat(dst); err == nil && !fi.IsDir() {
			if err := os.Remove(dst); err != nil {
				return err
			}
		}
	}
	if err := os.Link(rs.dst(h.leader.rel), dst); err == nil {
		c.Got, c.OK = h.leader.result().Got, true
		rs.res.HardLinks++
		return nil
	} else if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists (use overwrite to replace it)", dst)
	}
	return rs.copyRestored(ctx, h, c)
}

// copyRestored restores h as a copy of its leader's restored content.
func (rs *restorer) copyRestored(ctx context.Context, h restoreHardLink, c *FileCheck) error {
	src, err := openFileNoFollow(rs.dst(h.leader.rel), os.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer src.Close()
	f := &restoreFile{rel: h.rel, node: h.node, parent: h.parent}
	if f.f, err = rs.createFile(rs.dst(h.rel), h.node.size); err != nil {
		return err
	}
	f.created = true
	rs.openFiles.Add(1)
	fi, err := src.Stat()
	if err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	rd := newSparseReader(src, fi)
	for off := int64(0); ; {
		n, rerr := io.ReadFull(rd, buf)
		if n > 0 {
			if werr := writeSparse(f.f, buf[:n], off); werr != nil && f.failed == nil {
				f.failed = werr
			}
			off += int64(n)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			f.failed = rerr
			break
		}
	}
	f.finish(ctx, rs)
	*c = f.result()
	if !c.OK {
		return errors.New(c.Err)
	}
	return nil
}

// holeBlock is the granularity of holes a restore leaves: a file system
// allocates whole blocks, so a run of zeros shorter than a block saves nothing.
const holeBlock = 4096

// writeSparse writes p at off into a file created at its full size (all
// holes), skipping every block-aligned run of zeros: such blocks read as
// zeros already and stay unallocated, so a sparse file (a disk image, a
// database with holes) takes no more space than its source did.
func writeSparse(f *os.File, p []byte, off int64) error {
	for i := 0; i < len(p); {
		end := min(len(p), i+holeBlock-int((off+int64(i))%holeBlock))
		if isZero(p[i:end]) {
			i = end
			continue
		}
		j := end
		for j < len(p) {
			e := min(len(p), j+holeBlock)
			if isZero(p[j:e]) {
				break
			}
			j = e
		}
		if _, err := f.WriteAt(p[i:j], off+int64(i)); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// finishSpecials creates FIFOs and device nodes. A device node needs root
// (CAP_MKNOD): run as anyone else, it is skipped with a warning, as backups
// skip sockets.
func (rs *restorer) finishSpecials() {
	for i := range rs.specials {
		s := &rs.specials[i]
		if !parentOK(s.parent) {
			rs.failPath(s.rel, &s.node, errors.New("its folder could not be restored"))
			continue
		}
		dst := rs.dst(s.rel)
		if s.typ == NodeDevice && !rs.owners {
			rs.warn(s.rel, errors.New("skipped: only a restore run as root can create a device node"))
			continue
		}
		if rs.opt.Overwrite {
			if fi, err := os.Lstat(dst); err == nil && !fi.IsDir() {
				_ = os.Remove(dst)
			}
		}
		err := makeSpecial(dst, s)
		if errors.Is(err, errSpecialUnsupported) {
			rs.warn(s.rel, fmt.Errorf("skipped: %w", err))
			continue
		}
		if err == nil {
			err = setMeta(dst, &s.node, rs.owners)
		}
		if err != nil {
			rs.failPath(s.rel, &s.node, err)
		}
	}
}

// errSpecialUnsupported: this system cannot create the special file.
var errSpecialUnsupported = errors.New("special files cannot be created on this system")

func (rs *restorer) warn(rel string, err error) {
	rs.res.Warnings = append(rs.res.Warnings, Warning{Path: rel, Err: err.Error()})
	rs.opt.Progress.Warn(rel, err)
}
