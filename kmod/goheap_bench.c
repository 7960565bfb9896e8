// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_bench: goheap against the kernel's allocators, side by side.
 *
 * Every benchmark runs the same loop for each side in the same boot: the
 * loop is one __always_inline function that takes the allocation and free
 * functions as arguments, instantiated once per side with constant
 * arguments, so the compiler turns them into direct calls and the two
 * sides differ in nothing but the allocator they call. Single-CPU loops
 * run in a kthread bound to CPU 0, preemptible, sides interleaved round by
 * round (the order alternates), each round preceded by an untimed warm-up
 * of the same loop. Every object handed out is written to (one word) and
 * every result is checked, so no work can be optimised away. Time is
 * ktime_get_ns() around the loop.
 *
 * The sides: goheap_alloc()/goheap_free(); kmalloc()/kfree(); for the
 * fixed-size pair pattern also kmem_cache_alloc()/kmem_cache_free() on a
 * cache created for the size.
 *
 * Patterns (see Documentation/benchmarks.rst):
 *
 *   pair      alloc + free at once (Brouer's time_bench)
 *   batch     N allocs, then N frees (Lameter's slab_test)
 *   churn     a live set of random sizes, random replacement (larson);
 *             also the memory each side holds for that live set
 *   remote    CPU 0 allocates, CPU 1 frees through a ring (xmalloc-test)
 *   parallel  every CPU runs pair, or churn, at once
 *   gc_*      the collector: mark throughput, pauses with mutators on
 *             every CPU, domain allocation, sections, the store barrier
 *
 * Control: write a command to /sys/kernel/debug/goheap_bench/run; the
 * write returns when the benchmark is done. Results go to the kernel log,
 * one line each: "goheap_bench: result key=value ...". gc_pause keeps its
 * domain alive until the next command (or gc_release) so that its debugfs
 * statistics (the pause list) can be read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/percpu-rwsem.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include <goheap.h>

static unsigned int rounds = 5;
module_param(rounds, uint, 0644);
MODULE_PARM_DESC(rounds, "timed rounds per measurement, 1..9 (median reported)");

static unsigned int scale = 100;
module_param(scale, uint, 0644);
MODULE_PARM_DESC(scale, "operation counts in percent of the defaults, 1..1000");

#define GHB_MAX_ROUNDS		9
#define GHB_SEED		0x676f68656170ULL	/* "goheap" */

static DEFINE_MUTEX(ghb_lock);		/* one command at a time */

/* ---- results ----------------------------------------------------------- */

/* Per-op times of the rounds of one measurement, in 1/100 ns. */
struct ghb_samples {
	unsigned int n;
	u64 v[GHB_MAX_ROUNDS];
};

static void ghb_sample(struct ghb_samples *s, u64 ns, u64 ops)
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
static u64 ghb_median(struct ghb_samples *s)
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

static __printf(1, 2) void ghb_add(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	ghb_line.len += vscnprintf(ghb_line.buf + ghb_line.len,
				   sizeof(ghb_line.buf) - ghb_line.len, fmt, args);
	va_end(args);
}

/* " <key>_ns=<median> <key>_min_ns=.. <key>_max_ns=.." from @s */
static void ghb_add_ns(const char *key, struct ghb_samples *s)
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

/* Print the line and start a new one. */
static void ghb_emit(void)
{
	pr_info("result %s\n", ghb_line.buf);
	ghb_line.len = 0;
	ghb_line.buf[0] = '\0';
}

static unsigned long ghb_ops(unsigned long base)
{
	return max(1UL, base * clamp(scale, 1U, 1000U) / 100);
}

static unsigned int ghb_rounds(void)
{
	return clamp(rounds, 1U, (unsigned int)GHB_MAX_ROUNDS);
}

/* ---- threads ------------------------------------------------------------ */

struct ghb_thread {
	int (*fn)(void *arg);
	void *arg;
	int ret;
	struct completion done;
};

static int ghb_thread_fn(void *data)
{
	struct ghb_thread *t = data;

	t->ret = t->fn(t->arg);
	complete(&t->done);
	return 0;
}

/* Start fn(arg) in a kthread bound to @cpu (or unbound for -1). */
static int ghb_thread_start(struct ghb_thread *t, int cpu, int (*fn)(void *),
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
static int ghb_thread_wait(struct ghb_thread *t)
{
	while (!wait_for_completion_timeout(&t->done, HZ))
		;
	return t->ret;
}

static int ghb_run_on(int cpu, int (*fn)(void *), void *arg)
{
	struct ghb_thread t;
	int ret = ghb_thread_start(&t, cpu, fn, arg);

	return ret ? ret : ghb_thread_wait(&t);
}

/*
 * Busy-wait step: stays schedulable for long waits. No cpu_relax(): QEMU's
 * TCG implements PAUSE by leaving the vCPU loop, which takes QEMU's global
 * lock and would make every wait cost microseconds on both CPUs.
 */
static inline void ghb_spin(unsigned long *spins)
{
	barrier();
	if (!(++*spins & 1023))
		cond_resched();
}

/* A start line for threads on several CPUs; thread 0 fires the start. */
struct ghb_start {
	atomic_t arrived;
	unsigned int nthreads;
	int go;
	u64 t0;
};

static void ghb_start_wait(struct ghb_start *s, unsigned int idx)
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

/* ---- the sides ---------------------------------------------------------- */

typedef void *(*ghb_alloc_fn)(void *ctx, size_t size);
typedef void (*ghb_free_fn)(void *ctx, void *p);

static __always_inline void *ghb_goheap_alloc(void *ctx, size_t size)
{
	return goheap_alloc(size, GFP_KERNEL);
}

static __always_inline void ghb_goheap_free(void *ctx, void *p)
{
	goheap_free(p);
}

static __always_inline void *ghb_kmalloc(void *ctx, size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

static __always_inline void ghb_kfree(void *ctx, void *p)
{
	kfree(p);
}

static __always_inline void *ghb_cache_alloc(void *ctx, size_t size)
{
	return kmem_cache_alloc(ctx, GFP_KERNEL);
}

static __always_inline void ghb_cache_free(void *ctx, void *p)
{
	kmem_cache_free(ctx, p);
}

/* Touch an object: one word written, so the memory is really used. */
static __always_inline void ghb_touch(void *p, unsigned long v)
{
	WRITE_ONCE(*(unsigned long *)p, v);
}

#define GHB_FAILED	U64_MAX

/* ---- the loops (one body for every side) -------------------------------- */

static __always_inline u64 ghb_pair_loop(void *ctx, size_t size, unsigned long n,
					 ghb_alloc_fn alloc, ghb_free_fn free)
{
	unsigned long i;
	u64 t0, t1;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		void *p;

		OPTIMIZER_HIDE_VAR(size);
		p = alloc(ctx, size);
		if (unlikely(!p))
			return GHB_FAILED;
		ghb_touch(p, i);
		free(ctx, p);
	}
	t1 = ktime_get_ns();
	return t1 - t0;
}

static __always_inline u64 ghb_batch_loop(void *ctx, size_t size, unsigned long n,
					  void **arr, u64 *free_ns,
					  ghb_alloc_fn alloc, ghb_free_fn free)
{
	unsigned long i;
	u64 t0, t1, t2;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		void *p;

		OPTIMIZER_HIDE_VAR(size);
		p = alloc(ctx, size);
		if (unlikely(!p))
			break;
		ghb_touch(p, i);
		arr[i] = p;
	}
	t1 = ktime_get_ns();
	if (unlikely(i < n)) {
		while (i--)
			free(ctx, arr[i]);
		return GHB_FAILED;
	}
	for (i = 0; i < n; i++)
		free(ctx, arr[i]);
	t2 = ktime_get_ns();
	*free_ns = t2 - t1;
	return t1 - t0;
}

/*
 * Churn: a live set of @live slots, each replaced in the order of a
 * pre-drawn sequence (slot, new size), identical for both sides.
 */
struct ghb_churn {
	unsigned int live;
	unsigned long ops;
	u32 *fill_size;		/* [live] */
	u32 *op_slot;		/* [ops] */
	u32 *op_size;		/* [ops] */
	void **slot;		/* [live] */
};

static __always_inline int ghb_churn_fill_loop(struct ghb_churn *c, void *ctx,
					       ghb_alloc_fn alloc)
{
	unsigned int s;

	for (s = 0; s < c->live; s++) {
		c->slot[s] = alloc(ctx, c->fill_size[s]);
		if (!c->slot[s])
			return -ENOMEM;
		ghb_touch(c->slot[s], s);
	}
	return 0;
}

static __always_inline u64 ghb_churn_loop(struct ghb_churn *c, void *ctx,
					  unsigned long from, unsigned long to,
					  ghb_alloc_fn alloc, ghb_free_fn free)
{
	unsigned long i;
	u64 t0, t1;

	t0 = ktime_get_ns();
	for (i = from; i < to; i++) {
		u32 s = c->op_slot[i];
		void *p;

		free(ctx, c->slot[s]);
		p = alloc(ctx, c->op_size[i]);
		c->slot[s] = p;
		if (unlikely(!p))
			return GHB_FAILED;
		ghb_touch(p, i);
	}
	t1 = ktime_get_ns();
	return t1 - t0;
}

static __always_inline void ghb_churn_empty_loop(struct ghb_churn *c, void *ctx,
						 ghb_free_fn free)
{
	unsigned int s;

	for (s = 0; s < c->live; s++) {
		if (c->slot[s])
			free(ctx, c->slot[s]);
		c->slot[s] = NULL;
	}
}

/* Remote: a single-producer single-consumer ring of objects. */
struct ghb_ring {
	void **slot;
	unsigned long mask;
	size_t size;
	unsigned long n;
	struct ghb_start start;
	unsigned long head ____cacheline_aligned_in_smp;	/* producer */
	unsigned long tail ____cacheline_aligned_in_smp;	/* consumer */
	u64 t_end;
	bool failed;
};

static __always_inline void ghb_produce_loop(struct ghb_ring *r, void *ctx,
					     ghb_alloc_fn alloc)
{
	unsigned long i, spins = 0;
	size_t size = r->size;

	for (i = 0; i < r->n; i++) {
		void *p;

		OPTIMIZER_HIDE_VAR(size);
		p = alloc(ctx, size);
		if (likely(p))
			ghb_touch(p, i);
		/* acquire: the consumer is done with the slot (its release) */
		while (i - smp_load_acquire(&r->tail) > r->mask)
			ghb_spin(&spins);
		r->slot[i & r->mask] = p;
		/* release: the slot (and the object) before the index */
		smp_store_release(&r->head, i + 1);
		if (unlikely(!p)) {
			r->failed = true;
			return;
		}
	}
}

static __always_inline void ghb_consume_loop(struct ghb_ring *r, void *ctx,
					     ghb_free_fn free)
{
	unsigned long i, spins = 0;

	for (i = 0; i < r->n; i++) {
		void *p;

		/* acquire: pairs with the producer's release of head */
		while (smp_load_acquire(&r->head) == i)
			ghb_spin(&spins);
		p = r->slot[i & r->mask];
		if (unlikely(!p))
			break;
		free(ctx, p);
		/* release: the slot was read before it is handed back */
		smp_store_release(&r->tail, i + 1);
	}
	r->t_end = ktime_get_ns();
}

/* Instantiate every loop for one side: direct calls, identical bodies. */
#define GHB_SIDE(side, alloc, free)					\
static noinline u64 ghb_pair_##side(void *ctx, size_t size, unsigned long n) \
{									\
	return ghb_pair_loop(ctx, size, n, alloc, free);		\
}									\
static noinline u64 ghb_batch_##side(void *ctx, size_t size, unsigned long n, \
				     void **arr, u64 *free_ns)		\
{									\
	return ghb_batch_loop(ctx, size, n, arr, free_ns, alloc, free);	\
}									\
static noinline int ghb_fill_##side(struct ghb_churn *c, void *ctx)	\
{									\
	return ghb_churn_fill_loop(c, ctx, alloc);			\
}									\
static noinline u64 ghb_churn_##side(struct ghb_churn *c, void *ctx,	\
				     unsigned long from, unsigned long to) \
{									\
	return ghb_churn_loop(c, ctx, from, to, alloc, free);		\
}									\
static noinline void ghb_empty_##side(struct ghb_churn *c, void *ctx)	\
{									\
	ghb_churn_empty_loop(c, ctx, free);				\
}									\
static noinline void ghb_produce_##side(struct ghb_ring *r, void *ctx)	\
{									\
	ghb_produce_loop(r, ctx, alloc);				\
}									\
static noinline void ghb_consume_##side(struct ghb_ring *r, void *ctx)	\
{									\
	ghb_consume_loop(r, ctx, free);					\
}									\
static const struct ghb_side ghb_side_##side = {			\
	.name = #side,							\
	.pair = ghb_pair_##side,					\
	.batch = ghb_batch_##side,					\
	.fill = ghb_fill_##side,					\
	.churn = ghb_churn_##side,					\
	.empty = ghb_empty_##side,					\
	.produce = ghb_produce_##side,					\
	.consume = ghb_consume_##side,					\
}

