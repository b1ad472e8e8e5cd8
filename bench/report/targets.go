package main

import (
	"fmt"
	"io"
	"math"
)

// target is one speed or memory target of issue 4: Cadang's value divided
// by the peer's must be at least (Higher) or at most the Bound.
type target struct {
	Text   string
	Value  func(rs results, tool string) float64
	Peer   string
	Bound  float64
	Higher bool // true: ratio ≥ Bound; false: ratio ≤ Bound
}

func targets(dataBytes, dataBytesAfter float64) []target {
	initial := throughput("backup1", dataBytes)
	restore := throughput("restore", dataBytesAfter)
	peak := rssMiB("backup1", "backup2", "backup3", "restore")
	return []target{
		{"Initial backup throughput ≥ 3× restic's", initial, "restic", 3, true},
		{"Initial backup throughput ≥ 2× borg's", initial, "borg", 2, true},
		{"No-change backup time ≤ 0.2× restic's", seconds("backup2"), "restic", 0.2, false},
		{"Backup after the mutation: time ≤ 0.3× restic's", seconds("backup3"), "restic", 0.3, false},
		{"Backup after the mutation: bytes added ≤ restic's", addedBy(3), "restic", 1, false},
		{"Full restore throughput ≥ 3× restic's", restore, "restic", 3, true},
		{"Full restore throughput ≥ 2× borg's", restore, "borg", 2, true},
		{"Repository size after three backups ≤ borg's", recorded("repo3"), "borg", 1, false},
		{"Peak RSS (all steps) ≤ restic's", peak, "restic", 1, false},
	}
}

// verdict compares Cadang with the peer; measured is the ratio shown.
func (t target) verdict(rs results) (measured, result string) {
	a, b := t.Value(rs, subject), t.Value(rs, t.Peer)
	if math.IsNaN(a) || math.IsNaN(b) || b == 0 {
		return "—", "not measured"
	}
	r := a / b
	met := r <= t.Bound
	if t.Higher {
		met = r >= t.Bound
	}
	shown := fmt.Sprintf("%.2f×", r)
	if math.Abs(r-t.Bound) < 0.005 { // 2.996 must not read as 3.00 and "not met"
		shown = fmt.Sprintf("%.3f×", r)
	}
	if met {
		return shown, "met"
	}
	return shown, "**not met**"
}

func writeTargets(w io.Writer, rs results, meta map[string]string) {
	fmt.Fprintln(w, "### Targets of issue 4 in this run")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | Cadang : peer | result |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, t := range targets(metaFloat(meta, "data_bytes"), metaFloat(meta, "data_bytes_after")) {
		measured, result := t.verdict(rs)
		fmt.Fprintf(w, "| %s | %s | %s |\n", t.Text, measured, result)
	}
	fmt.Fprintln(w)
}
