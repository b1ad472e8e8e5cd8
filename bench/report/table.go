package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

const subject = "cadang"

var peers = []string{"restic", "borg"}

// metric is one row of the results table; Value is NaN when the tool was
// not measured or the step failed.
type metric struct {
	Label  string
	Value  func(rs results, tool string) float64
	Format func(float64) string
}

func nan() float64 { return math.NaN() }

// ok returns the measurement when the step ran and succeeded.
func ok(rs results, tool, phase string) (measurement, bool) {
	m, found := rs.get(tool, phase)
	return m, found && m.Exit == 0
}

func seconds(phase string) func(results, string) float64 {
	return func(rs results, tool string) float64 {
		if m, good := ok(rs, tool, phase); good {
			return m.Value
		}
		return nan()
	}
}

// throughput is MB/s (10^6 bytes) of bytes through a timed phase.
func throughput(phase string, bytes float64) func(results, string) float64 {
	return func(rs results, tool string) float64 {
		if m, good := ok(rs, tool, phase); good && m.Value > 0 && bytes > 0 {
			return bytes / 1e6 / m.Value
		}
		return nan()
	}
}

func cores(phase string) func(results, string) float64 {
	return func(rs results, tool string) float64 {
		if m, good := ok(rs, tool, phase); good && m.Value > 0 {
			return (m.User + m.Sys) / m.Value
		}
		return nan()
	}
}

// cpuSeconds is user plus system time: less disturbed by other load than
// wall time, and what a busy server pays.
func cpuSeconds(phase string) func(results, string) float64 {
	return func(rs results, tool string) float64 {
		if m, good := ok(rs, tool, phase); good {
			return m.User + m.Sys
		}
		return nan()
	}
}

func rssMiB(phases ...string) func(results, string) float64 {
	return func(rs results, tool string) float64 {
		peak := nan()
		for _, p := range phases {
			if m, good := ok(rs, tool, p); good && (math.IsNaN(peak) || float64(m.RSSKiB) > peak*1024) {
				peak = float64(m.RSSKiB) / 1024
			}
		}
		return peak
	}
}

func recorded(key string) func(results, string) float64 {
	return func(rs results, tool string) float64 {
		if m, found := rs.get(tool, key); found {
			return m.Value
		}
		return nan()
	}
}

// addedBy is what backup n added to the repository, measured with du.
func addedBy(n int) func(results, string) float64 {
	return func(rs results, tool string) float64 {
		return recorded(fmt.Sprintf("repo%d", n))(rs, tool) - recorded(fmt.Sprintf("repo%d", n-1))(rs, tool)
	}
}

func fmtSeconds(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + " s" }
func fmtRate(v float64) string    { return strconv.FormatFloat(v, 'f', 1, 64) + " MB/s" }
func fmtMiB(v float64) string     { return strconv.FormatFloat(v, 'f', 0, 64) + " MiB" }
func fmtCores(v float64) string   { return strconv.FormatFloat(v, 'f', 2, 64) }
func fmtYesNo(v float64) string {
	if v == 1 {
		return "yes"
	}
	return "**NO**"
}

// fmtBytes prints decimal megabytes, as du -sb sizes are compared.
func fmtBytes(v float64) string {
	if math.Abs(v) < 1e6 {
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + " kB"
	}
	return strconv.FormatFloat(v/1e6, 'f', 1, 64) + " MB"
}