struct ghb_side {
	const char *name;
	u64 (*pair)(void *ctx, size_t size, unsigned long n);
	u64 (*batch)(void *ctx, size_t size, unsigned long n, void **arr,
		     u64 *free_ns);
	int (*fill)(struct ghb_churn *c, void *ctx);
	u64 (*churn)(struct ghb_churn *c, void *ctx, unsigned long from,
		     unsigned long to);
	void (*empty)(struct ghb_churn *c, void *ctx);
	void (*produce)(struct ghb_ring *r, void *ctx);
	void (*consume)(struct ghb_ring *r, void *ctx);
};

GHB_SIDE(goheap, ghb_goheap_alloc, ghb_goheap_free);
GHB_SIDE(kmalloc, ghb_kmalloc, ghb_kfree);
GHB_SIDE(kmem_cache, ghb_cache_alloc, ghb_cache_free);

/* ---- calibration ---------------------------------------------------------- */

/*
 * Probes of the clock and of building blocks both allocators use, to read
 * the other figures by: under icount one ns is one guest instruction.
 */
#define GHB_PROBE(name, body)						\
static noinline u64 ghb_probe_##name(void *buf, unsigned long n)	\
{									\
	unsigned long i, sink = 0;					\
	u64 t0 = ktime_get_ns();					\
									\
	for (i = 0; i < n; i++) {					\
		OPTIMIZER_HIDE_VAR(buf);				\
		body;							\
	}								\
	OPTIMIZER_HIDE_VAR(sink);					\
	return ktime_get_ns() - t0;					\
}

static DEFINE_PER_CPU(unsigned long, ghb_pcpu_counter);

GHB_PROBE(empty_loop, sink += i)
GHB_PROBE(ktime_get_ns, sink += ktime_get_ns())
/* a length the compiler cannot see, as in the allocators: the memset() call */
GHB_PROBE(memset64, size_t len = 64; OPTIMIZER_HIDE_VAR(len); memset(buf, 0, len))
GHB_PROBE(memset4096, size_t len = 4096; OPTIMIZER_HIDE_VAR(len); memset(buf, 0, len))
GHB_PROBE(rcu_read_lock, rcu_read_lock(); rcu_read_unlock())
GHB_PROBE(irq_save, unsigned long flags; local_irq_save(flags); local_irq_restore(flags))
GHB_PROBE(preempt, preempt_disable(); preempt_enable())
GHB_PROBE(this_cpu_inc, this_cpu_inc(ghb_pcpu_counter))
GHB_PROBE(virt_addr_valid, sink += virt_addr_valid(buf))

static const struct ghb_probe {
	const char *what;	/* "name" or "name size" */
	u64 (*fn)(void *buf, unsigned long n);
	unsigned int div;	/* fewer iterations for slow probes */
} ghb_probes[] = {
	{ "empty_loop", ghb_probe_empty_loop, 1 },
	{ "ktime_get_ns", ghb_probe_ktime_get_ns, 10 },
	{ "memset size=64", ghb_probe_memset64, 10 },
	{ "memset size=4096", ghb_probe_memset4096, 100 },
	{ "rcu_read_lock+unlock", ghb_probe_rcu_read_lock, 10 },
	{ "local_irq_save+restore", ghb_probe_irq_save, 10 },
	{ "preempt_disable+enable", ghb_probe_preempt, 10 },
	{ "this_cpu_inc", ghb_probe_this_cpu_inc, 10 },
	{ "virt_addr_valid", ghb_probe_virt_addr_valid, 10 },
};

static int ghb_calib(void *unused)
{
	unsigned long n = ghb_ops(100000);
	struct ghb_samples s;
	unsigned int r, i;
	void *buf;

	buf = kmalloc(4096, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(ghb_probes); i++) {
		unsigned long m = max(1UL, n / ghb_probes[i].div);

		memset(&s, 0, sizeof(s));
		ghb_probes[i].fn(buf, m / 10 + 1);		/* warm-up */
		for (r = 0; r < ghb_rounds(); r++)
			ghb_sample(&s, ghb_probes[i].fn(buf, m), m);
		ghb_add("pattern=calib what=%s cpus=1 ops=%lu", ghb_probes[i].what, m);
		ghb_add_ns("value", &s);
		ghb_emit();
	}
	kfree(buf);
	return 0;
}

/* ---- pair ------------------------------------------------------------------ */

static const size_t ghb_pair_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192, 32768, 65536
};

/* Fewer operations for big objects: init_on_alloc writes every byte. */
static unsigned long ghb_pair_ops(size_t size)
{
	return ghb_ops(clamp_t(unsigned long, (8UL << 20) / size, 500, 20000));
}

static int ghb_pair_size(size_t size)
{
	const struct ghb_side *sides[] = {
		&ghb_side_goheap, &ghb_side_kmalloc, &ghb_side_kmem_cache
	};
	struct ghb_samples s[ARRAY_SIZE(sides)] = {};
	unsigned long n = ghb_pair_ops(size);
	void *ctx[ARRAY_SIZE(sides)] = {};
	struct kmem_cache *cache;
	unsigned int r, k, j;
	char name[32];
	int ret = 0;

	snprintf(name, sizeof(name), "goheap_bench_%zu", size);
	cache = kmem_cache_create(name, size, 0, 0, NULL);
	if (!cache)
		return -ENOMEM;
	ctx[2] = cache;
	for (r = 0; r < ghb_rounds(); r++) {
		for (k = 0; k < ARRAY_SIZE(sides); k++) {
			u64 t;

			/* alternate the order from round to round */
			j = r & 1 ? ARRAY_SIZE(sides) - 1 - k : k;
			t = sides[j]->pair(ctx[j], size, n / 10 + 1);
			if (t != GHB_FAILED)
				t = sides[j]->pair(ctx[j], size, n);
			if (t == GHB_FAILED) {
				pr_err("error pattern=pair size=%zu side=%s: allocation failed\n",
				       size, sides[j]->name);
				ret = -ENOMEM;
				goto out;
			}
			ghb_sample(&s[j], t, n);
		}
		cond_resched();
	}
	for (k = 1; k < ARRAY_SIZE(sides); k++) {

		ghb_add("pattern=pair size=%zu cpus=1 vs=%s ops=%lu rounds=%u",
			size, sides[k]->name, n, s[0].n);
		ghb_add_ns("goheap", &s[0]);
		ghb_add_ns("kernel", &s[k]);
		ghb_emit();
	}
out:
	kmem_cache_destroy(cache);
	return ret;
}

