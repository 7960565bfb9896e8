#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# goheap_gc_example.ko in the VM (busybox sh): loads it if needed, drives
# its graph store through debugfs goheap_gc_example/ctl and checks what
# `status` counts. After every collection reachable = allocated - released,
# and dropping a graph releases exactly its nodes at the next collection,
# none while another root still links to it. Also: the domain's goheap
# debugfs files (stats, collect) work, NumGC grows, malformed commands fail,
# and unloading destroys the domain and releases every node left. Exit 0
# pass, 1 fail (each failure printed), 4 skip (no goheap_gc_example.ko).
# goheap-selftest: smoke

ko=${GOHEAP_GC_EXAMPLE_KO:-/lib/goheap/goheap_gc_example.ko}
dir=/sys/kernel/debug/goheap_gc_example
ctl=$dir/ctl
status=$dir/status
gcdir=/sys/kernel/debug/goheap/gc/example
failed=0

fail() {
	echo "FAIL: $*"
	failed=1
}

# cmd COMMAND...: write one command to ctl; it must succeed
cmd() {
	echo "$*" >"$ctl" || fail "ctl: '$*' failed"
}

# refuse COMMAND: a write that must fail
refuse() {
	if printf '%s\n' "$1" >"$ctl" 2>/dev/null; then
		fail "ctl: '$1' was accepted"
	fi
}

# snap: read status into $alloc $rel $reach $corrupt $roots
snap() {
	s=$(cat "$status") || fail "cannot read $status"
	alloc=$(echo "$s" | awk '$1 == "allocated" { print $2 }')
	rel=$(echo "$s" | awk '$1 == "released" { print $2 }')
	reach=$(echo "$s" | awk '$1 == "reachable" { print $2 }')
	corrupt=$(echo "$s" | awk '$1 == "corrupt" { print $2 }')
	roots=$(echo "$s" | awk '$1 == "roots" { print $2 }')
	for v in "$alloc" "$rel" "$reach" "$corrupt" "$roots"; do
		case $v in
		"" | *[!0-9]*)
			fail "status has a missing or bad number: $(echo "$s" | tr '\n' ' ')"
			alloc=0 rel=0 reach=0 corrupt=0 roots=0
			return
			;;
		esac
	done
	echo "status: allocated $alloc released $rel reachable $reach roots $roots"
	[ "$corrupt" = 0 ] || fail "status: $corrupt corrupt nodes"
}

# settled WHAT: after a collection nothing unreachable is left unreleased
settled() {
	[ "$reach" = $((alloc - rel)) ] ||
		fail "$1: reachable $reach, allocated - released $((alloc - rel))"
}

# base: remember released and reachable now, with everything settled (a
# background cycle may release garbage at any time, so the count starts
# before the change that makes the garbage)
base() {
	snap
	rel0=$rel reach0=$reach
}

# collect_expect WHAT N: collect; exactly N nodes were released since base
collect_expect() {
	cmd collect
	snap
	[ $((rel - rel0)) = "$2" ] ||
		fail "$1: $((rel - rel0)) nodes released, expected $2"
	settled "$1"
}

numgc() {
	awk '$1 == "NumGC" { print $2 }' "$gcdir/stats"
}

if [ ! -e /sys/module/goheap_gc_example ]; then
	if [ ! -f "$ko" ]; then
		echo "SKIP: no $ko"
		exit 4
	fi
	insmod "$ko" || { echo "FAIL: insmod $ko"; exit 1; }
fi
if [ ! -e "$ctl" ] || [ ! -e "$status" ]; then
	echo "FAIL: $ctl or $status missing"
	exit 1
fi
grep -qx 'domain example' "$status" || fail "status does not name the domain 'example'"

echo "== empty the store"
r=0
while [ $r -lt 16 ]; do
	cmd drop $r
	r=$((r + 1))
done
cmd collect
snap
[ "$reach" = 0 ] || fail "empty store: reachable $reach"
[ "$roots" = 0 ] || fail "empty store: roots $roots"
settled "empty store"

echo "== build a list, a ring, a tree and a default list"
a0=$alloc
cmd build 0 1000 list
cmd build 1 500 ring
cmd build 2 777 tree
cmd build 3 300
snap
[ $((alloc - a0)) = 2577 ] || fail "build: $((alloc - a0)) nodes allocated, expected 2577"
[ "$reach" = 2577 ] || fail "build: reachable $reach, expected 2577"
[ "$roots" = 4 ] || fail "build: roots $roots, expected 4"
cmd verify
base
collect_expect "after build" 0
[ "$reach" = 2577 ] || fail "after build: reachable $reach after collect"

