#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The workload `make run` drives in the VM, through goheap_sample's debugfs
# control file: a mixed, realistic load that leaves a working set live so
# the statistics have something to show.
#
#   (no argument)  run the workload
#   report         compare what the live set and every request cost with
#                  goheap and what they would cost with kmalloc, then what
#                  goheap holds from the buddy allocator for it (Sys)
#
# Without goheap_sample it says so and exits 0.

ctl=/sys/kernel/debug/goheap_sample/ctl
report=/sys/kernel/debug/goheap_sample/report

if [ ! -w "$ctl" ]; then
	echo "workload: $ctl not present (goheap_sample.ko not loaded); nothing to do"
	exit 0
fi

if [ "${1:-}" = report ]; then
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
run() {
	if echo "$*" >"$ctl"; then
		echo "workload: $*"
	else
		echo "workload: $* FAILED"
		rc=1
	fi
}

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
# arenas left empty by the burst go back after release_delay_ms (1 s)
sleep 2
exit $rc
