#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests of goheapstat against the fake debugfs trees in
# userspace-tools/testdata/:
#
#   basic/                  the files as the module prints them today
#   gc/                     a later module: GCBytes, gc/<domain>/stats with a
#                           PauseNs list (empty in young), unknown stats, a
#                           broken HeapSys identity, a negative live count,
#                           4 CPUs, "... 2 more arenas", two typed caches,
#                           two NUMA nodes
#   malformed-stats/        stats line 3 has no value
#   malformed-sizeclasses/  sizeclasses line 16 has a word for a number
#   malformed-gc/           gc/bad/stats has a word in a list
#
# The tool is built here with gcc -O2 -Wall -Wextra -static (a warning is a
# failure) unless $GOHEAPSTAT names a binary to test. The permission check
# needs a user that cannot read a mode-000 file: as root it runs the tool as
# nobody through setpriv, and is skipped if setpriv is missing.
#
# Prints a line per check and a summary; exit 0 if every check passed.

set -u
here=$(cd "$(dirname "$0")" && pwd)
data=$here/testdata
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp"; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
passed=0
failed=0
skipped=0
esc=$(printf '\033')

ok() { passed=$((passed + 1)); echo "ok    $*"; }
bad() { failed=$((failed + 1)); echo "FAIL  $*"; }
skip() { skipped=$((skipped + 1)); echo "skip  $*"; }

# check DESCRIPTION COMMAND...: pass if COMMAND succeeds
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else bad "$desc"; fi
}

