#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The report of `make bench`.

Reads the serial logs of the bench boots (DIR/NAME.log, written by
bench.sh), combines the boots' "goheap_bench: result ..." lines, writes
DIR/results.json (a JSON array, one object per measurement) and
DIR/results.txt (the table), and prints the table.

    report.py [--kernel KVER] [--scale PCT] [--rounds N] DIR BOOT...

BOOT is NAME or NAME:INIT, INIT the init_on_alloc the boot asked for on
the kernel command line ("default", the default, or a number). Exit
status 1 if a log has an error or none has a result.
Documentation/benchmarks.rst says how to read the figures.
"""
import argparse
import json
import math
import re
import statistics
import sys

TS = re.compile(r'^\[ *\d+\.\d+\] ?')
TRACE = re.compile(r'^goheap: gc (\S+) #(\d+) @-?\d+ms: (\d+)\+(\d+)\+(\d+) us'
                   r'(?: \(pauses (\d+)\+(\d+) us\))?'
                   r'(?:.*?, (\d+) us mark cpu)?')

# The fields that name a measurement (the rest are its figures).
KEYS = ('pattern', 'size', 'n', 'live', 'vs', 'what', 'shape', 'domain',
        'checked', 'collector', 'heap_objects', 'cpus', 'workers')

# Primary figures of each pattern: (numerator, denominator) of its ratio.
RATIO = {
    'gc_alloc': ('gc_ns', 'goheap_zero_ns'),
    'gc_section': ('gc_ns', 'rwsem_ns'),
    'gc_barrier': ('barrier_ns', 'plain_ns'),
    # no ratio: the spread of the one figure
    'gc_mark_cost': ('mark_ns_per_object', 'mark_ns_per_object'),
}
GOALS = {'pair': 0.6, 'batch': 0.8, 'bulk': 1.0, 'remote': 1.0}
# pair against kmem_cache, and bulk against goheap's own pair, have their own
GOALS_VS = {('pair', 'kmem_cache'): 0.75, ('bulk', 'goheap_pair'): 0.5}

# Goals on two figures of a result: (key, metric = num / den, num, den, target).
FIGURE_GOALS = {
    'churn': [('goal', 'bytes_ratio', 'goheap_bytes', 'kernel_bytes', 0.8)],
    'burst': [('goal', 'bytes_ratio', 'goheap_bytes', 'kernel_bytes', 0.8),
              ('goal_sys', 'sys_over_inuse', 'goheap_bytes', 'goheap_inuse_bytes', 1.25)],
    'footprint': [('goal', 'peak_ratio', 'goheap_peak_bytes', 'kernel_peak_bytes', 0.9),
                  ('goal_after', 'bytes_ratio', 'goheap_bytes', 'kernel_bytes', 0.9)],
    'latency': [('goal', 'p999_ratio', 'goheap_p999_ns', 'kernel_p999_ns', 2.0),
                ('goal_max', 'max_ratio', 'goheap_max_ns', 'kernel_max_ns', 2.0)],
}
GOAL_KEYS = ('goal', 'goal_sys', 'goal_after', 'goal_max', 'goal_time')
# churn's time: the uniform sizes (classes of few objects a span) at most
# kmalloc's, as issue "memory held" asks; the skewed churn has no time goal
CHURN_TIME_GOAL = ('uniform', 1.0)
# The collector's one-CPU costs: (pattern, which rows, metric, target).
# gc_section and gc_barrier in whole instructions (icount ns, rounded: the
# timed loop adds a few hundredths), gc_alloc as the ratio to
# goheap_zalloc(), gc_mark_cost in whole instructions per marked object.
GC_OP_GOALS = (
    ('gc_section', lambda r: True, 'gc_ns', 60),
    ('gc_barrier', lambda r: r.get('collector') == 'idle' and not r.get('checked'),
     'barrier_ns', 13),
    ('gc_barrier', lambda r: r.get('collector') == 'idle' and r.get('checked'),
     'barrier_ns', 40),
    ('gc_alloc', lambda r: True, 'ratio', 1.1),
    # half of the 290.5 / 290.7 instructions per object of 2026-12-07
    ('gc_mark_cost', lambda r: True, 'mark_ns_per_object', 145),
)
# gc_pause: what a mutator waits in enter, alloc or store, in us (p99, max)
WAIT_KINDS = ('enter', 'alloc', 'store')
# and "clock", nothing timed the same way: the VM's own floor, no goal
FLOOR_KIND = 'clock'
WAIT_GOALS = (('goal', 'wait_p99_us', 'p99', 100), ('goal_max', 'wait_max_us', 'max', 1000))

ORDER = ['calib', 'pair', 'batch', 'bulk', 'churn', 'burst', 'footprint', 'latency', 'remote', 'parallel_pair', 'parallel_churn',
         'gc_alloc', 'gc_section', 'gc_barrier', 'gc_parallel', 'gc_mark_cost', 'gc_mark', 'gc_pause']
# gc_parallel: allocation throughput of every CPU against one, at least this
GC_SCALING_GOAL = 1.6


# ---- reading the logs -------------------------------------------------------

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
    """A log's config line, result records, gctrace lines and errors."""
    cfg, recs, traces, errors = {'slabs': {}}, [], {}, []
    cur = None
    with open(log, errors='replace') as f:
        for line in f:
            line = TS.sub('', line.rstrip('\n'))
            if line.startswith('goheap_bench: config '):
                cfg.update(kv(line))
            elif line.startswith('SLABINFO '):
                w = line.split()
                if len(w) == 3 and w[2].isdigit():
                    cfg['slabs'][w[1]] = int(w[2])
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
                    # (cycle, start, mark, end, longest pause, mark cpu),
                    # in us; a line without pauses is an old stop-the-world
                    # one, one without mark cpu older than 2026-12-07
                    start, mark, end = int(m.group(3)), int(m.group(4)), int(m.group(5))
                    pause = (max(int(m.group(6)), int(m.group(7))) if m.group(6)
                             else max(start, end))
                    cpu = int(m.group(8)) if m.group(8) else None
                    traces.setdefault(m.group(1), []).append(
                        (int(m.group(2)), start, mark, end, pause, cpu))
    return cfg, recs, traces, errors


