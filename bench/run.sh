#!/usr/bin/env bash
# make bench: measure Cadang, restic and borg on the same generated data in
# one run and write docs/BENCHMARKS.md (method and findings are there).
#
#   bash bench/run.sh                     # the full ~2 GiB run
#   BENCH_SIZE=200M bash bench/run.sh     # a quick run
#
# Environment (all optional):
#   BENCH_DIR    work directory (default .bench): data, repositories, logs
#   BENCH_SIZE   data set size for bench/gen (default 2G)
#   BENCH_SCALE  the scale case: this many more small files (1–8 KiB, in a deep
#                tree), e.g. 300k; its results go to their own section of the report
#   BENCH_TREE   the real-tree case: copy these folders (e.g. "/usr/share /usr/lib")
#                instead of generating data; initial and no-change backups, the
#                restore, open and verify; its results go to their own section
#   BENCH_SEED   data set seed (default 1)
#   BENCH_TOOLS  tools to measure (default "cadang restic borg")
#   BENCH_ROUNDS repeat the whole measurement N times (default 1); the report
#                shows the median of each figure
#   BENCH_CACHE  warm (default): the tree is in the page cache for every step;
#                cold: sync and drop the page cache before every timed step (root)
#   BENCH_NICE   run the measured commands under `nice -n N ionice -c2 -n0`
#                (e.g. -10 on a shared machine, so other load disturbs less; root)
#   BENCH_OUT    report to write (default docs/BENCHMARKS.md; "-" for none)
#   BENCH_CADANG auto (default), cli or engine: what runs Cadang (see build_tools)
#   CADANG_BIN   a prebuilt cadang instead of `go build -o $BENCH_DIR/cadang .`
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-$ROOT/.bench}
BENCH_SIZE=${BENCH_SIZE:-2G}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_TOOLS=${BENCH_TOOLS:-cadang restic borg}
BENCH_CACHE=${BENCH_CACHE:-warm}
BENCH_ROUNDS=${BENCH_ROUNDS:-1}
BENCH_OUT=${BENCH_OUT:-$ROOT/docs/BENCHMARKS.md}
BENCH_SCALE=${BENCH_SCALE:-0}
BENCH_TREE=${BENCH_TREE:-}
if [ -n "$BENCH_TREE" ] && [ "$BENCH_SCALE" != 0 ]; then
	echo "bench: BENCH_TREE and BENCH_SCALE are separate cases: set one" >&2
	exit 2
fi
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)

DATA=$BENCH_DIR/data
REPOS=$BENCH_DIR/repos
RESTORES=$BENCH_DIR/restore
TRASH=$BENCH_DIR/trash
LOGS=$BENCH_DIR/logs
RESULTS=$BENCH_DIR/results.tsv
META=$BENCH_DIR/meta.env
PASSFILE=$BENCH_DIR/password

