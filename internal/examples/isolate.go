package examples

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"cadang/engine/childproc"
)

// The story's folders are where an office keeps them: the department's
// share and the restore target under /srv/samba, the NAS and the copy in
// building B mounted under /mnt, the workspace under /srv/cadang. So that
// the documents print those paths while nothing is written outside a
// scratch folder, the story runs in a child process with a mount namespace
// of its own (Linux), where the scratch folder's srv and mnt are mounted
// on /srv and /mnt; no other process sees them.
//
// childVar carries the child's orders (a JSON childOrders). Its name does
// not start with CADANG_, which childproc never passes on.
const childVar = "CONTOH_CADANG_ANAK"

// Mounts are the folders the child sees its scratch folder's copies of.
var Mounts = []string{"/srv", "/mnt"}

type childOrders struct {
	Scratch string
	Out     string
	DPI     int
}

// ErrNotIsolated says that this machine gives no mount namespace to an
// unprivileged process (not Linux, or neither root nor user namespaces),
// so the story cannot print the office's paths.
var ErrNotIsolated = errors.New("examples: no mount namespace on this machine (needs Linux, as root or with user namespaces)")

// RunIsolated tells the story in a child process (this program, started
// again) in its own mount namespace, with a new scratch folder mounted on
// /srv and /mnt, and returns the documents it copied to opt.Out. opt.Root
// is ignored. A program that calls RunIsolated calls Child first thing in
// main (or TestMain).
func RunIsolated(ctx context.Context, opt Options) ([]Document, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("examples: %w", err)
	}
	out, err := filepath.Abs(opt.Out)
	if err != nil {
		return nil, fmt.Errorf("examples: %w", err)
	}
	scratch, err := os.MkdirTemp("", "cadang-contoh-")
	if err != nil {
		return nil, fmt.Errorf("examples: %w", err)
	}
	defer os.RemoveAll(scratch)
	for _, m := range Mounts {
		if err := os.Mkdir(filepath.Join(scratch, filepath.Base(m)), 0o755); err != nil {
			return nil, fmt.Errorf("examples: %w", err)
		}
	}
	orders, err := json.Marshal(childOrders{Scratch: scratch, Out: out, DPI: opt.DPI})
	if err != nil {
		return nil, err
	}
	cmd := childproc.Command(ctx, childproc.Env{Set: []string{childVar + "=" + string(orders)}}, exe)
	if err := isolate(cmd); err != nil {
		return nil, err
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		if isolationRefused(err) {
			return nil, fmt.Errorf("%w: %v", ErrNotIsolated, err)
		}
		return nil, fmt.Errorf("examples: the story's process: %w", err)
	}
	var docs []Document
	if err := json.Unmarshal(stdout.Bytes(), &docs); err != nil {
		return nil, fmt.Errorf("examples: the story's process answered %q: %w", stdout.String(), err)
	}
	return docs, nil
}

// Child, in the process RunIsolated started, mounts the scratch folder,
// tells the story, writes the documents as JSON to stdout and exits; in
// any other process it returns at once.
func Child() {
	raw, ok := os.LookupEnv(childVar)
	if !ok {
		return
	}
	var o childOrders
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		fmt.Fprintln(os.Stderr, "examples: the orders:", err)
		os.Exit(1)
	}
	if err := mountScratch(o.Scratch); err != nil {
		fmt.Fprintln(os.Stderr, "examples:", err)
		os.Exit(exitNotIsolated)
	}
	docs, err := Run(context.Background(), Options{Root: "/", Out: o.Out, DPI: o.DPI,
		Log: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(docs); err != nil {
		fmt.Fprintln(os.Stderr, "examples:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// exitNotIsolated is the child's exit status when it could not mount.
const exitNotIsolated = 75
