#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# goheap-selftest: smoke
#
# The statistics in /sys/kernel/debug/goheap/ against a workload with known
# counts (driven through goheap_sample's ctl file): the identities at rest
# and under load, the counters, the per-class sums, the control files and
# module parameters refusing garbage without changing anything.
# Exit 0 pass, 1 fail, 4 skip.

G=/sys/kernel/debug/goheap
C=/sys/kernel/debug/goheap_sample/ctl
P=/sys/module/goheap/parameters
fails=0

[ -f "$G/stats" ] || { echo "no $G/stats"; exit 1; }
[ -w "$C" ] || { echo "goheap_sample not loaded: skip"; exit 4; }

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# exact counts: with the allocation profile off (a sampled object is a
# large one, counted outside its size class)
prate=$(cat "$P/profile_rate")
echo 0 >"$P/profile_rate"
ok() { echo "ok: $*"; }
stat() { awk -v k="$1" '$1 == k { print $2 }' "$G/stats"; }

# The identities; $1 = "rest" also checks the exact tier sum.
identities() {
	awk -v rest="$1" '
		{ v[$1] = $2 }
		END {
			bad = 0
			if (v["HeapSys"] != v["HeapInuse"] + v["HeapIdle"]) {
				print "HeapSys " v["HeapSys"] " != HeapInuse + HeapIdle"; bad = 1
			}
			if (v["HeapReleased"] != 0) {
				print "HeapReleased " v["HeapReleased"] " != 0"; bad = 1
			}
			tiers = v["Alloc"] + v["CacheBytes"] + v["CentralBytes"] + \
				v["PendingBytes"] + v["TailBytes"] + v["GCBytes"]
			if (rest == "rest" && v["HeapInuse"] != tiers) {
				print "HeapInuse " v["HeapInuse"] " != tiers " tiers; bad = 1
			}
			if (v["Sys"] != v["HeapSys"] + v["MetaBytes"]) {
				print "Sys != HeapSys + MetaBytes"; bad = 1
			}
			exit bad
		}' "$G/stats"
}

identities rest && ok "identities at rest" || fail "identities at rest"

# Under load: the heap-level identities hold in every snapshot.
echo "churn 300000 3000 4096" >"$C" &
load=$!
n=0
while kill -0 "$load" 2>/dev/null && [ $n -lt 20 ]; do
	identities load || fail "identities under load (read $n)"
	n=$((n + 1))
done
wait "$load" || fail "churn under load"
ok "identities under load ($n reads)"
identities rest && ok "identities after load" || fail "identities after load"

# Known counts: reset, then 1000 objects of 200 bytes (class 208).
echo 1 >"$G/reset" || fail "reset"
[ "$(stat Mallocs)" = 0 ] || fail "Mallocs after reset: $(stat Mallocs)"
objs=$(stat HeapObjects)
echo "hold 1000 200" >"$C" || fail "hold"
[ "$(stat Mallocs)" = 1000 ] || fail "Mallocs $(stat Mallocs), want 1000"
[ "$(stat HeapObjects)" = $((objs + 1000)) ] || fail "HeapObjects"
row=$(awk '$2 == 208' "$G/sizeclasses")
set -- $row
[ "$5" = 1000 ] || fail "class 208 mallocs $5, want 1000 ($row)"
[ "$7" -ge 1000 ] || fail "class 208 live $7, want >= 1000"
# per-class sums equal the totals (no large object is live here)
awk -v m="$(stat Mallocs)" -v a="$(stat Alloc)" '
	NR > 1 { mallocs += $5; alloc += $7 * $2 }
	END { exit !(mallocs == m && alloc == a) }' "$G/sizeclasses" ||
	fail "per-class sums != Mallocs/Alloc"
identities rest || fail "identities while holding"
echo release >"$C" || fail "release"
[ "$(stat Frees)" = 1000 ] || fail "Frees $(stat Frees), want 1000"
[ "$(stat HeapObjects)" = "$objs" ] || fail "HeapObjects after release"
ok "counters match the workload"

# Garbage to control files and to the sample's ctl changes nothing.
# the scavenger frees arenas the workload emptied a second ago: let it be
# done (a drain releases every empty arena at once) before the snapshot
echo 1 >"$G/drain" || fail "drain before the garbage writes"
before=$(cat "$G/stats")
logged=$(dmesg | grep -c 'goheap: ')
for bad in 2 x "1 1" 11 01 " 1" "1
1" "1

