#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fastpath-audit.sh GOHEAP_KO...: a static audit of goheap's fast paths.
#
# The allocation and same-CPU free fast paths must disable no interrupt and
# execute no atomic instruction (Documentation/goheap.rst, "The per-CPU
# cache"). This disassembles each goheap.ko given (objdump -dr) and fails
# on any of these inside the functions below, including everything the
# compiler inlined into them:
#
#   pushf/popf, cli/sti                    interrupt flag save/disable/enable
#   a call through pv_ops                  the same, on a paravirt kernel
#   a "lock" prefix, xchg with memory,     atomic read-modify-write
#   cmpxchg (any width)
#   a call to a spinlock or irq-flags      a lock, or interrupt disabling
#   function                               out of line
#
# Slow paths are out of line (noinline) and are not audited: a call to
# them is allowed. Functions whose names end in .cold are the compiler's
# out-of-line slow parts and are not audited either.
#
# Output: one line per finding, then "audit: N functions, N findings".
# Exit status 1 if anything was found or a function is missing.
set -uo pipefail

# The functions of the fast paths: the one list. gh_size_to_class()
# (internal.h), gh_cache_alloc_fast() and gh_cache_free_local() (cache.h) are
# __always_inline in them, so their instructions are audited here too.
GH_FASTPATH_FUNCS=(
	goheap_alloc		# size -> class, busy mark, window pop, stats
	goheap_free		# page-map lookup, index checks, busy mark, bit clear
	gh_free_wiped		# goheap_free()'s same-CPU free under init_on_free/KASAN
)

bad_insn='^(pushf|pushfq|popf|popfq|cli|sti|lock|cmpxchg|cmpxchg8b|cmpxchg16b)$'
bad_call='(spin_lock|spin_unlock|spin_trylock|irq_save|irq_restore|irq_disable|irq_enable|local_lock|rt_spin|mutex_lock)'

audit_one() {
	local ko=$1 fn dis body n=0 bad=0 findings
	dis=$(objdump -dr --no-show-raw-insn "$ko") || return 2
	for fn in "${GH_FASTPATH_FUNCS[@]}"; do
		body=$(awk -v f="$fn" '
			/^[0-9a-f]+ <[^>]+>:$/ {
				name = $2; sub(/^</, "", name); sub(/>:$/, "", name)
				on = (name == f || (index(name, f ".") == 1 && name !~ /\.cold/))
				next
			}
			/^$/ { on = 0 }
			on' <<<"$dis")
		if [ -z "$body" ]; then
			echo "$ko: $fn: not found (renamed? add it to GH_FASTPATH_FUNCS)"
			bad=$((bad + 1))
			continue
		fi
		n=$((n + 1))
		findings=$(awk -v f="$fn" -v bi="$bad_insn" -v bc="$bad_call" '
			# instruction lines: "  addr:\tmnemonic operands"
			/^ *[0-9a-f]+:\t/ {
				line = $0; sub(/^ *[0-9a-f]+:\t/, "", line)
				split(line, w, /[ \t]+/)
				m = w[1]
				if (m ~ bi) { print f ": " line; next }
				if (m ~ /^xchg/ && line ~ /\(/) { print f ": " line; next }
				if (m ~ /^call/ && line ~ /pv_ops/) { print f ": " line; next }
				last = line
				next
			}
			# relocation lines name call targets and pv_ops slots
			/R_X86_64/ {
				if ($0 ~ /pv_ops/) { print f ": paravirt op: " $0; next }
				if (last ~ /^call/ && $0 ~ bc) print f ": " last " -> " $NF
			}' <<<"$body")
		if [ -n "$findings" ]; then
			sed "s|^|$ko: |" <<<"$findings"
			bad=$((bad + $(wc -l <<<"$findings")))
		fi
	done
	echo "audit: $(basename "$(dirname "$ko")")/$(basename "$ko"): $n functions, $bad findings"
	[ "$bad" = 0 ]
}

[ $# -gt 0 ] || { echo "usage: $0 GOHEAP_KO..." >&2; exit 2; }
rc=0
for ko in "$@"; do
	audit_one "$ko" || rc=1
done
exit "$rc"