static int ghb_pair(void *unused)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(ghb_pair_sizes) && !ret; i++)
		ret = ghb_pair_size(ghb_pair_sizes[i]);
	return ret;
}

/* ---- batch ------------------------------------------------------------------ */

/* Median per-op times of @reps batches of @n, per round and side. */
static int ghb_batch_one(size_t size, unsigned long n, void **arr)
{
	const struct ghb_side *sides[] = { &ghb_side_goheap, &ghb_side_kmalloc };
	struct ghb_samples sa[2] = {}, sf[2] = {}, st[2] = {};
	unsigned long reps = max(1UL, ghb_ops(100000) / n);	/* ~100000 objects */
	unsigned int r, k, j;
	unsigned long rep;

	for (r = 0; r < ghb_rounds(); r++) {
		for (k = 0; k < ARRAY_SIZE(sides); k++) {
			u64 ta = 0, tf = 0, a, f;

			j = r & 1 ? 1 - k : k;
			/* rep 0 is the warm-up */
			for (rep = 0; rep <= reps; rep++) {
				a = sides[j]->batch(NULL, size, n, arr, &f);
				if (a == GHB_FAILED) {
					pr_err("error pattern=batch size=%zu side=%s: allocation failed\n",
					       size, sides[j]->name);
					return -ENOMEM;
				}
				if (rep) {
					ta += a;
					tf += f;
				}
			}
			ghb_sample(&sa[j], ta, n * reps);
			ghb_sample(&sf[j], tf, n * reps);
			ghb_sample(&st[j], ta + tf, n * reps);
			cond_resched();
		}
	}
	ghb_add("pattern=batch size=%zu n=%lu cpus=1 vs=kmalloc ops=%lu rounds=%u",
		size, n, n * reps, st[0].n);
	ghb_add_ns("goheap", &st[0]);
	ghb_add_ns("kernel", &st[1]);
	ghb_add_ns("goheap_alloc", &sa[0]);
	ghb_add_ns("kernel_alloc", &sa[1]);
	ghb_add_ns("goheap_free", &sf[0]);
	ghb_add_ns("kernel_free", &sf[1]);
	ghb_emit();
	return 0;
}

static int ghb_batch(void *unused)
{
	/* 16: within one span/slab, the local fast paths alone */
	static const unsigned long counts[] = { 16, 1000, 100000 };
	static const size_t sizes[] = { 64, 256 };
	unsigned int c, z;
	void **arr;
	int ret = 0;

	arr = kvmalloc_array(counts[ARRAY_SIZE(counts) - 1], sizeof(void *), GFP_KERNEL);
	if (!arr)
		return -ENOMEM;
	for (c = 0; c < ARRAY_SIZE(counts) && !ret; c++)
		for (z = 0; z < ARRAY_SIZE(sizes) && !ret; z++)
			ret = ghb_batch_one(sizes[z], counts[c], arr);
	kvfree(arr);
	return ret;
}

/* ---- churn -------------------------------------------------------------------- */

enum ghb_dist { GHB_UNIFORM, GHB_SKEWED };

static const char *const ghb_dist_names[] = { "uniform", "skewed" };

/* uniform: 1..4096; skewed: 70 % 8..128, 25 % 129..1024, 5 % 1025..4096 */
static u32 ghb_draw_size(struct rnd_state *rs, enum ghb_dist dist)
{
	u32 r = prandom_u32_state(rs);

	if (dist == GHB_UNIFORM)
		return 1 + r % 4096;
	switch (r % 100) {
	case 0 ... 69:
		return 8 + (r >> 8) % 121;
	case 70 ... 94:
		return 129 + (r >> 8) % 896;
	default:
		return 1025 + (r >> 8) % 3072;
	}
}

static void ghb_churn_free(struct ghb_churn *c)
{
	kvfree(c->fill_size);
	kvfree(c->op_slot);
	kvfree(c->op_size);
	kvfree(c->slot);
	c->fill_size = NULL;
	c->op_slot = NULL;
	c->op_size = NULL;
	c->slot = NULL;
}

static int ghb_churn_init(struct ghb_churn *c, unsigned int live, unsigned long ops,
			  enum ghb_dist dist, u64 seed)
{
	struct rnd_state rs;
	unsigned long i;

	memset(c, 0, sizeof(*c));
	c->live = live;
	c->ops = ops;
	c->fill_size = kvmalloc_array(live, sizeof(u32), GFP_KERNEL);
	c->slot = kvcalloc(live, sizeof(void *), GFP_KERNEL);
	c->op_slot = kvmalloc_array(ops, sizeof(u32), GFP_KERNEL);
	c->op_size = kvmalloc_array(ops, sizeof(u32), GFP_KERNEL);
	if (!c->fill_size || !c->slot || !c->op_slot || !c->op_size) {
		ghb_churn_free(c);
		return -ENOMEM;
	}
	prandom_seed_state(&rs, seed);
	for (i = 0; i < live; i++)
		c->fill_size[i] = ghb_draw_size(&rs, dist);
	for (i = 0; i < ops; i++) {
		c->op_slot[i] = prandom_u32_state(&rs) % live;
		c->op_size[i] = ghb_draw_size(&rs, dist);
	}
	return 0;
}

/* Bytes asked for by the live set at the end of the sequence. */
static u64 ghb_churn_requested(struct ghb_churn *c)
{
	u32 *size = kvmalloc_array(c->live, sizeof(u32), GFP_KERNEL);
	unsigned long i;
	u64 sum = 0;

	if (!size)
		return 0;
	memcpy(size, c->fill_size, c->live * sizeof(u32));
	for (i = 0; i < c->ops; i++)
		size[c->op_slot[i]] = c->op_size[i];
	for (i = 0; i < c->live; i++)
		sum += size[i];
	kvfree(size);
	return sum;
}

/*
 * Slab memory in bytes, exactly: the global counter plus every CPU's
 * not yet folded difference. kmalloc() above KMALLOC_MAX_CACHE_SIZE takes
 * pages straight from the page allocator, and 6.1 counts those in the same
 * item (NR_SLAB_UNRECLAIMABLE_B), so this covers every kmalloc() byte.
 */
static long ghb_slab_bytes(void)
{
	long pages = atomic_long_read(&vm_node_stat[NR_SLAB_UNRECLAIMABLE_B]);
	int nid, cpu;

	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		for_each_possible_cpu(cpu)
			pages += per_cpu_ptr(pgdat->per_cpu_nodestats, cpu)
					->vm_node_stat_diff[NR_SLAB_UNRECLAIMABLE_B];
	}
	return pages * PAGE_SIZE;
}

/* Let SLUB give back empty slabs of the kmalloc caches (goheap_drain()'s peer). */
static void ghb_slab_shrink(void)
{
	int i;

	for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++)
		if (kmalloc_caches[KMALLOC_NORMAL][i])
			kmem_cache_shrink(kmalloc_caches[KMALLOC_NORMAL][i]);
}

/*
 * Take the free slots the kmalloc caches already have (other users' partly
 * used slabs), so that the live set measured next gets slabs of its own
 * and the slab counter's growth is all its own. Per cache, objects are
 * taken until the counter grows: then the cache has started a new slab,
 * whose remaining free slots are the only ones left from before (at most
 * one slab per cache). Return: objects taken, or -ENOMEM.
 */
#define GHB_PREFILL_MAX	200000

static long ghb_slab_prefill(void **held)
{
	long n = 0;
	int i;

	for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++) {
		struct kmem_cache *cache = kmalloc_caches[KMALLOC_NORMAL][i];
		long before = ghb_slab_bytes();

		if (!cache)
			continue;
		while (n < GHB_PREFILL_MAX && ghb_slab_bytes() == before) {
			held[n] = kmalloc(kmem_cache_size(cache), GFP_KERNEL);
			if (!held[n])
				return -ENOMEM;
			n++;
		}
	}
	return n;
}

static void ghb_slab_unfill(void **held, long n)
{
	while (n-- > 0)
		kfree(held[n]);
}

struct ghb_mem {
	s64 held;	/* goheap: HeapSys - HeapReleased + MetaBytes; kernel: slab */
	s64 inuse;	/* goheap: HeapInuse + MetaBytes; kernel: slab */
	s64 alloc;	/* goheap: Alloc (class sizes); kernel: sum of ksize() */
};

/* Byte figures of the rounds of one measurement. */
struct ghb_bytes {
	unsigned int n;
	s64 v[GHB_MAX_ROUNDS];
};

static int ghb_cmp_s64(const void *a, const void *b)
{
	s64 x = *(const s64 *)a, y = *(const s64 *)b;

	return x < y ? -1 : x > y;
}

static void ghb_bytes_add(struct ghb_bytes *b, s64 v)
{
	if (b->n < GHB_MAX_ROUNDS)
		b->v[b->n++] = v;
}

