package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"runtime"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// MarshalText writes an ID as hex (used in JSON).
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText parses a hex ID.
func (id *ID) UnmarshalText(b []byte) error {
	v, err := parseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// treeNode is one entry of a directory listing stored as a tree blob.
type treeNode struct {
	Name       string            `json:"name"`
	NameRaw    []byte            `json:"name_raw,omitempty"` // see storeRaw
	Type       NodeType          `json:"type"`
	Mode       uint32            `json:"mode"` // os.FileMode bits
	ModTime    time.Time         `json:"mtime"`
	CTime      int64             `json:"ctime,omitempty"` // ns since epoch; change detection only
	Inode      uint64            `json:"inode,omitempty"`
	Device     uint64            `json:"device,omitempty"`
	UID        uint32            `json:"uid,omitempty"` // numeric owner; absent means 0 (root)
	GID        uint32            `json:"gid,omitempty"`
	XAttrs     map[string][]byte `json:"xattrs,omitempty"` // extended attributes (Linux), values base64
	Size       int64             `json:"size,omitempty"`
	Links      uint32            `json:"links,omitempty"` // hard links of a file when it had more than one
	Rdev       uint64            `json:"rdev,omitempty"`  // a device node's device number
	LinkTarget string            `json:"link_target,omitempty"`
	LinkRaw    []byte            `json:"link_target_raw,omitempty"` // see storeRaw
	SHA256     string            `json:"sha256,omitempty"`
	Content    []ID              `json:"content,omitempty"` // chunk IDs in order
	Subtree    *ID               `json:"subtree,omitempty"` // for directories
	Meta       map[string]string `json:"meta,omitempty"`
}

// treeJSON is the plaintext of a tree blob: one directory's entries sorted by name.
type treeJSON struct {
	Nodes []treeNode `json:"nodes"`
}

// validName rejects names that could escape a restore target or are not a
// single path component. A backslash is an ordinary character on Unix but
// a separator on Windows, where such names are refused.
func validName(name string) bool {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return false
	}
	return runtime.GOOS != "windows" || !strings.ContainsAny(name, `\:`)
}

// decodeTree parses a tree blob and checks its entries are safe and unique.
func decodeTree(plain []byte) (*treeJSON, error) {
	t, ok := decodeTreeFast(plain)
	if !ok { // not as encodeTree writes it: json/v2 reads it, or says why not
		t = treeJSON{}
		if err := decodeHot(plain, &t); err != nil {
			return nil, fmt.Errorf("tree: %w", err)
		}
	}
	seen := make(map[string]bool, len(t.Nodes))
	for i := range t.Nodes {
		n := &t.Nodes[i]
		n.loadRaw()
		if !validName(n.Name) {
			return nil, fmt.Errorf("tree: unsafe entry name %q", n.Name)
		}
		if seen[n.Name] {
			return nil, fmt.Errorf("tree: duplicate entry %q", n.Name)
		}
		seen[n.Name] = true
		switch n.Type {
		case NodeDir:
			if n.Subtree == nil {
				return nil, fmt.Errorf("tree: directory %q has no subtree", n.Name)
			}
		case NodeFile, NodeStream, NodeSymlink:
		case NodeFIFO, NodeDevice:
			if n.Size != 0 || len(n.Content) != 0 {
				return nil, fmt.Errorf("tree: %s %q has content", n.Type, n.Name)
			}
		default:
			return nil, fmt.Errorf("tree: entry %q has unknown type %q", n.Name, n.Type)
		}
		if n.Size < 0 {
			return nil, fmt.Errorf("tree: entry %q has negative size", n.Name)
		}
	}
	return &t, nil
}

func encodeTree(t *treeJSON) ([]byte, error) {
	sort.Slice(t.Nodes, func(i, j int) bool { return t.Nodes[i].Name < t.Nodes[j].Name })
	for i := range t.Nodes {
		if !t.Nodes[i].validUTF8() {
			// Encode a copy: the caller's nodes keep their real names.
			c := &treeJSON{Nodes: append([]treeNode(nil), t.Nodes...)}
			for j := range c.Nodes {
				c.Nodes[j].storeRaw()
			}
			return json.Marshal(c)
		}
	}
	return json.Marshal(t)
}

