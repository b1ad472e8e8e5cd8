package cli

import (
	"bytes"
	"testing"
	"time"

	"cadang/engine"
)

// TestEmitRestoreWritesWhatEmitWrites: the restore's JSON is written check
// by check, and is byte for byte what encoding the whole result gives.
func TestEmitRestoreWritesWhatEmitWrites(t *testing.T) {
	snap := engine.Snapshot{ID: "0123456789abcdef", Time: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC), Host: "srv<1>", Paths: []string{"/data & more"}}
	checks := []engine.FileCheck{
		{Path: "/data/a.txt", Size: 3, Want: "aa", Got: "aa", OK: true},
		{Path: "/data/<b>&\"c\".txt", Size: 0, Want: "bb", Got: "cc", Err: "restored content does not match"},
		{Path: "/data/ü\u2028", Size: 1 << 40, Want: "dd", Got: "dd", OK: true},
	}
	tests := []struct {
		name string
		res  engine.RestoreResult
	}{
		{"several", engine.RestoreResult{Snapshot: snap, Files: 2, Dirs: 1, Bytes: 3, Checks: checks, Failed: checks[1:2],
			Duration: time.Second, Warnings: []engine.Warning{{Path: "/dev/x", Err: "skipped"}}, HardLinks: 1}},
		{"one", engine.RestoreResult{Snapshot: snap, Files: 1, Checks: checks[:1]}},
		{"empty", engine.RestoreResult{Snapshot: snap, Checks: []engine.FileCheck{}}},
		{"nil", engine.RestoreResult{Snapshot: snap}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &globals{json: true}
			var want, got bytes.Buffer
			if err := emit(g, &want, &tt.res, nil); err != nil {
				t.Fatal(err)
			}
			if err := emitRestore(g, &got, &tt.res, nil); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("emitRestore wrote\n%s\nemit writes\n%s", got.String(), want.String())
			}
		})
	}
}
