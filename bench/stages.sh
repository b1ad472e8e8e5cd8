#!/usr/bin/env bash
# stages.sh BINARY PROFILE: split a CPU profile of a backup or restore into
# the pipeline's stages (read, chunk, hash, compress, encrypt, write, …), so
# BENCHMARKS.md can say which stage bounds a case.
#
#   BENCH_PROFILE_DIR=.bench/prof .bench/engineprof backup --repo R DATA
#   bash bench/stages.sh .bench/engineprof .bench/prof/backup-cpu.pprof
#
# A sample counts for the first stage whose pattern matches a frame of its
# stack (pprof -focus), so the stages do not overlap; "other" is the rest
# (walking, trees, index, scheduling).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: stages.sh BINARY PROFILE" >&2; exit 2; }
bin=$1 prof=$2

# Order matters: the first match wins (write before compress: a pack save
# runs inside the blob worker that compressed the blob; allocation and GC
# before the stage that allocated).
stages=(
	"write|syscall.write$|syscall.Fsync|syscall.pwrite|(\\*File).Sync|(\\*File).Write"
	"read|syscall.read$|syscall.pread|(\\*File).Read"
	"alloc+gc|runtime.mallocgc|runtime.memclr|runtime.gcBgMarkWorker|runtime.gcDrain|runtime.bgsweep|runtime.bgscavenge|runtime.madvise"
	"chunk|engine.\\(\\*chunker\\).cut"
	"compress|lz4block.\\(\\*Compressor\\)|lz4block.CompressBlock|lz4c.\\(\\*Compressor\\)"
	"decompress|lz4block.decodeBlock|lz4block.UncompressBlock|lz4.UncompressBlock"
	"hash-sha256|sha256"
	"hash-blake3|blake3"
	"encrypt|gcm|aes|chacha"
	"copy|runtime.memmove"
	"syscalls-other|syscall.Syscall|syscall.RawSyscall"
)

total() { go tool pprof -top -nodecount=1 "$@" 2>/dev/null | sed -n 's/.*of \([0-9.]*\)\(m\?s\) total.*/\1 \2/p' | head -n1; }
seconds() { # "12.3 s" or "450 ms" -> seconds
	awk '{ v = $1; if ($2 == "ms") v /= 1000; printf "%.2f", v }'
}
# focused VALUE: the samples matching -focus, minus earlier stages.
focused() {
	go tool pprof -top -nodecount=1000000 "$@" 2>/dev/null |
		sed -n 's/^Showing nodes accounting for \([0-9.]*\)\(m\?s\),.*/\1 \2/p' | head -n1
}

all=$(total "$bin" "$prof" | seconds)
printf '%-15s %8s %6s\n' stage cpu-s share
ignore=""
sum=0
for s in "${stages[@]}"; do
	name=${s%%|*} re=${s#*|}
	args=(-focus "$re")
	[ -n "$ignore" ] && args+=(-ignore "$ignore")
	v=$(focused "${args[@]}" "$bin" "$prof" | seconds)
	v=${v:-0}
	printf '%-15s %8s %5.1f%%\n' "$name" "$v" "$(awk -v a="$v" -v t="$all" 'BEGIN{print (t>0)?100*a/t:0}')"
	sum=$(awk -v a="$sum" -v b="$v" 'BEGIN{print a+b}')
	ignore=${ignore:+$ignore|}$re
done
other=$(awk -v a="$all" -v s="$sum" 'BEGIN{printf "%.2f", a-s}')
printf '%-15s %8s %5.1f%%\n' other "$other" "$(awk -v a="$other" -v t="$all" 'BEGIN{print (t>0)?100*a/t:0}')"
printf '%-15s %8s\n' total "$all"
