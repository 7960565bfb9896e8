#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# goheap-selftest: debug
#
# Debug mode as a developer meets it (goheap.ko debug=all; check.sh runs
# this in a boot of its own of the test kernel): a planted overflow, a
# write after free and a double free are each reported with the object,
# the offset, the byte and the stacks that name goheap_sample's call
# sites, counted, and the corrupted objects quarantined; "validate" finds
# the write after free and, once it is quarantined, a clean heap; with
# kmemleak, leaked objects show with their allocation backtrace and
# nothing else does, not even a kmalloc buffer whose one pointer lives in
# a goheap object. Exit 0 pass, 1 fail, 4 skip.

C=/sys/kernel/debug/goheap_sample/ctl
G=/sys/kernel/debug/goheap
K=/sys/kernel/debug/kmemleak
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

[ -w "$C" ] || { echo "goheap_sample not loaded: skip"; exit 4; }
mode=$(cat /sys/module/goheap/parameters/debug)
[ "$mode" = ZPUK ] || { echo "goheap loaded with debug='$mode', not all: skip"; exit 4; }

stat() { awk -v k="$1" '$1 == k { print $2 }' "$G/stats"; }
# log_since N: the kernel log from line N on
log_since() { dmesg | tail -n "+$1"; }
mark() { dmesg | wc -l; }
# expect_log FROM WHAT PATTERN
expect_log() {
	if log_since "$1" | grep -q -- "$3"; then ok "$2"; else fail "$2: no '$3' in the log"; fi
}
validate_errors() { awk '$1 == "errors" { print $2 }' "$G/validate"; }

v=$(validate_errors)
[ "$v" = 0 ] && ok "validate: a clean heap at the start" || fail "validate: $v errors at the start"

# 1. a write past the end: reported on free, quarantined
o0=$(stat Overflows) q0=$(stat Quarantined) m=$(mark)
echo "overflow 100 3" >"$C" || fail "overflow command"
obj=$(log_since "$m" | sed -n 's/.*goheap_sample: overflow: object \([^,]*\),.*/\1/p' | tail -n 1)
expect_log "$m" "overflow reported with object, offset and byte" \
	"corruption: write past the end at offset 103 (byte 0x41) of object $obj, 100 bytes asked for"
expect_log "$m" "overflow: the allocation stack names the call site" "sample_cmd_overflow"
[ "$(stat Overflows)" = $((o0 + 1)) ] && ok "Overflows counted" || fail "Overflows $o0 -> $(stat Overflows)"
[ "$(stat Quarantined)" = $((q0 + 1)) ] && ok "overflowed object quarantined" ||
	fail "Quarantined $q0 -> $(stat Quarantined)"

# 2. a write after free: validate finds it in the free object's poison;
# the allocation that would hand it out again quarantines it instead
w0=$(stat WritesAfterFree) m=$(mark)
echo "uaf 200" >"$C" || fail "uaf command"
obj=$(log_since "$m" | sed -n 's/.*goheap_sample: uaf: object \(.*\)$/\1/p' | tail -n 1)
v=$(validate_errors)
[ "${v:-0}" -ge 1 ] && ok "validate: $v error(s) after the write after free" ||
	fail "validate missed the write after free"
expect_log "$m" "write after free reported with object, offset and byte" \
	"corruption: write after free at offset 0 (byte 0x41) of object $obj, 200 bytes asked for"
expect_log "$m" "write after free: the free stack names the call site" "freed by task"
expect_log "$m" "write after free: stacks name goheap_sample" "sample_cmd_uaf"
q1=$(stat Quarantined)
echo "alloc 3000 200" >"$C" || fail "alloc 3000 200"
[ "$(stat Quarantined)" = $((q1 + 1)) ] && ok "the poisoned object was quarantined, not handed out" ||
	fail "Quarantined $q1 -> $(stat Quarantined) after reallocating"
[ "$(stat WritesAfterFree)" -ge $((w0 + 2)) ] && ok "WritesAfterFree counted" ||
	fail "WritesAfterFree $w0 -> $(stat WritesAfterFree)"
echo release >"$C" || fail "release"
v=$(validate_errors)
[ "$v" = 0 ] && ok "validate: clean once the object is quarantined" || fail "validate: $v errors after quarantine"

# 3. a double free: the ordinary report, and debug mode's history of it
d0=$(stat DoubleFrees) m=$(mark)
echo "doublefree 64" >"$C" || fail "doublefree command"
[ "$(stat DoubleFrees)" = $((d0 + 1)) ] && ok "double free counted" || fail "DoubleFrees $d0 -> $(stat DoubleFrees)"
expect_log "$m" "double free: the earlier free is shown" "was freed before"
expect_log "$m" "double free: its stacks name the call site" "sample_cmd_double_free"

# 4. kmemleak per object
if [ -e "$K" ]; then
	echo clear >"$K"
	echo nest >"$C" || fail "nest command"
	echo "leak 10 300" >"$C" || fail "leak command"
	# another command on this stack: no stale copy of a pointer stays there
	echo "alloc 20 64" >"$C" || fail "alloc 20 64"
	sleep 6
	echo scan >"$K"
	echo scan >"$K"
	cat "$K" >/tmp/kmemleak.txt
	# kmemleak misses an object whose stale pointer a stack or a saved
	# register still holds (for kmalloc too): at least 8 of the 10
	n=$(grep -c "unreferenced object .* (size 300)" /tmp/kmemleak.txt)
	[ "$n" -ge 8 ] && [ "$n" -le 10 ] && ok "kmemleak: $n of the 10 leaked objects reported" ||
		fail "kmemleak: $n of the 10 leaked objects reported"
	grep -q "sample_cmd_leak" /tmp/kmemleak.txt && ok "kmemleak: backtrace names the call site" ||
		fail "kmemleak: no sample_cmd_leak in the backtraces"
	n=$(grep "unreferenced object" /tmp/kmemleak.txt | grep -vc "(size 300)")
	[ "$n" = 0 ] && ok "kmemleak: nothing else reported (a kmalloc buffer held only by a goheap object included)" || {
		fail "kmemleak: $n other objects reported"
		head -n 40 /tmp/kmemleak.txt
	}
	echo clear >"$K"
	echo unnest >"$C" || fail "unnest command"
else
	echo "no kmemleak in this kernel: its part skipped"
fi

[ "$fails" = 0 ]
