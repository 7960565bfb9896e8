# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# goheap's VM harness library, sourced by check.sh and run.sh.
#
#   gh_stock_kernel [SERIES]     set GH_STOCK_IMAGE / GH_STOCK_KDIR (Debian's)
#   gh_build_modules KDIR DIR    copy the sources to DIR, build there with W=1
#   gh_build_or_die WHO KDIR DIR gh_build_modules, or the errors and exit
#   gh_ko DIR NAME               where that build put module NAME's .ko
#   gh_guest DIR NAME IMAGE SECS APPEND KO... <CONF   one whole guest run
#   gh_make_initramfs OUT CONF KO...   busybox + modules + tests + /init
#   gh_boot IMAGE INITRD LOG SECS APPEND   boot QEMU (TCG), log to LOG
#                                (GH_QEMU_ACCEL, GH_QEMU_SMP: see gh_boot)
#   gh_log_scan LOG              print "kind<TAB>line" for each bad line
#   gh_log_report WHO LOG N      the first N of them under a heading
#   gh_ktap LOG MODULE           the KTAP a module printed while it loaded
#
# The guest's own output goes through /dev/kmsg (see guest-init.sh), so the
# serial log is one ordered stream of "[ time] text" lines; gh_strip removes
# the time stamps.

GH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GH_BUILD=${GH_BUILD:-$GH_ROOT/build}
GH_JOBS=$(($(nproc) + 1))

# Every module the tree builds, as name:path of its .ko below the source
# root; the top-level Kbuild lists their folders. Scripts find a .ko with
# gh_ko, never by a path of their own.
GH_MODULE_PATHS=(
	goheap:kmod/goheap.ko
	goheap_kunit:kmod/goheap_kunit.ko
	goheap_sample:kmod/samples/goheap_sample.ko
	goheap_gc_example:kmod/samples/goheap_gc_example.ko
	goheap_bench:selftests/bench/goheap_bench.ko
	goheap_stress:selftests/stress/goheap_stress.ko
)

gh_msg() { printf '%s\n' "$*" >&2; }
gh_die() { gh_msg "error: $*"; exit 1; }

# gh_stock_kernel [SERIES]: set GH_STOCK_IMAGE / GH_STOCK_KDIR to Debian's
# kernel of SERIES (6.1, the default; 6.12; 6.12-rt). The kernel is the one
# the series' meta package depends on now, never "the newest installed":
# installing 6.12 must not change what a 6.1 run boots. KERNEL=... in
# `make run` / `make bench` picks the series.
gh_stock_kernel() {
	local series=${1:-6.1} meta pkg ver
	case $series in
	6.1) meta=linux-image-amd64 ;;
	6.12) meta=linux-image-6.12-amd64 ;;
	6.12-rt) meta=linux-image-6.12-rt-amd64 ;;
	*) gh_die "unknown kernel series '$series' (6.1, 6.12, 6.12-rt)" ;;
	esac
	pkg=$(dpkg-query -W -f='${Depends}' "$meta" 2>/dev/null |
		tr ',' '\n' | grep -o 'linux-image-[^ ]*' | head -n 1) ||
		gh_die "$meta is not installed (run selftests/deps.sh)"
	ver=${pkg#linux-image-}
	GH_STOCK_SERIES=$series
	GH_STOCK_IMAGE=/boot/vmlinuz-$ver
	GH_STOCK_KDIR=/usr/src/linux-headers-$ver
	export GH_STOCK_SERIES GH_STOCK_IMAGE GH_STOCK_KDIR
	[ -f "$GH_STOCK_IMAGE" ] && [ -f "$GH_STOCK_KDIR/Makefile" ] ||
		gh_die "$GH_STOCK_IMAGE or $GH_STOCK_KDIR missing (run selftests/deps.sh)"
}

# gh_build_modules KDIR DIR [make args...]: a fresh copy of Kbuild, kmod/,
# include/ and selftests/bench/ (sources only, no objects of an in-tree
# build) in DIR/src, built against KDIR. Output in DIR/build.log. Fresh every
# time, so a warning in an unchanged file is printed (and caught) on every
# run.
gh_build_modules() {
	local kdir=$1 dir=$2
	shift 2
	rm -rf "$dir"
	mkdir -p "$dir/src"
	(cd "$GH_ROOT" && tar -cf - --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
		--exclude='*.order' --exclude='Module.symvers' --exclude='.*.d' \
		Kbuild kmod include selftests/bench selftests/stress) | tar -xf - -C "$dir/src"
	make -C "$kdir" M="$dir/src" W=1 -j"$GH_JOBS" "$@" modules \
		>"$dir/build.log" 2>&1
}

