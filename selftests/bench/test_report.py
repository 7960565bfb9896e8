#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of report.py on made-up bench logs: python3 test_report.py"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

REPORT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'report.py')


def ns(key, med, lo, hi):
    return f' {key}_ns={med} {key}_min_ns={lo} {key}_max_ns={hi}'


def config(ioa, cpus):
    return f'goheap_bench: config init_on_alloc={ioa} init_on_free=0 cpus={cpus} rounds=5 scale=100'


def single_log(ioa, goheap, kernel):
    return [
        config(ioa, 1),
        'BENCH-CMD pair',
        'goheap_bench: result pattern=pair size=64 cpus=1 vs=kmalloc ops=20000 rounds=5'
        + ns('goheap', goheap, goheap - 1, goheap + 1) + ns('kernel', kernel, kernel, kernel),
        'BENCH-CMD churn',
        'goheap_bench: result pattern=churn size=skewed cpus=1 vs=kmalloc live=50000 ops=90000 rounds=5'
        + ns('goheap', 200, 200, 200) + ns('kernel', 210, 210, 210)
        + ' requested_bytes=100000000 goheap_bytes=70000000 goheap_inuse_bytes=60000000'
        ' goheap_alloc_bytes=55000000 kernel_bytes=100000000 kernel_alloc_bytes=90000000'
        ' kernel_prefilled_objects=12',
        'goheap_bench: result pattern=churn size=uniform cpus=1 vs=kmalloc live=10000 ops=90000 rounds=5'
        + ns('goheap', 220, 220, 220) + ns('kernel', 200, 200, 200)
        + ' requested_bytes=100000000 goheap_bytes=70000000 goheap_inuse_bytes=60000000'
        ' goheap_alloc_bytes=55000000 kernel_bytes=100000000 kernel_alloc_bytes=90000000'
        ' kernel_prefilled_objects=12',
        'BENCH-CMD burst',
        'goheap_bench: result pattern=burst size=skewed cpus=1 vs=kmalloc live=131072 freed=104857'
        ' rounds=5 requested_bytes=8000000 goheap_peak_bytes=45000000 kernel_peak_bytes=50000000'
        ' goheap_bytes=30000000 goheap_inuse_bytes=27000000 goheap_alloc_bytes=9000000'
        ' kernel_bytes=40000000 kernel_alloc_bytes=9500000 kernel_prefilled_objects=3',
        'BENCH-CMD footprint',
        'goheap_bench: result pattern=footprint size=kernel cpus=1 vs=kmalloc live=2000 freed=1000'
        ' rounds=5 requested_bytes=500000 goheap_peak_bytes=1000000 kernel_peak_bytes=1250000'
        ' goheap_bytes=800000 goheap_inuse_bytes=700000 goheap_alloc_bytes=520000'
        ' kernel_bytes=800000 kernel_alloc_bytes=600000 kernel_prefilled_objects=3',
        'BENCH-CMD latency',
        'goheap_bench: result pattern=latency size=skewed cpus=1 vs=kmalloc live=10000 ops=100000'
        ' rounds=5 goheap_p50_ns=60 goheap_p99_ns=300 goheap_p999_ns=2000 goheap_max_ns=90000'
        ' kernel_p50_ns=70 kernel_p99_ns=400 kernel_p999_ns=1600 kernel_max_ns=30000',
        'BENCH-CMD calib',
        'goheap_bench: result pattern=calib what=memset size=64 cpus=1 ops=10000' + ns('value', 12, 12, 12),
    ]


