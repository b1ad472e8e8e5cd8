package location

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"cadang/engine/backend/local"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		in      string
		wantDir string
		wantErr string
	}{
		{in: dir, wantDir: dir},
		{in: "file://" + dir, wantDir: dir},
		{in: "", wantErr: "no repository location"},
		{in: "ftp://host/x", wantErr: "unsupported scheme"},
		{in: "file://otherhost/x", wantErr: "must not name a host"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			be, err := Open(context.Background(), tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Open(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			lb, ok := be.(*local.Backend)
			if !ok {
				t.Fatalf("got %T, want *local.Backend", be)
			}
			if got, want := lb.Root(), filepath.Clean(tt.wantDir); got != want {
				t.Errorf("root = %q, want %q", got, want)
			}
		})
	}
}
