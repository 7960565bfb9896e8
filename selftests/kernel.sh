#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) and print the path of goheap's test kernel build directory.
#
# The kernel is Debian's linux-source-6.1, configured as tinyconfig plus
# selftests/kernel.config. It is cached outside the repository, keyed by the
# hash of the fragment and of the source tarball's package version, so a
# second call with the same inputs rebuilds nothing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
frag="$here/kernel.config"
tarball=/usr/src/linux-source-6.1.tar.xz
cache=${GOHEAP_CACHE:-$HOME/.cache/goheap}

[ -f "$tarball" ] || { echo "kernel.sh: $tarball missing (run selftests/deps.sh)" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo unknown)
key=$( { cat "$frag"; echo "$srcver"; } | sha256sum | cut -c1-16)
dir="$cache/kernel-$key"

if [ -f "$dir/.done" ]; then
	echo "$dir/build"
	exit 0
fi

echo "kernel.sh: building test kernel in $dir (a few minutes, once)" >&2
rm -rf "$dir"
mkdir -p "$dir/build"
tar xJf "$tarball" -C "$dir"
mv "$dir/linux-source-6.1" "$dir/src"
src="$dir/src"
build="$dir/build"
jobs=$(( $(nproc) + 1 ))
{
	make -C "$src" O="$build" tinyconfig
	(cd "$build" && "$src/scripts/kconfig/merge_config.sh" -m .config "$frag")
	make -C "$src" O="$build" olddefconfig
} >"$dir/config.log" 2>&1

# Every option the fragment sets must have survived olddefconfig.
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		if ! grep -qx "$line" "$build/.config"; then
			echo "kernel.sh: fragment option not applied: $line" >&2
			missing=1
		fi
		;;
	esac
done <"$frag"
[ "$missing" = 0 ] || exit 1

if ! make -C "$src" O="$build" -j"$jobs" bzImage modules >"$dir/build.log" 2>&1; then
	tail -n 40 "$dir/build.log" >&2
	exit 1
fi
touch "$dir/.done"
echo "$build"
