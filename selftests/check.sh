#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every test, on a matrix of kernels, one VM boot each.
#
#   test-6.1       the KUnit/KASAN/lockdep/kmemleak kernel of kernel.sh 6.1:
#                  goheap.ko, goheap_kunit.ko (its KUnit suites run as it
#                  loads), goheap_sample.ko, every selftests/tests/*.sh,
#                  unload, kmemleak scan
#   test-6.12-rt   the same on 6.12 with PREEMPT_RT (kernel.sh 6.12-rt);
#                  after each, a second boot (test-*-debug) with goheap.ko
#                  debug=all and goheap_sample: the tests marked
#                  "# goheap-selftest: debug" (stock-6.1 has one too)
#   stock-6.1      Debian's 6.1, 6.12 and 6.12-rt kernels, each chosen by
#   stock-6.12     its meta package: goheap.ko (and goheap_sample.ko), the
#   stock-6.12-rt  tests marked "# goheap-selftest: smoke"; stock-6.1 boots
#                  with two NUMA nodes (numa.sh runs there)
#
# Before the boots, on the host: checkpatch, goheapstat's and report.py's
# tests, and for every goheap.ko built for a stock kernel the fast-path
# audit (fastpath-audit.sh) and the layering check (layers.sh).
#
# Each KUnit case, each guest test and each check (module build without
# warnings, boot to the end, load, unload, clean kernel log, no kmemleak
# report) counts once. A boot whose kernel reported a fault (KASAN, BUG,
# WARNING...) before the first of goheap's modules was loaded is booted
# once more, said so in the output, its log kept as LABEL.early-fault.log:
# no goheap code had run; a second such boot is checked as it is. Logs
# and reports go to build/check/; the last line printed is "N passed, N
# failed, N skipped". Exit status 1 if any failed.
#
# Environment: GOHEAP_APPEND (extra kernel arguments), GOHEAP_INSMOD_ARGS
# (goheap.ko parameters), GOHEAP_TEST_TIMEOUT (per guest test, s),
# GOHEAP_BOOT_TIMEOUT_TEST / _STOCK (whole boot, s), GOHEAP_VM_MEM (MiB),
# GOHEAP_CHECK_KERNELS (any subset of the matrix above, in order; the
# default is all of it; "test" and "stock" stand for their groups).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/vm.sh
. "$here/vm.sh"

out=$GH_BUILD/check
summary=$out/summary.txt
mkdir -p "$out"
: >"$summary"
npass=0 nfail=0 nskip=0

# result PASS|FAIL|SKIP NAME [REASON]
result() {
	case $1 in
	PASS) npass=$((npass + 1)) ;;
	FAIL) nfail=$((nfail + 1)) ;;
	SKIP) nskip=$((nskip + 1)) ;;
	esac
	printf '  %-4s  %s%s\n' "$1" "$2" "${3:+: $3}" | tee -a "$summary"
}

# Up to 20 lines of evidence under a result.
excerpt() {
	head -n 20 | sed 's/^/        | /' | tee -a "$summary"
}

say() {
	printf '%s\n' "$*" | tee -a "$summary"
}

# build_modules LABEL KDIR: build into build/LABEL; sets $kos to the
# modules built. A test-kernel build that fails is retried without the
# KUnit module so the other tests still run (the failure still counts).
build_modules() {
	local label=$1 kdir=$2 dir=$GH_BUILD/$1 name=build-$1 m k
	kos=()
	local extra=()
	# sparse (C=1) on the test-kernel builds: its warnings fail them too
	[[ $label == test-* ]] && extra=(C=1)
	if ! gh_build_modules "$kdir" "$dir" "${extra[@]}"; then
		result FAIL "$name" "make failed ($dir/build.log)"
		gh_build_errors "$dir/build.log" | excerpt
		if [[ $label == test-* ]]; then
			mv "$dir/build.log" "$dir.failed-build.log"
			say "        retrying without goheap_kunit (CONFIG_KUNIT=)"
			gh_build_modules "$kdir" "$dir" CONFIG_KUNIT= ||
				gh_build_errors "$dir/build.log" | excerpt
		fi
	elif gh_build_warnings "$dir/build.log" >/dev/null; then
		result FAIL "$name" "W=1 warnings ($dir/build.log)"
		gh_build_warnings "$dir/build.log" | excerpt
	else
		result PASS "$name"
	fi
	for m in goheap goheap_kunit goheap_sample goheap_gc_example goheap_stress; do
		k=$(gh_ko "$dir" "$m")
		[ -f "$k" ] && kos+=("$k")
	done
}

