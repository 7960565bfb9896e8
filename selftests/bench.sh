#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: goheap against kmalloc and kmem_cache, side by side, in
# Debian's stock kernel under QEMU/TCG. Documentation/benchmarks.rst says
# what each pattern does and how to read the figures.
#
#  1. Builds goheap.ko and goheap_bench.ko against the stock headers (W=1).
#  2. For init_on_alloc at the stock default and at 0 (kernel command line):
#     - two boots ("run 1", "run 2") with -icount shift=0,align=off,sleep=off
#       and -smp 1 for the one-CPU patterns: guest time is instructions,
#       so these boots run side by side without disturbing each other;
#     - one boot with -accel tcg,thread=multi -smp 2 for remote, parallel
#       and the collector's mark and pause benchmarks, alone on the host.
#  3. Prints a table and writes build/bench/results.json (a JSON array)
#     and build/bench/results.txt; the serial logs are build/bench/*.log.
#
# Environment:
#   GOHEAP_BENCH_SCALE   operation counts in percent of the defaults (100)
#   GOHEAP_BENCH_ROUNDS  timed rounds per measurement, median kept (5)
#   GOHEAP_BENCH_ONLY    single or multi: only those boots
#   GOHEAP_BENCH_INIT    init_on_alloc settings, "default 0" by default
#   GOHEAP_VM_MEM        guest memory in MiB (2048)
# Exit status 1 if the build, a boot or a benchmark failed; goals that are
# not met are reported, never an error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/vm.sh
. "$here/vm.sh"

out=$GH_BUILD/bench
scale=${GOHEAP_BENCH_SCALE:-100}
rounds=${GOHEAP_BENCH_ROUNDS:-5}
only=${GOHEAP_BENCH_ONLY:-}
inits=${GOHEAP_BENCH_INIT:-default 0}
export GOHEAP_VM_MEM=${GOHEAP_VM_MEM:-2048}
ICOUNT_ACCEL="-accel tcg,thread=single -icount shift=0,align=off,sleep=off"
MULTI_ACCEL="-accel tcg,thread=multi"

