#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of goheap's test VM (busybox ash), packed by gh_make_initramfs in
# selftests/vm.sh. /etc/goheap-vm.conf says what to do:
#
#   GH_MODE=check   load the modules (the KUnit suites run as goheap_kunit
#                   loads), run /tests/*.sh, unload, report kmemleak
#   GH_MODE=run     load the modules, run /workload.sh, print the statistics
#   GH_MODE=bench   load the modules, run /bench-guest.sh (make bench)
#
# Everything this script prints goes through /dev/kmsg, so it is interleaved
# with the kernel's own messages in order and line by line on the serial
# console. The last act is `reboot -f`, which ends QEMU (-no-reboot).
#
# The marker protocol: the whole of it, here. Each marker starts a line of
# the serial log (after the printk time stamp, which gh_strip removes).
#
#   marker                        printed by        read by
#   GUEST-START mode= kernel=...  this script       (humans)
#   GUEST-CMDLINE ...             this script       (humans)
#   GUEST-DONE                    this script       check.sh, run.sh,
#                                 (last line)       bench.sh: a clean end
#   INSMOD-BEGIN m / INSMOD m OK  this script       check.sh (loads; the
#   / INSMOD m FAIL (...)                           KTAP between BEGIN and
#   / INSMOD m ABSENT                               the verdict), run.sh
#   RMMOD m OK / RMMOD m FAIL     this script       check.sh (unloads)
#   SELFTEST-BEGIN t              this script       check.sh (a test that
#   SELFTEST-EXIT t ...           this script       began and has no verdict
#   SELFTEST t PASS|FAIL|SKIP     this script       died with the guest)
#   KMEMLEAK-BEGIN / -END         this script       check.sh (the report
#   KMEMLEAK-ERROR ...            this script       between them must be
#   KMEMLEAK-UNAVAILABLE          this script       empty)
#   FAIL-PAGE-ALLOC[-ERROR] ...   this script       (humans: arming
#                                                   fail_page_alloc)
#   GH-BEGIN name / GH-END        this script       run.sh (sections shown
#   GH-EXIT cmd status            (run mode)        to the user; a failed
#                                                   command)
#   GOHEAP-EXPECT-UNLOAD-LEAK n s tests/zz-unload-  check.sh (the leak
#                                 leak.sh           report at unload)
#   BENCH-SET / BENCH-CMD /       bench/bench-      bench/report.py
#   BENCH-END / BENCH-FAIL        guest.sh
#   GCPAUSE ... / GHSTAT ...      bench/bench-      bench/report.py
#                                 guest.sh
#   goheap_bench: config|result|  goheap_bench.ko   bench/report.py
#   error ...
#   ...goheap-expect-splat-begin  a test that       vm.sh gh_log_scan: a
#   ...goheap-expect-splat-end    provokes a WARN   WARNING or call trace
#                                 on purpose        between them is expected

PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH

mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -t 1 ] || exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
echo 8 >/proc/sys/kernel/printk

GH_MODE=check
GH_KERNEL=unknown
GH_MODULES=goheap
GH_TESTS=all
GH_TEST_TIMEOUT=120
GH_GOHEAP_ARGS=
# shellcheck disable=SC1091
. /etc/goheap-vm.conf
export GH_KERNEL

KMEMLEAK=/sys/kernel/debug/kmemleak

say() {
	printf '%s\n' "$*" >/dev/kmsg
}

# Copy stdin to the kernel log line by line: one write per record, cut to
# fit a record; a line starting with '<' would be read as a log level, so
# it gets a space.
fwd() {
	while IFS= read -r l; do
		case $l in
		"<"*) l=" $l" ;;
		esac
		# shellcheck disable=SC3057 # busybox ash has ${var:offset:length}
		printf '%s\n' "${l:0:900}" >/dev/kmsg
	done
}

# run_timed SECS CMD...: run CMD with its output forwarded; sets $rc (143
# and $timedout=1 if it ran out of time). CMD runs in its own session so
# that it and whatever it started (which would keep the pipe open) can be
# killed as a group, on a timeout and after it ends.
run_timed() {
	secs=$1
	shift
	rm -f /tmp/timedout
	{
		setsid "$@" 2>&1 &
		pid=$!
		(
			sleep "$secs"
			touch /tmp/timedout
			kill -TERM -"$pid"
			sleep 2
			kill -KILL -"$pid"
		) >/dev/null 2>&1 &
		dog=$!
		wait "$pid"
		echo $? >/tmp/rc
		kill "$dog" 2>/dev/null
		kill -KILL -"$pid" 2>/dev/null
	} | fwd
	rc=$(cat /tmp/rc)
	timedout=0
	[ ! -e /tmp/timedout ] || timedout=1
}

