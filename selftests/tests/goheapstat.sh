#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# goheapstat against the live module, in the VM (busybox sh): `goheapstat -1`
# and `goheapstat --json` work, the size-class table sees 1000 objects of
# 200 bytes held by goheap_sample (class size 208, live >= 1000) and sees
# them go on release, and a missing directory is an error. Exit 0 pass,
# 1 fail (each failure printed), 4 skip (no /bin/goheapstat: it is copied
# into the VM only if build/goheapstat was built).

stat=${GOHEAPSTAT:-/bin/goheapstat}
ctl=${GOHEAP_SAMPLE_CTL:-/sys/kernel/debug/goheap_sample/ctl}
failed=0
held=0

fail() {
	echo "FAIL: $*"
	failed=1
}

# The live column of the row whose size column is $1, in the class table of
# `goheapstat -1` on stdin; "none" without such a row. Columns go by name.
live_of_size() {
	awk -v size="$1" '
		$1 == "class" && $2 == "size" {
			for (i = 1; i <= NF; i++)
				col[$i] = i
			t = 1
			next
		}
		/^total:/ { t = 0 }
		t && $col["size"] == size { live = $col["live"] }
		END { print (live == "" ? "none" : live) }'
}

# A tiny JSON check of stdin: starts with {, ends with }, brackets balance
# outside strings, and there is a "HeapSys": number. Prints what is wrong.
json_check() {
	awk '
		{ text = text $0 "\n" }
		END {
			n = length(text)
			for (i = 1; i <= n; i++) {
				c = substr(text, i, 1)
				if (instr) {
					if (c == "\\")
						i++
					else if (c == "\"")
						instr = 0
					continue
				}
				if (c == "\"")
					instr = 1
				if (c == " " || c == "\t" || c == "\n")
					continue
				if (first == "")
					first = c
				last = c
				if (c == "{" || c == "[")
					depth++
				if ((c == "}" || c == "]") && --depth < 0)
					bad = 1
			}
			if (first != "{")
				print "does not start with {"
			else if (last != "}")
				print "does not end with }"
			else if (bad || depth || instr)
				print "brackets or quotes do not balance"
			else if (text !~ /"HeapSys": [0-9]+/)
				print "no \"HeapSys\": number"
			else
				exit 0
			exit 1
		}'
}

# is_int VALUE: VALUE is an integer, maybe negative
is_int() {
	case ${1#-} in
	"" | *[!0-9]*) return 1 ;;
	esac
}

if [ ! -x "$stat" ]; then
	echo "SKIP: no $stat"
	exit 4
fi

echo "== goheapstat -1"
out=$("$stat" -1 2>&1)
rc=$?
echo "$out"
[ "$rc" = 0 ] || fail "goheapstat -1 exited $rc"
echo "$out" | grep -q '^  HeapSys  *[0-9]' || fail "goheapstat -1: no HeapSys line"
echo "$out" | grep -q '^class  *size ' || fail "goheapstat -1: no size-class table"

echo "== goheapstat --json"
json=$("$stat" --json 2>&1)
rc=$?
[ "$rc" = 0 ] || fail "goheapstat --json exited $rc: $json"
why=$(printf '%s\n' "$json" | json_check) || fail "goheapstat --json: $why"
echo "json: $(printf '%s\n' "$json" | wc -c) bytes, ${why:-looks valid}"

echo "== hold 1000 objects of 200 bytes"
# exact class counts: the allocation profile off (a sampled object is a
# large one, outside its class)
prate=/sys/module/goheap/parameters/profile_rate
old_prate=$(cat $prate 2>/dev/null) && echo 0 >$prate
before=$("$stat" -1 | live_of_size 208)
if echo "hold 1000 200" >"$ctl"; then
	held=1
else
	fail "cannot write 'hold 1000 200' to $ctl (is goheap_sample loaded?)"
fi
out=$("$stat" -1)
echo "$out" | sed -n '/^Size classes/,/^total:/p'
after=$(echo "$out" | live_of_size 208)
echo "class size 208: live $before before the hold, $after after"
if ! is_int "$after"; then
	fail "no class of size 208 in the table after the hold (live: $after)"
elif [ "$after" -lt 1000 ]; then
	fail "class size 208: live $after after holding 1000 objects, want >= 1000"
fi
# the same row in JSON, where live is a number
jlive=$("$stat" --json | sed -n 's/.*"size": 208,.*"live": \(-*[0-9]*\),.*/\1/p')
[ "$jlive" = "$after" ] || fail "--json: class size 208 live '$jlive', the table said $after"

echo "== release"
if [ "$held" = 1 ]; then
	echo release >"$ctl" || fail "cannot write 'release' to $ctl"
	held=0
	released=$("$stat" -1 | live_of_size 208)
	echo "class size 208: live $released after the release"
	if ! is_int "$after" || ! is_int "$released"; then
		fail "class size 208: live '$released' after the release"
	elif [ "$released" -gt $((after - 1000)) ]; then
		fail "class size 208: live $released after the release, want <= $((after - 1000))"
	fi
fi

echo "== goheapstat --dir /nonexistent"
err=$("$stat" --dir /nonexistent 2>&1 >/dev/null)
rc=$?
echo "exit $rc: $err"
[ "$rc" != 0 ] || fail "goheapstat --dir /nonexistent exited 0"
[ -n "$err" ] || fail "goheapstat --dir /nonexistent printed no error"
case $err in
*"not loaded"*) ;;
*) fail "goheapstat --dir /nonexistent: unexpected message '$err'" ;;
esac

[ -z "$old_prate" ] || echo "$old_prate" >$prate
if [ "$failed" = 0 ]; then
	echo "ok: goheapstat"
	exit 0
fi
exit 1
