// Command engineprof drives the Cadang engine directly, with the same
// arguments as `cadang init|backup|restore`, and can write pprof profiles.
// It measures the engine without the window's build (no Fyne, no cgo), and
// stands in for the cadang binary in bench/run.sh (BENCH_CADANG=engine)
// where the command line is not there yet or profiles are wanted.
//
//	engineprof init    --repo R [--password-file F] [--pack-size BYTES]
//	engineprof backup  --repo R [--password-file F] [--json] PATH...
//	engineprof restore --repo R [--password-file F] --snapshot ID|latest --target DIR [--json]
//	engineprof open    --repo R [--password-file F] [--json]   open and load the index (lists the root)
//	engineprof verify  --repo R [--password-file F] [--json]   verify --read-data
//	engineprof prune   --repo R [--password-file F] [--json]
//	engineprof forget  --repo R [--password-file F] --keep-last N [--json]
//	engineprof sync    --repo R --to URL [--json]   copy the repository to a replica location
//
// With BENCH_PROFILE_DIR set, each command writes OP-cpu.pprof and
// OP-heap.pprof (in-use memory at the end) there, OP-peakheap.pprof (the
// in-use memory when the live heap was largest, sampled every 250 ms: what
// peak RSS is made of), and OP-mem.txt with the runtime's memory statistics; with BENCH_TRACE=1 also OP.trace, an
// execution trace whose blocking profiles (go tool trace -pprof=sync|syscall)
// show which stage the others wait for.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"time"

	"cadang/engine"
	"cadang/engine/location"
	"cadang/engine/replica"
	"cadang/internal/heapbound"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "engineprof: %v\n", err)
		os.Exit(1)
	}
}

type options struct {
	repo, passwordFile, snapshot, target, to string
	json                                     bool
	keepLast, packSize                       int
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: engineprof init|backup|restore|open|verify|prune|forget --repo R [flags] [PATH...]")
	}
	op := args[0]
	switch op {
	case "init", "backup", "restore", "open", "verify", "prune", "forget", "sync":
	default:
		return fmt.Errorf("unknown command %q (want init, backup, restore, open, verify, prune, forget or sync)", op)
	}
	var o options
	fs := flag.NewFlagSet(op, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.repo, "repo", "", "repository")
	fs.StringVar(&o.passwordFile, "password-file", "", "file holding the password")
	fs.StringVar(&o.snapshot, "snapshot", "latest", "snapshot to restore")
	fs.StringVar(&o.target, "target", "", "restore target")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON")
	fs.IntVar(&o.keepLast, "keep-last", 0, "forget: keep the last N snapshots")
	fs.StringVar(&o.to, "to", "", "sync: the replica location (a folder or URL)")
	fs.IntVar(&o.packSize, "pack-size", 0, "init: target pack size in bytes (0: the default)")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if o.repo == "" {
		return fmt.Errorf("%s: --repo is required", op)
	}
	password, err := readPassword(o.passwordFile)
	if err != nil {
		return err
	}
	stopProfile, err := startProfile(op)
	if err != nil {
		return err
	}
	res, err := do(ctx, op, o, password, fs.Args())
	if perr := stopProfile(); err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	if o.json {
		return json.NewEncoder(stdout).Encode(res)
	}
	return nil
}

