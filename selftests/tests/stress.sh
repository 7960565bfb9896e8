#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# goheap-selftest: smoke
#
# Everything at once, on every kernel (stock ones too, where no lockdep or
# KASAN watches): goheap_stress.ko's churn threads with cross-CPU frees and
# a SCHED_FIFO thread preempting CPU 0, while this script drains goheap
# every 50 ms and takes CPU 1 offline and back. Afterwards no object may be
# corrupted, no free may have been counted as bad, the object count is back
# where it was and the statistics identities hold at rest.
# Exit 0 pass, 1 fail, 4 skip.

G=/sys/kernel/debug/goheap
R=/sys/kernel/debug/goheap_stress/run
CPU1=/sys/devices/system/cpu/cpu1/online
MS=${GH_STRESS_MS:-4000}
fails=0

[ -w "$R" ] || { echo "goheap_stress not loaded: skip"; exit 4; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
stat() { awk -v k="$1" '$1 == k { print $2 }' "$G/stats"; }

echo 1 >"$G/drain"
objs=$(stat HeapObjects)
dbl=$(stat DoubleFrees)
inv=$(stat InvalidFrees)

(echo "$MS" >"$R" && echo ok >/tmp/stress.result || echo fail >/tmp/stress.result) &
run=$!
drains=0 toggles=0
while kill -0 "$run" 2>/dev/null; do
	echo 1 >"$G/drain" || fail "drain"
	drains=$((drains + 1))
	if [ -w "$CPU1" ] && [ $((drains % 10)) = 0 ]; then
		echo 0 >"$CPU1" && echo 1 >"$CPU1" && toggles=$((toggles + 1))
	fi
	sleep 0.05
done
wait "$run"
[ "$(cat /tmp/stress.result)" = ok ] || fail "the workload found corrupted objects (see the log)"
[ ! -w "$CPU1" ] || [ "$(cat "$CPU1")" = 1 ] || echo 1 >"$CPU1"
echo "ran ${MS} ms: $drains drains, $toggles CPU 1 offline/online cycles"

echo 1 >"$G/drain"
[ "$(stat HeapObjects)" = "$objs" ] || fail "HeapObjects $(stat HeapObjects), was $objs"
[ "$(stat DoubleFrees)" = "$dbl" ] || fail "DoubleFrees moved"
[ "$(stat InvalidFrees)" = "$inv" ] || fail "InvalidFrees moved"
awk '{ v[$1] = $2 } END {
	tiers = v["Alloc"] + v["CacheBytes"] + v["CentralBytes"] + v["PendingBytes"] + \
		v["TailBytes"] + v["GCBytes"]
	if (v["HeapSys"] != v["HeapInuse"] + v["HeapIdle"] || v["HeapInuse"] != tiers)
		exit 1
}' "$G/stats" || fail "statistics identities at rest"

[ "$fails" = 0 ] || exit 1
echo "ok: stress"
exit 0
