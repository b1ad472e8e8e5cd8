package rclone

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRcdEndsWithCadang kills (kill -9) a process that holds an open
// Backend: its rclone rcd must not outlive it (a killed backup or sync
// must not leave an rclone serving the remote on a local port).
func TestRcdEndsWithCadang(t *testing.T) {
	config, remotes := testRemotes(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestRcdHelperProcess$")
	cmd.Env = append(os.Environ(), "CADANG_RCLONE_HELPER=1",
		"CADANG_RCLONE_HELPER_CONFIG="+config, "CADANG_RCLONE_HELPER_REMOTE="+remotes["local"]+"/"+t.Name())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe() // held open: the helper waits on it
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "rcd ") {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("helper said %q, %v", line, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "rcd ")))
	if err != nil {
		t.Fatal(err)
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		t.Fatalf("the helper's rcd (pid %d) is not running: %v", pid, err)
	}
	defer unix.Close(pidfd)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	// A pidfd is readable once its process has ended.
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, 30_000)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			_ = unix.Kill(pid, unix.SIGKILL)
			t.Fatalf("rclone rcd (pid %d) still runs 30 s after its parent was killed", pid)
		}
		return
	}
}

// TestRcdHelperProcess is the process TestRcdEndsWithCadang kills: it
// opens a Backend, prints its rcd's pid and waits.
func TestRcdHelperProcess(t *testing.T) {
	if os.Getenv("CADANG_RCLONE_HELPER") != "1" {
		t.Skip("run by TestRcdEndsWithCadang")
	}
	be, err := New(context.Background(), Options{Remote: os.Getenv("CADANG_RCLONE_HELPER_REMOTE"), Config: os.Getenv("CADANG_RCLONE_HELPER_CONFIG")})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Printf("rcd %d\n", be.srv.cmd.Process.Pid)
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n') // until killed
	os.Exit(0)
}
