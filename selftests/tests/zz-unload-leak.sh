#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# goheap-selftest: smoke
#
# Runs last (zz-): makes goheap_sample leak 10 objects of 100 bytes on
# purpose. When the harness then unloads goheap, goheap must report them,
# "unload: 10 objects of class 9 (112 bytes) never freed", and still give
# every page back; selftests/check.sh checks that line after the unload.
# Exit 0 pass, 1 fail, 4 skip.

C=/sys/kernel/debug/goheap_sample/ctl
[ -w "$C" ] || { echo "goheap_sample not loaded: skip"; exit 4; }
# an exact count of one class: the allocation profile off (a sampled
# object would be a large one), until the unload
echo 0 >/sys/module/goheap/parameters/profile_rate
before=$(awk '$1 == "HeapObjects" { print $2 }' /sys/kernel/debug/goheap/stats)
echo "leak 10 100" >"$C" || { echo "FAIL: leak command"; exit 1; }
after=$(awk '$1 == "HeapObjects" { print $2 }' /sys/kernel/debug/goheap/stats)
[ "$after" = $((before + 10)) ] || { echo "FAIL: HeapObjects $before -> $after"; exit 1; }
echo "GOHEAP-EXPECT-UNLOAD-LEAK 10 112"