def multi_log(ioa):
    pauses = list(range(1000, 1000 + 1000 * 20, 1000))    # 20 pauses, the first 4 warm-up
    return [
        config(ioa, 2),
        'BENCH-CMD gc_mark',
        'goheap: gc ghb_mark_tree_1000 #1 @-3ms: 10+900+10 us, warm-up',
        'goheap: gc ghb_mark_tree_1000 #2 @-2ms: 20+100+30 us',
        'goheap: gc ghb_mark_tree_1000 #3 @-1ms: 40+300+5 us',
        'goheap_bench: result pattern=gc_mark size=32 shape=tree cpus=2 heap_objects=1000'
        ' domain=ghb_mark_tree_1000 rounds=5 collect_ns=1000000 collect_min_ns=900000'
        ' collect_max_ns=1100000 objects_per_s=1000000 bytes_per_s=32000000',
        'BENCH-CMD gc_pause 1000',
        'goheap_bench: result pattern=gc_pause size=32 cpus=2 heap_objects=1000 domain=ghb_pause'
        ' gc_cycles=8 mutators=2 collect_mean_ns=2000000 collect_max_ns=3000000'
        ' mutator_ops_per_s=5000 mutator_stalls_over_100us=1 mutator_errors=0'
        ' mutator_enter_ops=100 mutator_enter_p99_ns=2000 mutator_enter_max_ns=4000'
        ' mutator_alloc_ops=100 mutator_alloc_p99_ns=50000 mutator_alloc_max_ns=400000'
        ' mutator_store_ops=300 mutator_store_p99_ns=3000 mutator_store_max_ns=2000000',
        'GCPAUSE ghb_pause ' + ' '.join(map(str, pauses[:16])),
        'GCPAUSE ghb_pause ' + ' '.join(map(str, pauses[16:])),
        'BENCH-CMD gc_release',
    ]


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def log(self, name, lines):
        with open(os.path.join(self.dir, f'{name}.log'), 'w') as f:
            for i, line in enumerate(lines):
                f.write(f'[{i + 10:5d}.{i:06d}] {line}\n')

    def report(self, *boots):
        p = subprocess.run([sys.executable, REPORT, '--kernel', 'K', '--scale', '50',
                            '--rounds', '3', self.dir, *boots],
                           capture_output=True, text=True, check=False)
        with open(os.path.join(self.dir, 'results.json')) as f:
            results = json.load(f)
        with open(os.path.join(self.dir, 'results.txt')) as f:
            self.assertEqual(f.read(), p.stdout)
        return p.returncode, p.stdout, {r['pattern']: r for r in results}

    def test_boots_combined(self):
        self.log('s1', single_log(1, 80, 100))
        self.log('s2', single_log(1, 120, 100))
        self.log('m', multi_log(1))
        rc, text, res = self.report('s1:default', 's2', 'm:1')
        self.assertEqual(rc, 0, text)
        pair = res['pair']
        self.assertEqual((pair['goheap_ns'], pair['runs'], pair['ratio']), (100, 2, 1.0))
        self.assertEqual((pair['goheap_min_ns'], pair['goheap_max_ns']), (79, 121))
        self.assertEqual(pair['spread_pct'], 40.0)
        self.assertEqual(pair['goal'], {'metric': 'ratio', 'target': 0.6, 'met': False})
        self.assertEqual(res['churn']['bytes_ratio'], 0.7)
        self.assertTrue(res['churn']['goal']['met'])
        # the uniform churn's time: 1.1x kmalloc's, over its goal of 1.0
        self.assertEqual(res['churn']['size'], 'uniform')
        self.assertEqual(res['churn']['goal_time'], {'metric': 'ratio', 'target': 1.0, 'met': False})
        self.assertIn('<=1.0 MISSED', [ln for ln in text.splitlines() if ln.startswith('uniform')][0])
        burst = res['burst']
        self.assertEqual((burst['bytes_ratio'], burst['sys_over_inuse']), (0.75, 1.111))
        self.assertTrue(burst['goal']['met'] and burst['goal_sys']['met'])
        self.assertIn('burst', text)
        lat = res['latency']
        self.assertEqual((lat['p999_ratio'], lat['max_ratio']), (1.25, 3.0))
        self.assertTrue(lat['goal']['met'])
        self.assertFalse(lat['goal_max']['met'])
        fp = res['footprint']
        self.assertEqual((fp['peak_ratio'], fp['bytes_ratio']), (0.8, 1.0))
        self.assertTrue(fp['goal']['met'])
        self.assertFalse(fp['goal_after']['met'])
        self.assertEqual(res['calib']['what'], 'memset')
        self.assertEqual(res['gc_mark']['mark_ns'], 200000)
        self.assertEqual(res['gc_mark']['stw_max_ns'], 40000)
        pause = res['gc_pause']
        self.assertEqual(pause['pause_count'], 16)
        self.assertEqual((pause['pause_p50_ns'], pause['pause_max_ns']), (12000, 20000))
        self.assertEqual((pause['wait_p99_us'], pause['wait_max_us']), (50.0, 2000.0))
        self.assertTrue(pause['goal']['met'])
        self.assertFalse(pause['goal_max']['met'])
        self.assertEqual(res['pair']['kernel'], 'K')
        self.assertIn('Debian stock kernel K, scale 50 %, 3 rounds', text)
        self.assertIn('goals (not assertions): 7 of 12 met', text)

    def test_mark_cost_and_workers(self):
        def trace(dom, cycle, mark, cpu, workers):
            return (f'goheap: gc {dom} #{cycle} @-1ms: 10+{mark}+10 us (pauses 1+2 us), 3->3 kB,'
                    f' 3 kB live, 9 kB goal, 0 freed, {cpu} us mark cpu, {workers} workers (forced)')

        def mark_row(pattern, dom, workers, objects):
            return (f'goheap_bench: result pattern={pattern} size=32 shape=tree cpus=2 workers={workers}'
                    f' heap_objects={objects} domain={dom} rounds=2 collect_ns=1000000'
                    ' collect_min_ns=900000 collect_max_ns=1100000 objects_per_s=1 bytes_per_s=1')

        for run, cpu in (('1', 1200), ('2', 1300)):
            self.log(f's{run}', [config(0, 1), 'BENCH-CMD gc_mark_cost',
                                 trace('mc', 1, 9000, 9999, 1), trace('mc', 2, 2000, cpu, 1),
                                 trace('mc', 3, 2000, cpu, 1),
                                 mark_row('gc_mark_cost', 'mc', 1, 10000)])
        self.log('m', [config(0, 2), 'BENCH-CMD gc_mark']
                 + [trace('w1', c, m, 90, 1) for c, m in ((1, 999), (2, 100), (3, 120))]
                 + [trace('w2', c, m, 99, 2) for c, m in ((1, 999), (2, 50), (3, 70))]
                 + [mark_row('gc_mark', 'w1', 1, 1000000), mark_row('gc_mark', 'w2', 2, 1000000)])
        rc, text, _ = self.report('s1:0', 's2:0', 'm:0')
        self.assertEqual(rc, 0, text)
        with open(os.path.join(self.dir, 'results.json')) as f:
            rows = json.load(f)
        cost = [r for r in rows if r['pattern'] == 'gc_mark_cost'][0]
        self.assertEqual((cost['mark_ns_per_object'], cost['spread_pct']), (125.0, 8.0))
        self.assertEqual(cost['goal'], {'metric': 'mark_ns_per_object', 'target': 145, 'met': True})
        two = [r for r in rows if r['pattern'] == 'gc_mark' and r['workers'] == 2][0]
        self.assertEqual((two['mark_ns'], two['mark_min_ns'], two['mark_max_ns']), (60000, 50000, 70000))
        self.assertEqual(two['mark_cpu_ns'], 99000)
        self.assertEqual(two['mark_vs_one_worker'], 0.545)
        self.assertTrue(two['goal']['met'])
        self.assertIn('goals (not assertions): 2 of 2 met', text)

    def test_errors(self):
        self.log('s1', single_log(1, 80, 100) + ['BENCH-FAIL batch'])
        self.log('s2', single_log(1, 80, 100))
        self.log('m', ['no module here'])
        rc, text, res = self.report('s1', 's2:0', 'm', 'gone')
        self.assertEqual(rc, 1)
        self.assertIn('  s1: BENCH-FAIL batch', text)
        self.assertIn('  s2: asked init_on_alloc=0, guest has 1', text)
        self.assertIn('  m: no config line (module not loaded?)', text)
        self.assertIn('  gone: [Errno 2]', text)
        self.assertEqual(res['pair']['runs'], 2)


if __name__ == '__main__':
    unittest.main()