log() { printf '%s bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# meta records a fact for the report (one key=value line).
meta() { printf '%s=%s\n' "$1" "$2" >>"$META"; }

install_peers() {
	local missing=()
	command -v restic >/dev/null || missing+=(restic)
	command -v borg >/dev/null || missing+=(borgbackup)
	command -v /usr/bin/time >/dev/null || missing+=(time)
	[ ${#missing[@]} -eq 0 ] && return
	log "installing ${missing[*]} from Debian"
	[ "$(id -u)" -eq 0 ] || die "need root to apt-get install ${missing[*]}"
	# Other jobs may hold the dpkg lock for a while: wait instead of failing.
	apt-get -o DPkg::Lock::Timeout=600 update -qq
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
}

# build_tools builds the generator and cadang. BENCH_CADANG=cli measures the
# cadang binary, engine measures bench/engineprof (the engine API behind the
# same arguments, no window build), auto (default) the first that passes a
# smoke test. Cadang is dropped from the tools when neither works.
build_tools() {
	(cd "$ROOT" && go build -o "$BENCH_DIR/gen" ./bench/gen) || die "build bench/gen"
	# Open, verify, forget and prune run through the engine API: the command
	# line's forget and prune need a workspace account (--as).
	ENGINEPROF=$BENCH_DIR/engineprof
	(cd "$ROOT" && go build -o "$ENGINEPROF" ./bench/engineprof) || die "build bench/engineprof"
	case " $BENCH_TOOLS " in *" cadang "*) ;; *) return ;; esac
	local mode=${BENCH_CADANG:-auto}
	if [ -n "${CADANG_BIN:-}" ]; then
		CADANG=$CADANG_BIN
		smoke_cadang && { meta cadang_binary "$CADANG_BIN"; return; }
		drop_cadang "$CADANG_BIN failed its init/backup/restore smoke test (see $LOGS/cadang-smoke.log)"
		return
	fi
	if [ "$mode" != engine ]; then
		CADANG=$BENCH_DIR/cadang
		log "building cadang (a first build compiles Fyne: minutes)"
		if (cd "$ROOT" && go build -o "$CADANG" .) >"$LOGS/cadang-build.log" 2>&1 && smoke_cadang; then
			meta cadang_binary "cadang (the command line)"
			return
		fi
		log "cadang's command line does not build or fails the smoke test (see $LOGS/cadang-build.log, $LOGS/cadang-smoke.log)"
		[ "$mode" = cli ] && { drop_cadang "the cadang command line failed"; return; }
	fi
	CADANG=$BENCH_DIR/engineprof
	if (cd "$ROOT" && go build -o "$CADANG" ./bench/engineprof) >"$LOGS/engineprof-build.log" 2>&1 && smoke_cadang; then
		meta cadang_binary "bench/engineprof (the engine API with cadang's arguments; the command line was not used)"
		return
	fi
	drop_cadang "neither the command line nor bench/engineprof passed the smoke test (see $LOGS)"
}

# smoke_cadang checks that $CADANG can init, back up and restore a tiny tree.
smoke_cadang() {
	local t=$BENCH_DIR/smoke rc=0
	rm -rf "$t" && mkdir -p "$t/src/d" && echo smoke >"$t/src/d/f"
	{ "$CADANG" init --repo "$t/repo" --password-file "$PASSFILE" &&
		"$CADANG" backup --repo "$t/repo" --password-file "$PASSFILE" "$t/src" &&
		"$CADANG" restore --repo "$t/repo" --password-file "$PASSFILE" --snapshot latest --target "$t/out" &&
		diff -r "$t/src" "$t/out/src"; } >"$LOGS/cadang-smoke.log" 2>&1 || rc=$?
	rm -rf "$t"
	return $rc
}

drop_cadang() {
	log "cadang not measured: $1"
	meta cadang_skipped "$1"
	BENCH_TOOLS=$(echo " $BENCH_TOOLS " | sed 's/ cadang / /')
}

# settle makes every timed step start alike: dirty pages of the previous
# step written out, and the page cache warm or dropped as asked.
settle() {
	sync
	if [ "$BENCH_CACHE" = cold ]; then
		echo 3 >/proc/sys/vm/drop_caches
	fi
}

# warm_tree reads the data set once so a warm run starts with it cached.
warm_tree() {
	[ "$BENCH_CACHE" = warm ] || return 0
	find "$DATA" -type f -print0 | xargs -0 cat >/dev/null
}

# measure TOOL PHASE CMD...: run CMD under /usr/bin/time and append
# tool, phase, exit status, seconds, peak RSS (KiB), user and system seconds.
measure() {
	local tool=$1 phase=$2 rc=0
	shift 2
	settle
	log "$tool $phase"
	local prio=()
	[ -n "${BENCH_NICE:-}" ] && prio=(nice -n "$BENCH_NICE" ionice -c2 -n0)
	/usr/bin/time -f '%e %M %U %S' -o "$BENCH_DIR/time.txt" "${prio[@]}" "$@" \
		>"$LOGS/$tool-$phase.out" 2>"$LOGS/$tool-$phase.err" || rc=$?
	local e m u s
	read -r e m u s < <(tail -n 1 "$BENCH_DIR/time.txt")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$phase" "$rc" "$e" "$m" "$u" "$s" >>"$RESULTS"
	if [ "$rc" -ne 0 ]; then
		log "$tool $phase FAILED (exit $rc): $(tail -n 3 "$LOGS/$tool-$phase.err" | tr '\n' ' ')"
	fi
	return 0
}

# record TOOL KEY VALUE: a number that is not a timing (sizes, counts).
record() { printf '%s\t%s\t0\t%s\t0\t0\t0\n' "$1" "$2" "$3" >>"$RESULTS"; }

repo_size() { du -sb "$REPOS/$1" | cut -f1; }
data_bytes() { find "$DATA" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }

# Each tool: init, backup N (N = 1, 2, 3), restore TARGET; restored_root
# says where the data set lands under the target.
export RESTIC_PASSWORD_FILE=$PASSFILE
export BORG_PASSCOMMAND="cat $PASSFILE" BORG_BASE_DIR=$BENCH_DIR/borg-base
export BORG_RELOCATED_REPO_ACCESS_IS_OK=yes BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes

tool_init() {
	case $1 in
	cadang) "$CADANG" init --repo "$REPOS/cadang" --password-file "$PASSFILE" ;;
	restic) restic --cache-dir "$BENCH_DIR/restic-cache" init -r "$REPOS/restic" ;;
	borg) borg init --encryption=repokey "$REPOS/borg" ;;
	esac
}