func metrics(dataBytes, dataBytesAfter float64) []metric {
	return []metric{
		{"Initial backup: time", seconds("backup1"), fmtSeconds},
		{"Initial backup: throughput", throughput("backup1", dataBytes), fmtRate},
		{"Initial backup: CPU time (user + system)", cpuSeconds("backup1"), fmtSeconds},
		{"Initial backup: CPU cores busy", cores("backup1"), fmtCores},
		{"Initial backup: peak RSS", rssMiB("backup1"), fmtMiB},
		{"No-change backup: time", seconds("backup2"), fmtSeconds},
		{"No-change backup: CPU time", cpuSeconds("backup2"), fmtSeconds},
		{"No-change backup: peak RSS", rssMiB("backup2"), fmtMiB},
		{"Backup after 1% mutation: time", seconds("backup3"), fmtSeconds},
		{"Backup after 1% mutation: CPU time", cpuSeconds("backup3"), fmtSeconds},
		{"Backup after 1% mutation: added to repository", addedBy(3), fmtBytes},
		{"Backup after 1% mutation: peak RSS", rssMiB("backup3"), fmtMiB},
		{"Full restore: time", seconds("restore"), fmtSeconds},
		{"Full restore: throughput", throughput("restore", dataBytesAfter), fmtRate},
		{"Full restore: CPU time", cpuSeconds("restore"), fmtSeconds},
		{"Full restore: CPU cores busy", cores("restore"), fmtCores},
		{"Full restore: peak RSS", rssMiB("restore"), fmtMiB},
		{"Full restore: identical to the data (diff -r)", recorded("restore_identical"), fmtYesNo},
		{"Repository size after backup 1", recorded("repo1"), fmtBytes},
		{"Repository size after 3 backups", recorded("repo3"), fmtBytes},
		{"Open and list the top folder (index load): time", seconds("open"), fmtSeconds},
		{"Open and list the top folder: peak RSS", rssMiB("open"), fmtMiB},
		{"Verify every byte: time", seconds("verify"), fmtSeconds},
		{"Verify every byte: CPU cores busy", cores("verify"), fmtCores},
		{"Verify every byte: peak RSS", rssMiB("verify"), fmtMiB},
		{"Forget 2 of 4 snapshots: time", seconds("forget"), fmtSeconds},
		{"Prune after forgetting: time", seconds("prune"), fmtSeconds},
		{"Prune after forgetting: CPU time", cpuSeconds("prune"), fmtSeconds},
		{"Prune after forgetting: peak RSS", rssMiB("prune"), fmtMiB},
		{"Repository size after prune", recorded("repo_pruned"), fmtBytes},
		{"Peak RSS of all steps", rssMiB(allSteps...), fmtMiB},
	}
}

// allSteps are every timed step of a run.
var allSteps = []string{"backup1", "backup2", "backup3", "restore", "backup4", "open", "verify", "forget", "prune"}

func cell(v float64, format func(float64) string) string {
	if math.IsNaN(v) {
		return "—"
	}
	return format(v)
}

// ratio is subject:peer as a multiplier.
func ratio(a, b float64) string {
	if math.IsNaN(a) || math.IsNaN(b) || b == 0 {
		return "—"
	}
	return strconv.FormatFloat(a/b, 'f', 2, 64) + "×"
}

func metaFloat(meta map[string]string, key string) float64 {
	v, err := strconv.ParseFloat(meta[key], 64)
	if err != nil {
		return nan()
	}
	return v
}

func writeReport(w io.Writer, rs results, meta map[string]string) {
	writeRun(w, rs, meta)
	writeTable(w, rs, meta)
	writeTargets(w, rs, meta)
}

func writeRun(w io.Writer, rs results, meta map[string]string) {
	fmt.Fprintf(w, "## Run of %s\n\n", meta["started"])
	fmt.Fprintf(w, "- Machine: %s, %s RAM, %s, %s; work directory on %s.\n",
		meta["cpu"], meta["memory"], meta["os"], meta["kernel"], meta["filesystem"])
	fmt.Fprintf(w, "- Load average (1, 5, 15 min): %s at the start, %s at the end.\n", meta["load_start"], meta["load_end"])
	fmt.Fprintf(w, "- Versions: %s; %s; %s; Go %s.\n", orDash(meta["cadang"], "cadang"), meta["restic"], meta["borg"], meta["go"])
	if s := meta["cadang_binary"]; s != "" {
		fmt.Fprintf(w, "- Cadang ran as: %s.\n", s)
	}
	fmt.Fprintln(w, "- Same settings for all: encrypted repositories, each tool with its default concurrency "+
		"(all may use both cores). Cadang: `init --password-file`, LZ4 and AES-256-GCM; "+
		"borg: `init --encryption=repokey` (AES-256-CTR + HMAC-SHA256), `create --compression lz4`; "+
		"restic: always encrypted (AES-256-CTR + Poly1305), repository format 2 with `--compression auto` "+
		"(zstd at its fastest level: restic 0.14 has no LZ4, and zstd compresses text better than LZ4).")
	if s := meta["cadang_skipped"]; s != "" {
		fmt.Fprintf(w, "- **Cadang was not measured in this run: %s.**\n", s)
	}
	cache := "warm: the data set was read once before the first backup and again after the mutation, so every step ran with its input in the page cache"
	if isTree(meta) {
		cache = "warm: the copy was read once before the first backup, so every step ran with its input in the page cache"
	}
	if meta["cache"] == "cold" {
		cache = "cold: `sync; echo 3 > /proc/sys/vm/drop_caches` before every timed step"
	}
	fmt.Fprintf(w, "- Page cache: %s.\n", cache)
	if n := meta["rounds"]; n != "" && n != "1" {
		fmt.Fprintf(w, "- Rounds: the whole measurement ran %s times on a fresh data set; every figure below is the median of the rounds.\n", n)
	}
	if n := meta["nice"]; n != "" {
		fmt.Fprintf(w, "- Priority: every measured command ran under `nice -n %s ionice -c2 -n0`, so the other work on this shared machine disturbed it less (the load average above includes that work).\n", n)
	}
	if isTree(meta) {
		fmt.Fprintf(w, "- Data set: %s; %s bytes in %s files. Nothing is changed between the backups: the steps are an initial "+
			"and a no-change backup, a full restore of the second snapshot into an empty folder (compared with "+
			"`diff -r --no-dereference`), opening the repository and verifying every byte.\n\n",
			meta["dataset"], meta["data_bytes"], meta["data_files"])
		return
	}
	scale := ""
	if isScale(meta) {
		scale = " -scale " + meta["scale"]
	}
	fmt.Fprintf(w, "- Data set (`bench/gen -size %s -seed %s%s`): %s; %s bytes in %s files.\n",
		meta["size_arg"], meta["seed"], scale, meta["dataset"], meta["data_bytes"], meta["data_files"])
	fmt.Fprintf(w, "- Mutation (`bench/gen -mutate -round 1`): %s.\n", meta["mutation"])
	if m := meta["mutation2"]; m != "" {
		fmt.Fprintf(w, "- After the restore, `-mutate -round 2` (%s) and a fourth backup; then, through the engine API "+
			"for Cadang (bench/engineprof: its command line's forget and prune need a workspace account), the "+
			"maintenance steps: open the repository and list the top folder (Cadang and restic load their index; "+
			"`restic ls latest /no-such-folder`), verify every byte (`restic check --read-data`, `borg check "+
			"--verify-data`), forget all but the last 2 snapshots (`borg prune --keep-last 2`) and prune "+
			"(`borg compact`).\n", m)
	}
	fmt.Fprintln(w)
}

