#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# layers.sh KMOD_BUILD_DIR: the calls between goheap.ko's files go one way.
#
# Reads the object files of a goheap.ko build (DIR/*.o and DIR/gc/*.o, as
# gh_build_modules leaves them) with nm: file A calls (or reads) file B
# when A.o needs a symbol B.o defines. Prints the edges and fails if they
# form a cycle (tsort finds one). kmod/internal.h states the intended order
# of the allocator's files, kmod/gc/gc.h that of the collector's.
set -uo pipefail

dir=${1:?usage: layers.sh KMOD_BUILD_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

objs=()
for o in "$dir"/*.o "$dir"/gc/*.o; do
	case $o in
	*/goheap.o | */goheap_kunit.o | */*.mod.o) continue ;;
	esac
	[ -f "$o" ] && objs+=("$o")
done
[ ${#objs[@]} -gt 0 ] || { echo "layers: no object files in $dir"; exit 1; }

name() { local n=${1#"$dir"/}; echo "${n%.o}"; }

for o in "${objs[@]}"; do
	nm --defined-only "$o" | awk '$2 ~ /^[TDBR]$/ { print $3 }' |
		sed "s|\$| $(name "$o")|"
done | sort -u >"$tmp/defs"

for o in "${objs[@]}"; do
	nm --undefined-only "$o" | awk '{ print $2 }' | sort -u |
		join - "$tmp/defs" | awk -v me="$(name "$o")" '$2 != me { print me, $2 }'
done | sort -u >"$tmp/edges"

sed 's/ / -> /' "$tmp/edges"
if ! tsort "$tmp/edges" >"$tmp/order" 2>"$tmp/err"; then
	echo "layers: the calls between files form a cycle:"
	cat "$tmp/err"
	exit 1
fi
echo "layers: $(wc -l <"$tmp/edges") edges, no cycle; top to bottom: $(tr '\n' ' ' <"$tmp/order")"