t_start=$(date +%s)
mkdir -p "$out"
rm -f "$out"/*.log "$out"/*.status "$out"/results.json "$out"/results.txt

gh_stock_kernel
kver=${GH_STOCK_IMAGE#/boot/vmlinuz-}
echo "bench: building modules against $GH_STOCK_KDIR"
if ! gh_build_modules "$GH_STOCK_KDIR" "$out/modules"; then
	gh_build_errors "$out/modules/build.log" | head -n 20 >&2
	gh_die "module build failed ($out/modules/build.log)"
fi
if gh_build_warnings "$out/modules/build.log" >/dev/null; then
	echo "bench: note: the build printed warnings ($out/modules/build.log)"
fi
kos=("$(gh_ko "$out/modules" goheap)" "$(gh_ko "$out/modules" goheap_bench)")
for ko in "${kos[@]}"; do
	[ -f "$ko" ] || gh_die "$ko was not built"
done
stock_ioa=0
if grep -q '^CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y' "/boot/config-$kver" 2>/dev/null; then
	stock_ioa=1
fi
echo "bench: kernel $kver (CONFIG_INIT_ON_ALLOC_DEFAULT_ON: $stock_ioa)," \
	"scale $scale %, $rounds rounds"

# bench_boot NAME SET INIT: one guest; its status file says "rc seconds".
bench_boot() {
	local name=$1 set=$2 init=$3 append='' accel smp rc=0 t0
	[ "$init" = default ] || append="init_on_alloc=$init"
	cat >"$out/$name.conf" <<EOF
GH_MODE=bench
GH_KERNEL=stock
GH_MODULES="goheap goheap_bench"
GH_TEST_TIMEOUT=3000
GH_BENCH_SET=$set
GH_BENCH_SCALE=$scale
GH_BENCH_ROUNDS=$rounds
EOF
	gh_make_initramfs "$out/$name.cpio.gz" "$out/$name.conf" "${kos[@]}"
	if [ "$set" = single ]; then
		accel=$ICOUNT_ACCEL smp=1
	else
		accel=$MULTI_ACCEL smp=2
	fi
	t0=$(date +%s)
	GH_QEMU_ACCEL=$accel GH_QEMU_SMP=$smp gh_boot "$GH_STOCK_IMAGE" \
		"$out/$name.cpio.gz" "$out/$name.log" 3600 "$append" || rc=$?
	echo "$rc $(($(date +%s) - t0))" >"$out/$name.status"
	rm -rf "$out/$name.cpio.gz" "$out/$name.cpio.gz.d"
}

boots=()	# name:set:init:run
if [ "$only" != multi ]; then
	echo "bench: one-CPU patterns under icount: $(wc -w <<<"$inits") settings x 2 runs, side by side"
	t0=$(date +%s)
	pids=()
	for init in $inits; do
		for run in 1 2; do
			name=single-ioa$init-run$run
			boots+=("$name:single:$init:$run")
			bench_boot "$name" single "$init" &
			pids+=($!)
		done
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || true
	done
	echo "bench: icount boots done in $(($(date +%s) - t0)) s"
fi
if [ "$only" != single ]; then
	for init in $inits; do
		name=multi-ioa$init
		boots+=("$name:multi:$init:1")
		echo "bench: multi-CPU patterns, init_on_alloc=$init (multi-threaded TCG, -smp 2)"
		bench_boot "$name" multi "$init"
		echo "bench: $name done in $(cut -d' ' -f2 "$out/$name.status") s"
	done
fi

# Every guest must have finished cleanly.
status=0
for b in "${boots[@]}"; do
	name=${b%%:*}
	log=$out/$name.log
	read -r rc secs <"$out/$name.status"
	if ! gh_strip "$log" | grep -qx GUEST-DONE; then
		echo "bench: $name: the guest did not finish (QEMU status $rc); last lines of $log:"
		tail -n 15 "$log"
		status=1
	fi
	bad=$(gh_log_scan "$log")
	if [ -n "$bad" ]; then
		echo "bench: $name: the kernel log has problems:"
		cut -f2- <<<"$bad" | head -n 10
		status=1
	fi
	if gh_strip "$log" | grep -E '^(INSMOD .* FAIL|GH-EXIT |BENCH-FAIL|goheap_bench: error)'; then
		status=1
	fi
done

python3 - "$out" "$kver" "$stock_ioa" "$scale" "$rounds" "${boots[@]}" <<'PYEOF' || status=1
import json
import math
import re
import statistics
import sys

out, kver, stock_ioa, scale, rounds = sys.argv[1:6]
boots = [b.split(':') for b in sys.argv[6:]]

TS = re.compile(r'^\[ *\d+\.\d+\] ?')
TRACE = re.compile(r'^goheap: gc (\S+) #(\d+) @-?\d+ms: (\d+)\+(\d+)\+(\d+) us')


def num(v):
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


def kv(text):
    return {k: num(v) for k, _, v in
            (t.partition('=') for t in text.split() if '=' in t)}


def parse(log):
    cfg, recs, traces, errors = {}, [], {}, []
    cur = None
    with open(log, errors='replace') as f:
        for line in f:
            line = TS.sub('', line.rstrip('\n'))
            if line.startswith('goheap_bench: config '):
                cfg = kv(line)
            elif line.startswith('goheap_bench: result '):
                cur = kv(line)
                recs.append(cur)
            elif line.startswith('goheap_bench: error') or line.startswith('BENCH-FAIL'):
                errors.append(line)
            elif line.startswith('GCPAUSE ') and cur and cur.get('pattern') == 'gc_pause':
                cur.setdefault('_pauses', []).extend(int(x) for x in line.split()[2:])
            elif line.startswith('BENCH-CMD'):
                cur = None
            else:
                m = TRACE.match(line)
                if m:
                    traces.setdefault(m.group(1), []).append(
                        (int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5))))
    return cfg, recs, traces, errors


def pct(sorted_vals, p):
    """nearest-rank percentile"""
    if not sorted_vals:
        return None
    return sorted_vals[max(0, math.ceil(p / 100 * len(sorted_vals)) - 1)]


KEYS = ('pattern', 'size', 'n', 'live', 'vs', 'what', 'shape', 'domain',
        'checked', 'collector', 'heap_objects', 'cpus')

groups = {}
all_errors = []
for name, bset, init, run in boots:
    try:
        cfg, recs, traces, errors = parse(f'{out}/{name}.log')
    except OSError as e:
        all_errors.append(f'{name}: {e}')
        continue
    all_errors += [f'{name}: {e}' for e in errors]
    ioa = cfg.get('init_on_alloc')
    if ioa is None:
        all_errors.append(f'{name}: no config line (module not loaded?)')
        continue
    if init != 'default' and int(init) != ioa:
        all_errors.append(f'{name}: asked init_on_alloc={init}, guest has {ioa}')
    for r in recs:
        r['init_on_alloc'] = ioa
        r['boot'] = name
        if r['pattern'] == 'gc_pause':
            p = r.pop('_pauses', [])
            n = 2 * int(r.get('gc_cycles', 0))
            p = p[-n:] if n else p     # the warm-up collection's pauses go
            s = sorted(p)
            r['pause_count'] = len(s)
            r['pause_max_ns'] = s[-1] if s else None
            r['pause_p99_ns'] = pct(s, 99)
            r['pause_p50_ns'] = pct(s, 50)
        if r['pattern'] == 'gc_mark' and r.get('domain') in traces:
            t = [x for x in traces[r['domain']] if x[0] > 1]    # #1: warm-up
            if t:
                mark_us = statistics.median(x[2] for x in t)
                r['mark_ns'] = int(mark_us * 1000)
                r['stw_max_ns'] = max(max(x[1], x[3]) for x in t) * 1000
                if mark_us:
                    r['mark_objects_per_s'] = int(r['heap_objects'] / (mark_us / 1e6))
                    r['mark_bytes_per_s'] = int(r['heap_objects'] * r['size'] / (mark_us / 1e6))
        key = tuple(r.get(k) for k in KEYS) + (ioa,)
        groups.setdefault(key, []).append(r)

# Primary figures of each pattern: (numerator, denominator) of its ratio.
RATIO = {
    'gc_alloc': ('gc_ns', 'goheap_zero_ns'),
    'gc_section': ('gc_ns', 'rwsem_ns'),
    'gc_barrier': ('barrier_ns', 'plain_ns'),
}
GOALS = {'pair': 0.8, 'batch': 1.0, 'remote': 1.0}

results = []
for key, runs in groups.items():
    res = {}
    for k in runs[0]:
        vals = [r[k] for r in runs if k in r]
        if all(isinstance(v, (int, float)) for v in vals) and k not in KEYS and k != 'init_on_alloc':
            if k.endswith('_min_ns'):
                m = min(vals)
            elif k.endswith('_max_ns'):
                m = max(vals)
            else:
                m = statistics.mean(vals)
            res[k] = round(m, 2) if isinstance(m, float) or len(vals) > 1 else m
        else:
            res[k] = vals[0]
    res.pop('boot', None)
    res['runs'] = len(runs)
    pat = res['pattern']
    num_k, den_k = RATIO.get(pat, ('goheap_ns', 'kernel_ns'))
    if num_k in res and den_k in res and res[den_k]:
        res['ratio'] = round(res[num_k] / res[den_k], 3)
    # spread between the runs (two boots) of the primary figures
    if len(runs) > 1:
        sp = []
        for k in (num_k, den_k):
            v = [r[k] for r in runs if k in r]
            if len(v) > 1 and statistics.mean(v):
                sp.append((max(v) - min(v)) / statistics.mean(v) * 100)
        if sp:
            res['spread_pct'] = round(max(sp), 2)
        res['run_values'] = [{k: r.get(k) for k in (num_k, den_k)} for r in runs]
    # spread between the rounds inside a boot
    rs = []
    for k in (num_k, den_k):
        base = k[:-3]
        if f'{base}_min_ns' in res and res.get(k):
            rs.append((res[f'{base}_max_ns'] - res[f'{base}_min_ns']) / res[k] * 100)
    if rs:
        res['round_spread_pct'] = round(max(rs), 2)
    if pat == 'churn' and res.get('kernel_bytes'):
        res['bytes_ratio'] = round(res['goheap_bytes'] / res['kernel_bytes'], 3)
        res['bytes_ratio_inuse'] = round(res['goheap_inuse_bytes'] / res['kernel_bytes'], 3)
        res['goal'] = {'metric': 'bytes_ratio', 'target': 0.8,
                       'met': res['bytes_ratio'] <= 0.8}
    elif pat in GOALS and 'ratio' in res and not (pat == 'pair' and res['size'] > 4096):
        res['goal'] = {'metric': 'ratio', 'target': GOALS[pat],
                       'met': res['ratio'] <= GOALS[pat]}
    results.append(res)

ORDER = ['calib', 'pair', 'batch', 'churn', 'remote', 'parallel_pair', 'parallel_churn',
         'gc_alloc', 'gc_section', 'gc_barrier', 'gc_mark', 'gc_pause']


def sortkey(r):
    size = r.get('size')
    return (ORDER.index(r['pattern']) if r['pattern'] in ORDER else 99,
            -r['init_on_alloc'], str(r.get('what', '')), str(r.get('vs', '')),
            r.get('n') or 0, size if isinstance(size, int) else 0, str(size),
            r.get('heap_objects') or 0, str(r.get('shape', '')),
            r.get('checked', 0), str(r.get('collector', '')))


results.sort(key=sortkey)
for r in results:
    r['kernel'] = kver

with open(f'{out}/results.json', 'w') as f:
    json.dump(results, f, indent=1)
    f.write('\n')


def f(v, nd=1):
    if v is None:
        return '-'
    if isinstance(v, float) or nd:
        return f'{v:.{nd}f}'
    return str(v)


def mib(v):
    return '-' if v is None else f'{v / 1048576:.2f}'


def goal(r):
    g = r.get('goal')
    if not g:
        return ''
    return f"<={g['target']} {'met' if g['met'] else 'MISSED'}"


def sp(r):
    s = r.get('spread_pct', r.get('round_spread_pct'))
    return '-' if s is None else f'{s:.1f}'


lines = []
P = lines.append
P(f'goheap vs kmalloc/kmem_cache: Debian stock kernel {kver}, scale {scale} %, '
  f'{rounds} rounds; ns per operation (alloc+free) unless noted')
P('one-CPU rows: -icount shift=0 (1 ns = 1 guest instruction), mean of 2 boots, '
  'spread = difference between the boots in %;')
P('cpus=2 rows: multi-threaded TCG wall time, one boot, spread = max-min of the rounds in %')
P('')
hdr = f"{'pattern':<15}{'size':>8}{'n':>7}{'cpus':>5}{'ioa':>4} {'vs':<11}{'goheap':>11}{'kernel':>11}{'ratio':>7}{'spread%':>8}  goal"
for pat in ('pair', 'batch', 'remote', 'parallel_pair', 'parallel_churn'):
    rows = [r for r in results if r['pattern'] == pat]
    if not rows:
        continue
    P(hdr)
    for r in rows:
        n = r.get('n', r.get('live', ''))
        P(f"{pat:<15}{str(r.get('size', '')):>8}{str(n):>7}{r.get('cpus', ''):>5}{r['init_on_alloc']:>4} "
          f"{str(r.get('vs', '')):<11}{f(r.get('goheap_ns')):>11}{f(r.get('kernel_ns')):>11}"
          f"{f(r.get('ratio'), 3):>7}{sp(r):>8}  {goal(r)}")
    if pat == 'batch':
        P('  batch split, ns: alloc goheap/kernel, free goheap/kernel')
        for r in rows:
            P(f"  size={r['size']} n={r['n']} ioa={r['init_on_alloc']}: alloc "
              f"{f(r.get('goheap_alloc_ns'))}/{f(r.get('kernel_alloc_ns'))}, free "
              f"{f(r.get('goheap_free_ns'))}/{f(r.get('kernel_free_ns'))}")
    if pat.startswith('parallel'):
        P('  throughput, ops/s (all CPUs): ' + '; '.join(
            f"{r.get('size')} ioa={r['init_on_alloc']}: goheap {r.get('goheap_ops_per_s')}, "
            f"kernel {r.get('kernel_ops_per_s')}" for r in rows))
    P('')

rows = [r for r in results if r['pattern'] == 'churn']
if rows:
    P(f"{'churn':<9}{'live':>7}{'ioa':>4}{'goheap':>10}{'kernel':>10}{'ratio':>7}{'spread%':>8}"
      f"{'req MiB':>9}{'goheap MiB':>11}{'(inuse)':>9}{'kernel MiB':>11}{'bytes_ratio':>12}  goal")
    for r in rows:
        P(f"{r['size']:<9}{r['live']:>7}{r['init_on_alloc']:>4}{f(r.get('goheap_ns')):>10}"
          f"{f(r.get('kernel_ns')):>10}{f(r.get('ratio'), 3):>7}{sp(r):>8}"
          f"{mib(r.get('requested_bytes')):>9}{mib(r.get('goheap_bytes')):>11}"
          f"{mib(r.get('goheap_inuse_bytes')):>9}{mib(r.get('kernel_bytes')):>11}"
          f"{f(r.get('bytes_ratio'), 3):>12}  {goal(r)}")
    P('')

rows = [r for r in results if r['pattern'] in ('gc_alloc', 'gc_section', 'gc_barrier')]
if rows:
    P(f"{'gc (one CPU)':<13}{'size':>5}{'ioa':>4} {'case':<30}{'gc ns':>9}{'vs':>12} {'ns':>9}{'ratio':>9}{'spread%':>8}")
    for r in rows:
        pat = r['pattern']
        num_k, den_k = RATIO[pat]
        if pat == 'gc_alloc':
            case, vs = 'goheap_gc_alloc', 'zalloc'
        elif pat == 'gc_section':
            case, vs = 'enter+exit', 'rwsem'
        else:
            case = f"store {'checked' if r.get('checked') else 'unchecked'}, {r.get('collector')}"
            vs = 'WRITE_ONCE'
        P(f"{pat:<13}{str(r.get('size', '-')):>5}{r['init_on_alloc']:>4} {case:<30}"
          f"{f(r.get(num_k)):>9}{vs:>12} {f(r.get(den_k)):>9}{f(r.get('ratio'), 3):>9}{sp(r):>8}")
    P('')

rows = [r for r in results if r['pattern'] == 'gc_mark']
if rows:
    P(f"{'gc_mark':<8}{'shape':>6}{'objects':>9}{'ioa':>4}{'collect ms':>11}{'objects/s':>11}"
      f"{'MB/s':>7}{'mark ms':>9}{'mark obj/s':>12}{'max STW us':>11}")
    for r in rows:
        P(f"{'':<8}{r['shape']:>6}{r['heap_objects']:>9}{r['init_on_alloc']:>4}"
          f"{r['collect_ns'] / 1e6:>11.1f}{r['objects_per_s']:>11}{r['bytes_per_s'] / 1e6:>7.1f}"
          f"{f(r.get('mark_ns', 0) / 1e6):>9}{str(r.get('mark_objects_per_s', '-')):>12}"
          f"{f(r.get('stw_max_ns', 0) / 1e3, 0):>11}")
    P('')

rows = [r for r in results if r['pattern'] == 'gc_pause']
if rows:
    P(f"{'gc_pause':<9}{'objects':>9}{'ioa':>4}{'pauses':>7}{'p50 us':>8}{'p99 us':>8}{'max us':>8}"
      f"{'collect ms':>11}{'mutator ops/s':>14}{'enter max ms':>13}")
    for r in rows:
        P(f"{'':<9}{r['heap_objects']:>9}{r['init_on_alloc']:>4}{r.get('pause_count', 0):>7}"
          f"{f((r.get('pause_p50_ns') or 0) / 1e3):>8}{f((r.get('pause_p99_ns') or 0) / 1e3):>8}"
          f"{f((r.get('pause_max_ns') or 0) / 1e3):>8}{r['collect_mean_ns'] / 1e6:>11.1f}"
          f"{r['mutator_ops_per_s']:>14}{r['mutator_enter_max_ns'] / 1e6:>13.1f}")
    P('')

rows = [r for r in results if r['pattern'] == 'calib']
if rows:
    P('calibration (icount): ' + '; '.join(
        f"{r['what']}{'(' + str(r['size']) + ')' if r.get('size') else ''} ioa={r['init_on_alloc']}: "
        f"{f(r.get('value_ns'))} ns" for r in rows))

goals = [r for r in results if 'goal' in r]
met = sum(1 for r in goals if r['goal']['met'])
P(f'goals (not assertions): {met} of {len(goals)} met')
if all_errors:
    P('errors:')
    for e in all_errors:
        P('  ' + e)

text = '\n'.join(lines) + '\n'
with open(f'{out}/results.txt', 'w') as fh:
    fh.write(text)
print(text, end='')
sys.exit(1 if all_errors or not results else 0)
PYEOF

if ! python3 -m json.tool "$out/results.json" >/dev/null; then
	echo "bench: $out/results.json is not valid JSON"
	status=1
fi
echo "bench: results in $out/results.json and $out/results.txt; logs in $out/*.log"
echo "bench: total $(($(date +%s) - t_start)) s"
exit "$status"
