package rclone

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"cadang/engine/backend"
	"cadang/engine/backend/backendtest"
)

// testRemotes returns the remotes scripts/services/rclone.sh configured.
func testRemotes(t *testing.T) (config string, remotes map[string]string) {
	t.Helper()
	config = os.Getenv("CADANG_TEST_RCLONE_CONFIG")
	if config == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CADANG_TEST_RCLONE_CONFIG is not set: scripts/services/rclone.sh did not start")
		}
		t.Skip("CADANG_TEST_RCLONE_CONFIG not set (run scripts/services/rclone.sh start)")
	}
	return config, map[string]string{
		"local": os.Getenv("CADANG_TEST_RCLONE_LOCAL"),
		"sftp":  os.Getenv("CADANG_TEST_RCLONE_SFTP"),
	}
}

// newTestBackend opens a fresh folder on remote and purges it afterwards.
func newTestBackend(t *testing.T, config, remote string) *Backend {
	t.Helper()
	ctx := context.Background()
	dir := remote + "/" + strings.ReplaceAll(t.Name(), "/", "_") + "-" + strconv.Itoa(os.Getpid())
	be, err := New(ctx, Options{Remote: dir, Config: config})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = be.run(ctx, nil, "purge", dir)
		_ = be.Close()
	})
	return be
}

func TestConformance(t *testing.T) {
	config, remotes := testRemotes(t)
	for kind, remote := range remotes {
		t.Run(kind, func(t *testing.T) {
			t.Parallel() // mostly waiting on rclone and SSH handshakes
			backendtest.Run(t, newTestBackend(t, config, remote))
		})
	}
}

func TestCleanTemp(t *testing.T) {
	config, remotes := testRemotes(t)
	ctx := context.Background()
	be := newTestBackend(t, config, remotes["local"])
	backendtest.MustSave(ctx, t, be, "packs/aa/aa1", "kept")
	if _, err := be.run(ctx, strings.NewReader("partial"), "rcat", be.join("packs/bb/"+tempPrefix+"bb1-123")); err != nil {
		t.Fatal(err)
	}
	n, err := be.CleanTemp(ctx)
	if err != nil || n != 1 {
		t.Fatalf("CleanTemp = %d, %v; want 1, nil", n, err)
	}
	if got := backendtest.ListNames(ctx, t, be, ""); len(got) != 1 || got[0] != "packs/aa/aa1" {
		t.Errorf("after CleanTemp List = %v", got)
	}
}

func TestNewErrors(t *testing.T) {
	config, _ := testRemotes(t)
	tests := []struct {
		opt     Options
		wantErr string
	}{
		{Options{Remote: "nocolon", Config: config}, "NAME:path"},
		{Options{Remote: "nosuchremote:x", Config: config}, "no remote named"},
		{Options{Remote: "cadanglocal:x", Config: config, Program: "/nonexistent/rclone"}, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.opt.Remote, func(t *testing.T) {
			_, err := New(context.Background(), tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New(%+v) = %v, want %q", tt.opt, err, tt.wantErr)
			}
		})
	}
}

// A remote that vanishes under a download must give an error, not a short file.
func TestLoadMissingAfterStat(t *testing.T) {
	config, remotes := testRemotes(t)
	ctx := context.Background()
	be := newTestBackend(t, config, remotes["local"])
	if _, err := be.Load(ctx, "config"); !errors.Is(err, backend.ErrNotFound) {
		t.Errorf("Load(missing) = %v, want ErrNotFound", err)
	}
}