def pct(sorted_vals, p):
    """nearest-rank percentile"""
    if not sorted_vals:
        return None
    return sorted_vals[max(0, math.ceil(p / 100 * len(sorted_vals)) - 1)]


def add_pauses(r):
    """gc_pause: the pause figures from the GCPAUSE lines after it."""
    p = r.pop('_pauses', [])
    n = 2 * int(r.get('gc_cycles', 0))
    p = p[-n:] if n else p     # the warm-up collection's pauses go
    s = sorted(p)
    r['pause_count'] = len(s)
    r['pause_max_ns'] = s[-1] if s else None
    r['pause_p99_ns'] = pct(s, 99)
    r['pause_p50_ns'] = pct(s, 50)


def add_mark(r, traces):
    """gc_mark, gc_mark_cost: the mark phase and the pauses from gctrace's
    lines; for gc_mark_cost (icount) the mark's CPU time per object, in
    instructions, and the whole collection's."""
    t = [x for x in traces[r['domain']] if x[0] > 1]    # #1: warm-up
    if not t:
        return
    mark_us = statistics.median(x[2] for x in t)
    r['mark_ns'] = int(mark_us * 1000)
    r['mark_min_ns'] = min(x[2] for x in t) * 1000
    r['mark_max_ns'] = max(x[2] for x in t) * 1000
    r['stw_max_ns'] = max(x[4] for x in t) * 1000
    if mark_us:
        r['mark_objects_per_s'] = int(r['heap_objects'] / (mark_us / 1e6))
        r['mark_bytes_per_s'] = int(r['heap_objects'] * r['size'] / (mark_us / 1e6))
    cpu = [x[5] for x in t if x[5] is not None]
    if cpu:
        r['mark_cpu_ns'] = int(statistics.median(cpu) * 1000)
        r['mark_cpu_min_ns'] = min(cpu) * 1000
        r['mark_cpu_max_ns'] = max(cpu) * 1000
    if r['pattern'] == 'gc_mark_cost' and r.get('heap_objects'):
        if cpu:
            r['mark_ns_per_object'] = round(r['mark_cpu_ns'] / r['heap_objects'], 2)
        r['collect_ns_per_object'] = round(r['collect_ns'] / r['heap_objects'], 2)


