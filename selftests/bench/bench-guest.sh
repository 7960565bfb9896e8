#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of `make bench` (GH_MODE=bench in guest-init.sh, busybox
# ash): drives goheap_bench.ko through /sys/kernel/debug/goheap_bench/run.
# /etc/goheap-vm.conf sets
#
#   GH_BENCH_SET     single: the one-CPU patterns (run under icount),
#                            the collector's mark cost among them
#                    multi:  remote, parallel, gc_parallel and the
#                            collector's mark and pause benchmarks
#                            (multi-threaded TCG)
#   GH_BENCH_SCALE   operation counts in percent (module parameter scale)
#   GH_BENCH_ROUNDS  timed rounds per measurement (module parameter rounds)
#   GH_BENCH_CMDS    if set, these commands (";"-separated) instead of the
#                    set's, e.g. "churn;gc_pause 1000" (for experiments)
#   GH_BENCH_STATS   1: after each command, "GHSTAT" lines with how many
#                    spans goheap's per-CPU caches took from (refills) and
#                    gave back to (flushes) the central lists meanwhile
#
# The results are the module's "goheap_bench: result ..." kernel log lines.
# This script adds BENCH-CMD / BENCH-FAIL markers and, after each gc_pause,
# the domain's debugfs statistics: "GCSTAT <domain> <line>" and its pause
# list (PauseNs, the last 256 pauses, oldest first) as
# "GCPAUSE <domain> <ns>..." lines of 16 values.

GH_BENCH_SET=single
GH_BENCH_SCALE=
GH_BENCH_ROUNDS=
GH_BENCH_CMDS=
GH_BENCH_STATS=0
# shellcheck disable=SC1091
. /etc/goheap-vm.conf

RUN=/sys/kernel/debug/goheap_bench/run
PARAM=/sys/module/goheap_bench/parameters
GCTRACE=/sys/module/goheap/parameters/gctrace
status=0

[ -w "$RUN" ] || { echo "BENCH-FAIL no $RUN (goheap_bench not loaded?)"; exit 1; }
[ -z "$GH_BENCH_SCALE" ] || echo "$GH_BENCH_SCALE" >"$PARAM/scale"
[ -z "$GH_BENCH_ROUNDS" ] || echo "$GH_BENCH_ROUNDS" >"$PARAM/rounds"

# "refills flushes", summed over the CPUs
span_moves() {
	awk 'NR > 1 { r += $4; f += $5 } END { print r + 0, f + 0 }' \
		/sys/kernel/debug/goheap/percpu 2>/dev/null
}

cmd() {
	echo "BENCH-CMD $*"
	[ "$GH_BENCH_STATS" != 1 ] || before=$(span_moves)
	# gc_mark and gc_mark_cost read the mark phase from gctrace's lines
	trace=0
	case $1 in gc_mark*) [ ! -w "$GCTRACE" ] || trace=1 ;; esac
	[ "$trace" = 0 ] || echo 1 >"$GCTRACE"
	if ! echo "$*" >"$RUN"; then
		echo "BENCH-FAIL $*"
		status=1
	fi
	[ "$trace" = 0 ] || echo 0 >"$GCTRACE"
	if [ "$GH_BENCH_STATS" = 1 ]; then
		# shellcheck disable=SC2046,SC2086 # two numbers each
		set -- $before $(span_moves)
		echo "GHSTAT refills=$(($3 - $1)) flushes=$(($4 - $2))"
	fi
}

gc_stats() {
	f=/sys/kernel/debug/goheap/gc/$1/stats
	if [ ! -r "$f" ]; then
		echo "BENCH-FAIL no $f"
		status=1
		return
	fi
	grep -v '^PauseNs' "$f" | sed "s/^/GCSTAT $1 /"
	grep '^PauseNs' "$f" | tr ' ' '\n' | tail -n +2 | xargs -n 16 echo "GCPAUSE $1"
}

echo "BENCH-SET $GH_BENCH_SET cpus=$(nproc)"
# objects per slab of the kmalloc caches pair and batch meet (report.py's
# estimate of SLUB's interrupt-disabling and atomic instructions)
for c in 8 16 32 64 96 128 192 256 512 1k 2k 4k 8k; do
	f=/sys/kernel/slab/kmalloc-$c/objs_per_slab
	[ ! -r "$f" ] || echo "SLABINFO kmalloc-$c $(cat "$f")"
done
if [ -n "$GH_BENCH_CMDS" ]; then
	GH_BENCH_SET=cmds
	IFS=';'
	# shellcheck disable=SC2086 # split at ";" on purpose
	set -- $GH_BENCH_CMDS
	unset IFS
	for c in "$@"; do
		# shellcheck disable=SC2086 # "gc_pause N": command and argument
		cmd $c
	done
fi
case $GH_BENCH_SET in
cmds)
	;;
single)
	for c in calib pair batch bulk churn burst footprint latency gc_alloc gc_section gc_barrier \
		gc_mark_cost; do
		cmd "$c"
	done
	;;
multi)
	cmd remote
	cmd parallel
	cmd gc_parallel
	cmd gc_mark
	for n in 1000 10000 100000 1000000; do
		cmd gc_pause "$n"
		gc_stats ghb_pause
		cmd gc_pause_quiet "$n"
	done
	cmd gc_release
	;;
*)
	echo "BENCH-FAIL unknown GH_BENCH_SET=$GH_BENCH_SET"
	status=1
	;;
esac
echo "BENCH-END status=$status"
exit "$status"
