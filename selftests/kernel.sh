#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh [SERIES]: build (once) and print the path of goheap's test
# kernel build directory for SERIES (default 6.1):
#
#   6.1      Debian's linux-source-6.1, PREEMPT, KASAN, lockdep, kmemleak,
#            KUnit (selftests/kernel.config)
#   6.12-rt  Debian's linux-source-6.12 with PREEMPT_RT and the same debug
#            options (kernel.config + kernel-6.12-rt.config)
#
# The kernel is tinyconfig plus the fragments, cached outside the
# repository, keyed by the hash of the fragments and of the source package
# version, so a second call with the same inputs rebuilds nothing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
series=${1:-6.1}
case $series in
6.1) src_series=6.1 frags=("$here/kernel.config") ;;
6.12-rt) src_series=6.12 frags=("$here/kernel.config" "$here/kernel-6.12-rt.config") ;;
*) echo "kernel.sh: unknown series '$series' (6.1, 6.12-rt)" >&2; exit 2 ;;
esac
tarball=/usr/src/linux-source-$src_series.tar.xz
cache=${GOHEAP_CACHE:-$HOME/.cache/goheap}

[ -f "$tarball" ] || { echo "kernel.sh: $tarball missing (run selftests/deps.sh)" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' "linux-source-$src_series" 2>/dev/null || echo unknown)
key=$( { cat "${frags[@]}"; echo "$srcver"; } | sha256sum | cut -c1-16)
dir="$cache/kernel-$series-$key"

if [ -f "$dir/.done" ]; then
	echo "$dir/build"
	exit 0
fi

echo "kernel.sh: building the $series test kernel in $dir (several minutes, once)" >&2
rm -rf "$dir"
mkdir -p "$dir/build"
tar xJf "$tarball" -C "$dir"
mv "$dir/linux-source-$src_series" "$dir/src"
src="$dir/src"
build="$dir/build"
jobs=$(( $(nproc) + 1 ))
cat "${frags[@]}" >"$dir/fragment.config"
{
	make -C "$src" O="$build" tinyconfig
	(cd "$build" && "$src/scripts/kconfig/merge_config.sh" -m .config "$dir/fragment.config")
	make -C "$src" O="$build" olddefconfig
} >"$dir/config.log" 2>&1

# Every option the fragments set, and every one they unset, must have
# survived olddefconfig (a later fragment line overrides an earlier one).
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		opt=${line%%=*}
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		;;
	*) continue ;;
	esac
	want=$(grep -E "^(# )?$opt[= ]" "$dir/fragment.config" | tail -n 1)
	[ "$want" = "$line" ] || continue
	case $want in
	"# "*) grep -q "^$opt=" "$build/.config" && bad=1 || bad=0 ;;
	*) grep -qx "$want" "$build/.config" && bad=0 || bad=1 ;;
	esac
	if [ "$bad" = 1 ]; then
		echo "kernel.sh: fragment option not applied: $line" >&2
		missing=1
	fi
done <"$dir/fragment.config"
[ "$missing" = 0 ] || exit 1

if ! make -C "$src" O="$build" -j"$jobs" bzImage modules >"$dir/build.log" 2>&1; then
	tail -n 40 "$dir/build.log" >&2
	exit 1
fi
touch "$dir/.done"
echo "$build"
