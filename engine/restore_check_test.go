package engine

import (
	"context"
	"strings"
	"testing"
)

// TestRestoreChecksEveryFile: a file that is one chunk is checked against
// the bytes written to it (not read back), an empty one as empty, a file of
// several chunks by reading it back; in each case a recorded SHA-256 that
// the content does not have fails that file's check and only that one.
func TestRestoreChecksEveryFile(t *testing.T) {
	r, _ := newLocalRepo(t, "pw")
	c := &crafter{t: t, r: r, pk: newPacker(r)}
	one := c.file("one", "a small file, one chunk\n")
	empty := c.file("empty", "")
	empty.Content = nil
	two := c.file("two", "first chunk|second chunk")
	second := c.file("x", "second chunk")
	first := c.file("y", "first chunk|")
	two.Content = []ID{first.Content[0], second.Content[0]}
	bad := func(n treeNode, name string) treeNode {
		n.Name, n.SHA256 = name, strings.Repeat("0", 64)
		return n
	}
	snap := c.snapshot(one, empty, two, bad(one, "one-bad"), bad(empty, "empty-bad"), bad(two, "two-bad"))
	res, err := r.Restore(context.Background(), snap, t.TempDir(), RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]FileCheck{}
	for _, ch := range res.Checks {
		got[ch.Path] = ch
	}
	tests := []struct {
		path string
		ok   bool
	}{
		{"/one", true}, {"/empty", true}, {"/two", true},
		{"/one-bad", false}, {"/empty-bad", false}, {"/two-bad", false},
	}
	for _, tt := range tests {
		ch, found := got[tt.path]
		if !found {
			t.Errorf("%s: no check", tt.path)
			continue
		}
		if ch.OK != tt.ok {
			t.Errorf("%s: OK=%v (%s), want %v", tt.path, ch.OK, ch.Err, tt.ok)
		}
		if want := got[strings.TrimSuffix(tt.path, "-bad")].Want; ch.Got != want {
			t.Errorf("%s: content hashed to %s, want %s", tt.path, ch.Got, want)
		}
	}
}
