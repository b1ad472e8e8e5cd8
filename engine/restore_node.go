package engine

import "time"

// restoreNode is what a restore keeps of a tree node once the node's folder
// is planned. The restore plans the whole snapshot before it writes; if
// the plan pointed into the decoded trees, every tree would stay in memory
// to the end (with chunk lists, inode numbers and names it no longer
// needs): at 300,000 files that was half of the restore's heap. Copying the
// few fields below lets each tree go as soon as its folder is planned.
type restoreNode struct {
	mode      uint32
	uid, gid  uint32
	mtimeNsec int32
	mtimeSec  int64
	size      int64
	sha256    string // hex, shared with the decoded tree's string
	xattrs    map[string][]byte
}

func newRestoreNode(n *treeNode) restoreNode {
	return restoreNode{
		mode: n.Mode, uid: n.UID, gid: n.GID,
		mtimeSec: n.ModTime.Unix(), mtimeNsec: int32(n.ModTime.Nanosecond()),
		size: n.Size, sha256: n.SHA256, xattrs: n.XAttrs,
	}
}

// modTime is the recorded modification time.
func (n *restoreNode) modTime() time.Time { return time.Unix(n.mtimeSec, int64(n.mtimeNsec)) }