echo "== rebuilding a root makes its old graph garbage"
base
cmd build 3 100 ring
collect_expect "rebuild 3" 300
[ "$reach" = $((reach0 - 200)) ] || fail "rebuild 3: reachable $reach, expected $((reach0 - 200))"

echo "== the domain's debugfs files"
if [ -r "$gcdir/stats" ]; then
	n0=$(numgc)
	cmd collect
	n1=$(numgc)
	echo "NumGC $n0 -> $n1 (ctl collect)"
	[ "$n1" -gt "$n0" ] 2>/dev/null || fail "NumGC did not grow on collect: $n0 -> $n1"
	if echo 1 >"$gcdir/collect"; then
		n2=$(numgc)
		echo "NumGC $n1 -> $n2 ($gcdir/collect)"
		[ "$n2" -gt "$n1" ] 2>/dev/null || fail "NumGC did not grow on $gcdir/collect: $n1 -> $n2"
	else
		fail "writing 1 to $gcdir/collect failed"
	fi
	if echo x >"$gcdir/collect" 2>/dev/null; then
		fail "writing x to $gcdir/collect was accepted"
	fi
	grep -q '^ObjectsFreed [0-9][0-9]*$' "$gcdir/stats" || fail "$gcdir/stats: no ObjectsFreed"
else
	fail "$gcdir/stats missing"
fi

echo "== drop a tree: exactly its nodes go"
base
cmd drop 2
collect_expect "drop 2" 777
[ "$reach" = $((reach0 - 777)) ] || fail "drop 2: reachable $reach, expected $((reach0 - 777))"

echo "== a linked graph survives its root's drop"
base
cmd link 0 1
cmd drop 1
collect_expect "drop 1 while 0 links to it" 0
cmd verify
cmd drop 0
collect_expect "drop 0 (and 1 with it)" 1500

echo "== a cycle across two graphs, both dropped"
cmd build 4 2000 ring
cmd build 5 100 tree
cmd link 4 5
cmd link 5 4
cmd verify
base
cmd drop 4
collect_expect "drop 4 (5 links to it)" 0
cmd drop 5
collect_expect "drop 5 (cycle 4 <-> 5)" 2100

echo "== churn"
cmd build 6 400 tree
cmd build 7 400 list
cmd build 8 400 ring
cmd churn 20000
cmd verify
cmd collect
snap
settled "churn"
cmd churn 5000
cmd collect
cmd verify
snap
settled "churn again"

echo "== malformed commands"
snap
a0=$alloc
for c in "" "bogus" "build" "build 0" "build 16 10" "build 0 0" \
	 "build 0 10 cube" "build 0 10 list more" "build -1 5" "build x 5" \
	 "build 0 99999999999" "build 0 1048577" "link 0" "link 0 16" \
	 "link 0 1 2" "drop" "drop x" "drop 16" "churn" "churn 0" "churn y" \
	 "collect now" "verify 1" "status"; do
	refuse "$c"
done
refuse "build 0 $(printf '%080d' 1)"
# an empty root cannot be linked
cmd drop 9
refuse "link 9 6"
snap
[ "$alloc" = "$a0" ] || fail "malformed commands allocated $((alloc - a0)) nodes"

echo "== drop everything"
r=0
while [ $r -lt 16 ]; do
	cmd drop $r
	r=$((r + 1))
done
cmd collect
snap
[ "$reach" = 0 ] || fail "everything dropped: reachable $reach"
settled "everything dropped"

echo "== unload with live nodes: destroy releases them"
cmd build 10 123
if rmmod goheap_gc_example; then
	[ ! -e "$gcdir" ] || fail "$gcdir still there after rmmod"
	[ ! -e "$dir" ] || fail "$dir still there after rmmod"
	# "... unloaded: A nodes allocated, R released": A = R
	line=$(dmesg | grep 'goheap_gc_example: unloaded: ' | tail -n 1)
	echo "${line#*] }"
	echo "$line" | awk '{
			for (i = 1; i <= NF; i++)
				if ($i == "unloaded:") {
					a = $(i + 1)
					r = $(i + 4)
				}
		}
		END { exit !(a != "" && a == r) }' ||
		fail "after unload: not every node was released: '$line'"
else
	fail "rmmod goheap_gc_example"
fi

if [ "$failed" = 0 ]; then
	echo "ok: gc-example"
	exit 0
fi
exit 1
