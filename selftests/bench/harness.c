// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_bench: goheap against the kernel's allocators, side by side.
 *
 * Every benchmark runs the same loop for each side in the same boot: the
 * loop is one __always_inline function that takes the allocation and free
 * functions as arguments, instantiated once per side with constant
 * arguments (sides.c), so the compiler turns them into direct calls and the
 * two sides differ in nothing but the allocator they call. Single-CPU loops
 * run in a kthread bound to CPU 0, preemptible, sides interleaved round by
 * round (the order alternates, ghb_interleave()), each round preceded by an
 * untimed warm-up of the same loop. Every object handed out is written to
 * (one word) and every result is checked, so no work can be optimised away.
 * Time is ktime_get_ns() around the loop.
 *
 * The sides: goheap_alloc()/goheap_free(); kmalloc()/kfree(); for the
 * fixed-size pair pattern also kmem_cache_alloc()/kmem_cache_free() on a
 * cache created for the size.
 *
 * Patterns (see Documentation/benchmarks.rst):
 *
 *   calib     probes of the clock and of building blocks    (calib.c)
 *   pair      alloc + free at once (Brouer's time_bench)     (alloc.c)
 *   batch     N allocs, then N frees (Lameter's slab_test)   (alloc.c)
 *   bulk      bulk calls of N objects against SLUB's and goheap's
 *             own pair                                       (alloc.c)
 *   churn     a live set of random sizes, random replacement (larson);
 *             also the memory each side holds for that live set (churn.c)
 *   burst     a 40 MiB live set, 80 % of it freed in random order, then
 *             the memory each side still holds a while later  (churn.c)
 *   footprint the same for small live sets of kernel-like sizes,
 *             half of each freed                              (churn.c)
 *   latency   skewed churn with every single free and allocation
 *             timed: p50, p99, p99.9 and max                  (churn.c)
 *   remote    CPU 0 allocates, CPU 1 frees through a ring (xmalloc-test)
 *   parallel  every CPU runs pair, or churn, at once         (alloc.c)
 *   gc_*      the collector: mark throughput, mark cost per object,
 *             pauses with mutators on every CPU (gc.c); domain
 *             allocation, sections, the store barrier (gc_ops.c)
 *
 * Control: write a command to /sys/kernel/debug/goheap_bench/run; the
 * write returns when the benchmark is done. Results go to the kernel log,
 * one line each: "goheap_bench: result key=value ...". gc_pause keeps its
 * domain alive until the next command (or gc_release) so that its debugfs
 * statistics (the pause list) can be read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "bench.h"

static unsigned int ghb_param_rounds = 5;
module_param_named(rounds, ghb_param_rounds, uint, 0644);
MODULE_PARM_DESC(rounds, "timed rounds per measurement, 1..9 (median reported)");

static unsigned int ghb_param_scale = 100;
module_param_named(scale, ghb_param_scale, uint, 0644);
MODULE_PARM_DESC(scale, "operation counts in percent of the defaults, 1..1000");

static DEFINE_MUTEX(ghb_lock);		/* one command at a time */

unsigned long ghb_ops(unsigned long base)
{
	return max(1UL, base * clamp(ghb_param_scale, 1U, 1000U) / 100);
}

unsigned int ghb_rounds(void)
{
	return clamp(ghb_param_rounds, 1U, (unsigned int)GHB_MAX_ROUNDS);
}

/* ---- results -------------------------------------------------------------- */

void ghb_sample(struct ghb_samples *s, u64 ns, u64 ops)
{
	if (s->n < GHB_MAX_ROUNDS && ops)
		s->v[s->n++] = div64_u64(ns * 100, ops);
}

static int ghb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Median (lower median for an even count); sorts @s. */
u64 ghb_median(struct ghb_samples *s)
{
	if (!s->n)
		return 0;
	sort(s->v, s->n, sizeof(s->v[0]), ghb_cmp_u64, NULL);
	return s->v[(s->n - 1) / 2];
}

/*
 * The result line being built: one, since commands run one at a time
 * (ghb_lock) and only the command's own thread prints.
 */
static struct {
	char buf[640];
	size_t len;
} ghb_line;

void ghb_add(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	ghb_line.len += vscnprintf(ghb_line.buf + ghb_line.len,
				   sizeof(ghb_line.buf) - ghb_line.len, fmt, args);
	va_end(args);
}

/* " <key>_ns=<median> <key>_min_ns=.. <key>_max_ns=.." from @s */
void ghb_add_ns(const char *key, struct ghb_samples *s)
{
	u64 med = ghb_median(s);

	if (!s->n) {
		ghb_add(" %s_ns=0", key);
		return;
	}
	ghb_add(" %s_ns=%llu.%02llu %s_min_ns=%llu.%02llu %s_max_ns=%llu.%02llu",
		key, med / 100, med % 100,
		key, s->v[0] / 100, s->v[0] % 100,
		key, s->v[s->n - 1] / 100, s->v[s->n - 1] % 100);
}

static void ghb_line_reset(void)
{
	ghb_line.len = 0;
	ghb_line.buf[0] = '\0';
}

/* Print the line and start a new one. */
void ghb_emit(void)
{
	pr_info("result %s\n", ghb_line.buf);
	ghb_line_reset();
}

/* ---- threads ---------------------------------------------------------------- */

static int ghb_thread_fn(void *data)
{
	struct ghb_thread *t = data;

	t->ret = t->fn(t->arg);
	complete(&t->done);
	return 0;
}

/* Start fn(arg) in a kthread bound to @cpu (or unbound for -1). */
int ghb_thread_start(struct ghb_thread *t, int cpu, int (*fn)(void *),
		     void *arg)
{
	struct task_struct *task;

	t->fn = fn;
	t->arg = arg;
	t->ret = 0;
	init_completion(&t->done);
	task = kthread_create(ghb_thread_fn, t, "goheap_bench/%d", cpu);
	if (IS_ERR(task))
		return PTR_ERR(task);
	if (cpu >= 0)
		kthread_bind(task, cpu);
	wake_up_process(task);
	return 0;
}

/* Wait without looking hung: the waiter wakes once a second. */
int ghb_thread_wait(struct ghb_thread *t)
{
	while (!wait_for_completion_timeout(&t->done, HZ))
		;
	return t->ret;
}

/*
 * One thread per online CPU, up to @max: thread i runs fn(args + i * size)
 * on the i-th online CPU. Return: how many started (they stop at the first
 * that cannot be started).
 */
unsigned int ghb_threads_start(struct ghb_thread *t, unsigned int max,
			       int (*fn)(void *), void *args, size_t size)
{
	unsigned int i = 0;
	int cpu;

	for_each_online_cpu(cpu) {
		if (i == max || ghb_thread_start(&t[i], cpu, fn, args + i * size))
			break;
		i++;
	}
	return i;
}

static int ghb_run_on(int cpu, int (*fn)(void *), void *arg)
{
	struct ghb_thread t;
	int ret = ghb_thread_start(&t, cpu, fn, arg);

	return ret ? ret : ghb_thread_wait(&t);
}

void ghb_start_wait(struct ghb_start *s, unsigned int idx)
{
	unsigned long spins = 0;

	atomic_inc(&s->arrived);
	if (idx == 0) {
		while (atomic_read(&s->arrived) < READ_ONCE(s->nthreads))
			ghb_spin(&spins);
		s->t0 = ktime_get_ns();
		/* release: t0 before go; pairs with the acquire below */
		smp_store_release(&s->go, 1);
	} else {
		/* acquire: pairs with the release of thread 0 */
		while (!smp_load_acquire(&s->go))
			ghb_spin(&spins);
	}
}

/* ---- rounds x sides ------------------------------------------------------------ */

/**
 * ghb_interleave() - run every side once per round, sides interleaved
 * @nsides: how many sides
 * @step: runs side @side once and records its figures; 0 or an error
 * @arg: passed to @step
 *
 * ghb_rounds() rounds; the order of the sides alternates from round to
 * round (forwards, then backwards), so that neither side always runs just
 * after the other.
 *
 * Return: 0, or the first error of @step (which ends the measurement).
 */
int ghb_interleave(unsigned int nsides,
		   int (*step)(void *arg, unsigned int side), void *arg)
{
	unsigned int r, k, side;
	int ret;

	for (r = 0; r < ghb_rounds(); r++) {
		for (k = 0; k < nsides; k++) {
			side = r & 1 ? nsides - 1 - k : k;
			ret = step(arg, side);
			if (ret)
				return ret;
			cond_resched();
		}
	}
	return 0;
}

/* A warm-up run of m->n / 10 + 1, then the timed run of m->n. */
static int ghb_measure_step(void *arg, unsigned int side)
{
	struct ghb_meas *m = arg;
	u64 t = m->run(m, side, m->n / 10 + 1);

	if (t != GHB_FAILED)
		t = m->run(m, side, m->n);
	if (t == GHB_FAILED) {
		m->failed = side;
		return -ENOMEM;
	}
	ghb_sample(&m->s[side], t, m->n);
	return 0;
}

/**
 * ghb_measure() - per-op times of runs of a fixed length, sides interleaved
 * @m: the measurement; @m->s receives the figures
 *
 * Return: 0, or -ENOMEM if a run failed (@m->failed says whose).
 */
int ghb_measure(struct ghb_meas *m)
{
	return ghb_interleave(m->nsides, ghb_measure_step, m);
}

/* ---- control ---------------------------------------------------------------------- */

static const struct ghb_cmd {
	const char *name;
	int (*fn)(void *arg);
	bool bound;		/* run in a kthread on the first online CPU */
} ghb_cmds[] = {
	{ "calib", ghb_calib, true },
	{ "pair", ghb_pair, true },
	{ "batch", ghb_batch, true },
	{ "bulk", ghb_bulk, true },
	{ "churn", ghb_churn, true },
	{ "burst", ghb_burst, true },
	{ "footprint", ghb_footprint, true },
	{ "latency", ghb_latency, true },
	{ "remote", ghb_remote, false },
	{ "parallel", ghb_parallel, false },
	{ "gc_mark", ghb_gc_mark, false },
	{ "gc_mark_cost", ghb_gc_mark_cost, true },
	{ "gc_pause", ghb_gc_pause, false },
	{ "gc_pause_quiet", ghb_gc_pause_quiet, false },
	{ "gc_alloc", ghb_gc_alloc, true },
	{ "gc_section", ghb_gc_section, true },
	{ "gc_barrier", ghb_gc_barrier, true },
	{ "gc_parallel", ghb_gc_parallel, false },
	{ "gc_release", NULL, false },
};

/* "<command>[ <number>]": the command, or NULL; @buf is cut up. */
static const struct ghb_cmd *ghb_parse(char *buf, unsigned long *val)
{
	char *cmd = strim(buf), *arg;
	unsigned int i;

	*val = 0;
	arg = strchr(cmd, ' ');
	if (arg) {
		*arg++ = '\0';
		if (kstrtoul(skip_spaces(arg), 0, val))
			return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(ghb_cmds); i++)
		if (!strcmp(cmd, ghb_cmds[i].name))
			return &ghb_cmds[i];
	pr_err("unknown command \"%s\"\n", cmd);
	return NULL;
}

/*
 * Let the work an earlier command left behind run before this one starts:
 * RCU callbacks (spans, objects freed after a grace period) and goheap's
 * delayed release of empty arenas (release_delay_ms, 1 s by default).
 * Under icount with sleep=off an idle guest's clock jumps ahead, so the
 * wait costs no host time there.
 */
static void ghb_settle(void)
{
	rcu_barrier();
	msleep(1500);
}

/* Context: ghb_lock held. */
static int ghb_run_cmd(const struct ghb_cmd *c, unsigned long val)
{
	u64 t0;
	int ret;

	ghb_gc_release();		/* a gc_pause domain lives until now */
	if (!c->fn)
		return 0;
	ghb_settle();
	pr_info("begin %s %lu rounds=%u scale=%u\n", c->name, val, ghb_rounds(),
		ghb_param_scale);
	ghb_line_reset();		/* a failed command may have left a part */
	t0 = ktime_get_ns();
	if (c->bound)
		ret = ghb_run_on(cpumask_first(cpu_online_mask), c->fn, NULL);
	else
		ret = c->fn((void *)val);
	pr_info("end %s ret=%d ms=%llu\n", c->name, ret,
		div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));
	return ret;
}

static ssize_t ghb_run_write(struct file *f, const char __user *ubuf, size_t len,
			     loff_t *ppos)
{
	const struct ghb_cmd *c;
	unsigned long val;
	char buf[64];
	int ret;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	c = ghb_parse(buf, &val);
	if (!c)
		return -EINVAL;
	mutex_lock(&ghb_lock);
	ret = ghb_run_cmd(c, val);
	mutex_unlock(&ghb_lock);
	return ret ? ret : len;
}

static const struct file_operations ghb_run_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = ghb_run_write,
	.llseek = noop_llseek,
};

static struct dentry *ghb_dir;

static int __init ghb_init(void)
{
	ghb_gc_types_init();
	ghb_dir = debugfs_create_dir("goheap_bench", NULL);
	debugfs_create_file("run", 0200, ghb_dir, NULL, &ghb_run_fops);
	pr_info("config init_on_alloc=%d init_on_free=%d cpus=%u rounds=%u scale=%u\n",
		want_init_on_alloc(GFP_KERNEL), want_init_on_free(), num_online_cpus(),
		ghb_rounds(), ghb_param_scale);
	return 0;
}

static void __exit ghb_exit(void)
{
	debugfs_remove_recursive(ghb_dir);
	mutex_lock(&ghb_lock);
	ghb_gc_release();
	mutex_unlock(&ghb_lock);
}

module_init(ghb_init);
module_exit(ghb_exit);
MODULE_DESCRIPTION("goheap benchmarks against kmalloc and kmem_cache");
MODULE_LICENSE("GPL");
