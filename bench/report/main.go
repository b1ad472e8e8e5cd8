// Command report turns the measurements of bench/run.sh into the results
// part of docs/BENCHMARKS.md: the run's facts, a table of Cadang against
// restic and borg with ratios, and each target of issue 4 met or not.
//
// It replaces only the text between the markers
// "<!-- bench:results:begin -->" and "<!-- bench:results:end -->", so the
// hand-written analysis around them survives a new run.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// The markers of the default run's section; the scale case (meta scale)
// and the real-tree case (meta tree) have their own, so each run replaces
// only its own results.
const (
	beginMarker      = "<!-- bench:results:begin -->"
	endMarker        = "<!-- bench:results:end -->"
	scaleBeginMarker = "<!-- bench:scale:begin -->"
	scaleEndMarker   = "<!-- bench:scale:end -->"
	treeBeginMarker  = "<!-- bench:tree:begin -->"
	treeEndMarker    = "<!-- bench:tree:end -->"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "report: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	results := fs.String("results", ".bench/results.tsv", "measurements written by bench/run.sh")
	metaFile := fs.String("meta", ".bench/meta.env", "facts about the run (key=value lines)")
	out := fs.String("out", "docs/BENCHMARKS.md", "Markdown file to update")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rs, err := readResults(*results)
	if err != nil {
		return err
	}
	meta, err := readMeta(*metaFile)
	if err != nil {
		return err
	}
	var block bytes.Buffer
	writeReport(&block, rs, meta)
	old, err := os.ReadFile(*out)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read %s: %w", *out, err)
	}
	begin, end := beginMarker, endMarker
	switch {
	case isScale(meta):
		begin, end = scaleBeginMarker, scaleEndMarker
	case isTree(meta):
		begin, end = treeBeginMarker, treeEndMarker
	}
	doc, err := spliceBetween(string(old), block.String(), begin, end)
	if err != nil {
		return fmt.Errorf("update %s: %w", *out, err)
	}
	return writeAtomic(*out, []byte(doc))
}

// measurement is one line of results.tsv.
type measurement struct {
	Tool, Phase string
	Exit        int
	Value       float64 // seconds for timed steps, else the recorded number
	RSSKiB      int64
	User, Sys   float64
}

// results indexes measurements by tool and phase.
type results map[string]map[string]measurement

func (r results) get(tool, phase string) (measurement, bool) {
	m, ok := r[tool][phase]
	return m, ok
}

func readResults(name string) (results, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open results: %w", err)
	}
	defer f.Close()
	return parseResults(f)
}

func parseResults(rd io.Reader) (results, error) {
	rs := results{}
	all := map[[2]string][]measurement{}
	sc := bufio.NewScanner(rd)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 7 {
			return nil, fmt.Errorf("results line %d: %d fields, want 7", line, len(f))
		}
		m := measurement{Tool: f[0], Phase: f[1]}
		var errs []error
		m.Exit, errs = atoi(f[2], errs)
		m.Value, errs = atof(f[3], errs)
		var rss float64
		rss, errs = atof(f[4], errs)
		m.RSSKiB = int64(rss)
		m.User, errs = atof(f[5], errs)
		m.Sys, errs = atof(f[6], errs)
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("results line %d: %w", line, err)
		}
		all[[2]string{m.Tool, m.Phase}] = append(all[[2]string{m.Tool, m.Phase}], m)
	}
	for k, ms := range all {
		if rs[k[0]] == nil {
			rs[k[0]] = map[string]measurement{}
		}
		rs[k[0]][k[1]] = median(ms)
	}
	return rs, sc.Err()
}

// median combines the rounds of one step: each figure is its median (the
// upper one of an even count), and the step failed if any round failed.
func median(ms []measurement) measurement {
	out := ms[0]
	pick := func(get func(measurement) float64) float64 {
		vs := make([]float64, len(ms))
		for i, m := range ms {
			vs[i] = get(m)
		}
		slices.Sort(vs)
		return vs[len(vs)/2]
	}
	out.Value = pick(func(m measurement) float64 { return m.Value })
	out.RSSKiB = int64(pick(func(m measurement) float64 { return float64(m.RSSKiB) }))
	out.User = pick(func(m measurement) float64 { return m.User })
	out.Sys = pick(func(m measurement) float64 { return m.Sys })
	for _, m := range ms {
		out.Exit = max(out.Exit, m.Exit)
	}
	return out
}

func atoi(s string, errs []error) (int, []error) {
	v, err := strconv.Atoi(s)
	return v, append(errs, err)
}

func atof(s string, errs []error) (float64, []error) {
	v, err := strconv.ParseFloat(s, 64)
	return v, append(errs, err)
}

func readMeta(name string) (map[string]string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read meta: %w", err)
	}
	meta := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			meta[k] = v
		}
	}
	return meta, nil
}

// splice puts block between the default run's markers of doc.
func splice(doc, block string) (string, error) {
	return spliceBetween(doc, block, beginMarker, endMarker)
}

// spliceBetween puts block between the markers begin and end of doc; a
// document without them gets them appended (a new one, a heading too).
func spliceBetween(doc, block, begin, end string) (string, error) {
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	switch {
	case i < 0 && j < 0 && doc == "":
		return "# Benchmarks\n\n" + begin + "\n" + block + end + "\n", nil
	case i < 0 && j < 0:
		return strings.TrimRight(doc, "\n") + "\n\n" + begin + "\n" + block + end + "\n", nil
	case i < 0 || j < i:
		return "", errors.New("the results markers are broken: fix or delete them")
	}
	return doc[:i+len(begin)] + "\n" + block + doc[j:], nil
}

func writeAtomic(name string, data []byte) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return errors.Join(fmt.Errorf("rename %s: %w", tmp, err), os.Remove(tmp))
	}
	return nil
}
