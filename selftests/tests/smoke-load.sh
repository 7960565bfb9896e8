#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Smoke test, run in the VM after goheap.ko is loaded (test and stock
# kernel): /sys/kernel/debug/goheap/stats exists, has a HeapSys line and its
# Alloc figure is a number. Exit 0 pass, 1 fail, 4 skip (kselftest codes).
# goheap-selftest: smoke

stats=/sys/kernel/debug/goheap/stats

fail() {
	echo "FAIL: $*"
	exit 1
}

[ -r "$stats" ] || fail "$stats missing"
out=$(cat "$stats") || fail "cannot read $stats"
echo "$out"

echo "$out" | grep -q '^HeapSys [0-9][0-9]*$' || fail "no HeapSys line"
alloc=$(echo "$out" | awk '$1 == "Alloc" { print $2 }')
case $alloc in
"" | *[!0-9]*) fail "Alloc is not a number: '$alloc'" ;;
esac
echo "ok: Alloc=$alloc"
exit 0
