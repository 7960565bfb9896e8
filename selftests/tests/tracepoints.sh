#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# goheap-selftest: smoke
#
# goheap's tracepoints through tracefs, as a developer uses them: the nine
# events exist under events/goheap/; with them on, goheap_sample's workload
# shows as goheap:alloc and goheap:free naming the sample's call sites and
# sizes, a double free as goheap:bad_free, refills as goheap:refill, new
# and drained arenas as goheap:arena_grow and goheap:arena_release, and a
# forced collection of goheap_gc_example's domain as goheap:gc_cycle_start,
# four goheap:gc_phase (start, mark, end, sweep) and goheap:gc_cycle_end.
# With the events off again, nothing more is traced. Exit 0 pass, 1 fail,
# 4 skip.

T=/sys/kernel/tracing
C=/sys/kernel/debug/goheap_sample/ctl
G=/sys/kernel/debug/goheap
gcko=${GOHEAP_GC_EXAMPLE_KO:-/lib/goheap/goheap_gc_example.ko}
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

[ -w "$C" ] || { echo "goheap_sample not loaded: skip"; exit 4; }
[ -d "$T/events" ] || mount -t tracefs nodev "$T" 2>/dev/null
[ -d "$T/events" ] || { echo "no tracefs: skip"; exit 4; }
E=$T/events/goheap

for ev in alloc free bad_free refill arena_grow arena_release \
	gc_cycle_start gc_phase gc_cycle_end; do
	[ -d "$E/$ev" ] || fail "no event goheap:$ev"
done

# events NAME: lines of event NAME in the trace
events() { grep -c " $1: " /tmp/trace.txt; }

gc_loaded=0
[ -d /sys/module/goheap_gc_example ] && gc_loaded=1
[ "$gc_loaded" = 1 ] || [ ! -e "$gcko" ] || insmod "$gcko" || fail "insmod $gcko"

echo 0 >"$T/tracing_on"
echo >"$T/trace"
echo 1 >"$E/enable"
echo 1 >"$T/tracing_on"
echo "alloc 300 200" >"$C" || fail "alloc 300 200"
echo "doublefree 64" >"$C" || fail "doublefree 64"
echo "alloc 500 5000" >"$C" || fail "alloc 500 5000"
echo 1 >"$G/drain"
if [ -e "$G/gc/example/collect" ]; then
	echo 1 >"$G/gc/example/collect" || fail "collect"
fi
echo 0 >"$T/tracing_on"
echo 0 >"$E/enable"
cat "$T/trace" >/tmp/trace.txt

n=$(grep " alloc: " /tmp/trace.txt | grep goheap_sample | grep -c "bytes_req=200 bytes_alloc=208 ")
[ "$n" -ge 300 ] && ok "goheap:alloc: $n allocations of 200 bytes (208 given) from goheap_sample" ||
	fail "goheap:alloc: $n of 300 allocations of 200 bytes from goheap_sample"
n=$(grep " free: " /tmp/trace.txt | grep -c "goheap_sample")
[ "$n" -ge 802 ] && ok "goheap:free: $n frees from goheap_sample" ||
	fail "goheap:free: $n frees from goheap_sample, want at least 802"
n=$(grep " bad_free: " /tmp/trace.txt | grep -c "goheap_sample")
[ "$n" = 1 ] && ok "goheap:bad_free: the double free, at its call site" ||
	fail "goheap:bad_free: $n events from goheap_sample, want 1"
for ev in refill arena_grow arena_release; do
	n=$(events "$ev")
	[ "$n" -ge 1 ] && ok "goheap:$ev: $n" || fail "goheap:$ev: none"
done
if [ -e "$G/gc/example" ]; then
	[ "$(events gc_cycle_start)" -ge 1 ] && [ "$(events gc_cycle_end)" -ge 1 ] &&
		ok "goheap:gc_cycle_start and goheap:gc_cycle_end" ||
		fail "gc cycle events: $(events gc_cycle_start) starts, $(events gc_cycle_end) ends"
	for ph in start mark end sweep; do
		grep " gc_phase: " /tmp/trace.txt | grep -q "domain=example .*phase=$ph " ||
			fail "no goheap:gc_phase for phase $ph"
	done
else
	echo "goheap_gc_example not there: GC events not driven"
fi

# off: nothing more is traced
echo >"$T/trace"
echo 1 >"$T/tracing_on"
echo "alloc 100 64" >"$C" || fail "alloc 100 64"
echo 0 >"$T/tracing_on"
n=$(grep -v '^#' "$T/trace" | grep -c .)
[ "$n" = 0 ] && ok "events off: nothing traced" || fail "events off: $n lines traced"

[ "$gc_loaded" = 1 ] || [ ! -d /sys/module/goheap_gc_example ] ||
	rmmod goheap_gc_example || fail "rmmod goheap_gc_example"
rm -f /tmp/trace.txt
[ "$fails" = 0 ] || exit 1
echo "tracepoints: all checks passed"