def kmalloc_cache(size):
    """The name of the kmalloc cache of a size, as /sys/kernel/slab has it."""
    return f'kmalloc-{size // 1024}k' if size >= 1024 else f'kmalloc-{size}'


def add_kernel_special(r, slabs):
    """SLUB's interrupt-disabling and atomic instructions per operation
    (alloc + free), at least, read off Debian 6.1's mm/slub.c: each fast
    path is one this_cpu_cmpxchg_double() (cmpxchg16b, no lock prefix); a
    batch larger than a slab also frees into slabs that are not the CPU's
    (a locked cmpxchg16b, already counted as its one), and per slab takes
    ___slab_alloc()'s local_lock_irqsave() and, as a full slab gets its
    first free back, the node's list_lock (spin_lock_irqsave). kmalloc
    above 8 KiB is the page allocator's, not estimated here."""
    n, size = r.get('n', 1), r.get('size', 0)
    if r.get('vs') == 'kmalloc' and size > 8192:
        return
    objs_per_slab = slabs.get(kmalloc_cache(size))
    if r['pattern'] == 'pair' or (objs_per_slab and n <= objs_per_slab):
        irq, atomic = 0.0, 2.0
    elif objs_per_slab:
        irq, atomic = 2 / objs_per_slab, 2 + 1 / objs_per_slab
    else:
        return
    r['kernel_irq_min'] = round(irq, 3)
    r['kernel_atomic_min'] = round(atomic, 3)


def read_boot(out, name, init, groups, errors):
    """Add one boot's records to groups (by measurement), its errors to errors."""
    try:
        cfg, recs, traces, errs = parse(f'{out}/{name}.log')
    except OSError as e:
        errors.append(f'{name}: {e}')
        return
    errors += [f'{name}: {e}' for e in errs]
    ioa = cfg.get('init_on_alloc')
    if ioa is None:
        errors.append(f'{name}: no config line (module not loaded?)')
        return
    if init != 'default' and int(init) != ioa:
        errors.append(f'{name}: asked init_on_alloc={init}, guest has {ioa}')
    for r in recs:
        r['init_on_alloc'] = ioa
        r['boot'] = name
        if r['pattern'] in ('pair', 'batch'):
            add_kernel_special(r, cfg['slabs'])
        if r['pattern'] == 'gc_pause':
            add_pauses(r)
        if r['pattern'] in ('gc_mark', 'gc_mark_cost') and r.get('domain') in traces:
            add_mark(r, traces)
        key = tuple(r.get(k) for k in KEYS) + (ioa,)
        groups.setdefault(key, []).append(r)


# ---- combining the boots ----------------------------------------------------------

def combine(runs):
    """One measurement's records of several boots: mean, min or max of each figure."""
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
    return res


def add_spreads(res, runs, num_k, den_k):
    """Spread of the primary figures between the boots, and between the rounds."""
    if len(runs) > 1:
        sp = []
        for k in (num_k, den_k):
            v = [r[k] for r in runs if k in r]
            if len(v) > 1 and statistics.mean(v):
                sp.append((max(v) - min(v)) / statistics.mean(v) * 100)
        if sp:
            res['spread_pct'] = round(max(sp), 2)
        res['run_values'] = [{k: r.get(k) for k in (num_k, den_k)} for r in runs]
    rs = []
    for k in (num_k, den_k):
        base = k[:-3]
        if f'{base}_min_ns' in res and res.get(k):
            rs.append((res[f'{base}_max_ns'] - res[f'{base}_min_ns']) / res[k] * 100)
    if rs:
        res['round_spread_pct'] = round(max(rs), 2)


