#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make run`: the main job. Builds goheap.ko, goheap_sample.ko and
# goheap_gc_example.ko for Debian's stock kernel, boots that kernel in QEMU
# with the three loaded, runs selftests/workload.sh in the guest (the
# manual heap through goheap_sample, a garbage-collected domain through
# goheap_gc_example) and shows goheap's statistics (goheapstat -1 if
# build/goheapstat exists, else debugfs stats and sizeclasses; the
# domain's own stats either way).
# The terminal gets those sections; the whole serial log is build/run/guest.log.
# Exit status 1 if the build, the boot, a module load or the workload failed.
#
# Environment: GOHEAP_RUN_KERNEL=test boots the KASAN/lockdep test kernel
# instead; GOHEAP_APPEND, GOHEAP_INSMOD_ARGS, GOHEAP_TEST_TIMEOUT as check.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/vm.sh
. "$here/vm.sh"

out=$GH_BUILD/run
log=$out/guest.log
mkdir -p "$out"

if [ "${GOHEAP_RUN_KERNEL:-stock}" = test ]; then
	kdir=$("$here/kernel.sh")
	image=$kdir/arch/x86/boot/bzImage
	kernel="test"
else
	gh_stock_kernel "${KERNEL:-6.1}"
	kdir=$GH_STOCK_KDIR
	image=$GH_STOCK_IMAGE
	kernel="stock"
fi

gh_build_or_die run "$kdir" "$out/modules"
kos=()
for m in goheap goheap_sample goheap_gc_example; do
	ko=$(gh_ko "$out/modules" "$m")
	[ ! -f "$ko" ] || kos+=("$ko")
done

echo "run: booting $image under QEMU/TCG (serial log: $log)"
t0=$(date +%s)
rc=0
gh_guest "$out" guest "$image" 300 "${GOHEAP_APPEND:-}" "${kos[@]}" <<EOF || rc=$?
GH_MODE=run
GH_KERNEL=$kernel
GH_MODULES="goheap goheap_sample goheap_gc_example"
GH_TEST_TIMEOUT=${GOHEAP_TEST_TIMEOUT:-300}
GH_GOHEAP_ARGS="${GOHEAP_INSMOD_ARGS:-}"
EOF
echo "run: guest finished in $(($(date +%s) - t0)) s"
echo

# The sections the guest marked, time stamps removed, module events between.
gh_strip "$log" | awk '
	/^GH-BEGIN / { printf "==== %s ====\n", $2; on = 1; next }
	/^GH-END$/   { on = 0; print ""; next }
	/^(INSMOD|RMMOD) / { print; next }
	on'

status=0
gh_log_report run "$log" 20 || status=1
if gh_strip "$log" | grep -q -e '^INSMOD .* FAIL' -e '^GH-EXIT '; then
	echo "run: a module load or a guest command failed"
	status=1
fi
if ! gh_strip "$log" | grep -qx GUEST-DONE; then
	[ "$rc" = 124 ] && echo "run: QEMU timed out" ||
		echo "run: the guest died before GUEST-DONE; last lines of $log:"
	tail -n 20 "$log"
	status=1
fi
exit "$status"
