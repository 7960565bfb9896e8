#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The workload `make run` drives in the VM, through goheap_sample's debugfs
# control file: a mixed, realistic load that leaves a working set live so
# the statistics have something to show; then, through goheap_gc_example's,
# graphs in a garbage-collected domain, changed while the collector runs.
#
#   (no argument)  run the workload
#   report         compare what the live set and every request cost with
#                  goheap and what they would cost with kmalloc, then what
#                  goheap holds from the buddy allocator for it (Sys)
#   gc             what the domain holds and what its collector did
#
# Without goheap_sample (or goheap_gc_example) it says so and skips that
# part.

ctl=/sys/kernel/debug/goheap_sample/ctl
report=/sys/kernel/debug/goheap_sample/report
gex=/sys/kernel/debug/goheap_gc_example
gcdir=/sys/kernel/debug/goheap/gc/example

if [ "${1:-}" = gc ]; then
	if [ ! -d "$gcdir" ]; then
		echo "workload: no domain $gcdir (goheap_gc_example.ko not loaded)"
		exit 0
	fi
	echo "goheap_gc_example: nodes allocated, released by the collector, reachable now:"
	sed 's/^/  /' "$gex/status"
	# goheapstat shows the domain with the rest; without it, the file
	if [ ! -x /bin/goheapstat ]; then
		echo "its domain, $gcdir/stats:"
		cat "$gcdir/stats"
	fi
	exit 0
fi

if [ "${1:-}" = report ]; then
	[ -r "$report" ] || exit 0
	echo "bytes asked for, given by goheap, and what kmalloc would give:"
	awk '{
		req = $5; gh = $7; km = $9
		printf "%-6s %8d objects  requested %10d  goheap %10d (%4.1f%% waste)  kmalloc %10d (%4.1f%% waste)\n",
		       $1, $3, req, gh, gh ? 100 * (gh - req) / gh : 0,
		       km, km ? 100 * (km - req) / km : 0
	}' "$report"
	# The figure that says what the system pays: everything goheap holds
	# from the buddy allocator against the bytes live in objects.
	awk '{ v[$1] = $2 }
	END {
		sys = v["Sys"]; live = v["HeapAlloc"]; mib = 1048576
		printf "held from the buddy allocator: Sys %.1f MiB for %.1f MiB live (HeapAlloc):", sys / mib, live / mib
		printf " %.1f%% of Sys is not live objects\n", sys ? 100 * (sys - live) / sys : 0
		printf "  of which: idle arena pages %.1f MiB, free objects in caches and central %.1f MiB,",
		       v["HeapIdle"] / mib, (v["CacheBytes"] + v["CentralBytes"] + v["PendingBytes"]) / mib
		printf " span tails %.1f MiB, metadata %.1f MiB\n", v["TailBytes"] / mib, v["MetaBytes"] / mib
		print "  (the waste percentages above count class rounding only; kmalloc'"'"'s slab pages"
		print "  for the same load are not measured here: make bench'"'"'s churn, burst and footprint do)"
	}' /sys/kernel/debug/goheap/stats
	exit 0
fi

rc=0
# to CTL COMMAND...: one command to a control file
to() {
	c=$1
	shift
	if echo "$*" >"$c"; then
		echo "workload: $*"
	else
		echo "workload: $* FAILED"
		rc=1
	fi
}
run() { to "$ctl" "$@"; }
gc() { to "$gex/ctl" "$@"; }

# Graphs in the collected domain "example": two churned (random inserts,
# cuts and relinks; the pacer starts cycles as garbage grows), then three
# built in their place and linked, one dropped; a full collection, and a
# walk that checks every reachable node. The kept graphs live on in the
# statistics.
gc_workload() {
	gc build 0 5000 tree
	gc build 1 2000 ring
	gc churn 200000
	gc build 0 20000 tree
	gc build 1 5000 list
	gc build 2 2000 ring
	gc link 0 1
	gc drop 2
	gc collect
	gc verify
}

if [ ! -w "$ctl" ]; then
	echo "workload: $ctl not present (goheap_sample.ko not loaded): no manual-heap workload"
	[ ! -w "$gex/ctl" ] || gc_workload
	exit $rc
fi

# a working set of typical kernel object sizes, kept live
run hold 20000 48
run hold 8000 136
run hold 3000 264
run hold 1500 700
run hold 600 1500
run hold 200 3000
run hold 40 20000
run hold 8 100000
# churn: a live set of random sizes with random replacement
run churn 100000 4000 4096
run churn 100000 4000 300
# one CPU allocates, the other frees
run prodcons 50000 96
# a typed cache with a constructor, in bulk calls of 16, and 3000 kept
run items 50000 16
run holditems 3000
# objects on every NUMA node, half freed from another node's CPU
run nodes 1000 128
# a burst allocated and freed at once, of every power of two
for s in 8 16 32 64 128 256 512 1024 2048 4096 8192 16384 32768; do
	run alloc 2000 "$s"
done
if [ -w "$gex/ctl" ]; then
	gc_workload
else
	echo "workload: $gex/ctl not present (goheap_gc_example.ko not loaded): no collected domain"
fi
# arenas left empty by the burst go back after release_delay_ms (1 s)
sleep 2
exit $rc