def add_goal(res):
    pat = res['pattern']
    for key, metric, num, den, target in FIGURE_GOALS.get(pat, ()):
        if res.get(num) is not None and res.get(den):
            res[metric] = round(res[num] / res[den], 3)
            res[key] = {'metric': metric, 'target': target, 'met': res[metric] <= target}
    for gpat, which, metric, target in GC_OP_GOALS:
        if pat == gpat and which(res) and res.get(metric) is not None:
            value = res[metric] if metric == 'ratio' else round(res[metric])
            res['goal'] = {'metric': metric, 'target': target, 'met': value <= target}
    if (pat == 'gc_pause' and all(f'mutator_{k}_max_ns' in res for k in WAIT_KINDS)
            and res.get('collector', 'collecting') == 'collecting'):
        for key, metric, which, target in WAIT_GOALS:
            res[metric] = round(max(res[f'mutator_{k}_{which}_ns'] for k in WAIT_KINDS) / 1e3, 1)
            res[key] = {'metric': metric, 'target': target, 'met': res[metric] <= target}
    if pat == 'gc_parallel' and res.get('scaling') is not None:
        res['goal'] = {'metric': 'scaling', 'target': GC_SCALING_GOAL, 'at_least': True,
                       'met': res['scaling'] >= GC_SCALING_GOAL}
    if pat == 'churn' and res.get('kernel_bytes'):
        res['bytes_ratio_inuse'] = round(res['goheap_inuse_bytes'] / res['kernel_bytes'], 3)
    if pat == 'churn' and res.get('size') == CHURN_TIME_GOAL[0] and 'ratio' in res:
        res['goal_time'] = {'metric': 'ratio', 'target': CHURN_TIME_GOAL[1],
                            'met': res['ratio'] <= CHURN_TIME_GOAL[1]}
    if pat in GOALS and 'ratio' in res and not (pat == 'pair' and res['size'] > 4096):
        target = GOALS_VS.get((pat, res.get('vs')), GOALS[pat])
        if pat == 'batch' and res.get('size', 0) >= 1024:
            target = 1.0    # page-sized classes: spans of few objects
        res['goal'] = {'metric': 'ratio', 'target': target,
                       'met': res['ratio'] <= target}


# gc_mark: the mark phase with several workers against one, on the
# 1000000-node tree (wall time, multi-threaded TCG)
MARK_WORKERS_GOAL = ('tree', 1000000, 0.65)


def add_mark_workers(results):
    """gc_mark rows with several workers: their mark phase against the
    row with one worker of the same heap, and the goal where it applies."""
    one = {(r['shape'], r['heap_objects'], r['init_on_alloc']): r for r in results
           if r['pattern'] == 'gc_mark' and r.get('workers') == 1}
    for r in results:
        if r['pattern'] != 'gc_mark' or r.get('workers', 1) == 1:
            continue
        base = one.get((r['shape'], r['heap_objects'], r['init_on_alloc']))
        if not base or not base.get('mark_ns') or 'mark_ns' not in r:
            continue
        r['mark_vs_one_worker'] = round(r['mark_ns'] / base['mark_ns'], 3)
        shape, objects, target = MARK_WORKERS_GOAL
        if (r['shape'], r['heap_objects']) == (shape, objects):
            r['goal'] = {'metric': 'mark_vs_one_worker', 'target': target,
                         'met': r['mark_vs_one_worker'] <= target}


def result(runs):
    res = combine(runs)
    num_k, den_k = RATIO.get(res['pattern'], ('goheap_ns', 'kernel_ns'))
    if num_k in res and den_k in res and res[den_k] and num_k != den_k:
        res['ratio'] = round(res[num_k] / res[den_k], 3)
    add_spreads(res, runs, num_k, den_k)
    add_goal(res)
    return res