func (n *treeNode) validUTF8() bool {
	return utf8.ValidString(n.Name) && utf8.ValidString(n.LinkTarget)
}

// storeRaw keeps a name or link target that is not valid UTF-8 (a Latin-1
// name on an old share, say) as its exact bytes: JSON strings are UTF-8, and
// encoding/json would silently turn each bad byte into U+FFFD, so the file
// would come back under another name. The string fields then hold a
// readable form for tools that only know those fields.
func (n *treeNode) storeRaw() {
	if !utf8.ValidString(n.Name) {
		n.NameRaw, n.Name = []byte(n.Name), strings.ToValidUTF8(n.Name, "\uFFFD")
	}
	if !utf8.ValidString(n.LinkTarget) {
		n.LinkRaw, n.LinkTarget = []byte(n.LinkTarget), strings.ToValidUTF8(n.LinkTarget, "\uFFFD")
	}
}

// loadRaw undoes storeRaw: the exact bytes win over the readable form.
func (n *treeNode) loadRaw() {
	if n.NameRaw != nil {
		n.Name, n.NameRaw = string(n.NameRaw), nil
	}
	if n.LinkRaw != nil {
		n.LinkTarget, n.LinkRaw = string(n.LinkRaw), nil
	}
}

// loadTree reads one tree blob.
func (r *Repository) loadTree(ctx context.Context, id ID) (*treeJSON, error) {
	plain, err := r.loadBlob(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load tree %s: %w", id, err)
	}
	t, err := decodeTree(plain)
	if err != nil {
		return nil, fmt.Errorf("tree %s: %w", id, err)
	}
	return t, nil
}

func (n *treeNode) public(dir string) Node {
	return Node{
		Name: n.Name, Path: path.Join(dir, n.Name), Type: n.Type, Mode: n.Mode, ModTime: n.ModTime,
		Size: n.Size, LinkTarget: n.LinkTarget, SHA256: n.SHA256, Meta: n.Meta, UID: n.UID, GID: n.GID,
		Links: n.Links, Rdev: n.Rdev,
	}
}

// walkTree visits every node below tree id depth-first, parents first.
// fn gets the slash path of the directory holding the node.
func (r *Repository) walkTree(ctx context.Context, id ID, dir string, fn func(dir string, n *treeNode) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t, err := r.loadTree(ctx, id)
	if err != nil {
		return err
	}
	for i := range t.Nodes {
		n := &t.Nodes[i]
		if err := fn(dir, n); err != nil {
			return err
		}
		if n.Type == NodeDir {
			if err := r.walkTree(ctx, *n.Subtree, path.Join(dir, n.Name), fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// Walk calls fn for every node of snap, parents before children.
func (r *Repository) Walk(ctx context.Context, snap Snapshot, fn func(Node) error) error {
	root, err := snap.treeID()
	if err != nil {
		return err
	}
	return r.walkTree(ctx, root, "/", func(dir string, n *treeNode) error {
		return fn(n.public(dir))
	})
}

// List returns the entries of directory dir ("" or "/" for the root) in snap.
func (r *Repository) List(ctx context.Context, snap Snapshot, dir string) ([]Node, error) {
	id, err := snap.treeID()
	if err != nil {
		return nil, err
	}
	clean := path.Clean("/" + dir)
	cur := "/"
	for _, name := range strings.Split(strings.Trim(clean, "/"), "/") {
		if name == "" {
			continue
		}
		t, err := r.loadTree(ctx, id)
		if err != nil {
			return nil, err
		}
		n := t.find(name)
		if n == nil || n.Type != NodeDir {
			return nil, fmt.Errorf("list %s in snapshot %s: no such directory", clean, snap.ShortID())
		}
		id, cur = *n.Subtree, path.Join(cur, name)
	}
	t, err := r.loadTree(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]Node, 0, len(t.Nodes))
	for i := range t.Nodes {
		out = append(out, t.Nodes[i].public(cur))
	}
	return out, nil
}

func (t *treeJSON) find(name string) *treeNode {
	for i := range t.Nodes {
		if t.Nodes[i].Name == name {
			return &t.Nodes[i]
		}
	}
	return nil
}

var jsonMarshal = json.Marshal
