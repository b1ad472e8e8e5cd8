package engine

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestIndexCodec: what encodeIndex writes decodes to the same packs, and
// index files written by earlier versions (encoding/json over structs) or
// by another writer (members in another order, spaces, unknown members,
// escapes) decode the same way.
func TestIndexCodec(t *testing.T) {
	packs := testIndexPacks(4)
	plain, err := encodeIndex(packs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeIndex(plain)
	if err != nil || !reflect.DeepEqual(got, packs) {
		t.Fatalf("round trip: %v\ngot  %+v\nwant %+v", err, got, packs)
	}
	// The document encoding/json wrote for the same packs.
	type blobJSON struct {
		ID     string `json:"id"`
		Type   string `json:"type"`
		LZ4    bool   `json:"lz4,omitempty"`
		Offset uint32 `json:"offset"`
		Length uint32 `json:"length"`
		Raw    uint32 `json:"raw_length"`
	}
	type packJSON struct {
		ID    string     `json:"id"`
		Size  int64      `json:"size"`
		Blobs []blobJSON `json:"blobs"`
	}
	var old struct {
		Packs []packJSON `json:"packs"`
	}
	for _, p := range packs {
		pj := packJSON{ID: p.ID.String(), Size: p.Size}
		for _, e := range p.Entries {
			typ := "data"
			if e.typ() == blobTree {
				typ = "tree"
			}
			pj.Blobs = append(pj.Blobs, blobJSON{ID: e.ID.String(), Type: typ, LZ4: e.Flags&flagLZ4 != 0, Offset: e.Offset, Length: e.Length, Raw: e.Raw})
		}
		old.Packs = append(old.Packs, pj)
	}
	oldPlain, _ := json.Marshal(old)
	if string(oldPlain) != string(plain) {
		t.Errorf("encodeIndex differs from what encoding/json wrote:\n%s\n%s", plain, oldPlain)
	}
	pid, bid := packs[0].ID.String(), packs[0].Entries[0].ID.String()
	other := `{ "version": 9, "packs": [ { "blobs": [ { "raw_length": 1200, "length": 900, "offset": 0, "type": "data", "comment": {"x": [1]}, "i\u0064": "` + bid + `" } ],
		"size": 1048576, "id": "` + pid + `" } ] }`
	got, err = decodeIndex([]byte(other))
	want := []packInfo{{ID: packs[0].ID, Size: 1 << 20, Entries: packs[0].Entries[:1]}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("another writer's index: %v\ngot  %+v\nwant %+v", err, got, want)
	}
	for _, bad := range []string{
		`{"packs":[{"id":"` + pid + `","size":1048576,"blobs":[{"id":"` + bid + `","type":"other","offset":0,"length":1,"raw_length":1}]}]}`,
		`{"packs":[{"id":"` + pid + `","size":1048576,"blobs":[{"id":"` + bid + `","type":"data","offset":-1,"length":1,"raw_length":1}]}]}`,
		`{"packs":[{"id":"` + pid + `","blobs":[]}]}`,
		`{"packs":[{"id":"xyz","size":1048576,"blobs":[]}]}`,
		`{"packs":[]} {}`,
		`{"packs":[{"id":"` + pid + `","size":1048576,"size":5,"blobs":[]}]}`,
	} {
		if _, err := decodeIndex([]byte(bad)); err == nil {
			t.Errorf("decodeIndex accepted %s", strings.ReplaceAll(bad, pid, "P"))
		}
	}
}