static s64 ghb_bytes_median(struct ghb_bytes *b)
{
	if (!b->n)
		return 0;
	sort(b->v, b->n, sizeof(b->v[0]), ghb_cmp_s64, NULL);
	return b->v[(b->n - 1) / 2];
}

static void ghb_goheap_mem(struct ghb_mem *m)
{
	struct goheap_stats st;

	goheap_read_stats(&st);
	m->held = st.heap_sys - st.heap_released + st.meta_bytes;
	m->inuse = st.heap_inuse + st.meta_bytes;
	m->alloc = st.alloc;
}

static s64 ghb_ksize_sum(struct ghb_churn *c)
{
	unsigned int s;
	s64 sum = 0;

	for (s = 0; s < c->live; s++)
		sum += ksize(c->slot[s]);
	return sum;
}

static int ghb_churn_one(enum ghb_dist dist, unsigned int live, unsigned long ops)
{
	const struct ghb_side *sides[] = { &ghb_side_goheap, &ghb_side_kmalloc };
	struct ghb_bytes *held, *inuse, *alloc, *prefilled;	/* [2] each */
	struct ghb_samples s[2] = {};
	unsigned long warm = ops / 10;
	struct ghb_churn c;
	unsigned int r, k, j = 0;
	u64 requested, t;
	void **pre;
	long npre;
	int ret;

	held = kcalloc(8, sizeof(*held), GFP_KERNEL);
	pre = kvmalloc_array(GHB_PREFILL_MAX, sizeof(void *), GFP_KERNEL);
	if (!held || !pre) {
		kfree(held);
		kvfree(pre);
		return -ENOMEM;
	}
	inuse = held + 2;
	alloc = held + 4;
	prefilled = held + 6;
	ret = ghb_churn_init(&c, live, ops, dist, GHB_SEED);
	if (ret) {
		kfree(held);
		kvfree(pre);
		return ret;
	}
	requested = ghb_churn_requested(&c);
	for (r = 0; r < ghb_rounds(); r++) {
		for (k = 0; k < ARRAY_SIZE(sides); k++) {
			struct ghb_mem before = {}, after = {};
			long slab0 = 0;

			j = r & 1 ? 1 - k : k;
			npre = 0;
			if (j == 0) {
				goheap_drain();
				ghb_goheap_mem(&before);
			} else {
				ghb_slab_shrink();
				npre = ghb_slab_prefill(pre);
				if (npre < 0) {
					ret = -ENOMEM;
					goto out;
				}
				ghb_bytes_add(&prefilled[1], npre);
				slab0 = ghb_slab_bytes();
			}
			ret = sides[j]->fill(&c, NULL);
			/* warm-up: the first tenth of the sequence */
			if (!ret && sides[j]->churn(&c, NULL, 0, warm) == GHB_FAILED)
				ret = -ENOMEM;
			t = ret ? GHB_FAILED : sides[j]->churn(&c, NULL, warm, ops);
			if (t == GHB_FAILED) {
				sides[j]->empty(&c, NULL);
				ghb_slab_unfill(pre, npre);
				ret = -ENOMEM;
				goto out;
			}
			ghb_sample(&s[j], t, ops - warm);
			/* memory held with the live set still allocated */
			if (j == 0) {
				ghb_goheap_mem(&after);
				after.held -= before.held;
				after.inuse -= before.inuse;
				after.alloc -= before.alloc;
			} else {
				after.held = ghb_slab_bytes() - slab0;
				after.inuse = after.held;
				after.alloc = ghb_ksize_sum(&c);
			}
			ghb_bytes_add(&held[j], after.held);
			ghb_bytes_add(&inuse[j], after.inuse);
			ghb_bytes_add(&alloc[j], after.alloc);
			sides[j]->empty(&c, NULL);
			ghb_slab_unfill(pre, npre);
			cond_resched();
		}
	}
	ghb_add("pattern=churn size=%s cpus=1 vs=kmalloc live=%u ops=%lu rounds=%u",
		ghb_dist_names[dist], live, ops - warm, s[0].n);
	ghb_add_ns("goheap", &s[0]);
	ghb_add_ns("kernel", &s[1]);
	ghb_add(" requested_bytes=%llu goheap_bytes=%lld goheap_inuse_bytes=%lld goheap_alloc_bytes=%lld kernel_bytes=%lld kernel_alloc_bytes=%lld",
		requested, ghb_bytes_median(&held[0]), ghb_bytes_median(&inuse[0]),
		ghb_bytes_median(&alloc[0]), ghb_bytes_median(&held[1]),
		ghb_bytes_median(&alloc[1]));
	ghb_add(" kernel_prefilled_objects=%lld", ghb_bytes_median(&prefilled[1]));
	ghb_emit();
out:
	if (ret)
		pr_err("error pattern=churn size=%s side=%s: allocation failed\n",
		       ghb_dist_names[dist], sides[j]->name);
	ghb_churn_free(&c);
	kvfree(pre);
	kfree(held);
	return ret;
}

static int ghb_churn(void *unused)
{
	int ret;

	ret = ghb_churn_one(GHB_UNIFORM, 10000, ghb_ops(100000));
	if (!ret)
		ret = ghb_churn_one(GHB_SKEWED, 50000, ghb_ops(100000));
	return ret;
}

/* ---- remote ---------------------------------------------------------------------- */

struct ghb_remote_job {
	struct ghb_ring *ring;
	const struct ghb_side *side;
};

static int ghb_producer_fn(void *arg)
{
	struct ghb_remote_job *job = arg;

	ghb_start_wait(&job->ring->start, 0);
	job->side->produce(job->ring, NULL);
	return 0;
}

static int ghb_consumer_fn(void *arg)
{
	struct ghb_remote_job *job = arg;

	ghb_start_wait(&job->ring->start, 1);
	job->side->consume(job->ring, NULL);
	return 0;
}

/* One run: ns from the start to the consumer's last free, or GHB_FAILED. */
static u64 ghb_remote_run(struct ghb_ring *r, const struct ghb_side *side,
			  size_t size, unsigned long n, int cpu_p, int cpu_c)
{
	struct ghb_remote_job job = { .ring = r, .side = side };
	struct ghb_thread tp, tc;
	int ret;

	r->size = size;
	r->n = n;
	r->head = 0;
	r->tail = 0;
	r->failed = false;
	memset(&r->start, 0, sizeof(r->start));
	r->start.nthreads = 2;
	ret = ghb_thread_start(&tc, cpu_c, ghb_consumer_fn, &job);
	if (ret)
		return GHB_FAILED;
	ret = ghb_thread_start(&tp, cpu_p, ghb_producer_fn, &job);
	if (ret) {
		/* let the consumer go: it stops at the NULL it finds */
		r->slot[0] = NULL;
		/* release: slot 0 before head, as the producer would */
		smp_store_release(&r->head, 1);
		r->start.nthreads = 1;
		/* release: pairs with the consumer's acquire of go */
		smp_store_release(&r->start.go, 1);
		ghb_thread_wait(&tc);
		return GHB_FAILED;
	}
	ghb_thread_wait(&tp);
	ghb_thread_wait(&tc);
	return r->failed ? GHB_FAILED : r->t_end - r->start.t0;
}

#define GHB_RING_SLOTS	256

