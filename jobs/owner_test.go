package jobs

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

func TestOwnerAlive(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skip("no host name")
	}
	// A process that has exited and been reaped: its PID is free.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run a child process: %v", err)
	}
	dead := cmd.ProcessState.Pid()
	tests := []struct {
		owner string
		want  bool
	}{
		{processOwner(), true},
		{fmt.Sprintf("%s:%d", host, dead), false},
		{"another-host.example:1", true},
		{"", false},
		{"garbage", false},
	}
	for _, tt := range tests {
		if got := ownerAlive(tt.owner); got != tt.want {
			t.Errorf("ownerAlive(%q) = %v, want %v", tt.owner, got, tt.want)
		}
	}
}
