#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what goheap's build, test kernel and VM harness need (Debian 12),
# non-interactively and only if something is missing: a warm run is one
# dpkg-query call. `apt-get update` runs once, before an install.
# libc6-dev is listed because gcc only recommends it and the kernel's host
# tools need it (recommends are not installed). golang-go brings
# `go tool pprof`, which check.sh reads the allocation profile with.
set -euo pipefail

# Kernels by series, through Debian's meta packages (the version inside the
# real package names changes with every security update): 6.1 (stock and
# the test kernel's source), 6.12 and 6.12-rt (stock and source). 6.12's
# header trees ship a vmlinux, so module links run pahole.
pkgs=(linux-source-6.1 linux-image-amd64 linux-headers-amd64
      linux-source-6.12 linux-image-6.12-amd64 linux-headers-6.12-amd64
      linux-image-6.12-rt-amd64 linux-headers-6.12-rt-amd64 pahole
      qemu-system-x86 busybox-static cpio bc bison flex libelf-dev libssl-dev
      sparse python3 gcc libc6-dev make kmod xz-utils binutils golang-go)

installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${pkgs[@]}" \
	2>/dev/null | awk '$2 == "installed" { print $1 }' || true)
missing=()
for p in "${pkgs[@]}"; do
	grep -qx "$p" <<<"$installed" || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0

sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q >&2
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