// isScale reports a run of the scale case (BENCH_SCALE).
func isScale(meta map[string]string) bool { s := meta["scale"]; return s != "" && s != "0" }

// isTree reports a run of the real-tree case (BENCH_TREE).
func isTree(meta map[string]string) bool { return meta["tree"] != "" }

func orDash(v, name string) string {
	if v == "" {
		return name + " —"
	}
	return v
}

func writeTable(w io.Writer, rs results, meta map[string]string) {
	tools := append([]string{subject}, peers...)
	fmt.Fprintf(w, "| | %s | %s:%s | %s:%s |\n", strings.Join(tools, " | "), subject, peers[0], subject, peers[1])
	fmt.Fprintf(w, "|---|%s---|---|\n", strings.Repeat("---|", len(tools)))
	for _, m := range metrics(metaFloat(meta, "data_bytes"), metaFloat(meta, "data_bytes_after")) {
		vals := make([]string, 0, len(tools)+len(peers))
		sv := m.Value(rs, subject)
		for _, t := range tools {
			vals = append(vals, cellOrFailure(rs, t, m, m.Value(rs, t)))
		}
		if !slices.ContainsFunc(vals, func(v string) bool { return v != "—" }) {
			continue // a step this case does not have (the real-tree case has no mutation)
		}
		for _, p := range peers {
			if strings.Contains(m.Label, "identical") {
				vals = append(vals, "")
				continue
			}
			vals = append(vals, ratio(sv, m.Value(rs, p)))
		}
		fmt.Fprintf(w, "| %s | %s |\n", m.Label, strings.Join(vals, " | "))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Ratios are Cadang's value divided by the peer's: below 1 is better for times, sizes and")
	fmt.Fprintln(w, "memory, above 1 is better for throughput. MB = 10^6 bytes; repository sizes are `du -sb`.")
	fmt.Fprintln(w)
}

// cellOrFailure shows a failed step as such rather than as a blank.
func cellOrFailure(rs results, tool string, m metric, v float64) string {
	if math.IsNaN(v) {
		for _, p := range allSteps {
			if meas, found := rs.get(tool, p); found && meas.Exit != 0 && strings.Contains(strings.ToLower(m.Label), phaseWord(p)) {
				return fmt.Sprintf("failed (exit %d)", meas.Exit)
			}
		}
	}
	return cell(v, m.Format)
}

func phaseWord(phase string) string {
	switch phase {
	case "backup1":
		return "initial"
	case "backup2":
		return "no-change"
	case "backup3":
		return "mutation"
	case "open":
		return "open and list"
	case "verify":
		return "verify every"
	case "forget":
		return "forget 2"
	case "prune":
		return "prune after"
	}
	return phase
}
