#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# goheap-selftest: smoke
#
# goheap_sample's workload converted to a typed cache with a constructor
# ("goheap_sample_item") and the bulk calls: every item comes out of its
# cache in the state its constructor and the previous user left, and
# /sys/kernel/debug/goheap/caches counts what the workload holds, as
# slabinfo would. No free may be counted as bad, and the object count is
# back where it was afterwards. Exit 0 pass, 1 fail, 4 skip.

G=/sys/kernel/debug/goheap
C=/sys/kernel/debug/goheap_sample/ctl
fails=0

[ -w "$C" ] || { echo "goheap_sample not loaded: skip"; exit 4; }
[ -r "$G/caches" ] || { echo "FAIL: no $G/caches"; exit 1; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
stat() { awk -v k="$1" '$1 == k { print $2 }' "$G/stats"; }
# field NAME of the goheap_sample_item row
item() {
	awk -v f="$1" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == "goheap_sample_item" { print $col[f] }' "$G/caches"
}

echo 1 >"$G/drain"
objs=$(stat HeapObjects)
dbl=$(stat DoubleFrees)
inv=$(stat InvalidFrees)

head -n 1 "$G/caches"
grep goheap_sample_item "$G/caches"
[ "$(item own)/$(item ctor)/$(item rcu)" = 1/1/0 ] &&
	ok "a cache with a constructor has spans of its own" ||
	fail "kind own/ctor/rcu is $(item own)/$(item ctor)/$(item rcu), want 1/1/0"

allocs=$(item allocs)
for batch in 1 16 128; do
	echo "items 20000 $batch" >"$C" && ok "items 20000 in batches of $batch" ||
		fail "items 20000 $batch"
done
[ "$(item allocs)" -eq $((allocs + 60000)) ] && ok "60000 allocations counted" ||
	fail "allocs $(item allocs), want $((allocs + 60000))"
[ "$(item active)" -eq 0 ] && ok "none active after the workload" ||
	fail "active $(item active)"

echo "holditems 1000" >"$C" || fail "holditems 1000"
active=$(item active) slots=$(item slots) spans=$(item spans)
echo "held: active $active slots $slots spans $spans"
[ "$active" -eq 1000 ] && ok "1000 held items active" || fail "active $active, want 1000"
[ "$slots" -ge 1000 ] && [ "$spans" -ge 1 ] && ok "slots and spans cover them" ||
	fail "slots $slots spans $spans"
echo release >"$C" || fail release
[ "$(item active)" -eq 0 ] && ok "released" || fail "active $(item active) after release"

echo "items 5 129" >"$C" 2>/dev/null && fail "a batch over 128 accepted" ||
	ok "a batch over 128 refused"
echo 1 >"$G/drain"
[ "$(stat HeapObjects)" -eq "$objs" ] && ok "object count back" ||
	fail "HeapObjects $(stat HeapObjects), was $objs"
[ "$(stat DoubleFrees)" -eq "$dbl" ] && [ "$(stat InvalidFrees)" -eq "$inv" ] &&
	ok "no bad frees" || fail "bad frees counted"
[ "$fails" -eq 0 ] || exit 1
exit 0