# The named checks of one boot. Each reads $label, $log (the serial log)
# and $txt (the same without time stamps), set by check_log.

check_boot() {
	local rc=$1 secs=$2
	if grep -qx GUEST-DONE "$txt"; then
		result PASS "$label boot" "${secs}s"
	elif [ "$rc" = 124 ]; then
		result FAIL "$label boot" "timed out after ${secs}s ($log)"
		tail -n 20 "$log" | excerpt
	else
		result FAIL "$label boot" "guest died before GUEST-DONE, QEMU exit $rc ($log)"
		tail -n 20 "$log" | excerpt
	fi
}

check_loads() {
	local n bad
	n=$(grep -c '^INSMOD .* OK$' "$txt")
	bad=$(grep '^INSMOD .* FAIL' "$txt")
	if [ -n "$bad" ]; then
		result FAIL "$label modules load" "insmod failed"
		excerpt <<<"$bad"
	elif [ "$n" -gt 0 ]; then
		result PASS "$label modules load" "$n loaded"
	else
		result FAIL "$label modules load" "no module was loaded"
	fi
}

# One result per guest test; a test that began and has no verdict failed.
check_selftests() {
	local line name verdict
	while read -r line; do
		name=${line#SELFTEST }
		verdict=${name##* }
		name=${name% *}
		result "$verdict" "$label selftest $name"
		if [ "$verdict" = FAIL ]; then
			awk -v n="$name" '$0 == "SELFTEST-BEGIN " n { on = 1; next }
				$0 ~ "^SELFTEST " n " " { exit }
				on' "$txt" | excerpt
		fi
	done < <(grep -E '^SELFTEST [^ ]+ (PASS|FAIL|SKIP)$' "$txt")
	name=$(awk '/^SELFTEST-BEGIN / { cur = $2 }
		/^SELFTEST [^ ]+ (PASS|FAIL|SKIP)$/ { cur = "" }
		END { print cur }' "$txt")
	[ -z "$name" ] || result FAIL "$label selftest $name" "no verdict (the guest died in it)"
}

check_unloads() {
	local bad
	grep -qx GUEST-DONE "$txt" || return 0
	bad=$(grep '^RMMOD .* FAIL' "$txt")
	if [ -n "$bad" ]; then
		result FAIL "$label modules unload" "rmmod failed"
		excerpt <<<"$bad"
	else
		result PASS "$label modules unload"
	fi
	check_unload_leak "$label" "$txt"
}

# Every BUG, WARNING, KASAN, lockdep, RCU stall... line fails the boot.
check_clean_log() {
	local bad kind n
	bad=$(gh_log_scan "$log")
	if [ -z "$bad" ]; then
		result PASS "$label clean log"
		return
	fi
	while read -r kind; do
		n=$(grep -c "^$kind	" <<<"$bad")
		result FAIL "$label log: $kind" "$n line(s) ($log)"
		grep "^$kind	" <<<"$bad" | cut -f2- | excerpt
	done < <(cut -f1 <<<"$bad" | awk '!seen[$0]++')
}

# check_log LABEL LOG RC KUNIT KMEMLEAK SECS: every verdict of one boot.
check_log() {
	local label=$1 log=$2 rc=$3 kunit=$4 kmemleak=$5 secs=$6
	local txt=$out/$1.txt

	gh_strip "$log" >"$txt"
	check_boot "$rc" "$secs"
	check_loads
	[ "$kunit" = 0 ] || check_kunit "$label" "$log"
	check_selftests
	check_unloads
	check_pprof "$label" "$txt"
	[ "$kmemleak" = 0 ] || check_kmemleak "$label" "$txt"
	check_clean_log
}

# zz-unload-leak.sh leaked objects on purpose: goheap's unload must name them.
check_unload_leak() {
	local label=$1 txt=$2 n size
	read -r _ n size < <(grep -m1 '^GOHEAP-EXPECT-UNLOAD-LEAK ' "$txt") || return 0
	if sed -n '/^RMMOD goheap_sample OK$/,$p' "$txt" |
		grep -q "^goheap: unload: $n objects of class [0-9]* ($size bytes) never freed$"; then
		result PASS "$label leak reported at unload" "$n x $size bytes"
	else
		result FAIL "$label leak reported at unload" "no report of $n x $size bytes"
		grep 'goheap: unload' "$txt" | excerpt
	fi
}

# profile.sh printed heap.pprof (base64) and the truth it was made from:
# `go tool pprof` must read the file and find its two call sites with the
# bytes the workload allocated, within the tolerance profile.sh computed
# (4 standard deviations of the sampling error), live and allocated.
check_pprof() {
	local label=$1 txt=$2 file=$out/$1-heap.pprof idx top got why=
	local small big tol
	grep -qx GOHEAP-PPROF-BEGIN "$txt" || return 0
	read -r _ _ small _ big _ tol < <(grep -m1 '^GOHEAP-PPROF-EXPECT ' "$txt")
	sed -n '/^GOHEAP-PPROF-BEGIN$/,/^GOHEAP-PPROF-END$/p' "$txt" | sed '1d;$d' |
		tr -d ' \r' | base64 -d >"$file" 2>/dev/null
	if ! command -v go >/dev/null; then
		result FAIL "$label heap.pprof in go tool pprof" "no go command (golang-go)"
		return
	fi
	for idx in inuse_space alloc_space; do
		top=$(go tool pprof -top -unit=B -nodefraction=0 -sample_index=$idx "$file" 2>&1)
		printf '%s\n' "$top" >"$out/$label-pprof-$idx.txt"
		got=$(awk -v s="$small" -v b="$big" -v t="${tol:-0}" '
			/ sample_prof_small\+/ { v = $1; sub(/B$/, "", v); gs = v }
			/ sample_prof_big\+/ { v = $1; sub(/B$/, "", v); gb = v }
			END {
				ok = gs > 0 && gb > 0 && t > 0 &&
				     gs >= s * (1 - t) && gs <= s * (1 + t) &&
				     gb >= b * (1 - t) && gb <= b * (1 + t) &&
				     gb / gs >= 16 * (1 - t) && gb / gs <= 16 * (1 + t)
				printf "%s small %d big %d (want %d, %d, ratio 16, +- %.1f %%)",
					ok ? "ok" : "bad", gs, gb, s, b, 100 * t
			}' <<<"$top")
		[[ $got == ok* ]] || why+="$idx: $got; "
	done
	if [ -z "$why" ]; then
		result PASS "$label heap.pprof in go tool pprof" "${got#ok }"
	else
		result FAIL "$label heap.pprof in go tool pprof" "$why"
		head -n 12 "$out/$label-pprof-inuse_space.txt" | excerpt
	fi
}

check_kunit() {
	local label=$1 log=$2 ktap=$out/$1-kunit.ktap report=$out/$1-kunit.txt
	local p f s e

	gh_ktap "$log" goheap_kunit >"$ktap"
	if [ ! -s "$ktap" ]; then
		result FAIL "$label kunit" "goheap_kunit.ko loaded but printed no KTAP"
		return
	fi
	read -r p f s e < <(gh_kunit_counts "$GH_KSRC" "$ktap" "$report")
	say "  KUnit ($report):"
	sed -E 's/^\[[0-9:]+\] //' "$report" |
		grep -E '=====|FAILED|CRASHED|SKIPPED|ERROR|Testing complete|# [a-z_0-9]+: ' |
		sed 's/^/        /' | tee -a "$summary"
	npass=$((npass + p))
	nfail=$((nfail + f))
	nskip=$((nskip + s))
	if [ "$e" -gt 0 ] || [ $((p + f + s)) = 0 ]; then
		result FAIL "$label kunit KTAP" "kunit.py parse reported $e error(s), $((p + f + s)) cases"
	fi
}

check_kmemleak() {
	local label=$1 txt=$2 report
	if grep -qx KMEMLEAK-UNAVAILABLE "$txt"; then
		result FAIL "$label kmemleak" "/sys/kernel/debug/kmemleak missing"
		return
	fi
	if ! grep -qx KMEMLEAK-END "$txt"; then
		result SKIP "$label kmemleak" "not reached"
		return
	fi
	report=$(sed -n '/^KMEMLEAK-BEGIN$/,/^KMEMLEAK-END$/p' "$txt" | sed '1d;$d')
	if grep -q '^KMEMLEAK-ERROR' "$txt"; then
		result FAIL "$label kmemleak" "kmemleak clear/scan failed"
		grep '^KMEMLEAK-ERROR' "$txt" | excerpt
	elif [ -n "$report" ]; then
		result FAIL "$label kmemleak" \
			"$(grep -c 'unreferenced object' <<<"$report") leaked object(s)"
		excerpt <<<"$report"
	else
		result PASS "$label kmemleak clean"
	fi
}

# early_fault LOG: the kernel's bad lines (gh_log_scan) before the first
# module was loaded; status 1 if there are none.
early_fault() {
	local head bad
	head=$(mktemp)
	sed '/INSMOD-BEGIN/q' "$1" >"$head"
	bad=$(gh_log_scan "$head")
	rm -f "$head"
	[ -n "$bad" ] && printf '%s\n' "$bad"
}

# boot_once LABEL IMAGE TMO APPEND TESTS ARGS MODULES: one guest run; its
# exit status.
boot_once() {
	gh_guest "$out" "$1" "$2" "$3" "$4 ${GOHEAP_APPEND:-}" "${kos[@]}" <<-EOF
		GH_MODE=check
		GH_KERNEL=$1
		GH_MODULES="$7"
		GH_TESTS=$5
		GH_TEST_TIMEOUT=${GOHEAP_TEST_TIMEOUT:-300}
		GH_GOHEAP_ARGS="$6"
	EOF
}

# boot LABEL IMAGE TIMEOUT APPEND TESTS [GOHEAP_ARGS MODULES]: build/LABEL's
# modules in a guest; goheap.ko loaded with GOHEAP_ARGS (default
# $GOHEAP_INSMOD_ARGS), the modules named in MODULES (default: all four).
boot() {
	local label=$1 image=$2 tmo=$3 append=$4 tests=$5
	local args=${6-${GOHEAP_INSMOD_ARGS:-}}
	local modules=${7:-goheap goheap_kunit goheap_sample goheap_stress}
	local rc=0 t0 secs kunit=0 kmemleak=0 k early

	for k in "${kos[@]}"; do
		case $k in *goheap_kunit.ko) [[ " $modules " == *" goheap_kunit "* ]] && kunit=1 ;; esac
	done
	[[ $label == test-* ]] && kmemleak=1
	t0=$(date +%s)
	boot_once "$label" "$image" "$tmo" "$append" "$tests" "$args" "$modules" || rc=$?
	if early=$(early_fault "$out/$label.log"); then
		mv "$out/$label.log" "$out/$label.early-fault.log"
		say "        $label: the kernel reported a fault before goheap was loaded; booting again ($out/$label.early-fault.log)"
		cut -f2- <<<"$early" | excerpt
		rc=0
		boot_once "$label" "$image" "$tmo" "$append" "$tests" "$args" "$modules" || rc=$?
	fi
	secs=$(($(date +%s) - t0))
	check_log "$label" "$out/$label.log" "$rc" "$kunit" "$kmemleak" "$secs"
}

# audit LABEL: the fast-path audit and the layering check of the goheap.ko
# built for LABEL.
audit() {
	local ko=$GH_BUILD/$1/src/kmod/goheap.ko report
	[ -f "$ko" ] || return 0
	if report=$("$here/fastpath-audit.sh" "$ko" 2>&1); then
		result PASS "$1 fast-path audit" "$(tail -n 1 <<<"$report")"
	else
		result FAIL "$1 fast-path audit" "interrupt disabling or atomics on a fast path"
		excerpt <<<"$report"
	fi
	if report=$("$here/layers.sh" "$(dirname "$ko")" 2>&1); then
		result PASS "$1 layering" "calls between goheap.ko's files go one way"
	else
		result FAIL "$1 layering" "a cycle between goheap.ko's files"
		tail -n 20 <<<"$report" | excerpt
	fi
}

# check_test_kernel SERIES: the debug kernel of SERIES, every test.
check_test_kernel() {
	local series=$1 label=test-$1 kdir
	say "== $label: test kernel (KUnit, KASAN, lockdep, kmemleak)"
	if ! kdir=$("$here/kernel.sh" "$series"); then
		result FAIL "$label kernel build" "selftests/kernel.sh $series failed"
		return
	fi
	GH_KSRC=$(cd "$kdir/../src" && pwd)
	build_modules "$label" "$kdir"
	if [ ${#kos[@]} -gt 0 ] && [[ ${kos[0]} == */goheap.ko ]]; then
		boot "$label" "$kdir/arch/x86/boot/bzImage" \
			"${GOHEAP_BOOT_TIMEOUT_TEST:-1500}" "kmemleak=on" all
		# debug mode in a boot of its own: the tests marked "debug"
		boot "$label-debug" "$kdir/arch/x86/boot/bzImage" \
			"${GOHEAP_BOOT_TIMEOUT_TEST:-1500}" "kmemleak=on" debug \
			"debug=all ${GOHEAP_INSMOD_ARGS:-}" "goheap goheap_sample"
	else
		result FAIL "$label boot" "goheap.ko did not build, not booted"
	fi
}

# check_stock_kernel SERIES: Debian's kernel of SERIES, the smoke tests.
check_stock_kernel() {
	local series=$1 label=stock-$1
	say "== $label: Debian's kernel"
	gh_stock_kernel "$series"
	say "  $GH_STOCK_IMAGE, headers $GH_STOCK_KDIR"
	build_modules "$label" "$GH_STOCK_KDIR"
	audit "$label"
	if [ ${#kos[@]} -gt 0 ] && [[ ${kos[0]} == */goheap.ko ]]; then
		# one stock boot with two NUMA nodes: Debian's kernels have NUMA
		GH_QEMU_NUMA=$([ "$series" = 6.1 ] && echo 2 || echo 1) \
			boot "$label" "$GH_STOCK_IMAGE" "${GOHEAP_BOOT_TIMEOUT_STOCK:-400}" "" smoke
		# debug mode where no KASAN or kmemleak backs it up
		[ "$series" != 6.1 ] ||
			boot "$label-debug" "$GH_STOCK_IMAGE" "${GOHEAP_BOOT_TIMEOUT_STOCK:-400}" "" \
				debug "debug=all ${GOHEAP_INSMOD_ARGS:-}" "goheap goheap_sample"
	else
		result FAIL "$label boot" "goheap.ko did not build, not booted"
	fi
}

# Host-side checks: the kernel's style checker and goheapstat's own tests.
check_host() {
	local cp bad
	say "== host"
	if cp=$("$here/kernel.sh" 2>/dev/null); then
		cp=$(cd "$cp/../src" && pwd)/scripts/checkpatch.pl
		# compat.h is the one place that tests kernel versions
		bad=$(cd "$GH_ROOT" && perl "$cp" --no-tree -f --terse --show-types \
			--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
			$(ls kmod/*.[ch] | grep -v '^kmod/compat.h$') \
			kmod/gc/*.[ch] kmod/kunit/*.[ch] include/*.h \
			kmod/samples/*.[ch] selftests/bench/*.[ch] selftests/stress/*.c \
			userspace-tools/mksizeclasses.c 2>&1 | grep -E ': (ERROR|WARNING|CHECK):')
		bad+=$(cd "$GH_ROOT" && perl "$cp" --no-tree -f --terse --show-types \
			--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,LINUX_VERSION_CODE,CONSTANT_COMPARISON \
			kmod/compat.h 2>&1 | grep -E ': (ERROR|WARNING|CHECK):')
		bad+=$(cd "$GH_ROOT" && perl "$cp" --no-tree -f --terse --show-types \
			--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,VOLATILE \
			userspace-tools/goheapstat.c 2>&1 | grep -E ': (ERROR|WARNING|CHECK):')
		if [ -z "$bad" ]; then
			result PASS "host checkpatch"
		else
			result FAIL "host checkpatch" "$(wc -l <<<"$bad") report(s)"
			excerpt <<<"$bad"
		fi
	else
		result FAIL "host checkpatch" "no kernel source (selftests/kernel.sh failed)"
	fi
	bad=$(cd "$GH_ROOT" && grep -rn 'LINUX_VERSION_CODE\|KERNEL_VERSION(' \
		kmod include selftests/bench selftests/stress | grep -v '^kmod/compat.h:')
	if [ -z "$bad" ]; then
		result PASS "host version tests only in kmod/compat.h"
	else
		result FAIL "host version tests only in kmod/compat.h"
		excerpt <<<"$bad"
	fi
	if python3 "$GH_ROOT/selftests/bench/test_report.py" >"$out/bench-report-host.log" 2>&1; then
		result PASS "host bench report.py tests"
	else
		result FAIL "host bench report.py tests" "($out/bench-report-host.log)"
		tail -n 20 "$out/bench-report-host.log" | excerpt
	fi
	if GOHEAPSTAT=$GH_BUILD/goheapstat "$GH_ROOT/userspace-tools/test-goheapstat.sh" \
		>"$out/goheapstat-host.log" 2>&1; then
		result PASS "host goheapstat tests" "$(grep -c '^ok' "$out/goheapstat-host.log" || true) checks"
	else
		result FAIL "host goheapstat tests" "($out/goheapstat-host.log)"
		tail -n 20 "$out/goheapstat-host.log" | excerpt
	fi
}

# The matrix GOHEAP_CHECK_KERNELS asks for, groups spelled out.
matrix() {
	local k
	for k in ${GOHEAP_CHECK_KERNELS:-test stock}; do
		case $k in
		test) echo test-6.1 test-6.12-rt ;;
		stock) echo stock-6.1 stock-6.12 stock-6.12-rt ;;
		*) echo "$k" ;;
		esac
	done
}

check_host
for k in $(matrix); do
	case $k in
	test-6.1 | test-6.12-rt) check_test_kernel "${k#test-}" ;;
	stock-6.1 | stock-6.12 | stock-6.12-rt) check_stock_kernel "${k#stock-}" ;;
	*) gh_die "GOHEAP_CHECK_KERNELS: unknown kernel '$k'" ;;
	esac
done

say "logs: $out"
line="$npass passed, $nfail failed, $nskip skipped"
echo "$line" >>"$summary"
echo "$line"
[ "$nfail" = 0 ]
