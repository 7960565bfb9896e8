#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The workload `make run` drives in the VM (placeholder): through
# goheap_sample's debugfs control file, 1000 allocations of a handful of
# sizes and a few large ones. Prints what it does; without goheap_sample it
# says so and exits 0.

ctl=/sys/kernel/debug/goheap_sample/ctl

if [ ! -w "$ctl" ]; then
	echo "workload: $ctl not present (goheap_sample.ko not loaded); nothing to do"
	exit 0
fi

rc=0
for req in "1000 8" "1000 24" "1000 100" "1000 512" "1000 3000" \
	   "1000 20000" "1000 100000"; do
	if echo "alloc $req" >"$ctl"; then
		echo "workload: alloc $req"
	else
		echo "workload: alloc $req FAILED"
		rc=1
	fi
done
exit $rc