static int ghb_remote(void *unused)
{
	static const size_t sizes[] = { 64, 256 };
	const struct ghb_side *sides[] = { &ghb_side_goheap, &ghb_side_kmalloc };
	unsigned long n = ghb_ops(800000);
	unsigned int z, r, k, j;
	struct ghb_ring *ring;
	int cpu_p, cpu_c;

	cpu_p = cpumask_first(cpu_online_mask);
	cpu_c = cpumask_next(cpu_p, cpu_online_mask);
	if (cpu_c >= nr_cpu_ids) {
		pr_info("skip pattern=remote: needs two CPUs\n");
		return 0;
	}
	ring = kzalloc(sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return -ENOMEM;
	ring->slot = kcalloc(GHB_RING_SLOTS, sizeof(void *), GFP_KERNEL);
	if (!ring->slot) {
		kfree(ring);
		return -ENOMEM;
	}
	ring->mask = GHB_RING_SLOTS - 1;
	for (z = 0; z < ARRAY_SIZE(sizes); z++) {
		struct ghb_samples s[2] = {};

		for (r = 0; r < ghb_rounds(); r++) {
			for (k = 0; k < ARRAY_SIZE(sides); k++) {
				u64 t;

				j = r & 1 ? 1 - k : k;
				t = ghb_remote_run(ring, sides[j], sizes[z], n / 10 + 1,
						   cpu_p, cpu_c);
				if (t != GHB_FAILED)
					t = ghb_remote_run(ring, sides[j], sizes[z], n,
							   cpu_p, cpu_c);
				if (t == GHB_FAILED) {
					pr_err("error pattern=remote size=%zu side=%s: allocation failed\n",
					       sizes[z], sides[j]->name);
					goto out;
				}
				ghb_sample(&s[j], t, n);
			}
		}
		ghb_add("pattern=remote size=%zu cpus=2 vs=kmalloc ops=%lu rounds=%u",
			sizes[z], n, s[0].n);
		ghb_add_ns("goheap", &s[0]);
		ghb_add_ns("kernel", &s[1]);
		ghb_emit();
	}
out:
	kfree(ring->slot);
	kfree(ring);
	return 0;
}

/* ---- parallel --------------------------------------------------------------------- */

struct ghb_par {
	const struct ghb_side *side;
	struct ghb_start start;
	bool churn;
	size_t size;
	unsigned long n;
	atomic_t failed;
};

struct ghb_par_job {
	struct ghb_par *par;
	unsigned int idx;
	struct ghb_churn c;
	u64 t_end;
};

static int ghb_par_fn(void *arg)
{
	struct ghb_par_job *job = arg;
	struct ghb_par *par = job->par;
	const struct ghb_side *side = par->side;
	unsigned long warm = par->n / 10;
	u64 t;

	if (par->churn) {
		if (side->fill(&job->c, NULL) ||
		    side->churn(&job->c, NULL, 0, warm) == GHB_FAILED)
			atomic_inc(&par->failed);
		ghb_start_wait(&par->start, job->idx);
		t = atomic_read(&par->failed) ? GHB_FAILED :
		    side->churn(&job->c, NULL, warm, par->n);
		job->t_end = ktime_get_ns();
		side->empty(&job->c, NULL);
	} else {
		t = side->pair(NULL, par->size, warm + 1);
		if (t == GHB_FAILED)
			atomic_inc(&par->failed);
		ghb_start_wait(&par->start, job->idx);
		t = atomic_read(&par->failed) ? GHB_FAILED :
		    side->pair(NULL, par->size, par->n);
		job->t_end = ktime_get_ns();
	}
	if (t == GHB_FAILED)
		atomic_inc(&par->failed);
	return 0;
}

/* Every online CPU runs the loop at once; ns from start to the last end. */
static u64 ghb_par_run(struct ghb_par *par, struct ghb_par_job *jobs,
		       struct ghb_thread *threads, unsigned int ncpus)
{
	unsigned int i = 0, started = 0;
	u64 end = 0;
	int cpu;

	memset(&par->start, 0, sizeof(par->start));
	par->start.nthreads = ncpus;
	atomic_set(&par->failed, 0);
	for_each_online_cpu(cpu) {
		jobs[i].par = par;
		jobs[i].idx = i;
		if (ghb_thread_start(&threads[i], cpu, ghb_par_fn, &jobs[i]))
			break;
		started++;
		if (++i == ncpus)
			break;
	}
	if (started < ncpus) {
		/* fewer threads than the start line waits for: release it */
		atomic_inc(&par->failed);
		par->start.nthreads = started;
	}
	for (i = 0; i < started; i++) {
		ghb_thread_wait(&threads[i]);
		end = max(end, jobs[i].t_end);
	}
	return atomic_read(&par->failed) ? GHB_FAILED : end - par->start.t0;
}

static int ghb_parallel(void *unused)
{
	static const size_t sizes[] = { 64, 256 };
	const struct ghb_side *sides[] = { &ghb_side_goheap, &ghb_side_kmalloc };
	unsigned int ncpus = num_online_cpus(), i, z, r, k, j = 0;
	struct ghb_thread *threads;
	struct ghb_par_job *jobs;
	struct ghb_par par = {};
	int ret = 0;

	threads = kcalloc(ncpus, sizeof(*threads), GFP_KERNEL);
	jobs = kcalloc(ncpus, sizeof(*jobs), GFP_KERNEL);
	if (!threads || !jobs) {
		ret = -ENOMEM;
		goto out;
	}
	/* pair sizes, then (z == ARRAY_SIZE(sizes)) the skewed churn */
	for (z = 0; z <= ARRAY_SIZE(sizes); z++) {
		struct ghb_samples s[2] = {};
		u64 t, tput[2] = {};

		par.churn = z == ARRAY_SIZE(sizes);
		par.size = par.churn ? 0 : sizes[z];
		par.n = ghb_ops(par.churn ? 200000 : 800000);
		if (par.churn) {
			for (i = 0; i < ncpus; i++) {
				ret = ghb_churn_init(&jobs[i].c, 4096, par.n, GHB_SKEWED,
						     GHB_SEED + i);
				if (ret)
					goto out;
			}
		}
		for (r = 0; r < ghb_rounds(); r++) {
			for (k = 0; k < ARRAY_SIZE(sides); k++) {
				j = r & 1 ? 1 - k : k;
				par.side = sides[j];
				t = ghb_par_run(&par, jobs, threads, ncpus);
				if (t == GHB_FAILED) {
					ret = -ENOMEM;
					goto out;
				}
				/* per-CPU ns per op: each CPU did n - n/10 ops */
				ghb_sample(&s[j], t, par.n - (par.churn ? par.n / 10 : 0));
			}
		}
		for (k = 0; k < 2; k++) {
			u64 med = ghb_median(&s[k]);

			tput[k] = med ? div64_u64(100ULL * NSEC_PER_SEC * ncpus, med) : 0;
		}
		if (par.churn)
			ghb_add("pattern=parallel_churn size=skewed cpus=%u vs=kmalloc live=4096",
				ncpus);
		else
			ghb_add("pattern=parallel_pair size=%zu cpus=%u vs=kmalloc",
				par.size, ncpus);
		ghb_add(" ops=%lu rounds=%u goheap_ops_per_s=%llu kernel_ops_per_s=%llu",
			par.n, s[0].n, tput[0], tput[1]);
		ghb_add_ns("goheap", &s[0]);
		ghb_add_ns("kernel", &s[1]);
		ghb_emit();
		if (par.churn)
			for (i = 0; i < ncpus; i++)
				ghb_churn_free(&jobs[i].c);
	}
out:
	if (ret) {
		pr_err("error pattern=parallel side=%s: failed (%d)\n", sides[j]->name, ret);
		if (jobs && par.churn)
			for (i = 0; i < ncpus; i++)
				ghb_churn_free(&jobs[i].c);
	}
	kfree(jobs);
	kfree(threads);
	return ret;
}

/* ---- GC domains ------------------------------------------------------------------ */

struct ghb_node {
	struct ghb_node *left;
	struct ghb_node *right;
	unsigned long val;
	unsigned long pad;
};

static const size_t ghb_node_ptrs[] = {
	offsetof(struct ghb_node, left),
	offsetof(struct ghb_node, right),
};

static const struct goheap_gc_type ghb_node_type = {
	.name = "ghb_node",
	.size = sizeof(struct ghb_node),
	.ptr_offsets = ghb_node_ptrs,
	.nr_ptrs = ARRAY_SIZE(ghb_node_ptrs),
};

/* The root object of a heap of lists: a page of list heads. */
#define GHB_TABLE_SLOTS	512
struct ghb_table {
	void *slot[GHB_TABLE_SLOTS];
};

static size_t ghb_table_ptrs[GHB_TABLE_SLOTS];

static const struct goheap_gc_type ghb_table_type = {
	.name = "ghb_table",
	.size = sizeof(struct ghb_table),
	.ptr_offsets = ghb_table_ptrs,
	.nr_ptrs = GHB_TABLE_SLOTS,
};

/* Types of the allocation benchmark: a pointer at 0, data at word 1. */
static const size_t ghb_first_ptr[] = { 0 };

static const struct goheap_gc_type ghb_alloc_types[] = {
	{ .name = "ghb16", .size = 16, .ptr_offsets = ghb_first_ptr, .nr_ptrs = 1 },
	{ .name = "ghb64", .size = 64, .ptr_offsets = ghb_first_ptr, .nr_ptrs = 1 },
	{ .name = "ghb256", .size = 256, .ptr_offsets = ghb_first_ptr, .nr_ptrs = 1 },
};

struct ghb_gc_heap {
	struct goheap_gc_domain *d;
	void *root;		/* a registered root */
	unsigned int nlists;	/* lists in the table the root holds */
	unsigned long objects;
};

/* A domain with one root; collection only on request (GOGC off). */
static int ghb_gc_new(struct ghb_gc_heap *h, const char *name, unsigned int flags)
{
	struct goheap_gc_opts opts = { .gogc = GOHEAP_GC_OFF, .flags = flags };
	int ret;

	memset(h, 0, sizeof(*h));
	h->d = goheap_gc_create(name, &opts);
	if (IS_ERR(h->d)) {
		ret = PTR_ERR(h->d);
		h->d = NULL;
		pr_err("error: goheap_gc_create(%s): %d\n", name, ret);
		return ret;
	}
	ret = goheap_gc_add_root(h->d, &h->root);
	if (ret) {
		goheap_gc_destroy(h->d);
		h->d = NULL;
	}
	return ret;
}

static void ghb_gc_del(struct ghb_gc_heap *h)
{
	if (!h->d)
		return;
	goheap_gc_remove_root(h->d, &h->root);
	goheap_gc_destroy(h->d);
	h->d = NULL;
}

/*
 * A table (the root) of up to 512 lists holding @objects - 1 nodes in all.
 * If @keep is given, its first @nkeep nodes are recorded there: they stay
 * reachable and goheap never moves an object, so the benchmark may use
 * them across sections.
 */
static int ghb_gc_build_lists(struct ghb_gc_heap *h, unsigned long objects,
			      struct ghb_node **keep, unsigned long nkeep)
{
	struct goheap_gc_domain *d = h->d;
	struct ghb_table *table;
	unsigned long k;
	int ret = goheap_gc_enter(d);

	if (ret)
		return ret;
	table = goheap_gc_alloc(d, &ghb_table_type, GFP_KERNEL);
	if (!table)
		goto nomem;
	goheap_gc_store(d, &h->root, table);
	h->nlists = clamp_t(unsigned long, objects / 4, 1, GHB_TABLE_SLOTS);
	for (k = 0; k + 1 < objects; k++) {
		unsigned int i = k % h->nlists;
		struct ghb_node *n = goheap_gc_alloc(d, &ghb_node_type, GFP_KERNEL);

		if (!n)
			goto nomem;
		n->val = k;
		goheap_gc_store(d, (void **)&n->left, goheap_gc_load(&table->slot[i]));
		goheap_gc_store(d, &table->slot[i], n);
		if (k < nkeep)
			keep[k] = n;
		if (!(k & 4095)) {
			/* short sections: reload the table from the root after */
			goheap_gc_exit(d);
			cond_resched();
			ret = goheap_gc_enter(d);
			if (ret)
				return ret;
			table = goheap_gc_load(&h->root);
		}
	}
	h->objects = objects;
	goheap_gc_exit(d);
	return 0;
nomem:
	goheap_gc_exit(d);
	return -ENOMEM;
}

/* A complete binary tree of @objects nodes, or one chain of them. */
static int ghb_gc_build_tree(struct ghb_gc_heap *h, unsigned long objects, bool chain)
{
	struct goheap_gc_domain *d = h->d;
	struct ghb_node **nodes = NULL;
	unsigned long i;
	int ret;

	if (!chain) {
		nodes = kvmalloc_array(objects, sizeof(*nodes), GFP_KERNEL);
		if (!nodes)
			return -ENOMEM;
	}
	/* one section: the collector is off, nothing runs meanwhile */
	ret = goheap_gc_enter(d);
	if (ret)
		goto out;
	for (i = 0; i < objects; i++) {
		struct ghb_node *n = goheap_gc_alloc(d, &ghb_node_type, GFP_KERNEL);

		if (!n) {
			ret = -ENOMEM;
			break;
		}
		n->val = i;
		if (chain) {
			goheap_gc_store(d, (void **)&n->left, goheap_gc_load(&h->root));
			goheap_gc_store(d, &h->root, n);
		} else {
			nodes[i] = n;
			if (!i)
				goheap_gc_store(d, &h->root, n);
			else if (i & 1)
				goheap_gc_store(d, (void **)&nodes[(i - 1) / 2]->left, n);
			else
				goheap_gc_store(d, (void **)&nodes[(i - 1) / 2]->right, n);
		}
		if (!(i & 4095))
			cond_resched();
	}
	h->objects = objects;
	goheap_gc_exit(d);
out:
	kvfree(nodes);
	return ret;
}

/* ---- gc_mark: collection throughput, no mutators ----------------------------------- */

static int ghb_gc_mark_one(const char *shape, unsigned long objects)
{
	struct ghb_samples s = {};
	struct ghb_gc_heap h;
	char name[32];
	unsigned int r;
	u64 t0, med;
	int ret;

	snprintf(name, sizeof(name), "ghb_mark_%s_%lu", shape, objects);
	ret = ghb_gc_new(&h, name, GOHEAP_GC_UNCHECKED);
	if (ret)
		return ret;
	ret = ghb_gc_build_tree(&h, objects, !strcmp(shape, "chain"));
	if (ret)
		goto out;
	goheap_gc_collect(h.d);		/* warm-up */
	for (r = 0; r < ghb_rounds(); r++) {
		t0 = ktime_get_ns();
		ret = goheap_gc_collect(h.d);
		if (ret)
			goto out;
		ghb_sample(&s, ktime_get_ns() - t0, 1);
	}
	med = ghb_median(&s) / 100;
	ghb_add("pattern=gc_mark size=%zu shape=%s cpus=%u heap_objects=%lu domain=%s rounds=%u",
		sizeof(struct ghb_node), shape, num_online_cpus(), objects, name, s.n);
	ghb_add(" collect_ns=%llu collect_min_ns=%llu collect_max_ns=%llu",
		med, s.v[0] / 100, s.v[s.n - 1] / 100);
	ghb_add(" objects_per_s=%llu bytes_per_s=%llu",
		med ? div64_u64((u64)objects * NSEC_PER_SEC, med) : 0,
		med ? div64_u64((u64)objects * sizeof(struct ghb_node) * NSEC_PER_SEC, med) : 0);
	ghb_emit();
out:
	ghb_gc_del(&h);
	return ret;
}

static int ghb_gc_mark(void *unused)
{
	int ret;

	ret = ghb_gc_mark_one("tree", ghb_ops(100000));
	if (!ret)
		ret = ghb_gc_mark_one("tree", ghb_ops(1000000));
	if (!ret)
		ret = ghb_gc_mark_one("chain", ghb_ops(100000));
	return ret;
}

/* ---- gc_pause: pauses while mutators run on every CPU ------------------------------- */

struct ghb_mutator {
	struct ghb_gc_heap *h;
	bool *stop;
	struct rnd_state rs;
	u64 iters, enter_max_ns, stalls, errors;
};

/* Replace a list head with a new node: 1 allocation, 3 barrier stores. */
static int ghb_mutator_fn(void *arg)
{
	struct ghb_mutator *m = arg;
	struct goheap_gc_domain *d = m->h->d;

	while (!READ_ONCE(*m->stop)) {
		struct ghb_node *head, *n;
		struct ghb_table *table;
		unsigned int i;
		u64 t0, dt;

		t0 = ktime_get_ns();
		if (goheap_gc_enter(d)) {
			m->errors++;
			break;
		}
		dt = ktime_get_ns() - t0;
		m->enter_max_ns = max(m->enter_max_ns, dt);
		m->stalls += dt > 100 * NSEC_PER_USEC;
		table = goheap_gc_load(&m->h->root);
		i = prandom_u32_state(&m->rs) % m->h->nlists;
		head = goheap_gc_load(&table->slot[i]);
		n = head ? goheap_gc_alloc(d, &ghb_node_type, GFP_KERNEL) : NULL;
		if (n) {
			n->val = m->iters;
			m->errors += !!goheap_gc_store(d, (void **)&n->left,
						       goheap_gc_load((void **)&head->left));
			m->errors += !!goheap_gc_store(d, &table->slot[i], n);
			m->errors += !!goheap_gc_store(d, (void **)&head->left, NULL);
		} else if (head) {
			m->errors++;
		}
		goheap_gc_exit(d);
		m->iters++;
		cond_resched();
	}
	return 0;
}

static struct ghb_gc_heap ghb_kept;	/* gc_pause's domain, kept for debugfs */

static int ghb_gc_pause(unsigned long objects)
{
	unsigned int ncpus = num_online_cpus(), cycles, i = 0, started = 0, c;
	u64 t0, t, iters = 0, enter_max = 0, stalls = 0, errors = 0;
	u64 collect_sum = 0, collect_max = 0;
	struct ghb_mutator *muts;
	struct ghb_thread *threads;
	bool stop = false;
	int cpu, ret;

	if (objects < 2)
		return -EINVAL;
	/* 50 collections of small heaps, fewer of big ones (at least 8) */
	cycles = clamp_t(unsigned long, 2000000 / objects, 8, 50);
	muts = kcalloc(ncpus, sizeof(*muts), GFP_KERNEL);
	threads = kcalloc(ncpus, sizeof(*threads), GFP_KERNEL);
	if (!muts || !threads) {
		ret = -ENOMEM;
		goto out;
	}
	ret = ghb_gc_new(&ghb_kept, "ghb_pause", 0);
	if (ret)
		goto out;
	ret = ghb_gc_build_lists(&ghb_kept, objects, NULL, 0);
	if (ret)
		goto out;
	goheap_gc_collect(ghb_kept.d);		/* warm-up */
	for_each_online_cpu(cpu) {
		muts[i].h = &ghb_kept;
		muts[i].stop = &stop;
		prandom_seed_state(&muts[i].rs, GHB_SEED + cpu);
		if (ghb_thread_start(&threads[i], cpu, ghb_mutator_fn, &muts[i]))
			break;
		started++;
		if (++i == ncpus)
			break;
	}
	msleep(20);
	t0 = ktime_get_ns();
	for (c = 0; c < cycles && !ret; c++) {
		t = ktime_get_ns();
		ret = goheap_gc_collect(ghb_kept.d);
		t = ktime_get_ns() - t;
		collect_sum += t;
		collect_max = max(collect_max, t);
		msleep(20);
	}
	t = ktime_get_ns() - t0;
	WRITE_ONCE(stop, true);
	for (i = 0; i < started; i++) {
		ghb_thread_wait(&threads[i]);
		iters += muts[i].iters;
		enter_max = max(enter_max, muts[i].enter_max_ns);
		stalls += muts[i].stalls;
		errors += muts[i].errors;
	}
	if (ret)
		goto out;
	if (errors)
		pr_err("error pattern=gc_pause: %llu mutator errors\n", errors);
	ghb_add("pattern=gc_pause size=%zu cpus=%u heap_objects=%lu domain=ghb_pause gc_cycles=%u mutators=%u",
		sizeof(struct ghb_node), ncpus, objects, c, started);
	ghb_add(" collect_mean_ns=%llu collect_max_ns=%llu",
		div_u64(collect_sum, max(c, 1U)), collect_max);
	ghb_add(" mutator_ops_per_s=%llu mutator_enter_max_ns=%llu mutator_stalls_over_100us=%llu mutator_errors=%llu",
		div64_u64(iters * NSEC_PER_SEC, max(t, 1ULL)), enter_max, stalls, errors);
	ghb_emit();
out:
	if (ret)
		pr_err("error pattern=gc_pause heap_objects=%lu: %d\n", objects, ret);
	if (ret)
		ghb_gc_del(&ghb_kept);
	kfree(threads);
	kfree(muts);
	return ret;
}

/* ---- gc_alloc: allocation in a domain against goheap_alloc() ------------------------ */

struct ghb_gc_ctx {
	struct goheap_gc_domain *d;
	const struct goheap_gc_type *type;
	struct percpu_rw_semaphore *sem;
};

static __always_inline void *ghb_gcalloc(void *ctx, size_t size)
{
	struct ghb_gc_ctx *g = ctx;

	return goheap_gc_alloc(g->d, g->type, GFP_KERNEL);
}

static __always_inline void *ghb_goheap_zalloc(void *ctx, size_t size)
{
	return goheap_alloc(size, GFP_KERNEL | __GFP_ZERO);
}

static __always_inline void *ghb_kzalloc(void *ctx, size_t size)
{
	return kmalloc(size, GFP_KERNEL | __GFP_ZERO);
}

/* Allocation only: the objects are kept in @arr, freed (or collected) after. */
static __always_inline u64 ghb_alloc_loop(void *ctx, size_t size, unsigned long n,
					  void **arr, ghb_alloc_fn alloc)
{
	unsigned long i;
	u64 t0, t1;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		void *p;

		OPTIMIZER_HIDE_VAR(size);
		p = alloc(ctx, size);
		if (unlikely(!p))
			break;
		WRITE_ONCE(((unsigned long *)p)[1], i);
		arr[i] = p;
	}
	t1 = ktime_get_ns();
	return i < n ? GHB_FAILED : t1 - t0;
}