def sortkey(r):
    size = r.get('size')
    return (ORDER.index(r['pattern']) if r['pattern'] in ORDER else 99,
            -r['init_on_alloc'], str(r.get('what', '')), str(r.get('vs', '')),
            r.get('n') or 0, size if isinstance(size, int) else 0, str(size),
            r.get('heap_objects') or 0, str(r.get('shape', '')), r.get('workers') or 0,
            r.get('checked', 0), str(r.get('collector', '')))


# ---- the table ------------------------------------------------------------------------

def f(v, nd=1):
    if v is None:
        return '-'
    if isinstance(v, float) or nd:
        return f'{v:.{nd}f}'
    return str(v)


def mib(v):
    return '-' if v is None else f'{v / 1048576:.2f}'


def goal(r, key='goal'):
    g = r.get(key)
    if not g:
        return ''
    return f"{'>=' if g.get('at_least') else '<='}{g['target']} {'met' if g['met'] else 'MISSED'}"


def sp(r):
    s = r.get('spread_pct', r.get('round_spread_pct'))
    return '-' if s is None else f'{s:.1f}'


def section(results, patterns, header, row):
    """The rows of these patterns under a header, then a blank line."""
    rows = [r for r in results if r['pattern'] in patterns]
    if not rows:
        return []
    return [header] + [row(r) for r in rows] + ['']


def manual_tables(results):
    """pair, batch, remote and parallel: goheap against the kernel."""
    lines = []
    P = lines.append
    hdr = f"{'pattern':<15}{'size':>8}{'n':>7}{'cpus':>5}{'ioa':>4} {'vs':<11}{'goheap':>11}{'kernel':>11}{'ratio':>7}{'spread%':>8}  goal"
    for pat in ('pair', 'batch', 'bulk', 'remote', 'parallel_pair', 'parallel_churn'):
        rows = [r for r in results if r['pattern'] == pat]
        if not rows:
            continue
        P(hdr)
        for r in rows:
            n = r.get('n', r.get('live', ''))
            P(f"{pat:<15}{str(r.get('size', '')):>8}{str(n):>7}{r.get('cpus', ''):>5}{r['init_on_alloc']:>4} "
              f"{str(r.get('vs', '')):<11}{f(r.get('goheap_ns')):>11}{f(r.get('kernel_ns')):>11}"
              f"{f(r.get('ratio'), 3):>7}{sp(r):>8}  {goal(r)}")
        if pat in ('pair', 'batch', 'bulk') and any('goheap_irq_milli' in r for r in rows):
            P('  interrupt-disabling/atomic instructions per op: goheap counted '
              '(slow-path counters), kernel at least (6.1 source)')
            for r in rows:
                if 'goheap_irq_milli' not in r:
                    continue
                k = (f"{r['kernel_irq_min']:.3f}/{r['kernel_atomic_min']:.3f}"
                     if 'kernel_irq_min' in r else 'n/a')
                P(f"  size={r['size']}{' n=' + str(r['n']) if 'n' in r else ''}"
                  f" vs={r.get('vs')} ioa={r['init_on_alloc']}: goheap "
                  f"{r['goheap_irq_milli'] / 1000:.3f}/{r['goheap_atomic_milli'] / 1000:.3f}, kernel {k}")
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
    return lines


def churn_row(r):
    return (f"{r['size']:<9}{r['live']:>7}{r['init_on_alloc']:>4}{f(r.get('goheap_ns')):>10}"
            f"{f(r.get('kernel_ns')):>10}{f(r.get('ratio'), 3):>7}{sp(r):>8}"
            f"{mib(r.get('requested_bytes')):>9}{mib(r.get('goheap_bytes')):>11}"
            f"{mib(r.get('goheap_inuse_bytes')):>9}{mib(r.get('kernel_bytes')):>11}"
            f"{f(r.get('bytes_ratio'), 3):>12}  {goal(r):<14}{goal(r, 'goal_time')}")