tool_backup() {
	local n=$2
	case $1 in
	cadang) measure cadang "backup$n" "$CADANG" backup --repo "$REPOS/cadang" --password-file "$PASSFILE" --json "$DATA" ;;
	restic) measure restic "backup$n" restic --cache-dir "$BENCH_DIR/restic-cache" -r "$REPOS/restic" \
		backup --compression auto --host bench --json "$DATA" ;;
	borg) measure borg "backup$n" env -C "$BENCH_DIR" borg create --compression lz4 --stats --json \
		"$REPOS/borg::b$n" data ;;
	esac
	record "$1" "repo$n" "$(repo_size "$1")"
}

tool_restore() {
	local target=$RESTORES/$1
	mkdir -p "$target"
	case $1 in
	cadang) measure cadang restore "$CADANG" restore --repo "$REPOS/cadang" --password-file "$PASSFILE" \
		--snapshot latest --target "$target" --json ;;
	restic) measure restic restore restic --cache-dir "$BENCH_DIR/restic-cache" -r "$REPOS/restic" \
		restore latest --target "$target" ;;
	borg) measure borg restore env -C "$target" borg extract "$REPOS/borg::b$LAST_BACKUP" ;;
	esac
}

# tool_check TOOL: open the repository and list the top folder, then
# verify every byte.
tool_check() {
	local r=$REPOS/$1 rc=(restic --cache-dir "$BENCH_DIR/restic-cache" -r "$REPOS/restic")
	case $1 in
	cadang)
		measure cadang open "$ENGINEPROF" open --repo "$r" --password-file "$PASSFILE"
		measure cadang verify "$ENGINEPROF" verify --repo "$r" --password-file "$PASSFILE"
		;;
	restic)
		measure restic open "${rc[@]}" ls latest /no-such-folder
		measure restic verify "${rc[@]}" check --read-data
		;;
	borg) measure borg verify borg check --verify-data "$r" ;;
	esac
}

# tool_maintain TOOL: tool_check, then forget half of the four snapshots
# and prune.
tool_maintain() {
	local r=$REPOS/$1 rc=(restic --cache-dir "$BENCH_DIR/restic-cache" -r "$REPOS/restic")
	tool_check "$1"
	case $1 in
	cadang)
		measure cadang forget "$ENGINEPROF" forget --repo "$r" --password-file "$PASSFILE" --keep-last 2
		measure cadang prune "$ENGINEPROF" prune --repo "$r" --password-file "$PASSFILE"
		;;
	restic)
		measure restic forget "${rc[@]}" forget --keep-last 2
		measure restic prune "${rc[@]}" prune
		;;
	borg)
		measure borg forget borg prune --keep-last 2 "$r"
		measure borg prune borg compact "$r"
		;;
	esac
	record "$1" repo_pruned "$(repo_size "$1")"
}

restored_root() {
	case $1 in
	restic) echo "$RESTORES/restic$DATA" ;; # restic keeps the absolute path
	*) echo "$RESTORES/$1/data" ;;          # cadang: base name; borg: the relative path given
	esac
}

# cadang_version names the build: version, commit, and whether engine/ or
# cli/ had uncommitted changes (the build is of the work tree).
cadang_version() {
	local v rev
	v=$("$CADANG" version 2>&1 | head -n1) || true
	rev=$(cd "$ROOT" && git rev-parse --short HEAD)
	if [ -n "$(cd "$ROOT" && git status --porcelain -- engine cli main.go)" ]; then
		rev="$rev with uncommitted changes in engine/ or cli/"
	fi
	echo "${v:-cadang (no version)} (commit $rev)"
}

versions() {
	meta go "$(go version | cut -d' ' -f3-)"
	meta restic "$(restic version | head -n1)"
	meta borg "$(borg --version)"
	case " $BENCH_TOOLS " in *" cadang "*) meta cadang "$(cadang_version)" ;; esac
	meta cpu "$(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(nproc) cores"
	meta memory "$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
	meta kernel "$(uname -sr)"
	meta os "$(. /etc/os-release && echo "$PRETTY_NAME")"
	meta filesystem "$(df -T "$BENCH_DIR" | awk 'NR==2 {print $2 " on " $1}')"
}