static noinline u64 ghb_alloc_gc(void *ctx, size_t size, unsigned long n, void **arr)
{
	return ghb_alloc_loop(ctx, size, n, arr, ghb_gcalloc);
}

static noinline u64 ghb_alloc_goheap_zero(void *ctx, size_t size, unsigned long n, void **arr)
{
	return ghb_alloc_loop(ctx, size, n, arr, ghb_goheap_zalloc);
}

static noinline u64 ghb_alloc_goheap(void *ctx, size_t size, unsigned long n, void **arr)
{
	return ghb_alloc_loop(ctx, size, n, arr, ghb_goheap_alloc);
}

static noinline u64 ghb_alloc_kernel_zero(void *ctx, size_t size, unsigned long n, void **arr)
{
	return ghb_alloc_loop(ctx, size, n, arr, ghb_kzalloc);
}

/* One timed allocation run of variant @v, then its objects are let go. */
static u64 ghb_gc_alloc_run(unsigned int v, struct ghb_gc_ctx *g, size_t size,
			    unsigned long n, void **arr)
{
	unsigned long i;
	u64 t;

	switch (v) {
	case 0:
		if (goheap_gc_enter(g->d))
			return GHB_FAILED;
		t = ghb_alloc_gc(g, size, n, arr);
		goheap_gc_exit(g->d);
		/* nothing is rooted: the collection takes it all back */
		goheap_gc_collect(g->d);
		return t;
	case 1:
		t = ghb_alloc_goheap_zero(NULL, size, n, arr);
		break;
	case 2:
		t = ghb_alloc_goheap(NULL, size, n, arr);
		break;
	default:
		t = ghb_alloc_kernel_zero(NULL, size, n, arr);
		for (i = 0; i < n && t != GHB_FAILED; i++)
			kfree(arr[i]);
		return t;
	}
	for (i = 0; i < n && t != GHB_FAILED; i++)
		goheap_free(arr[i]);
	return t;
}

