package jobs

import (
	"slices"
	"testing"

	"cadang/engine"
)

// Hole: a restore attempt whose check found a file that differs (the
// engine says so in the check's error text) was logged as "1 unreadable,
// 0 mismatched". Only a file without a hash is unreadable. And the attempt
// names the first files that failed, so the report says which file made a
// retry necessary.
func TestRestoreAttemptCountsAMismatchAsAMismatch(t *testing.T) {
	tests := []struct {
		name                   string
		checks                 []engine.FileCheck
		mismatched, unreadable int64
		failed                 []string
	}{
		{"all match", []engine.FileCheck{{Path: "a", Want: "a", Got: "a", OK: true}}, 0, 0, nil},
		{"differs, in the engine's words", []engine.FileCheck{{Path: "d/b.xlsx", Want: "a", Got: "b", Err: "content does not match the snapshot's SHA-256"}}, 1, 0, []string{"d/b.xlsx"}},
		{"differs, no words", []engine.FileCheck{{Path: "b", Want: "a", Got: "b"}}, 1, 0, []string{"b"}},
		{"could not be read", []engine.FileCheck{{Path: "x", Want: "a", Err: "open x: permission denied"}}, 0, 1, []string{"x"}},
		{"one of each", []engine.FileCheck{{Path: "ok", Want: "a", Got: "a", OK: true}, {Path: "m", Want: "a", Got: "b", Err: "content does not match"},
			{Path: "u", Want: "a", Err: "input/output error"}}, 1, 1, []string{"m", "u"}},
		{"names the first three", []engine.FileCheck{{Path: "1", Want: "a", Got: "b"}, {Path: "2", Want: "a", Got: "b"}, {Path: "3", Want: "a", Got: "b"},
			{Path: "4", Want: "a", Got: "b"}}, 4, 0, []string{"1", "2", "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := attemptOf(1, tt.checks)
			if a.Checked != int64(len(tt.checks)) || a.Mismatched != tt.mismatched || a.Unreadable != tt.unreadable {
				t.Errorf("attempt: %d checked, %d mismatched, %d unreadable; want %d, %d, %d",
					a.Checked, a.Mismatched, a.Unreadable, len(tt.checks), tt.mismatched, tt.unreadable)
			}
			if !slices.Equal(a.Failed, tt.failed) {
				t.Errorf("attempt names %q, want %q", a.Failed, tt.failed)
			}
		})
	}
}