# run ARGS...: run the tool; sets $rc, $out (stdout), $err (stderr)
run() {
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# has REGEX / err_has REGEX: stdout / stderr has a line matching REGEX
has() { printf '%s\n' "$out" | grep -Eq -- "$1"; }
not_has() { ! has "$1"; }
err_has() { printf '%s\n' "$err" | grep -Eq -- "$1"; }
is() { [ "$1" = "$2" ] || { echo "      got '$1', want '$2'"; return 1; }; }

# The class table as "class size live" per row, in the order shown.
classes() {
	printf '%s\n' "$out" | awk '$1 == "class" && $2 == "size" { t = 1; next }
		/^total:/ { t = 0 } t { printf "%s %s %s,", $1, $2, $5 }'
}

# error_case DESC RC MESSAGE ARGS...: exits RC, one line MESSAGE, no stdout
error_case() {
	what=$1 want=$2 msg=$3
	shift 3
	run "$@"
	check "$what: exit $want" is "$rc" "$want"
	check "$what: message" is "$err" "goheapstat: $msg"
	check "$what: nothing on stdout" is "$out" ""
}

# json_check TREE PYTHON-EXPR...: --json output parses; each expression of
# the parsed object j holds
json_check() {
	tree=$1
	shift
	run -1 --json --dir "$data/$tree"
	check "$tree --json: exit 0" is "$rc" 0
	check "$tree --json: python3 -m json.tool accepts it" \
		python3 -m json.tool "$tmp/out" /dev/null
	for expr in "$@"; do
		check "$tree --json: $expr" python3 -c \
			"import json, sys; j = json.load(open(sys.argv[1])); sys.exit(not ($expr))" \
			"$tmp/out" 2>/dev/null
	done
}

# ---- build ----------------------------------------------------------------

if [ -n "${GOHEAPSTAT:-}" ]; then
	bin=$GOHEAPSTAT
else
	bin=$tmp/goheapstat
	if ! gcc -O2 -Wall -Wextra -static -o "$bin" "$here/goheapstat.c" 2>"$tmp/cc"; then
		cat "$tmp/cc"
		bad "build"
		exit 1
	fi
	check "build with -Wall -Wextra -static: no warnings" is "$(cat "$tmp/cc")" ""
fi

# ---- the text view --------------------------------------------------------

run -1 --dir "$data/basic"
check "basic: exit 0, nothing on stderr" is "$rc/$err" "0/"
check "basic: HeapSys raw and in MiB" has '^  HeapSys +6291456  6\.0 MiB$'
check "basic: TotalAlloc in MiB" has '^  TotalAlloc +97862936  93\.3 MiB$'
check "basic: counts without units" has '^  Mallocs +50000$'
check "basic: groups" has '^Errors caught$'
check "basic: HeapSys identity ok" has '^  HeapSys = HeapInuse \+ HeapIdle +ok$'
check "basic: HeapInuse identity ok" \
	has '^  HeapInuse = Alloc \+ CacheBytes \+ CentralBytes \+ PendingBytes \+ TailBytes +ok$'
check "basic: no Other group" eval '! has "^Other$"'
check "basic: classes in use, by live bytes" is "$(classes)" \
	"15 208 1000,19 288 500,10 128 500,1 8 0,2 16 0,"
check "basic: class row" \
	has '^ +15 +208 +1 +19 +1000 +203\.1KiB +1000 +0 +0/1/52 +212\.0KiB +3\.8%$'
check "basic: class summary" \
	has '^total: 5 of 61 classes in use, 5 shown; 2000 live objects, 406\.2 KiB; 109 spans'
check "basic: per-CPU row" has '^ +0 +1292 +194\.0KiB +8157 +8116$'
check "basic: arenas" has '^Arenas: 3$'
check "basic: waste held" has '^  Sys - HeapAlloc +5985264  5\.7 MiB \(93\.5 % of Sys\)$'
check "basic: waste split" has '^    idle arena pages 5\.1 MiB, free objects in spans 467\.0 KiB, span tails 26\.8 KiB, metadata 107\.2 KiB$'
check "basic: class rounding" has '^  class rounding alone: 9\.3 % of the bytes'
check "basic: arena pages" has '^  1536 pages \(6\.0 MiB\): 225 in use, 1311 free$'
check "basic: no gc section" eval '! has "^GC domains$"'
check "basic: no screen clearing" eval "! has '$esc'"

run -1 -s waste --dir "$data/basic"
check "-s waste" is "$(classes)" "2 16 0,19 288 500,10 128 500,15 208 1000,1 8 0,"
run -1 -s churn --dir "$data/basic"
check "-s churn" is "$(classes)" "19 288 500,10 128 500,1 8 0,15 208 1000,2 16 0,"
run -1 -s live -n 2 --dir "$data/basic"
check "-n 2" is "$(classes)" "15 208 1000,19 288 500,"
check "-n 2: summary counts all" has '^total: 5 of 61 classes in use, 2 shown;'

run -1 --dir "$data/gc"
check "gc: exit 0" is "$rc/$err" "0/"
check "gc: unknown stats under Other" has '^Other$'
check "gc: unknown count" has '^  FutureCount +42$'
check "gc: unknown *Bytes in MiB" has '^  FutureBytes +1048576  1\.0 MiB$'
check "gc: broken identity shows the difference" \
	has '^  HeapSys = HeapInuse \+ HeapIdle +off by \+856$'
check "gc: GCBytes counts in HeapInuse" \
	has '^  HeapInuse = Alloc \+ CacheBytes \+ CentralBytes \+ PendingBytes \+ TailBytes \+ GCBytes +ok$'
check "gc: negative live shown" has '^ +3 +24 +1 +170 +-2 '
check "gc: unlisted arenas counted" has '^Arenas: 5 \(sums of the 3 listed; 2 more not listed\)$'
check "gc: 4 CPUs" has '^ +3 +17 +4\.2KiB +9 +1$'
gc=$(printf '%s\n' "$out" | sed -n '/^GC domains$/,$p' | tr -s ' ' | tr '\n' '|')
check "gc: domains in name order" is "$(printf '%s\n' "$gc" | tr '|' '\n' | grep -v '^ ' | tr '\n' ' ')" \
	"GC domains old young  "
check "gc: domain stats, generically" has '^  HeapGoal +65536  64\.0 KiB$'
check "gc: a list: how many, the last 6" \
	has '^  PauseNs +8 values  \.\.\. 150000 90000 110000 70000 160000 60000$'
check "gc: an empty list" has '^  PauseNs +0 values$'
check "gc: names wider than the column" has '^  ForeignPointers +0$'
check "gc: typed caches, own with a constructor" \
	has '^sample_item +96 +96 +17 +42 +1 +40 +23 own,ctor$'
check "gc: typed caches, merged" has '^net_buf +100 +112 +5 +0 +0 +9 +4 merged$'
check "gc: two NUMA nodes" has '^ +1 +2 +1 +64\.0KiB +0B$'
run -1 --dir "$data/basic"
check "basic: no caches file, no typed caches" not_has '^Typed caches'
check "basic: no nodes file, no NUMA table" not_has '^NUMA nodes'

# ---- JSON -----------------------------------------------------------------

json_check basic 'j["stats"]["HeapSys"] == 6291456' 'len(j["stats"]) == 21' \
	'len(j["sizeclasses"]) == 61' \
	'j["sizeclasses"][14] == {"class": 15, "size": 208, "pages": 1, "objects": 19, "mallocs": 1000, "frees": 0, "live": 1000, "spans_cached": 0, "spans_partial": 1, "spans_full": 52, "bytes_inuse": 217088, "waste_permille": 38}' \
	'j["percpu"][1] == {"cpu": 1, "objects": 908, "bytes": 65584, "refills": 6702, "flushes": 6660}' \
	'len(j["arenas"]) == 3 and j["arenas"][2]["map"].startswith("+...")' \
	'all(type(v) is int for r in j["sizeclasses"] + j["percpu"] for v in r.values())' \
	'j["arenas_more"] == 0 and j["gc"] == {} and "caches" not in j'
json_check gc 'j["stats"]["FutureBytes"] == 1048576' 'j["sizeclasses"][2]["live"] == -2' \
	'j["arenas_more"] == 2' 'list(j["gc"]) == ["old", "young"]' \
	'j["nodes"][1] == {"node": 1, "cpus": 2, "arenas": 1, "sys_bytes": 65536, "inuse_bytes": 0, "idle_bytes": 65536}' \
	'j["caches"][0] == {"name": "sample_item", "objsize": 96, "size": 96, "align": 8, "active": 17, "allocs": 40, "frees": 23, "slots": 42, "spans": 1, "own": 1, "ctor": 1, "rcu": 0}' \
	'len(j["gc"]["old"]) == 18 and j["gc"]["old"]["HeapGoal"] == 65536' \
	'j["gc"]["old"]["PauseNs"] == [120000, 80000, 150000, 90000, 110000, 70000, 160000, 60000]' \
	'j["gc"]["young"]["PauseNs"] == [] and j["gc"]["young"]["NumGC"] == 0'

# ---- where the directory comes from ---------------------------------------

out=$(GOHEAP_DEBUGFS=$data/gc "$bin" -1 | head -n 1)
check "GOHEAP_DEBUGFS is honoured" is "$out" "goheap statistics in $data/gc"
out=$(GOHEAP_DEBUGFS=$data/gc "$bin" -1 --dir "$data/basic" | head -n 1)
check "--dir wins over GOHEAP_DEBUGFS" is "$out" "goheap statistics in $data/basic"
run --dir "$data/basic"
check "no -1 or -d, stdout not a terminal: prints once" is "$rc/$(classes)" \
	"0/15 208 1000,19 288 500,10 128 500,1 8 0,2 16 0,"

# ---- refresh --------------------------------------------------------------

run -d 0.2 -c 3 --dir "$data/basic"
check "-d 0.2 -c 3: exit 0" is "$rc" 0
check "-d 0.2 -c 3: clears the screen 3 times" \
	is "$(grep -c "$esc\[H$esc\[2J" "$tmp/out")" 3
check "-d 0.2 -c 3: last frame" has 'refresh 3 of 3'
check "-d: first frame has no rates yet" has '^  Mallocs 50000  Frees 48000  \(rates from the next refresh\)$'
check "-d: rates from the second frame" has '^  Mallocs \+0 \(0\.0/s\)  Frees \+0 \(0\.0/s\)  in 0\.2.s$'

# the counters move between two frames a second apart
cp -r "$data/basic" "$tmp/live"
"$bin" -d 1 -c 2 --dir "$tmp/live" >"$tmp/out" 2>&1 &
pid=$!
sleep 0.5
sed 's/^Mallocs 50000$/Mallocs 51000/; s/^Frees 48000$/Frees 48500/' \
	"$data/basic/stats" >"$tmp/live/stats"
wait "$pid"
out=$(cat "$tmp/out")
check "-d 1: per-interval deltas and rates" \
	has '^  Mallocs \+1000 \((99[0-9]\.[0-9]|1000\.0)/s\)  Frees \+500 \((49[0-9]\.[0-9]|500\.0)/s\)  in 1\.0.s$'

# SIGINT ends the sleep and the program, cleanly
"$bin" -d 5 -c 3 --dir "$data/basic" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1
start=$(date +%s)
kill -INT "$pid"
wait "$pid"
rc=$?
took=$(($(date +%s) - start))
check "SIGINT: exit 0" is "$rc" 0
check "SIGINT: stops at once, not after the 5 s sleep" [ "$took" -le 2 ]
check "SIGINT: one frame, nothing on stderr" \
	is "$(grep -c "$esc\[H" "$tmp/out")/$(cat "$tmp/err")" "1/"

# ---- errors ---------------------------------------------------------------

mkdir "$tmp/debug" "$tmp/other"
: >"$tmp/other/somefile"
error_case "debugfs not mounted (empty parent)" 3 \
	"debugfs is not mounted at $tmp/debug: mount -t debugfs none $tmp/debug" \
	-1 --dir "$tmp/debug/goheap"
error_case "debugfs not mounted (no parent)" 3 \
	"debugfs is not mounted at $tmp/none: mount -t debugfs none $tmp/none" \
	-1 --dir "$tmp/none/goheap"
error_case "goheap not loaded" 4 "goheap is not loaded (no $tmp/other/goheap)" \
	-1 --dir "$tmp/other/goheap"
error_case "goheap not loaded (/nonexistent)" 4 "goheap is not loaded (no /nonexistent)" \
	-1 --dir /nonexistent
error_case "malformed stats" 6 \
	"$data/malformed-stats/stats:3: malformed line 'Sys': expected 'Name value'" \
	-1 --dir "$data/malformed-stats"
error_case "malformed sizeclasses" 6 \
	"$data/malformed-sizeclasses/sizeclasses:16: malformed line '15 208 1 19 1000 zero 1000 0 1 52 217088 38': expected a number" \
	--json --dir "$data/malformed-sizeclasses"
error_case "malformed gc domain" 6 \
	"$data/malformed-gc/gc/bad/stats:2: malformed line 'PauseNs 100 x 300': expected 'Name value'" \
	-1 --dir "$data/malformed-gc"

# EACCES: a mode-000 file, read by a user that is not root
mkdir "$tmp/perm"
cp -r "$data/basic" "$tmp/perm/goheap"
cp "$bin" "$tmp/perm/goheapstat"
chmod 000 "$tmp/perm/goheap/stats"
chmod 755 "$tmp" "$tmp/perm"
as_user=
if [ "$(id -u)" = 0 ]; then
	# util-linux setpriv (busybox's lacks --clear-groups)
	as_user="setpriv --reuid=nobody --regid=$(id -g nobody 2>/dev/null) --clear-groups"
	$as_user true 2>/dev/null || as_user=skip
fi
if [ "$as_user" = skip ]; then
	skip "permission denied: root, and no setpriv to become nobody with"
else
	# shellcheck disable=SC2086
	$as_user "$tmp/perm/goheapstat" -1 --dir "$tmp/perm/goheap" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "permission denied: exit 5" is "$rc" 5
	check "permission denied: message" is "$(cat "$tmp/err")" \
		"goheapstat: permission denied reading $tmp/perm/goheap/stats: run as root"
fi

# ---- --pprof ----------------------------------------------------------------

# a fake profile: any gzip stream (the tool checks the magic, not the proto)
cp -r "$data/basic" "$tmp/prof"
printf 'not a real profile' | gzip -c >"$tmp/prof/heap.pprof"
run --pprof "$tmp/copy.pprof" --dir "$tmp/prof"
check "--pprof: exit 0, nothing printed" is "$rc/$out/$err" "0//"
check "--pprof: the file copied byte for byte" cmp -s "$tmp/prof/heap.pprof" "$tmp/copy.pprof"
run --pprof - --dir "$tmp/prof"
check "--pprof -: to stdout" is "$(gzip -dc "$tmp/out" 2>/dev/null)" "not a real profile"
run --pprof "$tmp/none.pprof" --dir "$data/basic"
check "--pprof: a module without heap.pprof: exit 1" is "$rc" 1
check "--pprof: names the file" err_has "cannot read $data/basic/heap.pprof"
printf 'plain text' >"$tmp/prof/heap.pprof"
run --pprof "$tmp/bad.pprof" --dir "$tmp/prof"
check "--pprof: not gzip: exit 6" is "$rc" 6
run --pprof "$tmp/x.pprof" --dir /nonexistent
check "--pprof: goheap not loaded: exit 4" is "$rc" 4
run --pprof "$tmp/no/such/dir/x.pprof" --dir "$tmp/prof"
check "--pprof: unwritable output: exit 1" is "$rc" 1

# ---- usage ----------------------------------------------------------------

run -h
check "-h: usage on stdout, exit 0" is "$rc/$(printf '%s\n' "$out" | head -c 6)" "0/usage:"
run --help
check "--help: exit 0" is "$rc" 0
for args in "-x" "--bogus" "-s size" "-n -1" "-d 0" "-d x" "-c 0" "-1 -d 1" "extra" \
	    "--pprof" "--pprof x -1" "--pprof x --json"; do
	# shellcheck disable=SC2086
	run $args --dir "$data/basic"
	check "usage error '$args': exit 2 and usage on stderr" \
		is "$rc/$(printf '%s\n' "$err" | grep -c '^usage:')/$out" "2/1/"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