# Arm fail_page_alloc (test kernel) for tasks that opt in: with task-filter
# only a task with make_it_fail set sees failures (the KUnit suites set
# current->make_it_fail; the knobs are debugfs files the kernel cannot
# write itself). verbose=0: no stack dump per injected failure.
arm_fail_page_alloc() {
	d=/sys/kernel/debug/fail_page_alloc
	[ -d "$d" ] || return 0
	for kv in task-filter=Y probability=100 interval=1 times=-1 space=0 \
		  verbose=0 ignore-gfp-wait=N ignore-gfp-highmem=N min-order=0; do
		echo "${kv#*=}" >"$d/${kv%%=*}" ||
			say "FAIL-PAGE-ALLOC-ERROR cannot set $kv"
	done
	say "FAIL-PAGE-ALLOC armed for make_it_fail tasks"
}

load_modules() {
	loaded=
	for m in $GH_MODULES; do
		ko=/lib/goheap/$m.ko
		if [ ! -f "$ko" ]; then
			say "INSMOD $m ABSENT"
			continue
		fi
		args=
		[ "$m" = goheap ] && args=$GH_GOHEAP_ARGS
		say "INSMOD-BEGIN $m"
		# the KUnit suites check where objects lie and how they are
		# counted: with the allocation profile off (a sampled object is
		# a large one), which profile.sh tests instead
		prate=/sys/module/goheap/parameters/profile_rate
		[ "$m" != goheap_kunit ] || { old_prate=$(cat $prate); echo 0 >$prate; }
		# shellcheck disable=SC2086
		out=$(insmod "$ko" $args 2>&1)
		rc=$?
		[ "$m" != goheap_kunit ] || echo "$old_prate" >$prate
		[ -z "$out" ] || echo "$out" | fwd
		if [ "$rc" = 0 ]; then
			say "INSMOD $m OK"
			loaded="$m $loaded"
		else
			say "INSMOD $m FAIL (exit $rc)"
		fi
	done
}

unload_modules() {
	for m in $loaded; do
		out=$(rmmod "$m" 2>&1)
		rc=$?
		[ -z "$out" ] || echo "$out" | fwd
		if [ "$rc" = 0 ]; then
			say "RMMOD $m OK"
		else
			say "RMMOD $m FAIL (exit $rc)"
		fi
	done
}

run_selftests() {
	cd /tests || return
	for t in /tests/*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		# GH_TESTS=all: every test but those that need a debug-mode
		# goheap (check.sh boots one for them); else the marked ones
		if [ "$GH_TESTS" = all ]; then
			! grep -qx '# goheap-selftest: debug' "$t" || continue
		elif ! grep -qx "# goheap-selftest: $GH_TESTS" "$t"; then
			continue
		fi
		say "SELFTEST-BEGIN $name"
		run_timed "$GH_TEST_TIMEOUT" sh "$t"
		case $rc in
		0) verdict=PASS ;;
		4) verdict=SKIP ;;
		*) verdict=FAIL ;;
		esac
		if [ "$timedout" = 1 ]; then
			say "SELFTEST-EXIT $name timed out after ${GH_TEST_TIMEOUT}s"
		elif [ "$verdict" = FAIL ]; then
			say "SELFTEST-EXIT $name exit status $rc"
		fi
		say "SELFTEST $name $verdict"
	done
	cd /
}

section() {
	say "GH-BEGIN $1"
	shift
	run_timed "$GH_TEST_TIMEOUT" "$@"
	if [ "$timedout" = 1 ]; then
		say "GH-EXIT timed out after ${GH_TEST_TIMEOUT}s"
	elif [ "$rc" != 0 ]; then
		say "GH-EXIT exit status $rc"
	fi
	say "GH-END"
}

report_kmemleak() {
	if [ ! -e "$KMEMLEAK" ]; then
		say "KMEMLEAK-UNAVAILABLE"
		return
	fi
	# kmemleak reports only objects older than 5 s; two scans settle it.
	sleep 6
	if ! { echo scan >"$KMEMLEAK" && echo scan >"$KMEMLEAK"; }; then
		say "KMEMLEAK-ERROR scan failed"
	fi
	say "KMEMLEAK-BEGIN"
	fwd <"$KMEMLEAK"
	say "KMEMLEAK-END"
}

say "GUEST-START mode=$GH_MODE kernel=$GH_KERNEL release=$(uname -r) cpus=$(nproc)"
say "GUEST-CMDLINE $(cat /proc/cmdline)"

if [ "$GH_MODE" = check ] && [ -e "$KMEMLEAK" ]; then
	# Forget boot-time objects: report only what the tests leave behind.
	echo clear >"$KMEMLEAK" || say "KMEMLEAK-ERROR clear failed"
fi

arm_fail_page_alloc
load_modules

case $GH_MODE in
check)
	run_selftests
	;;
run)
	section workload sh /workload.sh
	if [ -x /bin/goheapstat ]; then
		section goheapstat /bin/goheapstat -1 -n 12
	else
		section stats cat /sys/kernel/debug/goheap/stats
		section sizeclasses cat /sys/kernel/debug/goheap/sizeclasses
	fi
	section goheap-vs-kmalloc sh /workload.sh report
	section gc-domain sh /workload.sh gc
	;;
bench)
	section bench sh /bench-guest.sh
	;;
esac

unload_modules
[ "$GH_MODE" = check ] && report_kmemleak

say "GUEST-DONE"
reboot -f
