// Command gen writes the deterministic benchmark data set of `make bench`:
// a mixed tree of about -size bytes that looks like a small file server
// (CSV exports, logs, documents, a SQLite database, incompressible binaries
// and their copies, ~20,000 small files in nested folders), and with
// -mutate changes about 1% of it (appends, in-place edits in the middle of
// big files, new files, deleted files).
//
// The same -seed and -size always give the same bytes, names and
// modification times, so two runs (and two machines) measure the same data.
//
//	go run ./bench/gen -out DIR -size 2G -seed 1
//	go run ./bench/gen -out DIR -seed 1 -mutate
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "", "directory to write (must not exist or be empty, unless -mutate)")
	sizeArg := fs.String("size", "2G", "approximate total size: a number with an optional K, M or G suffix (powers of 1024)")
	seed := fs.Uint64("seed", 1, "seed of every random choice")
	mutate := fs.Bool("mutate", false, "change about 1% of an existing data set instead of writing one")
	round := fs.Int("round", 1, "mutation round: each round changes different places")
	many := fs.String("scale", "0", "also write this many small files (1–8 KiB) in a deep tree, e.g. 300k")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w (usage: gen -out DIR [-size 2G] [-seed 1] [-scale 300k] [-mutate [-round N]])", err)
	}
	if *out == "" {
		return errors.New("-out DIR is required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *mutate {
		st, err := Mutate(ctx, *out, *seed, *round)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, st)
		return nil
	}
	size, err := parseSize(*sizeArg)
	if err != nil {
		return err
	}
	n, err := parseCount(*many)
	if err != nil {
		return err
	}
	st, err := Generate(ctx, *out, size, *seed, n)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, st)
	return nil
}

// parseSize reads "2G", "200M", "512K" or a plain byte count.
func parseSize(arg string) (int64, error) {
	s := strings.TrimSpace(strings.ToUpper(arg))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "B"), "I")
	mult := int64(1)
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'K':
			mult, s = 1<<10, s[:n-1]
		case 'M':
			mult, s = 1<<20, s[:n-1]
		case 'G':
			mult, s = 1<<30, s[:n-1]
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q: want a positive number with an optional K, M or G suffix", arg)
	}
	size := int64(v * float64(mult))
	if size < 1<<20 {
		return 0, fmt.Errorf("size %d is too small: at least 1M", size)
	}
	if size > 1<<40 {
		return 0, fmt.Errorf("size %d is too large: at most 1T", size)
	}
	return size, nil
}

// formatBytes prints a byte count with a binary unit, for summaries.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// parseCount reads "300k", "1m" or a plain count (powers of 1000).
func parseCount(arg string) (int, error) {
	s := strings.ToLower(strings.TrimSpace(arg))
	mult := 1
	switch {
	case strings.HasSuffix(s, "k"):
		mult, s = 1000, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "m"):
		mult, s = 1000_000, strings.TrimSuffix(s, "m")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("-scale %q: write a count like 300k", arg)
	}
	return n * mult, nil
}