def burst_row(r):
    return (f"{r['size']:<9}{r['live']:>7}{r['init_on_alloc']:>4}"
            f"{mib(r.get('goheap_peak_bytes')):>10}{mib(r.get('kernel_peak_bytes')):>10}"
            f"{mib(r.get('requested_bytes')):>9}{mib(r.get('goheap_bytes')):>10}"
            f"{mib(r.get('goheap_inuse_bytes')):>9}{mib(r.get('kernel_bytes')):>10}"
            f"{f(r.get('bytes_ratio'), 3):>8}  {goal(r):<12}{f(r.get('sys_over_inuse'), 3):>9}  {goal(r, 'goal_sys')}")


def footprint_row(r):
    return (f"{r['size']:<9}{r['live']:>7}{r['init_on_alloc']:>4}"
            f"{mib(r.get('goheap_peak_bytes')):>10}{mib(r.get('kernel_peak_bytes')):>10}"
            f"{f(r.get('peak_ratio'), 3):>8}  {goal(r):<12}"
            f"{mib(r.get('goheap_bytes')):>10}{mib(r.get('kernel_bytes')):>10}"
            f"{f(r.get('bytes_ratio'), 3):>8}  {goal(r, 'goal_after')}")


def latency_row(r):
    cells = ''.join(f"{f(r.get(f'{side}_{p}_ns'), 0):>9}"
                    for side in ('goheap', 'kernel') for p in ('p50', 'p99', 'p999', 'max'))
    return (f"{r['size']:<9}{r['live']:>7}{r['init_on_alloc']:>4}{cells}"
            f"{f(r.get('p999_ratio'), 3):>8}  {goal(r):<12}{f(r.get('max_ratio'), 3):>8}  {goal(r, 'goal_max')}")


def gc_ops_row(r):
    pat = r['pattern']
    num_k, den_k = RATIO[pat]
    if pat == 'gc_alloc':
        case, vs = 'goheap_gc_alloc', 'zalloc'
    elif pat == 'gc_section':
        case, vs = 'enter+exit', 'rwsem'
    else:
        case = f"store {'checked' if r.get('checked') else 'unchecked'}, {r.get('collector')}"
        vs = 'WRITE_ONCE'
    return (f"{pat:<13}{str(r.get('size', '-')):>5}{r['init_on_alloc']:>4} {case:<30}"
            f"{f(r.get(num_k)):>9}{vs:>12} {f(r.get(den_k)):>9}{f(r.get('ratio'), 3):>9}{sp(r):>8}"
            f"  {goal(r)}")


def gc_parallel_row(r):
    return (f"{'':<12}{r['size']:>5}{r['cpus']:>5}{r['init_on_alloc']:>4}{f(r.get('one_cpu_ns'), 1):>10}"
            f"{f(r.get('every_cpu_ns'), 1):>11}{f(r.get('scaling'), 2):>9}"
            f"{f(r.get('scaling_min'), 2) + '-' + f(r.get('scaling_max'), 2):>12}  {goal(r)}")


def gc_mark_cost_row(r):
    return (f"{'':<13}{r['shape']:>6}{r['heap_objects']:>9}{r['init_on_alloc']:>4}"
            f"{f(r.get('mark_ns_per_object'), 2):>12}{f((r.get('mark_cpu_ns') or 0) / 1e6, 2):>13}"
            f"{f(r.get('mark_ns', 0) / 1e6, 2):>13}{sp(r):>8}  {goal(r)}")


