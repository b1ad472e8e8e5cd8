package engine

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// Two jobs share a repository. Forgetting with one job's tag must never
// touch the other's snapshots, even when both back up the same paths from
// the same host (host-and-paths grouping would mix them), and a held
// snapshot survives a policy that would remove it.
func TestForgetWithTagKeepsOtherJobsSnapshots(t *testing.T) {
	ctx := context.Background()
	r, _ := newLocalRepo(t, "")
	src := t.TempDir()
	writeTree(t, src, map[string]string{"a.txt": "one"})
	backup := func(tag string, labels map[string]string) Snapshot {
		t.Helper()
		res, err := r.Backup(ctx, []string{src}, BackupOptions{Tags: []string{tag}, Labels: labels})
		if err != nil {
			t.Fatal(err)
		}
		return res.Snapshot
	}
	a1 := backup("job:a", nil)
	b1 := backup("job:b", map[string]string{"k": "v"})
	a2 := backup("job:a", nil)
	a3 := backup("job:a", nil)
	b2 := backup("job:b", nil)

	res, err := r.ForgetWith(ctx, ForgetOptions{Policy: RetentionPolicy{KeepLast: 1}, Tag: "job:a", Hold: []string{a1.ID}})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ss []Snapshot) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		slices.Sort(out)
		return out
	}
	wantRemoved := ids([]Snapshot{a2})
	if got := ids(res.Remove); !slices.Equal(got, wantRemoved) {
		t.Errorf("removed %v, want only a2 %v", got, wantRemoved)
	}
	left, err := r.Snapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(left), ids([]Snapshot{a1, a3, b1, b2}); !slices.Equal(got, want) {
		t.Errorf("left %v, want a1 (held), a3 (newest of a) and both of b %v", got, want)
	}
	for _, s := range left {
		if s.ID == b1.ID && s.Labels["k"] != "v" {
			t.Errorf("labels of b1 = %v, want k=v kept in the snapshot", s.Labels)
		}
		if s.ID == a1.ID && filepath.Clean(s.Paths[0]) != filepath.Clean(src) {
			t.Errorf("kept snapshot lost its paths: %v", s.Paths)
		}
	}
}