# one_round measures every tool on a freshly generated data set. Trees of
# many files from the round before are moved aside, not deleted (see
# delete_trees); repositories and caches hold few files and are removed.
one_round() {
	mkdir -p "$TRASH"
	local t
	for t in "$DATA" "$RESTORES"; do
		[ -e "$t" ] && mv "$t" "$TRASH/$(basename "$t")-$1-$(date +%s%N)"
	done
	rm -rf "$REPOS" "$BENCH_DIR/restic-cache" "$BENCH_DIR/borg-base"
	mkdir -p "$REPOS" "$RESTORES"
	if [ -n "$BENCH_TREE" ]; then
		tree_round "$1"
		return
	fi
	LAST_BACKUP=3
	log "round $1: generating $BENCH_SIZE of data (seed $BENCH_SEED)"
	meta dataset "$("$BENCH_DIR/gen" -out "$DATA" -size "$BENCH_SIZE" -seed "$BENCH_SEED" -scale "$BENCH_SCALE")"
	meta data_bytes "$(data_bytes)"
	meta data_files "$(find "$DATA" -type f | wc -l)"
	for t in $BENCH_TOOLS; do tool_init "$t" >"$LOGS/$t-init.log" 2>&1 || die "$t init failed: see $LOGS/$t-init.log"; done
	warm_tree
	for t in $BENCH_TOOLS; do tool_backup "$t" 1; done
	for t in $BENCH_TOOLS; do tool_backup "$t" 2; done

	log "mutating about 1% of the data"
	meta mutation "$("$BENCH_DIR/gen" -out "$DATA" -seed "$BENCH_SEED" -mutate -round 1)"
	meta data_bytes_after "$(data_bytes)"
	warm_tree
	for t in $BENCH_TOOLS; do tool_backup "$t" 3; done

	wait_after_delete
	restore_and_compare

	# A fourth snapshot, then the maintenance steps on four snapshots.
	meta mutation2 "$("$BENCH_DIR/gen" -out "$DATA" -seed "$BENCH_SEED" -mutate -round 2)"
	warm_tree
	for t in $BENCH_TOOLS; do tool_backup "$t" 4; done
	for t in $BENCH_TOOLS; do tool_maintain "$t"; done
}

# tree_round measures every tool on a copy of real folders (BENCH_TREE):
# real file sizes, names, links and hard links, which generated data only
# imitates. Nothing is mutated: an initial and a no-change backup, the
# restore (compared with diff), opening and verifying the repository.
tree_round() {
	log "round $1: copying $BENCH_TREE"
	mkdir -p "$DATA"
	local src
	for src in $BENCH_TREE; do
		cp -a "$src" "$DATA/" || die "cannot copy $src"
	done
	meta dataset "a copy of $BENCH_TREE ($(find "$DATA" -type f | wc -l) files, $(find "$DATA" -type d | wc -l) folders, $(find "$DATA" -type l | wc -l) symlinks, $(find "$DATA" -type f -links +1 | wc -l) files with more than one name)"
	meta data_bytes "$(data_bytes)"
	meta data_bytes_after "$(data_bytes)"
	meta data_files "$(find "$DATA" -type f | wc -l)"
	LAST_BACKUP=2
	for t in $BENCH_TOOLS; do tool_init "$t" >"$LOGS/$t-init.log" 2>&1 || die "$t init failed: see $LOGS/$t-init.log"; done
	warm_tree
	for t in $BENCH_TOOLS; do tool_backup "$t" 1; done
	for t in $BENCH_TOOLS; do tool_backup "$t" 2; done
	wait_after_delete
	restore_and_compare
	for t in $BENCH_TOOLS; do tool_check "$t"; done
}

# restore_and_compare restores the last snapshot with every tool and
# compares each copy with the data.
restore_and_compare() {
	local t
	for t in $BENCH_TOOLS; do
		tool_restore "$t"
		if diff -r --no-dereference "$DATA" "$(restored_root "$t")" >"$LOGS/$t-diff.log" 2>&1; then
			record "$t" restore_identical 1
		else
			record "$t" restore_identical 0
			log "$t restore differs from the data: see $LOGS/$t-diff.log"
		fi
	done
}