def gc_mark_row(r):
    spread = '-'
    if r.get('mark_ns') and 'mark_min_ns' in r:
        spread = f"{(r['mark_max_ns'] - r['mark_min_ns']) / r['mark_ns'] * 100:.1f}"
    return (f"{'':<8}{r['shape']:>6}{r['heap_objects']:>9}{r['init_on_alloc']:>4}{str(r.get('workers', '-')):>8}"
            f"{r['collect_ns'] / 1e6:>11.1f}{r['objects_per_s']:>11}{r['bytes_per_s'] / 1e6:>7.1f}"
            f"{f(r.get('mark_ns', 0) / 1e6):>9}{spread:>8}{f(r.get('mark_cpu_ns', 0) / 1e6):>9}"
            f"{str(r.get('mark_objects_per_s', '-')):>12}"
            f"{f(r.get('stw_max_ns', 0) / 1e3, 0):>13}{f(r.get('mark_vs_one_worker'), 3):>7}  {goal(r)}")


def gc_pause_row(r):
    waits = ''.join(
        f"{f(r.get(f'mutator_{k}_p99_ns', 0) / 1e3, 0) + '/' + f(r.get(f'mutator_{k}_max_ns', 0) / 1e3, 0):>14}"
        for k in WAIT_KINDS + (FLOOR_KIND,))
    return (f"{r.get('collector', 'collecting'):<11}{r['heap_objects']:>9}{r['init_on_alloc']:>4}{r.get('pause_count', 0):>7}"
            f"{f((r.get('pause_p50_ns') or 0) / 1e3):>8}{f((r.get('pause_p99_ns') or 0) / 1e3):>8}"
            f"{f((r.get('pause_max_ns') or 0) / 1e3):>8}{r['collect_mean_ns'] / 1e6:>11.1f}"
            f"{r['mutator_ops_per_s']:>14}{waits}  {goal(r)} {goal(r, 'goal_max')}")


def table(results, errors, kver, scale, rounds):
    lines = [
        f'goheap vs kmalloc/kmem_cache: Debian stock kernel {kver}, scale {scale} %, '
        f'{rounds} rounds; ns per operation (alloc+free) unless noted',
        'one-CPU rows: -icount shift=0 (1 ns = 1 guest instruction), mean of 2 boots, '
        'spread = difference between the boots in %;',
        'cpus=2 rows: multi-threaded TCG wall time, one boot, spread = max-min of the rounds in %',
        '',
    ]
    lines += manual_tables(results)
    lines += section(results, ('churn',),
                     f"{'churn':<9}{'live':>7}{'ioa':>4}{'goheap':>10}{'kernel':>10}{'ratio':>7}{'spread%':>8}"
                     f"{'req MiB':>9}{'goheap MiB':>11}{'(inuse)':>9}{'kernel MiB':>11}{'bytes_ratio':>12}  {'goal':<14}time goal",
                     churn_row)
    lines += section(results, ('burst',),
                     f"{'burst':<9}{'live':>7}{'ioa':>4}{'peak: gh':>10}{'kernel':>10}"
                     f"{'after: req':>9}{'goheap':>10}{'(inuse)':>9}{'kernel':>10}{'ratio':>8}  {'goal':<12}"
                     f"{'Sys/inuse':>9}  goal   (MiB; 80 % freed, then 1.5 s)",
                     burst_row)
    lines += section(results, ('footprint',),
                     f"{'footprint':<9}{'live':>7}{'ioa':>4}{'peak: gh':>10}{'kernel':>10}{'ratio':>8}  {'goal':<12}"
                     f"{'half: gh':>10}{'kernel':>10}{'ratio':>8}  goal   (MiB; half freed, then 1.5 s)",
                     footprint_row)
    lines += section(results, ('latency',),
                     f"{'latency':<9}{'live':>7}{'ioa':>4}"
                     + ''.join(f"{s + ' ' + p:>9}" for s in ('gh', 'k') for p in ('p50', 'p99', 'p999', 'max'))
                     + f"{'p999 r':>8}  {'goal':<12}{'max r':>8}  goal   (ns per single alloc or free)",
                     latency_row)
    lines += section(results, ('gc_alloc', 'gc_section', 'gc_barrier'),
                     f"{'gc (one CPU)':<13}{'size':>5}{'ioa':>4} {'case':<30}{'gc ns':>9}{'vs':>12} {'ns':>9}{'ratio':>9}{'spread%':>8}"
                     "  goal (section, barrier: instructions; alloc: ratio)",
                     gc_ops_row)
    lines += section(results, ('gc_parallel',),
                     f"{'gc_parallel':<12}{'size':>5}{'cpus':>5}{'ioa':>4}{'one ns':>10}{'every ns':>11}"
                     f"{'scaling':>9}{'rounds':>12}  goal (gc_alloc throughput, every CPU / one)",
                     gc_parallel_row)
    lines += section(results, ('gc_mark_cost',),
                     f"{'gc_mark_cost':<13}{'shape':>6}{'objects':>9}{'ioa':>4}{'mark/obj':>12}{'mark cpu ms':>13}"
                     f"{'mark wall ms':>13}{'spread%':>8}  goal (mark/obj: instructions per marked object)",
                     gc_mark_cost_row)
    lines += section(results, ('gc_mark',),
                     f"{'gc_mark':<8}{'shape':>6}{'objects':>9}{'ioa':>4}{'workers':>8}{'collect ms':>11}{'objects/s':>11}"
                     f"{'MB/s':>7}{'mark ms':>9}{'spread%':>8}{'cpu ms':>9}{'mark obj/s':>12}{'max pause us':>13}"
                     f"{'vs 1':>7}  goal (mark ms, several workers / one)",
                     gc_mark_row)
    lines += section(results, ('gc_pause',),
                     f"{'gc_pause':<11}{'objects':>9}{'ioa':>4}{'pauses':>7}{'p50 us':>8}{'p99 us':>8}{'max us':>8}"
                     f"{'collect ms':>11}{'mutator ops/s':>14}"
                     + ''.join(f"{k + ' p99/max':>14}" for k in WAIT_KINDS + (FLOOR_KIND,))
                     + "  goal (us of mutator wait: p99, max)",
                     gc_pause_row)
    rows = [r for r in results if r['pattern'] == 'calib']
    if rows:
        lines.append('calibration (icount): ' + '; '.join(
            f"{r['what']}{'(' + str(r['size']) + ')' if r.get('size') else ''} ioa={r['init_on_alloc']}: "
            f"{f(r.get('value_ns'))} ns" for r in rows))
    goals = [r[k] for r in results for k in GOAL_KEYS if k in r]
    met = sum(1 for g in goals if g['met'])
    lines.append(f'goals (not assertions): {met} of {len(goals)} met')
    if errors:
        lines.append('errors:')
        lines += ['  ' + e for e in errors]
    return '\n'.join(lines) + '\n'


