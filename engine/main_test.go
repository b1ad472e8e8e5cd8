package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"cadang/engine/backend"
	"cadang/engine/backend/local"
)

// TestMain lets tests re-run this test binary as a child process that
// performs one repository operation (see runHelper).
func TestMain(m *testing.M) {
	if op := os.Getenv("CADANG_ENGINE_HELPER"); op != "" {
		os.Exit(runHelper(op))
	}
	os.Exit(m.Run())
}

// runHelper: "backup REPO SRC" backs up SRC, printing "saved NAME" after
// every file the repository stores (and "removed NAME", "loaded NAME" after
// every removal and pack read); "prune REPO", "forget REPO KEEP-LAST" and
// "restore REPO SNAPSHOT TARGET" run those operations; "lock REPO" takes
// the exclusive lock, prints "locked" and holds it until stdin closes.
func runHelper(op string) int {
	args := strings.Split(op, "\x1f")
	ctx := context.Background()
	lb, err := local.New(args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	r, err := Open(ctx, announcingBackend{lb}, os.Getenv("CADANG_PASSWORD"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	switch args[0] {
	case "backup":
		if _, err := r.Backup(ctx, args[2:], BackupOptions{Host: "crashtest"}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("done")
	case "prune", "forget", "restore":
		if err := maintain(ctx, r, args[0], args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("done")
	case "lock":
		lk, err := r.lock(ctx, "test holder", true)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("locked")
		_, _ = io.Copy(io.Discard, os.Stdin)
		lk.release()
	default:
		return 2
	}
	return 0
}

// maintain runs one prune, forget or restore for runHelper.
func maintain(ctx context.Context, r *Repository, op string, args []string) error {
	switch op {
	case "prune":
		_, err := r.Prune(ctx, false)
		return err
	case "forget":
		keep, err := strconv.Atoi(args[0])
		if err != nil {
			return err
		}
		_, err = r.Forget(ctx, RetentionPolicy{KeepLast: keep}, false)
		return err
	default: // restore
		snap, err := r.FindSnapshot(ctx, args[0])
		if err != nil {
			return err
		}
		res, err := r.Restore(ctx, snap, args[1], RestoreOptions{})
		if err == nil && len(res.Failed) > 0 {
			err = fmt.Errorf("restore: %d failed", len(res.Failed))
		}
		return err
	}
}

// announcingBackend prints the name of every saved or removed file and of
// every pack read, so a parent process can kill this one at a chosen point.
type announcingBackend struct{ *local.Backend }

func (a announcingBackend) Save(ctx context.Context, name string, rd io.Reader, size int64) error {
	err := a.Backend.Save(ctx, name, rd, size)
	if err == nil {
		fmt.Println("saved " + name)
	}
	return err
}

func (a announcingBackend) Remove(ctx context.Context, name string) error {
	err := a.Backend.Remove(ctx, name)
	if err == nil && KindOf(name) != KindLock {
		fmt.Println("removed " + name)
	}
	return err
}

func (a announcingBackend) Load(ctx context.Context, name string) (io.ReadCloser, error) {
	rc, err := a.Backend.Load(ctx, name)
	if err == nil && KindOf(name) == KindPack {
		fmt.Println("loaded " + name)
	}
	return rc, err
}

var _ backend.Backend = announcingBackend{}
