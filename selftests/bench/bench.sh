#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: goheap against kmalloc and kmem_cache, side by side, in
# Debian's stock kernel under QEMU/TCG. Documentation/benchmarks.rst says
# what each pattern does and how to read the figures.
#
#  1. Builds goheap.ko and goheap_bench.ko against the stock headers (W=1).
#  2. For init_on_alloc at the stock default and at 0 (kernel command line):
#     - two boots ("run 1", "run 2") with -icount shift=0,align=off,sleep=off
#       and -smp 1 for the one-CPU patterns: guest time is instructions,
#       so these boots run side by side without disturbing each other;
#     - one boot with -accel tcg,thread=multi -smp 2 for remote, parallel,
#       gc_parallel and the collector's mark and pause benchmarks, alone
#       on the host.
#  3. Prints a table and writes build/bench/results.json (a JSON array)
#     and build/bench/results.txt (report.py, which also runs alone on the
#     logs); the serial logs are build/bench/*.log.
#
# Environment (and KERNEL=6.1, 6.12 or 6.12-rt: which Debian kernel):
#   GOHEAP_BENCH_SCALE   operation counts in percent of the defaults (100)
#   GOHEAP_BENCH_ROUNDS  timed rounds per measurement, median kept (5)
#   GOHEAP_BENCH_ONLY    single or multi: only those boots
#   GOHEAP_BENCH_INIT    init_on_alloc settings, "default 0" by default
#   GOHEAP_BENCH_CMDS    only these bench commands, ";"-separated (e.g.
#                        "pair;batch"), for experiments
#   GOHEAP_VM_MEM        guest memory in MiB (2048)
#   GOHEAP_INSMOD_ARGS   goheap.ko parameters (e.g. "debug=all", to price
#                        debug mode)
# Exit status 1 if the build, a boot or a benchmark failed; goals that are
# not met are reported, never an error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/vm.sh
. "$here/../vm.sh"

out=$GH_BUILD/bench
scale=${GOHEAP_BENCH_SCALE:-100}
rounds=${GOHEAP_BENCH_ROUNDS:-5}
only=${GOHEAP_BENCH_ONLY:-}
inits=${GOHEAP_BENCH_INIT:-default 0}
export GOHEAP_VM_MEM=${GOHEAP_VM_MEM:-2048}
ICOUNT_ACCEL="-accel tcg,thread=single -icount shift=0,align=off,sleep=off"
MULTI_ACCEL="-accel tcg,thread=multi"

t_start=$(date +%s)
mkdir -p "$out"
rm -f "$out"/*.log "$out"/*.status "$out"/results.json "$out"/results.txt

gh_stock_kernel "${KERNEL:-6.1}"
kver=${GH_STOCK_IMAGE#/boot/vmlinuz-}
gh_build_or_die bench "$GH_STOCK_KDIR" "$out/modules"
kos=("$(gh_ko "$out/modules" goheap)" "$(gh_ko "$out/modules" goheap_bench)")
for ko in "${kos[@]}"; do
	[ -f "$ko" ] || gh_die "$ko was not built"
done
stock_ioa=0
if grep -q '^CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y' "/boot/config-$kver" 2>/dev/null; then
	stock_ioa=1
fi
echo "bench: kernel $kver (CONFIG_INIT_ON_ALLOC_DEFAULT_ON: $stock_ioa)," \
	"scale $scale %, $rounds rounds"

# bench_boot NAME SET INIT: one guest; its status file says "rc seconds".
bench_boot() {
	local name=$1 set=$2 init=$3 append='' accel smp rc=0 t0
	[ "$init" = default ] || append="init_on_alloc=$init"
	if [ "$set" = single ]; then
		accel=$ICOUNT_ACCEL smp=1
	else
		# the TSC as clock: TCG's counts the host's time on every vCPU
		# alike, but the guest's check calls it unsynchronized and falls
		# back to the HPET, whose reads in QEMU take the big lock
		accel=$MULTI_ACCEL smp=2 append="$append tsc=reliable"
	fi
	t0=$(date +%s)
	GH_QEMU_ACCEL=$accel GH_QEMU_SMP=$smp gh_guest "$out" "$name" \
		"$GH_STOCK_IMAGE" 3600 "$append" "${kos[@]}" <<EOF || rc=$?
GH_MODE=bench
GH_KERNEL=stock-$GH_STOCK_SERIES
GH_MODULES="goheap goheap_bench"
GH_TEST_TIMEOUT=3000
GH_BENCH_SET=$set
GH_BENCH_SCALE=$scale
GH_BENCH_ROUNDS=$rounds
GH_BENCH_CMDS='${GOHEAP_BENCH_CMDS:-}'
GH_GOHEAP_ARGS='${GOHEAP_INSMOD_ARGS:-}'
EOF
	echo "$rc $(($(date +%s) - t0))" >"$out/$name.status"
	rm -rf "$out/$name.cpio.gz" "$out/$name.cpio.gz.d"
}

boots=()	# name:init (init_on_alloc asked for), as report.py takes them
if [ "$only" != multi ]; then
	echo "bench: one-CPU patterns under icount: $(wc -w <<<"$inits") settings x 2 runs, side by side"
	t0=$(date +%s)
	pids=()
	for init in $inits; do
		for run in 1 2; do
			name=single-ioa$init-run$run
			boots+=("$name:$init")
			bench_boot "$name" single "$init" &
			pids+=($!)
		done
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || true
	done
	echo "bench: icount boots done in $(($(date +%s) - t0)) s"
fi
if [ "$only" != single ]; then
	for init in $inits; do
		name=multi-ioa$init
		boots+=("$name:$init")
		echo "bench: multi-CPU patterns, init_on_alloc=$init (multi-threaded TCG, -smp 2)"
		bench_boot "$name" multi "$init"
		echo "bench: $name done in $(cut -d' ' -f2 "$out/$name.status") s"
	done
fi

# Every guest must have finished cleanly.
status=0
for b in "${boots[@]}"; do
	name=${b%%:*}
	log=$out/$name.log
	read -r rc secs <"$out/$name.status"
	if ! gh_strip "$log" | grep -qx GUEST-DONE; then
		echo "bench: $name: the guest did not finish (QEMU status $rc); last lines of $log:"
		tail -n 15 "$log"
		status=1
	fi
	gh_log_report "bench: $name" "$log" 10 || status=1
	if gh_strip "$log" | grep -E '^(INSMOD .* FAIL|GH-EXIT |BENCH-FAIL|goheap_bench: error)'; then
		status=1
	fi
done

# the table, results.json and results.txt
python3 "$here/report.py" --kernel "$kver" --scale "$scale" --rounds "$rounds" \
	"$out" "${boots[@]}" || status=1

if ! python3 -m json.tool "$out/results.json" >/dev/null; then
	echo "bench: $out/results.json is not valid JSON"
	status=1
fi
echo "bench: results in $out/results.json and $out/results.txt; logs in $out/*.log"
echo "bench: total $(($(date +%s) - t_start)) s"
exit "$status"