# check_space refuses, before measuring anything, a run the disk cannot
# hold: each round keeps its data set and every tool's restored copy until
# the end (see delete_trees), and the repositories of the round take about
# one data set per tool. A five-round run of the 2 GiB case needs ~48 GB; one
# that ran out of space half-way left nothing to report.
check_space() {
	local data ntools need avail
	data=$(numfmt --from=iec "$BENCH_SIZE") || die "BENCH_SIZE=$BENCH_SIZE is not a size"
	if [ -n "$BENCH_TREE" ]; then
		# shellcheck disable=SC2086 # a list of folders
		data=$(du -sbc $BENCH_TREE 2>/dev/null | tail -n 1 | cut -f1) || die "BENCH_TREE=$BENCH_TREE: a folder is missing or unreadable"
	fi
	if [ "$BENCH_SCALE" != 0 ]; then
		data=$((data + $(numfmt --from=si "${BENCH_SCALE^^}") * 4608)) # 1–8 KiB files, 4.5 KiB on average
	fi
	ntools=$(wc -w <<<"$BENCH_TOOLS")
	need=$((BENCH_ROUNDS * data * (1 + ntools) + data * ntools))
	# The last run's data set (and an interrupted run's restores) are moved
	# aside by the first round, not deleted: they stay until the end too.
	local t
	for t in "$DATA" "$RESTORES"; do
		if [ -e "$t" ]; then need=$((need + $(du -sb "$t" | cut -f1))); fi
	done
	avail=$(df -B1 --output=avail "$BENCH_DIR" | tail -n 1)
	if [ "$avail" -lt "$need" ]; then
		die "$BENCH_ROUNDS round(s) of $(numfmt --to=si "$data")B of data need about $(numfmt --to=si "$need")B in $BENCH_DIR (each round keeps its data and restored trees until the end); $(numfmt --to=si "$avail")B are free: free some, or lower BENCH_ROUNDS"
	fi
}

# delete_trees removes trees of many files and notes when, in a file that
# outlives the run. This ext4 has no journal, and then it does not reuse an
# inode freed in the last 60 s, or 6 minutes while its inode-table block is
# dirty (fs/ext4/ialloc.c, recently_deleted): for minutes after an rm -rf of
# 20,000 files, creating files scans past the freed inodes and costs several
# times the CPU. So a run deletes nothing while it measures (it moves trees
# aside and deletes them at its end), and restores wait until 6 minutes
# after the last mass delete of an earlier run.
delete_trees() {
	rm -rf "$@"
	sync
	date +%s >"$BENCH_DIR/last-delete"
}

wait_after_delete() {
	local last left
	last=$(cat "$BENCH_DIR/last-delete" 2>/dev/null || echo 0)
	left=$((last + 365 - $(date +%s)))
	if [ "$left" -gt 0 ]; then
		log "waiting ${left}s before the restores (ext4 avoids inodes freed in the last minutes)"
		sleep "$left"
	fi
}

main() {
	rm -rf "$LOGS"
	mkdir -p "$LOGS"
	: >"$RESULTS"
	: >"$META"
	[ -f "$PASSFILE" ] || echo "bench-password-$(date +%s)" >"$PASSFILE"
	# Leftovers of an interrupted run; the restores below wait if needed.
	if [ -e "$TRASH" ]; then delete_trees "$TRASH"; fi
	check_space
	install_peers
	build_tools
	meta started "$(date -u '+%Y-%m-%d %H:%M UTC')"
	meta load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
	meta cache "$BENCH_CACHE"
	meta nice "${BENCH_NICE:-}"
	meta rounds "$BENCH_ROUNDS"
	meta size_arg "$BENCH_SIZE"
	meta scale "$BENCH_SCALE"
	meta tree "$BENCH_TREE"
	meta seed "$BENCH_SEED"
	meta tools "$BENCH_TOOLS"
	versions
	for round in $(seq 1 "$BENCH_ROUNDS"); do one_round "$round"; done
	meta load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
	delete_trees "$TRASH" "$RESTORES" "$REPOS" "$BENCH_DIR/restic-cache" "$BENCH_DIR/borg-base"
	meta finished "$(date -u '+%Y-%m-%d %H:%M UTC')"

	if [ "$BENCH_OUT" != - ]; then
		(cd "$ROOT" && go run ./bench/report -results "$RESULTS" -meta "$META" -out "$BENCH_OUT")  # section by meta scale
		log "wrote $BENCH_OUT"
	fi
	column -t -s $'\t' "$RESULTS" >&2
}

main "$@"
