package jobs

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"cadang/engine"
	"cadang/engine/backend/local"
	"cadang/engine/replica"
)

func TestEngineReplicator(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "repo")
	be, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := engine.Init(ctx, be, engine.InitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	offsite := filepath.Join(t.TempDir(), "offsite")
	reg, err := replica.LoadRegistry(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Add(replica.Replica{Name: "offsite", URL: offsite}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Save(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		wantStatus string
		wantErr    bool
	}{
		{"offsite", "ok", false},
		{"nosuch", ReplicaNotConfigured, true},
	}
	for _, tt := range tests {
		st, err := EngineReplicator{}.Replicate(ctx, dir, tt.name, engine.NopProgress{})
		if (err != nil) != tt.wantErr || st.Status != tt.wantStatus || st.Name != tt.name {
			t.Errorf("Replicate(%s) = %+v, %v; want status %s", tt.name, st, err, tt.wantStatus)
		}
	}
	if _, err := os.Stat(filepath.Join(offsite, "config")); err != nil {
		t.Errorf("the replica has no config after a sync: %v", err)
	}
}
