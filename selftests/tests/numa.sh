#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# goheap-selftest: smoke
#
# NUMA placement, where the guest has two nodes (make check boots Debian's
# 6.1 so): goheap_sample's "nodes" command allocates objects and typed
# cache items on each node with goheap_alloc_node() and
# goheap_cache_alloc_node(), checks with page_to_nid() that each lies on
# its node, and frees half of them from a CPU of the other node.
# /sys/kernel/debug/goheap/nodes must show arenas on both nodes, and no
# free may be counted as bad. With one node (the other boots) the same
# calls run on it. Exit 0 pass, 1 fail, 4 skip.

G=/sys/kernel/debug/goheap
C=/sys/kernel/debug/goheap_sample/ctl
fails=0

[ -w "$C" ] || { echo "goheap_sample not loaded: skip"; exit 4; }
[ -r "$G/nodes" ] || { echo "FAIL: no $G/nodes"; exit 1; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
stat() { awk -v k="$1" '$1 == k { print $2 }' "$G/stats"; }

cat "$G/nodes"
nodes=$(awk 'NR > 1' "$G/nodes" | wc -l)
if [ "$nodes" -lt 2 ]; then
	# one node: the _node calls on it, with their page_to_nid() checks
	for size in 64 65536; do
		echo "nodes 100 $size" >"$C" && ok "one node: nodes 100 $size" ||
			fail "nodes 100 $size"
	done
	[ "$fails" -eq 0 ] || exit 1
	exit 0
fi

echo 1 >"$G/drain"
objs=$(stat HeapObjects)
bad=$(($(stat DoubleFrees) + $(stat InvalidFrees)))
for size in 64 4096 65536 256; do
	echo "nodes 500 $size" >"$C" && ok "500 objects of $size bytes on each node" ||
		fail "nodes 500 $size"
done
# an emptied arena stays release_delay_ms (1 s) before it goes back: both
# nodes' arenas from the last round are still there
cat "$G/nodes"
[ "$(awk 'NR > 1 && $3 > 0' "$G/nodes" | wc -l)" -ge 2 ] &&
	ok "arenas on both nodes" || fail "not every node has arenas"
echo "holditems 10" >"$C" || fail holditems
echo release >"$C" || fail release
echo 1 >"$G/drain"
[ "$(stat HeapObjects)" -eq "$objs" ] && ok "object count back" ||
	fail "HeapObjects $(stat HeapObjects), was $objs"
[ $(($(stat DoubleFrees) + $(stat InvalidFrees))) -eq "$bad" ] && ok "no bad frees" ||
	fail "bad frees counted"
[ "$fails" -eq 0 ] || exit 1
exit 0