// The engine reads a pack's header from its end and then its chunks in
// order: ReadAt must serve forward, backward and final reads correctly.
func TestLoadReaderAt(t *testing.T) {
	config, remotes := testRemotes(t)
	ctx := context.Background()
	be := newTestBackend(t, config, remotes["local"])
	data := make([]byte, 300000)
	for i := range data {
		data[i] = byte(i * 7 % 251)
	}
	if err := be.Save(ctx, "packs/ab/abc", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	rc, err := be.Load(ctx, "packs/ab/abc")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	ra, ok := rc.(io.ReaderAt)
	if !ok {
		t.Fatal("Load's reader is not an io.ReaderAt")
	}
	tests := []struct {
		off, n  int64
		wantN   int
		wantEOF bool
	}{
		{off: int64(len(data)) - 4, n: 4, wantN: 4},
		{off: 1000, n: 5000, wantN: 5000},   // backwards: a new download
		{off: 6000, n: 100, wantN: 100},     // just ahead: the same download
		{off: 200000, n: 1000, wantN: 1000}, // further ahead
		{off: 299990, n: 100, wantN: 10, wantEOF: true},
		{off: 0, n: 10, wantN: 10},
		{off: 400000, n: 10, wantN: 0, wantEOF: true},
	}
	for _, tt := range tests {
		buf := make([]byte, tt.n)
		n, err := ra.ReadAt(buf, tt.off)
		if n != tt.wantN || (err == io.EOF) != tt.wantEOF || (err != nil && err != io.EOF) {
			t.Errorf("ReadAt(%d, %d) = %d, %v; want %d bytes, EOF %v", tt.n, tt.off, n, err, tt.wantN, tt.wantEOF)
			continue
		}
		if n > 0 && !bytes.Equal(buf[:n], data[tt.off:tt.off+int64(n)]) {
			t.Errorf("ReadAt(%d, %d) returned other bytes", tt.n, tt.off)
		}
	}
}

// TestOneProcess runs many operations through a Backend whose rclone is a
// wrapper that logs every start: one `listremotes` (New reads the remote's
// type) and one `rcd` serve them all, and Close ends the rcd.
func TestOneProcess(t *testing.T) {
	config, remotes := testRemotes(t)
	real, err := exec.LookPath("rclone")
	if err != nil {
		t.Skip("no rclone in PATH")
	}
	dir := t.TempDir()
	starts := filepath.Join(dir, "starts")
	wrapper := filepath.Join(dir, "rclone")
	script := "#!/bin/sh\necho \"$*\" >> '" + starts + "'\nexec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	remote := remotes["local"] + "/" + t.Name() + "-" + strconv.Itoa(os.Getpid())
	be, err := New(ctx, Options{Remote: remote, Config: config, Program: wrapper})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exec.Command(real, "--config", config, "purge", remote).Run() })
	const n = 20
	for i := range n {
		name := "packs/" + strconv.Itoa(i%4) + "/p" + strconv.Itoa(i)
		backendtest.MustSave(ctx, t, be, name, strings.Repeat("x", i+1))
		if fi, err := be.Stat(ctx, name); err != nil || fi.Size != int64(i+1) {
			t.Fatalf("Stat %s = %+v, %v", name, fi, err)
		}
		rd, err := be.Load(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rd)
		_ = rd.Close()
		if err != nil || len(data) != i+1 {
			t.Fatalf("Load %s = %d bytes, %v", name, len(data), err)
		}
	}
	if got := backendtest.ListNames(ctx, t, be, "packs/"); len(got) != n {
		t.Fatalf("List = %d names, want %d", len(got), n)
	}
	for i := range n {
		if err := be.Remove(ctx, "packs/"+strconv.Itoa(i%4)+"/p"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	pid := be.srv.cmd.Process.Pid
	if err := be.Close(); err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(starts)
	if err != nil {
		t.Fatal(err)
	}
	var commands []string
	for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		for _, word := range strings.Fields(line) {
			if word == "listremotes" || word == "rcd" {
				commands = append(commands, word)
			}
		}
	}
	if lines := strings.Count(string(log), "\n"); lines != 2 || !slices.Equal(commands, []string{"listremotes", "rcd"}) {
		t.Errorf("rclone was started %d times:\n%s\nwant once for listremotes and once for rcd", lines, log)
	}
	// The rcd is gone once Close returns: signalling its pid fails.
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("rclone rcd (pid %d) still runs after Close", pid)
	}
}

// TestIsNoSpace: the answers of rclone that mean the remote is full.
func TestIsNoSpace(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&Error{Op: "uploadfile", Status: 500, Message: "write /srv/x: no space left on device"}, true},
		{&Error{Op: "uploadfile", Status: 500, Message: "write /srv/x: disk quota exceeded"}, true},
		{&Error{Op: "uploadfile", Status: 500, Message: "googleapi: Error 403: The user's Drive storage quota has been exceeded., storageQuotaExceeded"}, true},
		{&Error{Op: "uploadfile", Status: 507, Message: "Insufficient Storage"}, true},
		{&Error{Op: "uploadfile", Status: 500, Message: "connection reset by peer"}, false},
		{&Error{Op: "uploadfile", Status: 404, Message: "directory not found"}, false},
		{errors.New("no space left on device"), false}, // not rclone's answer: the local side's own error
	}
	for _, tt := range tests {
		if got := isNoSpace(fmt.Errorf("save x: %w", tt.err)); got != tt.want {
			t.Errorf("isNoSpace(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