func readPassword(file string) (string, error) {
	if file == "" {
		return os.Getenv("CADANG_PASSWORD"), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func do(ctx context.Context, op string, o options, password string, paths []string) (any, error) {
	be, err := location.Open(ctx, o.repo)
	if err != nil {
		return nil, err
	}
	if op == "sync" {
		defer be.Close()
		dst, err := location.Open(ctx, o.to)
		if err != nil {
			return nil, err
		}
		defer dst.Close()
		return replica.Copy(ctx, be, dst, replica.Options{})
	}
	if op == "init" {
		r, err := engine.Init(ctx, be, engine.InitOptions{Password: password, PackSize: o.packSize})
		if err != nil {
			return nil, err
		}
		return map[string]string{"id": r.ID()}, r.Close()
	}
	var prescan *engine.Prescan
	if op == "backup" { // as the command line does
		prescan = engine.StartPrescan(ctx, paths, nil)
		defer prescan.Stop()
	}
	r, err := engine.Open(ctx, be, password)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if limit, ok := heapLimits[op]; ok { // as the command line bounds it
		defer heapbound.Bound(limit)()
	}
	switch op {
	case "backup":
		return r.Backup(ctx, paths, engine.BackupOptions{Prescan: prescan})
	case "restore":
		if o.target == "" {
			return nil, errors.New("restore: --target is required")
		}
		snap, err := r.FindSnapshot(ctx, o.snapshot)
		if err != nil {
			return nil, err
		}
		res, err := r.Restore(ctx, snap, o.target, engine.RestoreOptions{})
		if err == nil && len(res.Failed) > 0 {
			err = fmt.Errorf("restore: %d files failed, first %s: %s", len(res.Failed), res.Failed[0].Path, res.Failed[0].Err)
		}
		if res != nil {
			res.Checks = nil // tens of thousands of lines nobody reads here
		}
		return res, err
	case "open":
		snap, err := r.FindSnapshot(ctx, o.snapshot)
		if err != nil {
			return nil, err
		}
		return r.List(ctx, snap, "/") // the first tree read loads the index
	case "verify":
		res, err := r.Verify(ctx, engine.VerifyOptions{ReadData: true})
		if err == nil && !res.OK() {
			err = fmt.Errorf("verify: %d problems", len(res.Damage))
		}
		return res, err
	case "prune":
		return r.Prune(ctx, false)
	case "forget":
		if o.keepLast < 1 {
			return nil, errors.New("forget: --keep-last N is required")
		}
		return r.Forget(ctx, engine.RetentionPolicy{KeepLast: o.keepLast}, false)
	}
	return nil, fmt.Errorf("unknown command %q", op)
}

// heapLimits are the command line's heap bounds for each operation, so
// that the memory measured here is the memory `cadang OP` uses.
var heapLimits = map[string]int64{
	"backup": heapbound.Backup, "restore": heapbound.Restore,
	"verify": heapbound.Maintenance, "forget": heapbound.Maintenance, "prune": heapbound.Maintenance,
}

// startProfile starts a CPU profile when BENCH_PROFILE_DIR is set; the
// returned func stops it and writes the heap profile and memory statistics.
func startProfile(op string) (func() error, error) {
	dir := os.Getenv("BENCH_PROFILE_DIR")
	if dir == "" {
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cpu, err := os.Create(filepath.Join(dir, op+"-cpu.pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		return nil, errors.Join(err, cpu.Close())
	}
	var tf *os.File
	if os.Getenv("BENCH_TRACE") == "1" {
		if tf, err = os.Create(filepath.Join(dir, op+".trace")); err == nil {
			err = trace.Start(tf)
		}
		if err != nil {
			pprof.StopCPUProfile()
			return nil, errors.Join(err, cpu.Close())
		}
	}
	stopPeak := watchPeakHeap(filepath.Join(dir, op+"-peakheap.pprof"))
	return func() error {
		pprof.StopCPUProfile()
		errs := []error{cpu.Close(), stopPeak()}
		if tf != nil {
			trace.Stop()
			errs = append(errs, tf.Close())
		}
		heap, err := os.Create(filepath.Join(dir, op+"-heap.pprof"))
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		errs = append(errs, pprof.Lookup("heap").WriteTo(heap, 0), heap.Close())
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		stats := fmt.Sprintf("HeapSys %d\nHeapInuse %d\nTotalAlloc %d\nSys %d\nNumGC %d\n",
			ms.HeapSys, ms.HeapInuse, ms.TotalAlloc, ms.Sys, ms.NumGC)
		errs = append(errs, os.WriteFile(filepath.Join(dir, op+"-mem.txt"), []byte(stats), 0o644))
		return errors.Join(errs...)
	}, nil
}

// watchPeakHeap writes a heap profile to file each time the live heap (as of
// the last collection) is larger than at any earlier sample, so that the
// profile left is of the peak, not of the end when plans are freed.
func watchPeakHeap(file string) (stop func() error) {
	var peak uint64
	var werr error
	stopWatch := heapbound.Watch(250*time.Millisecond, func(live uint64) bool {
		if live <= peak+peak/20 {
			return true
		}
		peak = live
		f, err := os.Create(file)
		if err == nil {
			err = errors.Join(pprof.Lookup("heap").WriteTo(f, 0), f.Close())
		}
		werr = err
		return err == nil
	})
	return func() error {
		stopWatch()
		return werr
	}
}
