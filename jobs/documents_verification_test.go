package jobs

import (
	"testing"

	"cadang/engine"
)

// Hole: a restore attempt whose check found a file that differs (the
// engine says so in the check's error text) was logged as "1 unreadable,
// 0 mismatched". Only a file without a hash is unreadable.
func TestRestoreAttemptCountsAMismatchAsAMismatch(t *testing.T) {
	tests := []struct {
		name                   string
		checks                 []engine.FileCheck
		mismatched, unreadable int64
	}{
		{"all match", []engine.FileCheck{{Want: "a", Got: "a", OK: true}}, 0, 0},
		{"differs, in the engine's words", []engine.FileCheck{{Want: "a", Got: "b", Err: "content does not match the snapshot's SHA-256"}}, 1, 0},
		{"differs, no words", []engine.FileCheck{{Want: "a", Got: "b"}}, 1, 0},
		{"could not be read", []engine.FileCheck{{Want: "a", Err: "open x: permission denied"}}, 0, 1},
		{"one of each", []engine.FileCheck{{Want: "a", Got: "a", OK: true}, {Want: "a", Got: "b", Err: "content does not match"}, {Want: "a", Err: "input/output error"}}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := attemptOf(1, tt.checks)
			if a.Checked != int64(len(tt.checks)) || a.Mismatched != tt.mismatched || a.Unreadable != tt.unreadable {
				t.Errorf("attempt: %d checked, %d mismatched, %d unreadable; want %d, %d, %d",
					a.Checked, a.Mismatched, a.Unreadable, len(tt.checks), tt.mismatched, tt.unreadable)
			}
		})
	}
}
