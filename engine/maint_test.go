package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestVerifyForgetPrune(t *testing.T) {
	ctx := context.Background()
	r, _ := newLocalRepo(t, "pw")
	src := filepath.Join(t.TempDir(), "data")
	writeTree(t, src, map[string]string{"keep.txt": "kept in every snapshot"})
	var snaps []Snapshot
	for i := 0; i < 3; i++ {
		if err := os.WriteFile(filepath.Join(src, "v.bin"), randomBytes(uint64(i+10), 3<<20), 0o600); err != nil {
			t.Fatal(err)
		}
		res, err := r.Backup(ctx, []string{src}, BackupOptions{})
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, res.Snapshot)
	}
	for _, rd := range []bool{false, true} {
		v, err := r.Verify(ctx, VerifyOptions{ReadData: rd})
		if err != nil {
			t.Fatal(err)
		}
		if !v.OK() || v.Snapshots != 3 {
			t.Fatalf("verify(read=%v) = %+v, want OK with 3 snapshots", rd, v)
		}
	}
	fr, err := r.Forget(ctx, RetentionPolicy{KeepLast: 1}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(fr.Keep) != 1 || fr.Keep[0].ID != snaps[2].ID || len(fr.Remove) != 2 {
		t.Fatalf("forget kept %v removed %v", fr.Keep, fr.Remove)
	}
	pr, err := r.Prune(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if pr.BytesFreed < 5<<20 {
		t.Errorf("prune freed %d bytes, want at least the two forgotten 3 MiB versions", pr.BytesFreed)
	}
	v, err := r.Verify(ctx, VerifyOptions{ReadData: true})
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK() {
		t.Fatalf("verify after prune: %+v", v.Damage)
	}
	target := t.TempDir()
	rr, err := r.Restore(ctx, snaps[2], target, RestoreOptions{})
	if err != nil || len(rr.Failed) > 0 {
		t.Fatalf("restore after prune: %v %+v", err, rr)
	}
	compareDirs(t, src, filepath.Join(target, "data"))
	// A second prune finds nothing to do.
	pr2, err := r.Prune(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if pr2.PacksRemoved != 0 || pr2.PacksRewritten != 0 {
		t.Errorf("second prune = %+v, want nothing", pr2)
	}
	if v, err := r.Verify(ctx, VerifyOptions{ReadData: true}); err != nil || !v.OK() {
		t.Fatalf("verify after second prune: %v %+v", err, v)
	}
}

func TestApplyPolicy(t *testing.T) {
	day := func(d, h int) Snapshot {
		return Snapshot{ID: time.Date(2026, 1, d, h, 0, 0, 0, time.Local).Format("0102-15"), Time: time.Date(2026, 1, d, h, 0, 0, 0, time.Local), Host: "h", Paths: []string{"/a"}}
	}
	snaps := []Snapshot{day(1, 9), day(1, 21), day(2, 21), day(3, 9), day(3, 21), day(10, 21), day(20, 21)}
	tests := []struct {
		name string
		p    RetentionPolicy
		keep []string
	}{
		{"empty keeps all", RetentionPolicy{}, []string{"0120-21", "0110-21", "0103-21", "0103-09", "0102-21", "0101-21", "0101-09"}},
		{"last 2", RetentionPolicy{KeepLast: 2}, []string{"0120-21", "0110-21"}},
		{"daily 3", RetentionPolicy{KeepDaily: 3}, []string{"0120-21", "0110-21", "0103-21"}},
		{"last 1 + daily 4", RetentionPolicy{KeepLast: 1, KeepDaily: 4}, []string{"0120-21", "0110-21", "0103-21", "0102-21"}},
		{"monthly 1", RetentionPolicy{KeepMonthly: 1}, []string{"0120-21"}},
		{"weekly 10", RetentionPolicy{KeepWeekly: 10}, []string{"0120-21", "0110-21", "0103-21"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := applyPolicy(snaps, tt.p)
			var got []string
			for _, s := range res.Keep {
				got = append(got, s.ID)
			}
			if len(got) != len(tt.keep) || len(res.Keep)+len(res.Remove) != len(snaps) {
				t.Fatalf("kept %v, want %v", got, tt.keep)
			}
			for i := range got {
				if got[i] != tt.keep[i] {
					t.Fatalf("kept %v, want %v", got, tt.keep)
				}
			}
		})
	}
}