# gh_build_or_die WHO KDIR DIR: gh_build_modules KDIR DIR; if it fails, its
# errors and exit; a note (from WHO) if it printed warnings.
gh_build_or_die() {
	local who=$1 kdir=$2 dir=$3
	echo "$who: building modules against $kdir"
	if ! gh_build_modules "$kdir" "$dir"; then
		gh_build_errors "$dir/build.log" | head -n 20 >&2
		gh_die "module build failed ($dir/build.log)"
	fi
	if gh_build_warnings "$dir/build.log" >/dev/null; then
		echo "$who: note: the build printed warnings ($dir/build.log)"
	fi
}

# gh_ko DIR NAME: the path of module NAME's .ko in gh_build_modules' DIR
# (whether or not it was built).
gh_ko() {
	local entry
	for entry in "${GH_MODULE_PATHS[@]}"; do
		if [ "${entry%%:*}" = "$2" ]; then
			printf '%s\n' "$1/src/${entry#*:}"
			return 0
		fi
	done
	gh_die "gh_ko: no module $2 in GH_MODULE_PATHS"
}

# Compiler and modpost warnings in a build log.
gh_build_warnings() {
	grep -i 'warning:' "$1"
}

# The lines that say why a build failed.
gh_build_errors() {
	grep -E -i 'error:|\*\*\*|undefined' "$1"
}

