#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of `make bench` (GH_MODE=bench in guest-init.sh, busybox
# ash): drives goheap_bench.ko through /sys/kernel/debug/goheap_bench/run.
# /etc/goheap-vm.conf sets
#
#   GH_BENCH_SET     single: the one-CPU patterns (run under icount)
#                    multi:  remote, parallel and the collector's mark and
#                            pause benchmarks (multi-threaded TCG)
#   GH_BENCH_SCALE   operation counts in percent (module parameter scale)
#   GH_BENCH_ROUNDS  timed rounds per measurement (module parameter rounds)
#
# The results are the module's "goheap_bench: result ..." kernel log lines.
# This script adds BENCH-CMD / BENCH-FAIL markers and, after each gc_pause,
# the domain's debugfs statistics: "GCSTAT <domain> <line>" and its pause
# list (PauseNs, the last 256 pauses, oldest first) as
# "GCPAUSE <domain> <ns>..." lines of 16 values.

GH_BENCH_SET=single
GH_BENCH_SCALE=
GH_BENCH_ROUNDS=
# shellcheck disable=SC1091
. /etc/goheap-vm.conf

RUN=/sys/kernel/debug/goheap_bench/run
PARAM=/sys/module/goheap_bench/parameters
GCTRACE=/sys/module/goheap/parameters/gctrace
status=0

[ -w "$RUN" ] || { echo "BENCH-FAIL no $RUN (goheap_bench not loaded?)"; exit 1; }
[ -z "$GH_BENCH_SCALE" ] || echo "$GH_BENCH_SCALE" >"$PARAM/scale"
[ -z "$GH_BENCH_ROUNDS" ] || echo "$GH_BENCH_ROUNDS" >"$PARAM/rounds"

cmd() {
	echo "BENCH-CMD $*"
	if ! echo "$*" >"$RUN"; then
		echo "BENCH-FAIL $*"
		status=1
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
case $GH_BENCH_SET in
single)
	for c in calib pair batch churn gc_alloc gc_section gc_barrier; do
		cmd "$c"
	done
	;;
multi)
	cmd remote
	cmd parallel
	# gctrace splits each collection into its pauses and mark phase
	[ ! -w "$GCTRACE" ] || echo 1 >"$GCTRACE"
	cmd gc_mark
	[ ! -w "$GCTRACE" ] || echo 0 >"$GCTRACE"
	for n in 1000 10000 100000 1000000; do
		cmd gc_pause "$n"
		gc_stats ghb_pause
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
