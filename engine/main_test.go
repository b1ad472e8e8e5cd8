package engine

import (
	"context"
	"fmt"
	"io"
	"os"
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
// every file the repository stores; "lock REPO" takes the exclusive lock,
// prints "locked" and holds it until stdin closes.
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

// announcingBackend prints the name of every saved file, so a parent
// process can kill this one at a chosen point.
type announcingBackend struct{ *local.Backend }

func (a announcingBackend) Save(ctx context.Context, name string, rd io.Reader, size int64) error {
	err := a.Backend.Save(ctx, name, rd, size)
	if err == nil {
		fmt.Println("saved " + name)
	}
	return err
}

var _ backend.Backend = announcingBackend{}