# gh_make_initramfs OUT CONF KO...: OUT is a gzipped newc cpio with busybox,
# /init, CONF as /etc/goheap-vm.conf, the modules in /lib/goheap, the guest
# tests in /tests, /workload.sh and, if built, /bin/goheapstat.
gh_make_initramfs() {
	local out=$1 conf=$2 stage=$1.d app
	shift 2
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc,lib/goheap,tests}
	cp /bin/busybox "$stage/bin/busybox"
	for app in $(/bin/busybox --list-full); do
		[ -e "$stage/$app" ] || ln -s /bin/busybox "$stage/$app"
	done
	# Lets the kernel give /init a console; /init also copes without it.
	mknod "$stage/dev/console" c 5 1 2>/dev/null || true
	install -m 0755 "$GH_ROOT/selftests/guest-init.sh" "$stage/init"
	cp "$conf" "$stage/etc/goheap-vm.conf"
	[ $# -eq 0 ] || cp "$@" "$stage/lib/goheap/"
	cp "$GH_ROOT"/selftests/tests/*.sh "$stage/tests/"
	install -m 0755 "$GH_ROOT/selftests/workload.sh" "$stage/workload.sh"
	install -m 0755 "$GH_ROOT/selftests/bench/bench-guest.sh" "$stage/bench-guest.sh"
	if [ -x "$GH_BUILD/goheapstat" ]; then
		cp "$GH_BUILD/goheapstat" "$stage/bin/goheapstat"
		# A dynamically linked build brings its libraries and loader.
		{ ldd "$GH_BUILD/goheapstat" 2>/dev/null || true; } |
			{ grep -o '/[^ ]*' || true; } |
			while read -r lib; do
				mkdir -p "$stage$(dirname "$lib")"
				cp -L "$lib" "$stage$lib"
			done
	fi
	(cd "$stage" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out"
}

# gh_guest DIR NAME IMAGE SECS APPEND KO... <CONF: one guest, start to end,
# the one way every script runs a VM: DIR/NAME.conf (the guest's
# /etc/goheap-vm.conf, read from standard input), DIR/NAME.cpio.gz
# (busybox, the modules KO..., the tests), a boot of IMAGE with the serial
# log in DIR/NAME.log. Returns QEMU's status (124: timed out); the caller
# reads the log's markers (see guest-init.sh for the protocol).
gh_guest() {
	local dir=$1 name=$2 image=$3 secs=$4 append=$5
	shift 5
	cat >"$dir/$name.conf"
	gh_make_initramfs "$dir/$name.cpio.gz" "$dir/$name.conf" "$@"
	gh_boot "$image" "$dir/$name.cpio.gz" "$dir/$name.log" "$secs" "$append"
}

# gh_boot IMAGE INITRD LOG SECS APPEND: boot under TCG; the guest ends QEMU
# with `reboot -f` (-no-reboot), a panic does too (panic=-1). Returns
# QEMU's status, 124 on timeout. The log gets Unix line ends.
# GH_QEMU_ACCEL replaces the accelerator options (default "-accel
# tcg,thread=multi"; bench.sh uses "-accel tcg,thread=single -icount
# shift=0,align=off,sleep=off"), GH_QEMU_SMP the CPU count (default 2).
# GH_QEMU_NUMA=2 splits the guest into two NUMA nodes, one CPU and half
# the memory each (the guest kernel needs CONFIG_NUMA: Debian's have it).
gh_boot() {
	local image=$1 initrd=$2 log=$3 secs=$4 append=$5 rc=0 accel numa=()
	local mem=${GOHEAP_VM_MEM:-1024} smp=${GH_QEMU_SMP:-2}
	read -r -a accel <<<"${GH_QEMU_ACCEL:--accel tcg,thread=multi}"
	if [ "${GH_QEMU_NUMA:-1}" = 2 ]; then
		# a socket per node: CPUs sharing a cache across nodes make the
		# guest's scheduler warn
		smp="$smp,sockets=2"
		numa=(-object "memory-backend-ram,id=m0,size=$((mem / 2))M"
		      -object "memory-backend-ram,id=m1,size=$((mem - mem / 2))M"
		      -numa node,nodeid=0,cpus=0,memdev=m0
		      -numa node,nodeid=1,cpus=1,memdev=m1)
	fi
	timeout -k 10 "$secs" qemu-system-x86_64 \
		"${accel[@]}" -cpu max -smp "$smp" \
		-m "$mem" "${numa[@]}" \
		-nographic -no-reboot -nic none \
		-kernel "$image" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 printk.devkmsg=on $append" \
		</dev/null >"$log" 2>&1 || rc=$?
	sed -i 's/\r$//' "$log"
	return "$rc"
}

# Drop the "[   12.345678] " printk time stamp.
gh_strip() {
	sed -E 's/^\[ *[0-9]+\.[0-9]+\] ?//' "$@"
}

# Problems that are not a test's verdict: one regex per kind. A WARN or a
# call trace between lines containing "goheap-expect-splat-begin" and
# "goheap-expect-splat-end" (a test that provokes one on purpose prints
# these, e.g. with pr_info) is expected; everything else counts anywhere.
GH_BAD_KINDS=(
	'BUG|BUG:'
	'WARNING|WARNING:'
	'KASAN|KASAN'
	'UBSAN|UBSAN'
	'Oops|Oops|general protection fault'
	'lockdep circular|possible circular locking'
	'lockdep inconsistent|inconsistent lock state'
	'hung task|INFO: task .* blocked'
	'RCU stall|rcu: INFO: |self-detected stall'
	'panic|Kernel panic'
	'call trace|Call Trace:'
	'kmemleak disabled|Kernel memory leak detector disabled'
)

# gh_log_scan LOG: "kind<TAB>line" for every bad line in LOG.
gh_log_scan() {
	local entry kind re
	for entry in "${GH_BAD_KINDS[@]}"; do
		kind=${entry%%|*}
		re=${entry#*|}
		awk -v kind="$kind" -v re="$re" '
			/goheap-expect-splat-begin/ { inside = 1 }
			/goheap-expect-splat-end/   { inside = 0 }
			$0 ~ re {
				if (inside && (kind == "WARNING" || kind == "call trace"))
					next
				print kind "\t" $0
			}' "$1"
	done
}

# gh_log_report WHO LOG N: up to N of LOG's bad lines (gh_log_scan) under a
# heading naming WHO; status 1 if there are any.
gh_log_report() {
	local bad
	bad=$(gh_log_scan "$2")
	[ -n "$bad" ] || return 0
	echo "$1: the kernel log has problems:"
	cut -f2- <<<"$bad" | head -n "$3"
	return 1
}

# gh_ktap LOG MODULE: the KTAP printed while MODULE was being loaded, time
# stamps removed, under a synthesized top-level header. A module's suites
# print only "ok N suite" at the top level and start with an indented
# "KTAP version 1", which kunit.py parse would take as the line prefix.
# Prints nothing if the module printed no suite.
gh_ktap() {
	local body n
	body=$(gh_strip "$1" | awk -v m="$2" '
		$0 == "INSMOD-BEGIN " m { on = 1; next }
		on && $0 ~ "^INSMOD " m " " { exit }
		on')
	n=$(grep -c '^    # Subtest: ' <<<"$body" || true)
	[ "$n" -gt 0 ] || return 0
	# 6.12's KUnit prints the module's own top-level header; 6.1's does not
	if [ "$(head -n 1 <<<"$body")" = "KTAP version 1" ]; then
		printf '%s\n' "$body"
	else
		printf 'KTAP version 1\n1..%s\n%s\n' "$n" "$body"
	fi
}

# gh_kunit_counts SRC KTAPFILE OUTFILE: run SRC's (the test kernel source
# tree's) kunit.py parse on KTAPFILE, its report to OUTFILE, and print
# "passed failed skipped errors".
# kunit.py's last line reads "Testing complete. Ran N tests: passed: P,
# failed: F, crashed: C, skipped: S, errors: E" with zero counts left out;
# crashed cases count as failed.
gh_kunit_counts() {
	local src=$1 ktap=$2 out=$3 line
	python3 "$src/tools/testing/kunit/kunit.py" parse "$ktap" >"$out" 2>&1 || true
	line=$(grep 'Testing complete\.' "$out" | tail -n 1)
	awk -v l="$line" 'function get(k,   r) {
			if (match(l, k ": [0-9]+")) {
				r = substr(l, RSTART, RLENGTH); sub(/.*: /, "", r); return r + 0
			}
			return 0
		}
		BEGIN { print get("passed"), get("failed") + get("crashed"),
			get("skipped"), get("errors") }'
}