# ---- main ---------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description='The report of make bench.')
    ap.add_argument('--kernel', metavar='KVER', default='unknown',
                    help='the guest kernel release, for the title')
    ap.add_argument('--scale', metavar='PCT', default='100',
                    help='GOHEAP_BENCH_SCALE, for the title')
    ap.add_argument('--rounds', metavar='N', default='5',
                    help='GOHEAP_BENCH_ROUNDS, for the title')
    ap.add_argument('dir', metavar='DIR', help='where the logs are and the results go')
    ap.add_argument('boots', metavar='BOOT', nargs='+',
                    help='NAME[:INIT]: DIR/NAME.log, booted with init_on_alloc=INIT')
    args = ap.parse_args()

    groups, errors = {}, []
    for boot in args.boots:
        name, _, init = boot.partition(':')
        read_boot(args.dir, name, init or 'default', groups, errors)
    results = sorted((result(runs) for runs in groups.values()), key=sortkey)
    add_mark_workers(results)
    for r in results:
        r['kernel'] = args.kernel
    with open(f'{args.dir}/results.json', 'w') as fh:
        json.dump(results, fh, indent=1)
        fh.write('\n')
    text = table(results, errors, args.kernel, args.scale, args.rounds)
    with open(f'{args.dir}/results.txt', 'w') as fh:
        fh.write(text)
    print(text, end='')
    return 1 if errors or not results else 0


if __name__ == '__main__':
    sys.exit(main())
