package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// TestForgedChunkIsCaught stores a chunk under the ID of other content of
// the same length, as a bug or someone holding the key could, and snapshots
// files made of it. The pack is well formed, named by its hash and
// decrypts: only the chunk's content betrays it. verify --read-data must
// name the chunk, and restore must fail the files made of it (a restore
// does not hash each chunk against its ID; its check of each file's
// SHA-256 must catch it), and only those, with and without encryption.
func TestForgedChunkIsCaught(t *testing.T) {
	for _, tt := range []struct{ name, password string }{{"encrypted", "pw"}, {"unencrypted", ""}} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			r, _ := newLocalRepo(t, tt.password)
			c := &crafter{t: t, r: r, pk: newPacker(r)}
			genuine := strings.Repeat("the genuine content of a chunk. ", 40)
			forged := strings.Repeat("a forged content, the same size! ", 40)[:len(genuine)]
			id := r.crypt.contentID([]byte(genuine))
			if !r.idx.Load().claim(id) {
				t.Fatal("the genuine chunk is already stored")
			}
			if err := c.pk.storeClaimed(ctx, id, blobData, []byte(forged), new(blobEncoder)); err != nil {
				t.Fatal(err)
			}
			tail := c.file("tail", "and a second chunk, stored as it is\n")
			sha := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
			node := func(name, content string, chunks ...ID) treeNode {
				return treeNode{Name: name, Type: NodeFile, Mode: 0o644, ModTime: time.Now(), Size: int64(len(content)), SHA256: sha(content), Content: chunks}
			}
			good := c.file("good", "a file nobody touched\n")
			snap := c.snapshot(
				node("one-chunk", genuine, id),
				node("two-chunks", genuine+"and a second chunk, stored as it is\n", id, tail.Content[0]),
				good,
			)

			v, err := r.Verify(ctx, VerifyOptions{ReadData: true})
			if err != nil {
				t.Fatal(err)
			}
			named := false
			for _, d := range v.Damage {
				if strings.Contains(d.Err, id.String()) && strings.Contains(d.Err, "does not match its ID") {
					named = true
				}
			}
			if !named {
				t.Errorf("verify --read-data: damage %+v does not name the forged chunk %s", v.Damage, id)
			}

			res, err := r.Restore(ctx, snap, t.TempDir(), RestoreOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{"/one-chunk": false, "/two-chunks": false, "/good": true}
			for _, ch := range res.Checks {
				ok, listed := want[ch.Path]
				if !listed {
					continue
				}
				delete(want, ch.Path)
				if ch.OK != ok {
					t.Errorf("restore check of %s: OK=%v (%s), want %v", ch.Path, ch.OK, ch.Err, ok)
				}
			}
			for p := range want {
				t.Errorf("restore: no check of %s", p)
			}
		})
	}
}