"; do
	printf '%s' "$bad" >"$G/drain" 2>/dev/null && fail "drain took '$bad'"
	printf '%s' "$bad" >"$G/reset" 2>/dev/null && fail "reset took '$bad'"
done
# a NUL after the 1 is not "1" either
printf '1\000' >"$G/drain" 2>/dev/null && fail "drain took '1\\0'"
printf '1\000' >"$G/reset" 2>/dev/null && fail "reset took '1\\0'"
# refusals are not logged: a fuzzer cannot fill the log
i=0
while [ $i -lt 100 ]; do
	printf 'x%d' $i >"$G/drain" 2>/dev/null
	i=$((i + 1))
done
[ "$(dmesg | grep -c 'goheap: ')" = "$logged" ] ||
	fail "refused control-file writes were logged"
for bad in "alloc" "alloc 0 5" "alloc 5 0" "hold 1 2 3" "churn 1 0 1" "bogus" \
	   "alloc 99999999999 8"; do
	echo "$bad" >"$C" 2>/dev/null && fail "ctl took '$bad'"
done
[ "$(cat "$G/stats")" = "$before" ] || fail "stats changed after garbage writes"
ok "control files refuse garbage"

# Module parameters: out of range is refused and nothing changes.
old=$(cat "$P/arena_order")
echo 99 >"$P/arena_order" 2>/dev/null && fail "arena_order took 99"
# an ordinary arena is at most one bitmap word of pages (order 6)
echo 7 >"$P/arena_order" 2>/dev/null && fail "arena_order took 7"
echo -1 >"$P/release_delay_ms" 2>/dev/null && fail "release_delay_ms took -1"
[ "$(cat "$P/arena_order")" = "$old" ] || fail "arena_order changed"
ok "module parameters refuse out-of-range values"

# drain gives memory back: in-use bytes do not grow, identities hold.
inuse=$(stat HeapInuse)
echo 1 >"$G/drain" || fail "drain"
[ "$(stat HeapInuse)" -le "$inuse" ] || fail "HeapInuse grew after drain"
identities rest || fail "identities after drain"
ok "drain"

# The shrinker: drop_caches=2 runs every shrinker; goheap's gives back idle
# memory (HeapSys does not grow, identities hold).
# (the delayed release is held off, so that idle memory is surely there)
delay=$(cat "$P/release_delay_ms")
echo 600000 >"$P/release_delay_ms"
echo "alloc 3000 5000" >"$C" || fail "alloc for the shrinker"
held=$(stat HeapSys)
echo 2 >/proc/sys/vm/drop_caches || fail "drop_caches"
now=$(stat HeapSys)
echo "$delay" >"$P/release_delay_ms"
[ "$now" -le "$held" ] || fail "shrinker: held $held -> $now"
[ "$(stat CacheBytes)" = 0 ] || fail "shrinker left $(stat CacheBytes) bytes in caches"
identities rest || fail "identities after the shrinker"
ok "shrinker ($held -> $now bytes held)"

# The scavenger: after a burst is freed, its empty arenas go back within
# release_delay_ms with no drain and no memory pressure. What may stay
# idle is the free room of arenas that still hold a span each CPU's cache
# keeps: at most a few 64 KiB arenas, well under 1 MiB.
echo 1 >"$G/drain" || fail "drain before the burst"
idle0=$(stat HeapIdle)
echo 200 >"$P/release_delay_ms"
echo "hold 3000 2000" >"$C" || fail "hold for the burst"
burst=$(stat HeapInuse)
echo release >"$C" || fail "release the burst"
for _ in 1 2 3 4 5 6; do
	sleep 1
	[ "$(stat HeapIdle)" -le $((idle0 + 1048576)) ] && break
done
idle=$(stat HeapIdle)
echo "$delay" >"$P/release_delay_ms"
[ "$idle" -le $((idle0 + 1048576)) ] ||
	fail "scavenger: HeapIdle $idle after the burst, was $idle0 before (HeapInuse $burst at its peak)"
identities rest || fail "identities after the scavenger"
ok "scavenger (HeapIdle $idle0 -> $idle bytes after a $burst-byte burst)"

echo "$prate" >"$P/profile_rate"
[ "$fails" = 0 ]