static int ghb_gc_alloc(void *unused)
{
	static const char *const keys[] = { "gc", "goheap_zero", "goheap", "kernel_zero" };
	unsigned long n = ghb_ops(10000);
	struct ghb_gc_heap h;
	struct ghb_gc_ctx g;
	unsigned int z, r, k, v;
	void **arr;
	int ret;

	arr = kvmalloc_array(n, sizeof(void *), GFP_KERNEL);
	if (!arr)
		return -ENOMEM;
	ret = ghb_gc_new(&h, "ghb_alloc", GOHEAP_GC_UNCHECKED);
	if (ret)
		goto out;
	g.d = h.d;
	for (z = 0; z < ARRAY_SIZE(ghb_alloc_types); z++) {
		struct ghb_samples s[ARRAY_SIZE(keys)] = {};
		size_t size = ghb_alloc_types[z].size;

		g.type = &ghb_alloc_types[z];
		for (r = 0; r < ghb_rounds(); r++) {
			for (k = 0; k < ARRAY_SIZE(keys); k++) {
				u64 t;

				v = r & 1 ? ARRAY_SIZE(keys) - 1 - k : k;
				t = ghb_gc_alloc_run(v, &g, size, n / 10 + 1, arr);
				if (t != GHB_FAILED)
					t = ghb_gc_alloc_run(v, &g, size, n, arr);
				if (t == GHB_FAILED) {
					pr_err("error pattern=gc_alloc size=%zu variant=%s: allocation failed\n",
					       size, keys[v]);
					ret = -ENOMEM;
					goto out;
				}
				ghb_sample(&s[v], t, n);
				cond_resched();
			}
		}
		ghb_add("pattern=gc_alloc size=%zu cpus=1 ops=%lu rounds=%u",
			size, n, s[0].n);
		for (k = 0; k < ARRAY_SIZE(keys); k++)
			ghb_add_ns(keys[k], &s[k]);
		ghb_emit();
	}
out:
	ghb_gc_del(&h);
	kvfree(arr);
	return ret;
}

/* ---- gc_section: enter + exit against a bare per-CPU rw-semaphore ---------------------- */

static __always_inline int ghb_enter_domain(struct ghb_gc_ctx *g)
{
	return goheap_gc_enter(g->d);
}

static __always_inline int ghb_exit_domain(struct ghb_gc_ctx *g)
{
	return goheap_gc_exit(g->d);
}

static __always_inline int ghb_enter_rwsem(struct ghb_gc_ctx *g)
{
	percpu_down_read(g->sem);
	return 0;
}

static __always_inline int ghb_exit_rwsem(struct ghb_gc_ctx *g)
{
	percpu_up_read(g->sem);
	return 0;
}

static __always_inline u64 ghb_section_loop(struct ghb_gc_ctx *g, unsigned long n,
					    int (*enter)(struct ghb_gc_ctx *g),
					    int (*exit)(struct ghb_gc_ctx *g))
{
	unsigned long i;
	u64 t0, t1;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		if (unlikely(enter(g)))
			return GHB_FAILED;
		OPTIMIZER_HIDE_VAR(g);
		if (unlikely(exit(g)))
			return GHB_FAILED;
	}
	t1 = ktime_get_ns();
	return t1 - t0;
}

static noinline u64 ghb_section_domain(struct ghb_gc_ctx *g, unsigned long n)
{
	return ghb_section_loop(g, n, ghb_enter_domain, ghb_exit_domain);
}

static noinline u64 ghb_section_rwsem(struct ghb_gc_ctx *g, unsigned long n)
{
	return ghb_section_loop(g, n, ghb_enter_rwsem, ghb_exit_rwsem);
}

static int ghb_gc_section(void *unused)
{
	u64 (*const fns[])(struct ghb_gc_ctx *g, unsigned long n) = {
		ghb_section_domain, ghb_section_rwsem
	};
	static struct percpu_rw_semaphore sem;
	unsigned long n = ghb_ops(20000);
	struct ghb_samples s[2] = {};
	struct ghb_gc_heap h;
	struct ghb_gc_ctx g;
	unsigned int r, k, j;
	int ret;

	ret = percpu_init_rwsem(&sem);
	if (ret)
		return ret;
	ret = ghb_gc_new(&h, "ghb_section", GOHEAP_GC_UNCHECKED);
	if (ret)
		goto out;
	g.d = h.d;
	g.sem = &sem;
	for (r = 0; r < ghb_rounds(); r++) {
		for (k = 0; k < 2; k++) {
			u64 t;

			j = r & 1 ? 1 - k : k;
			t = fns[j](&g, n / 10 + 1);
			if (t != GHB_FAILED)
				t = fns[j](&g, n);
			if (t == GHB_FAILED) {
				ret = -EINVAL;
				goto out;
			}
			ghb_sample(&s[j], t, n);
		}
		cond_resched();
	}
	ghb_add("pattern=gc_section cpus=1 ops=%lu rounds=%u", n, s[0].n);
	ghb_add_ns("gc", &s[0]);
	ghb_add_ns("rwsem", &s[1]);
	ghb_emit();
out:
	if (ret)
		pr_err("error pattern=gc_section: %d\n", ret);
	ghb_gc_del(&h);
	percpu_free_rwsem(&sem);
	return ret;
}

/* ---- gc_barrier: goheap_gc_store() against a plain store ------------------------------- */

#define GHB_BAR_NODES	1024	/* power of two */

static __always_inline int ghb_store_barrier(struct goheap_gc_domain *d, void **slot,
					     void *v)
{
	return goheap_gc_store(d, slot, v);
}

static __always_inline int ghb_store_plain(struct goheap_gc_domain *d, void **slot,
					   void *v)
{
	WRITE_ONCE(*slot, v);
	return 0;
}

/* node[i]->right = node[i + 1]: values already reachable through ->left */
static __always_inline u64 ghb_store_loop(struct goheap_gc_domain *d,
					  struct ghb_node **nodes, unsigned long n,
					  int (*store)(struct goheap_gc_domain *d,
						       void **slot, void *v))
{
	unsigned long i;
	int bad = 0;
	u64 t0, t1;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++)
		bad |= store(d, (void **)&nodes[i & (GHB_BAR_NODES - 1)]->right,
			     nodes[(i + 1) & (GHB_BAR_NODES - 1)]);
	t1 = ktime_get_ns();
	return bad ? GHB_FAILED : t1 - t0;
}

