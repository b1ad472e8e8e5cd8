package main

import (
	"fmt"
	"io"
	"math"
)

// target is one speed or memory target of issues 4 and 13: Cadang's value
// divided by the peer's must be at least (Higher) or at most the Bound; with
// no Peer, Cadang's value itself is compared with the Bound.
type target struct {
	Text   string
	Value  func(rs results, tool string) float64
	Peer   string
	Bound  float64
	Higher bool // true: ratio ≥ Bound; false: ratio ≤ Bound
}

// targets are the targets of the default run; scaleTargets those of the
// scale case (BENCH_SCALE), whose data are 300,000 small files.
func targets(dataBytes, dataBytesAfter float64) []target {
	initial := throughput("backup1", dataBytes)
	restore := throughput("restore", dataBytesAfter)
	peak := rssMiB(allSteps...)
	return []target{
		{"Initial backup throughput ≥ 3× restic's", initial, "restic", 3, true},
		{"Initial backup throughput ≥ 2× borg's", initial, "borg", 2, true},
		{"No-change backup time ≤ 0.2× restic's", seconds("backup2"), "restic", 0.2, false},
		{"Backup after the mutation: time ≤ 0.3× restic's", seconds("backup3"), "restic", 0.3, false},
		{"Backup after the mutation: bytes added ≤ borg's", addedBy(3), "borg", 1, false},
		{"Backup after the mutation: bytes added ≤ 1.2× restic's", addedBy(3), "restic", 1.2, false},
		{"Full restore throughput ≥ 3× restic's", restore, "restic", 3, true},
		{"Full restore throughput ≥ 2× borg's", restore, "borg", 2, true},
		{"Repository size after three backups ≤ borg's", recorded("repo3"), "borg", 1, false},
		{"Prune after forgetting half the snapshots: time ≤ 0.5× restic's", seconds("prune"), "restic", 0.5, false},
		{"Prune after forgetting half the snapshots: peak RSS ≤ restic's", rssMiB("prune"), "restic", 1, false},
		{"Verify every byte: CPU cores busy ≥ 1.8 (of 2)", cores("verify"), "", 1.8, true},
		{"Peak RSS (all steps) ≤ restic's", peak, "restic", 1, false},
	}
}

func scaleTargets() []target {
	return []target{
		{"Initial backup: time ≤ 0.5× restic's", seconds("backup1"), "restic", 0.5, false},
		{"No-change backup: time ≤ 0.2× restic's", seconds("backup2"), "restic", 0.2, false},
		{"Peak RSS (all steps) ≤ restic's", rssMiB(allSteps...), "restic", 1, false},
		{"Open and load the index: under 1 s", seconds("open"), "", 1, false},
		{"Prune after forgetting half the snapshots: time ≤ 0.5× restic's", seconds("prune"), "restic", 0.5, false},
		{"Prune after forgetting half the snapshots: peak RSS ≤ restic's", rssMiB("prune"), "restic", 1, false},
		{"Verify every byte: CPU cores busy ≥ 1.8 (of 2)", cores("verify"), "", 1.8, true},
	}
}

// verdict compares Cadang with the peer; measured is the ratio shown.
func (t target) verdict(rs results) (measured, result string) {
	a, b := t.Value(rs, subject), 1.0
	if t.Peer != "" {
		b = t.Value(rs, t.Peer)
	}
	if math.IsNaN(a) || math.IsNaN(b) || b == 0 {
		return "—", "not measured"
	}
	r := a / b
	met := r <= t.Bound
	if t.Higher {
		met = r >= t.Bound
	}
	unit := "×"
	if t.Peer == "" {
		unit = "" // a value, not a ratio
	}
	shown := fmt.Sprintf("%.2f%s", r, unit)
	if math.Abs(r-t.Bound) < 0.005 { // 2.996 must not read as 3.00 and "not met"
		shown = fmt.Sprintf("%.3f%s", r, unit)
	}
	if met {
		return shown, "met"
	}
	return shown, "**not met**"
}

func writeTargets(w io.Writer, rs results, meta map[string]string) {
	if isTree(meta) {
		return // the issues set no targets for real trees: the table is the comparison
	}
	fmt.Fprintln(w, "### Targets of issues 4 and 13 in this run")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | Cadang : peer (or Cadang's value) | result |")
	fmt.Fprintln(w, "|---|---|---|")
	list := targets(metaFloat(meta, "data_bytes"), metaFloat(meta, "data_bytes_after"))
	if isScale(meta) {
		list = scaleTargets()
	}
	for _, t := range list {
		measured, result := t.verdict(rs)
		fmt.Fprintf(w, "| %s | %s | %s |\n", t.Text, measured, result)
	}
	fmt.Fprintln(w)
}
