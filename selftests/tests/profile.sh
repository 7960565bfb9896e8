#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# goheap-selftest: smoke
#
# The allocation profile (Documentation/goheap.rst, "Allocation profile"):
# goheap_sample's "profile N" allocates N objects of 64 bytes at one call
# site (sample_prof_small) and N of 1024 bytes at another
# (sample_prof_big), at profile_rate 8192. allocinfo must show both sites
# with live bytes and calls within the sampling error of the truth, and
# their bytes in the ratio 16 within its error; after profile-free, none
# live. profile_rate refuses what is not a number, and 0 stops sampling.
# heap.pprof is printed base64-encoded between GOHEAP-PPROF-BEGIN and
# GOHEAP-PPROF-END, for check.sh to read with `go tool pprof`, after a
# GOHEAP-PPROF-EXPECT line with the truth and the tolerance.
#
# The error: an object of s bytes is sampled with probability
# p = 1 - exp(-s / rate), independently (the sampling distances are
# exponential), so a site's estimate k / p from k ~ Binomial(N, p)
# samples has relative standard deviation sqrt((1 - p) / (N p)): 5.65 %
# for 40000 objects of 64 bytes (p = 0.0078), 1.37 % for 1024 bytes
# (p = 0.1175), and 5.81 % for the ratio of the two. Checks allow 4 of
# them: a false failure about once in 15000 runs per check. (busybox awk
# has no exp() or sqrt(): the figures are written out below, for N and
# RATE as set here.)
# Exit 0 pass, 1 fail, 4 skip.

G=/sys/kernel/debug/goheap
C=/sys/kernel/debug/goheap_sample/ctl
P=/sys/module/goheap/parameters
N=40000
RATE=8192
# 4 standard deviations, in parts per million: small site, big site, ratio
TOL_SMALL=225832
TOL_BIG=54810
TOL_RATIO=232389
fails=0

[ -f "$G/allocinfo" ] || { echo "no $G/allocinfo"; exit 1; }
[ -f "$G/heap.pprof" ] || { echo "no $G/heap.pprof"; exit 1; }
[ -w "$C" ] || { echo "goheap_sample not loaded: skip"; exit 4; }

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# site NAME: "bytes calls" of the allocinfo line of call site NAME
site() {
	awk -v f="$1+" 'index($3, f) == 1 { print $1, $2; n++ }
		END { if (!n) print "0 0" }' "$G/allocinfo"
}

# within NAME GOT WANT TOL: GOT is WANT within TOL parts per million
within() {
	awk -v name="$1" -v got="$2" -v want="$3" -v t="$4" 'BEGIN {
		d = (got - want) / want; t /= 1e6
		printf "%s: %d, want %d +- %.1f %% (4 sd)\n", name, got, want, 100 * t
		exit !(d <= t && d >= -t) }'
}

old=$(cat "$P/profile_rate")
for bad in abc -1 1x 99999999999 "8 192" " " "0x"; do
	printf '%s' "$bad" >"$P/profile_rate" 2>/dev/null && fail "profile_rate took '$bad'"
done
[ "$(cat "$P/profile_rate")" = "$old" ] || fail "profile_rate changed by refused writes"
ok "profile_rate refuses what is not a number"

echo $RATE >"$P/profile_rate" || fail "profile_rate $RATE"
echo "profile $N" >"$C" || { fail "profile $N"; exit 1; }
head -n 3 "$G/allocinfo"
grep -q '^allocinfo - version: 1\.0$' "$G/allocinfo" || fail "allocinfo header"
grep -q "^# goheap profile_rate $RATE samples [0-9]* dropped 0\$" "$G/allocinfo" ||
	fail "allocinfo: rate, or dropped samples"
grep -E 'sample_prof_(small|big)\+' "$G/allocinfo"
set -- $(site sample_prof_small)
sb=$1 sc=$2
set -- $(site sample_prof_big)
bb=$1 bc=$2
within "small site bytes" "$sb" $((N * 64)) $TOL_SMALL || fail "small site bytes"
within "small site calls" "$sc" $N $TOL_SMALL || fail "small site calls"
within "big site bytes" "$bb" $((N * 1024)) $TOL_BIG || fail "big site bytes"
within "big site calls" "$bc" $N $TOL_BIG || fail "big site calls"
within "big/small bytes x 1000" $((sb ? bb * 1000 / sb : 0)) 16000 $TOL_RATIO ||
	fail "big/small bytes ratio"
echo "GOHEAP-PPROF-EXPECT sample_prof_small $((N * 64)) sample_prof_big $((N * 1024)) tolerance 0.$TOL_RATIO"
# sorted by bytes, descending
awk 'NR > 3 { if (NR > 4 && $1 > last) bad = 1; last = $1 } END { exit bad }' \
	"$G/allocinfo" || fail "allocinfo not sorted by bytes"
ok "allocinfo: both call sites, in proportion"

echo "GOHEAP-PPROF-BEGIN"
base64 "$G/heap.pprof" || fail "read heap.pprof"
echo "GOHEAP-PPROF-END"
[ "$(head -c 2 "$G/heap.pprof" | od -An -tx1 | tr -d ' ')" = 1f8b ] ||
	fail "heap.pprof is not gzip"
ok "heap.pprof dumped ($(wc -c <"$G/heap.pprof") bytes)"

echo profile-free >"$C" || fail "profile-free"
set -- $(site sample_prof_small)
[ "$1 $2" = "0 0" ] || fail "small site still live after profile-free: $*"
set -- $(site sample_prof_big)
[ "$1 $2" = "0 0" ] || fail "big site still live after profile-free: $*"
ok "frees counted"

# profile_rate 0: no sample
echo 0 >"$P/profile_rate" || fail "profile_rate 0"
before=$(awk 'NR == 2 { print $6 }' "$G/allocinfo")
echo "alloc 2000 1024" >"$C" || fail "alloc with the profile off"
after=$(awk 'NR == 2 { print $6 }' "$G/allocinfo")
[ "$before" = "$after" ] || fail "samples $before -> $after with profile_rate 0"
echo "$old" >"$P/profile_rate" || fail "restore profile_rate"
ok "profile_rate 0 stops sampling"

[ "$fails" = 0 ]