static noinline u64 ghb_stores_barrier(struct goheap_gc_domain *d,
				       struct ghb_node **nodes, unsigned long n)
{
	return ghb_store_loop(d, nodes, n, ghb_store_barrier);
}

static noinline u64 ghb_stores_plain(struct goheap_gc_domain *d,
				     struct ghb_node **nodes, unsigned long n)
{
	return ghb_store_loop(d, nodes, n, ghb_store_plain);
}

/*
 * One chunk of stores inside a section, preemption off so that nothing
 * else runs on this CPU meanwhile; @marking tells whether the barrier was
 * on (the domain's inline mode word differed from its idle value) both
 * before and after.
 */
static u64 ghb_store_chunk(struct ghb_gc_heap *h, struct ghb_node **nodes,
			   unsigned long n, bool barrier, unsigned long idle_mode,
			   bool *marking)
{
	const struct goheap_gc_domain_head *head = (const void *)h->d;
	unsigned long m0, m1;
	u64 t;

	if (goheap_gc_enter(h->d))
		return GHB_FAILED;
	m0 = READ_ONCE(head->barrier_mode);
	preempt_disable();
	t = barrier ? ghb_stores_barrier(h->d, nodes, n) : ghb_stores_plain(h->d, nodes, n);
	preempt_enable();
	m1 = READ_ONCE(head->barrier_mode);
	goheap_gc_exit(h->d);
	*marking = m0 != idle_mode && m1 != idle_mode;
	return t;
}

struct ghb_collector {
	struct goheap_gc_domain *d;
	bool stop;
	unsigned long cycles;
};

static int ghb_collector_fn(void *arg)
{
	struct ghb_collector *c = arg;

	while (!READ_ONCE(c->stop)) {
		if (goheap_gc_collect(c->d))
			return -EINVAL;
		c->cycles++;
		cond_resched();
	}
	return 0;
}

static int ghb_gc_barrier_one(const char *name, unsigned int flags, unsigned long big)
{
	const struct goheap_gc_domain_head *head;
	unsigned long n = ghb_ops(2000), idle_mode, tries;
	struct ghb_samples idle[2] = {}, mark[2] = {};
	struct ghb_collector col = {};
	struct ghb_node **nodes;
	struct ghb_gc_heap h;
	struct ghb_thread th;
	unsigned int r, k;
	u64 t, deadline;
	bool marking;
	int ret;

	nodes = kcalloc(GHB_BAR_NODES, sizeof(*nodes), GFP_KERNEL);
	if (!nodes)
		return -ENOMEM;
	ret = ghb_gc_new(&h, name, flags);
	if (ret)
		goto out_free;
	/* the store targets, and a big heap so that marking takes a while */
	ret = ghb_gc_build_lists(&h, GHB_BAR_NODES + big, nodes, GHB_BAR_NODES);
	if (ret)
		goto out;
	head = (const void *)h.d;
	idle_mode = READ_ONCE(head->barrier_mode);

	/* collector idle */
	for (r = 0; r < ghb_rounds(); r++) {
		for (k = 0; k < 2; k++) {
			bool barrier = (r + k) & 1;

			t = ghb_store_chunk(&h, nodes, n / 10 + 1, barrier, idle_mode, &marking);
			if (t != GHB_FAILED)
				t = ghb_store_chunk(&h, nodes, n, barrier, idle_mode, &marking);
			if (t == GHB_FAILED)
				goto bad;
			ghb_sample(&idle[barrier], t, n);
		}
		cond_resched();
	}

	/* collector marking in another thread, on this CPU */
	col.d = h.d;
	ret = ghb_thread_start(&th, raw_smp_processor_id(), ghb_collector_fn, &col);
	if (ret)
		goto out;
	deadline = ktime_get_ns() + 60 * NSEC_PER_SEC;
	for (tries = 0; ktime_get_ns() < deadline &&
	     (mark[0].n < ghb_rounds() || mark[1].n < ghb_rounds()); tries++) {
		bool barrier = tries & 1;

		t = ghb_store_chunk(&h, nodes, n, barrier, idle_mode, &marking);
		if (t == GHB_FAILED) {
			WRITE_ONCE(col.stop, true);
			ghb_thread_wait(&th);
			goto bad;
		}
		if (marking)
			ghb_sample(&mark[barrier], t, n);
		cond_resched();
	}
	WRITE_ONCE(col.stop, true);
	ret = ghb_thread_wait(&th);
	if (ret)
		goto out;
	for (k = 0; k < 2; k++) {
		struct ghb_samples *s = k ? mark : idle;

		if (!s[0].n || !s[1].n) {
			pr_err("error pattern=gc_barrier domain=%s: no chunk while marking (%lu cycles)\n",
			       name, col.cycles);
			continue;
		}
		ghb_add("pattern=gc_barrier size=%zu cpus=1 domain=%s checked=%d collector=%s ops=%lu rounds=%u",
			sizeof(void *), name, !(flags & GOHEAP_GC_UNCHECKED),
			k ? "marking" : "idle", n, s[1].n);
		ghb_add_ns("barrier", &s[1]);
		ghb_add_ns("plain", &s[0]);
		if (k)
			ghb_add(" gc_cycles=%lu heap_objects=%lu", col.cycles, h.objects);
		ghb_emit();
	}
	goto out;
bad:
	pr_err("error pattern=gc_barrier domain=%s: a store was refused\n", name);
	ret = -EINVAL;
out:
	ghb_gc_del(&h);
out_free:
	kfree(nodes);
	return ret;
}

static int ghb_gc_barrier(void *unused)
{
	unsigned long big = ghb_ops(200000);
	int ret;

	ret = ghb_gc_barrier_one("ghb_barrier_unchecked", GOHEAP_GC_UNCHECKED, big);
	if (!ret)
		ret = ghb_gc_barrier_one("ghb_barrier_checked", 0, big);
	return ret;
}

/* ---- control ------------------------------------------------------------------------ */

static int ghb_gc_pause_cmd(void *arg)
{
	return ghb_gc_pause((unsigned long)arg);
}

static const struct ghb_cmd {
	const char *name;
	int (*fn)(void *arg);
	bool bound;		/* run in a kthread on the first online CPU */
} ghb_cmds[] = {
	{ "calib", ghb_calib, true },
	{ "pair", ghb_pair, true },
	{ "batch", ghb_batch, true },
	{ "churn", ghb_churn, true },
	{ "remote", ghb_remote, false },
	{ "parallel", ghb_parallel, false },
	{ "gc_mark", ghb_gc_mark, false },
	{ "gc_pause", ghb_gc_pause_cmd, false },
	{ "gc_alloc", ghb_gc_alloc, true },
	{ "gc_section", ghb_gc_section, true },
	{ "gc_barrier", ghb_gc_barrier, true },
	{ "gc_release", NULL, false },
};

static ssize_t ghb_run_write(struct file *f, const char __user *ubuf, size_t len,
			     loff_t *ppos)
{
	char buf[64], *cmd, *arg;
	unsigned long val = 0;
	unsigned int i;
	u64 t0;
	int ret;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	cmd = strim(buf);
	arg = strchr(cmd, ' ');
	if (arg) {
		*arg++ = '\0';
		if (kstrtoul(skip_spaces(arg), 0, &val))
			return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(ghb_cmds); i++)
		if (!strcmp(cmd, ghb_cmds[i].name))
			break;
	if (i == ARRAY_SIZE(ghb_cmds)) {
		pr_err("unknown command \"%s\"\n", cmd);
		return -EINVAL;
	}
	mutex_lock(&ghb_lock);
	ghb_gc_del(&ghb_kept);		/* a gc_pause domain lives until now */
	ret = 0;
	if (ghb_cmds[i].fn) {
		pr_info("begin %s %lu rounds=%u scale=%u\n", cmd, val, ghb_rounds(), scale);
		ghb_line.len = 0;	/* a failed command may have left a part */
		ghb_line.buf[0] = '\0';
		t0 = ktime_get_ns();
		if (ghb_cmds[i].bound)
			ret = ghb_run_on(cpumask_first(cpu_online_mask), ghb_cmds[i].fn, NULL);
		else
			ret = ghb_cmds[i].fn((void *)val);
		pr_info("end %s ret=%d ms=%llu\n", cmd, ret,
			div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));
	}
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
	unsigned int i;

	for (i = 0; i < GHB_TABLE_SLOTS; i++)
		ghb_table_ptrs[i] = i * sizeof(void *);
	ghb_dir = debugfs_create_dir("goheap_bench", NULL);
	debugfs_create_file("run", 0200, ghb_dir, NULL, &ghb_run_fops);
	pr_info("config init_on_alloc=%d init_on_free=%d cpus=%u rounds=%u scale=%u\n",
		want_init_on_alloc(GFP_KERNEL), want_init_on_free(), num_online_cpus(),
		ghb_rounds(), scale);
	return 0;
}

static void __exit ghb_exit(void)
{
	debugfs_remove_recursive(ghb_dir);
	mutex_lock(&ghb_lock);
	ghb_gc_del(&ghb_kept);
	mutex_unlock(&ghb_lock);
}

module_init(ghb_init);
module_exit(ghb_exit);
MODULE_DESCRIPTION("goheap benchmarks against kmalloc and kmem_cache");
MODULE_LICENSE("GPL");
