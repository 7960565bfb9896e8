#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# goheap-selftest: smoke
#
# fail_goheap, goheap's fault injection (/sys/kernel/debug/fail_goheap/),
# driven through its knobs and goheap_sample's "try N S" command (N
# allocations of S bytes that go on past failures; .../tried counts them):
# exactly the requested allocations fail, times counts down, verbose 1
# prints a line per failure, the size filter, the task filter (task-pid on
# every kernel, make-it-fail where the kernel has it), FaultInjected counts
# every failure, bad knob values are refused with EINVAL and change
# nothing, no object is left over, and the attribute ends disarmed.
# Failures are kept to this shell (task-filter, task-pid) unless a check
# says otherwise, so that nothing else that allocates draws one.
# Exit 0 pass, 1 fail, 4 skip.

F=/sys/kernel/debug/fail_goheap
G=/sys/kernel/debug/goheap
C=/sys/kernel/debug/goheap_sample/ctl
T=/sys/kernel/debug/goheap_sample/tried
PA=/sys/kernel/debug/fail_page_alloc/probability
fails=0
injected=0

[ -d "$F" ] || { echo "FAIL: no $F"; exit 1; }
[ -w "$C" ] && [ -r "$T" ] || { echo "goheap_sample not loaded: skip"; exit 4; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
stat() { awk -v k="$1" '$1 == k { print $2 }' "$G/stats"; }
knob() { cat "$F/$1"; }
notices() { dmesg | grep -c 'fail_goheap: failing an allocation'; }

# set_knobs NAME=VALUE...
set_knobs() {
	for kv; do
		echo "${kv#*=}" >"$F/${kv%%=*}" || fail "cannot set $kv"
	done
}

# try N SIZE WANT WHAT: N allocations of SIZE bytes from this shell, of
# which exactly WANT must fail
try() {
	echo "try $1 $2" >"$C" || { fail "$4: try $1 $2 refused"; return; }
	check_tried "$@"
}

check_tried() {
	got=$(awk '{ print $4 }' "$T")
	injected=$((injected + got))
	[ "$got" = "$3" ] && ok "$4: $got of $1 failed" ||
		fail "$4: $got of $1 failed, want $3"
}

disarm() {
	echo 0 >"$F/probability"
	[ -z "${pa_was:-}" ] || echo "$pa_was" >"$PA"
}
trap disarm EXIT

echo 1 >"$G/drain"
objs=$(stat HeapObjects)
inj0=$(stat FaultInjected)
[ -n "$inj0" ] && ok "stats shows FaultInjected" || fail "no FaultInjected in $G/stats"

all="probability interval times space verbose task-filter task-pid ignore-gfp-wait min-size max-size"
got=
for k in $all; do got="$got$(knob "$k") "; done
[ "$got" = "0 1 1 0 1 N 0 Y 0 0 " ] && ok "defaults: $got" ||
	fail "defaults: $got, want 0 1 1 0 1 N 0 Y 0 0"

try 50 64 0 "disarmed"

# Interval 4, times 5, verbose 1: of 40 the 4th, 8th, ... 20th fail.
set_knobs verbose=1 task-filter=1 task-pid=$$ ignore-gfp-wait=0 \
	interval=4 times=5 probability=100
n0=$(notices)
try 40 64 5 "interval 4, times 5"
[ "$(knob times)" = 0 ] && ok "times counted down to 0" || fail "times $(knob times)"
[ $(($(notices) - n0)) = 5 ] && ok "verbose 1: a line per failure" ||
	fail "verbose 1: $(($(notices) - n0)) lines for 5 failures"
try 10 64 0 "times spent"

# Times counts down per failure; verbose 0 prints nothing.
set_knobs verbose=0 interval=1 times=3
n0=$(notices)
try 2 64 2 "times 3, first try"
[ "$(knob times)" = 1 ] && ok "times 3 -> 1" || fail "times $(knob times), want 1"
try 2 1000 1 "times 1, second try"
[ "$(knob times)" = 0 ] && ok "times 1 -> 0" || fail "times $(knob times), want 0"
[ "$(notices)" = "$n0" ] && ok "verbose 0: no lines" || fail "verbose 0 printed"

# The size filter: min-size .. max-size, max-size 0 is no bound.
set_knobs times=-1 min-size=100 max-size=1000
try 10 64 0 "64 bytes, below min-size 100"
try 10 100 10 "100 bytes, min-size"
try 10 1000 10 "1000 bytes, max-size"
try 10 1001 0 "1001 bytes, above max-size 1000"
try 4 40000 0 "40000 bytes, above max-size"
set_knobs max-size=0
try 4 40000 4 "40000 bytes, max-size 0"
set_knobs min-size=0 max-size=0

# The task filter: task-pid's thread group alone, then nobody.
try 10 64 10 "task-pid is this shell"
sh -c "echo 'try 10 64' >$C" || fail "try from another process refused"
check_tried 10 64 0 "another process, task-pid this shell"
set_knobs task-pid=0
try 10 64 0 "task-pid 0, no make-it-fail"

# make-it-fail, where the kernel has it. fail_page_alloc, which the test
# kernel's init arms for make-it-fail tasks, rests meanwhile.
if [ -w /proc/self/make-it-fail ]; then
	[ -w "$PA" ] && pa_was=$(cat "$PA") && echo 0 >"$PA"
	sh -c "echo 1 >/proc/self/make-it-fail && echo 'try 10 64' >$C" ||
		fail "try with make-it-fail refused"
	check_tried 10 64 10 "make-it-fail task, task-pid 0"
	[ -z "${pa_was:-}" ] || echo "$pa_was" >"$PA"
	pa_was=
else
	echo "no /proc/self/make-it-fail (CONFIG_FAULT_INJECTION off): task-pid only"
fi
set_knobs task-pid=$$ times=0
try 10 64 0 "times 0"

# Bad values: refused with EINVAL, the knob as it was.
for kv in probability=101 probability=-1 probability=abc probability= \
	  probability=5x interval=0 interval=-3 times=-2 times=x space=-1 \
	  verbose=3 task-filter=2 task-filter=yes ignore-gfp-wait=7 \
	  min-size=-1 max-size=12k task-pid=-1; do
	k=${kv%%=*}
	was=$(knob "$k")
	err=$( { echo "${kv#*=}" >"$F/$k"; } 2>&1) &&
		fail "$kv accepted" ||
		case $err in
		*"Invalid argument"*) ok "$kv refused (EINVAL)" ;;
		*) fail "$kv refused with '$err', want EINVAL" ;;
		esac
	[ "$(knob "$k")" = "$was" ] || fail "$kv changed $k from $was to $(knob "$k")"
done

disarm
try 20 64 0 "disarmed at the end"
[ "$(knob probability)" = 0 ] && ok "probability 0" || fail "still armed"
[ $(($(stat FaultInjected) - inj0)) = "$injected" ] &&
	ok "FaultInjected counted all $injected failures" ||
	fail "FaultInjected moved by $(($(stat FaultInjected) - inj0)), want $injected"
echo 1 >"$G/drain"
[ "$(stat HeapObjects)" -eq "$objs" ] && ok "object count back" ||
	fail "HeapObjects $(stat HeapObjects), was $objs"
[ "$fails" -eq 0 ] || exit 1
exit 0
