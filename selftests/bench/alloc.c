// SPDX-License-Identifier: GPL-2.0
/*
 * The manual allocator's patterns but churn: pair and batch on one CPU,
 * remote (one CPU allocates, another frees) and parallel (every CPU at
 * once). The loops they time are in sides.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <goheap.h>
#include "bench.h"

/* ---- goheap's slow-path events, as special instructions ------------------- */

/*
 * What one slow-path event of goheap executes, in interrupt-disabling
 * (save/restore pairs) and atomic instructions, read off its code path:
 * every central or heap lock is a spin_lock_irqsave() (one irq save and
 * restore, one lock cmpxchg); smp_mb() is a locked add on x86; the span
 * structure's kzalloc() is SLUB's fast path (one cmpxchg16b) and its
 * kfree_rcu() takes the per-CPU kfree_rcu lock with interrupts off. The
 * folding of remote bits (an xchg per word holding one) is not counted:
 * the one-CPU patterns make no remote frees. The fast paths execute none
 * (selftests/fastpath-audit.sh).
 */
static const struct {
	size_t offset;		/* in struct goheap_stats */
	unsigned int irq, atomic;
} ghb_slow_costs[] = {
	{ offsetof(struct goheap_stats, refills), 1, 1 },	/* central take */
	{ offsetof(struct goheap_stats, flushes), 1, 2 },	/* central put, smp_mb() */
	{ offsetof(struct goheap_stats, central_frees), 1, 1 },
	{ offsetof(struct goheap_stats, central_allocs), 1, 1 },
	{ offsetof(struct goheap_stats, remote_frees), 0, 1 },	/* test_and_set_bit() */
	{ offsetof(struct goheap_stats, span_allocs), 1, 2 },	/* heap lock, kzalloc() */
	{ offsetof(struct goheap_stats, span_frees), 2, 2 },	/* heap lock, kfree_rcu() */
};

/*
 * goheap's counters before and after a measured run: static, not on the
 * stack (KASAN's frames are large); patterns run one at a time.
 */
static struct goheap_stats ghb_before, ghb_after;

static u64 ghb_stat(const struct goheap_stats *st, size_t offset)
{
	return *(const u64 *)((const char *)st + offset);
}

/*
 * Add goheap's interrupt-disabling and atomic instructions per operation,
 * in thousandths, from its slow-path counters in ghb_before and ghb_after,
 * @ops operations apart.
 */
static void ghb_add_special(unsigned long ops)
{
	const struct goheap_stats *a = &ghb_before, *b = &ghb_after;
	u64 irq = 0, atomic = 0, n;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ghb_slow_costs); i++) {
		n = ghb_stat(b, ghb_slow_costs[i].offset) -
		    ghb_stat(a, ghb_slow_costs[i].offset);
		irq += n * ghb_slow_costs[i].irq;
		atomic += n * ghb_slow_costs[i].atomic;
	}
	ghb_add(" goheap_irq_milli=%llu goheap_atomic_milli=%llu",
		div64_u64(irq * 1000, ops), div64_u64(atomic * 1000, ops));
}

/* ---- pair ------------------------------------------------------------------ */

static const size_t ghb_pair_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192, 32768, 65536
};

static const struct ghb_side *const ghb_pair_sides[] = {
	&ghb_side_goheap, &ghb_side_kmalloc, &ghb_side_kmem_cache
};

struct ghb_pair_meas {
	struct ghb_meas m;
	size_t size;
	void *ctx[ARRAY_SIZE(ghb_pair_sides)];
};

/* Fewer operations for big objects: init_on_alloc writes every byte. */
static unsigned long ghb_pair_ops(size_t size)
{
	return ghb_ops(clamp_t(unsigned long, (8UL << 20) / size, 500, 20000));
}

static u64 ghb_pair_run(struct ghb_meas *m, unsigned int side, unsigned long n)
{
	struct ghb_pair_meas *pm = container_of(m, struct ghb_pair_meas, m);

	return ghb_pair_sides[side]->pair(pm->ctx[side], pm->size, n);
}

static int ghb_pair_size(size_t size)
{
	struct ghb_pair_meas pm = {
		.m.nsides = ARRAY_SIZE(ghb_pair_sides),
		.m.n = ghb_pair_ops(size),
		.m.run = ghb_pair_run,
		.size = size,
	};
	struct kmem_cache *cache;
	char name[32];
	unsigned int k;
	int ret;

	snprintf(name, sizeof(name), "goheap_bench_%zu", size);
	cache = kmem_cache_create(name, size, 0, 0, NULL);
	if (!cache)
		return -ENOMEM;
	pm.ctx[2] = cache;
	ret = ghb_measure(&pm.m);
	if (ret)
		pr_err("error pattern=pair size=%zu side=%s: allocation failed\n",
		       size, ghb_pair_sides[pm.m.failed]->name);
	/* one more, untimed, goheap round for its slow-path counters */
	goheap_read_stats(&ghb_before);
	if (!ret && ghb_pair_run(&pm.m, 0, pm.m.n) == GHB_FAILED)
		ret = -ENOMEM;
	goheap_read_stats(&ghb_after);
	for (k = 1; !ret && k < ARRAY_SIZE(ghb_pair_sides); k++) {
		ghb_add("pattern=pair size=%zu cpus=1 vs=%s ops=%lu rounds=%u",
			size, ghb_pair_sides[k]->name, pm.m.n, pm.m.s[0].n);
		ghb_add_ns("goheap", &pm.m.s[0]);
		ghb_add_ns("kernel", &pm.m.s[k]);
		ghb_add_special(pm.m.n);
		ghb_emit();
	}
	kmem_cache_destroy(cache);
	return ret;
}

int ghb_pair(void *unused)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(ghb_pair_sizes) && !ret; i++)
		ret = ghb_pair_size(ghb_pair_sizes[i]);
	return ret;
}

/* ---- batch ------------------------------------------------------------------ */

struct ghb_batch_meas {
	size_t size;
	unsigned long n, reps;
	void **arr;
	/* per side: alloc, free, and both */
	struct ghb_samples sa[2], sf[2], st[2];
};

/* Median per-op times of @reps batches of @n, after one of warm-up. */
static int ghb_batch_step(void *arg, unsigned int j)
{
	struct ghb_batch_meas *b = arg;
	const struct ghb_side *side = ghb_sides[j];
	u64 ta = 0, tf = 0, a, f;
	unsigned long rep;

	/* rep 0 is the warm-up */
	for (rep = 0; rep <= b->reps; rep++) {
		if (rep == 1 && side == &ghb_side_goheap)
			goheap_read_stats(&ghb_before);
		a = side->batch(NULL, b->size, b->n, b->arr, &f);
		if (a == GHB_FAILED) {
			pr_err("error pattern=batch size=%zu side=%s: allocation failed\n",
			       b->size, side->name);
			return -ENOMEM;
		}
		if (rep) {
			ta += a;
			tf += f;
		}
	}
	if (side == &ghb_side_goheap)
		goheap_read_stats(&ghb_after);
	ghb_sample(&b->sa[j], ta, b->n * b->reps);
	ghb_sample(&b->sf[j], tf, b->n * b->reps);
	ghb_sample(&b->st[j], ta + tf, b->n * b->reps);
	return 0;
}

static int ghb_batch_one(size_t size, unsigned long n, void **arr)
{
	struct ghb_batch_meas b = {
		.size = size,
		.n = n,
		.reps = max(1UL, ghb_ops(100000) / n),	/* ~100000 objects */
		.arr = arr,
	};
	int ret = ghb_interleave(2, ghb_batch_step, &b);

	if (ret)
		return ret;
	ghb_add("pattern=batch size=%zu n=%lu cpus=1 vs=kmalloc ops=%lu rounds=%u",
		size, n, n * b.reps, b.st[0].n);
	ghb_add_ns("goheap", &b.st[0]);
	ghb_add_ns("kernel", &b.st[1]);
	ghb_add_ns("goheap_alloc", &b.sa[0]);
	ghb_add_ns("kernel_alloc", &b.sa[1]);
	ghb_add_ns("goheap_free", &b.sf[0]);
	ghb_add_ns("kernel_free", &b.sf[1]);
	/* the last round's counters: every round runs the same batches */
	ghb_add_special(b.n * b.reps);
	ghb_emit();
	return 0;
}

int ghb_batch(void *unused)
{
	/* 16: within one span/slab, the local fast paths alone */
	static const unsigned long counts[] = { 16, 1000, 100000 };
	static const size_t sizes[] = { 64, 256 };
	/* page-sized classes, 1000 at a time (issue: spans of 1-3 objects) */
	static const size_t big_sizes[] = { 1024, 2048, 4096 };
	unsigned int c, z;
	void **arr;
	int ret = 0;

	arr = kvmalloc_array(counts[ARRAY_SIZE(counts) - 1], sizeof(void *), GFP_KERNEL);
	if (!arr)
		return -ENOMEM;
	for (c = 0; c < ARRAY_SIZE(counts) && !ret; c++)
		for (z = 0; z < ARRAY_SIZE(sizes) && !ret; z++)
			ret = ghb_batch_one(sizes[z], counts[c], arr);
	for (z = 0; z < ARRAY_SIZE(big_sizes) && !ret; z++)
		ret = ghb_batch_one(big_sizes[z], 1000, arr);
	kvfree(arr);
	return ret;
}

/* ---- bulk -------------------------------------------------------------------- */

/*
 * Bulk calls of n objects: allocate, touch each, free them all, per object.
 * Sides: goheap_alloc_bulk() + goheap_free_bulk(); SLUB's
 * kmem_cache_alloc_bulk() + kmem_cache_free_bulk() on a cache of the size;
 * and goheap's own pair loop (alloc, touch, free one at a time), which the
 * bulk calls must beat by half.
 */
struct ghb_bulk_meas {
	struct ghb_meas m;
	size_t size;
	unsigned int n;
	void **arr;
	struct kmem_cache *cache;
};

static noinline u64 ghb_bulk_goheap(struct ghb_bulk_meas *bm, unsigned long calls)
{
	unsigned long c, i;
	u64 t0 = ktime_get_ns();

	for (c = 0; c < calls; c++) {
		if (unlikely(goheap_alloc_bulk(bm->size, GFP_KERNEL, bm->n, bm->arr) != bm->n))
			return GHB_FAILED;
		for (i = 0; i < bm->n; i++)
			ghb_touch(bm->arr[i], 0, i);
		goheap_free_bulk(bm->n, bm->arr);
	}
	return ktime_get_ns() - t0;
}

static noinline u64 ghb_bulk_slub(struct ghb_bulk_meas *bm, unsigned long calls)
{
	unsigned long c, i;
	u64 t0 = ktime_get_ns();

	for (c = 0; c < calls; c++) {
		if (unlikely(kmem_cache_alloc_bulk(bm->cache, GFP_KERNEL, bm->n,
						   bm->arr) != bm->n))
			return GHB_FAILED;
		for (i = 0; i < bm->n; i++)
			ghb_touch(bm->arr[i], 0, i);
		kmem_cache_free_bulk(bm->cache, bm->n, bm->arr);
	}
	return ktime_get_ns() - t0;
}

static u64 ghb_bulk_run(struct ghb_meas *m, unsigned int side, unsigned long n)
{
	struct ghb_bulk_meas *bm = container_of(m, struct ghb_bulk_meas, m);

	if (side == 0)
		return ghb_bulk_goheap(bm, n / bm->n);
	if (side == 1)
		return ghb_bulk_slub(bm, n / bm->n);
	return ghb_side_goheap.pair(NULL, bm->size, n);
}

static int ghb_bulk_one(size_t size, unsigned int n, void **arr)
{
	static const char *const vs[] = { NULL, "kmem_cache", "goheap_pair" };
	struct ghb_bulk_meas bm = {
		.m.nsides = 3,
		.m.n = ghb_ops(100000) / n * n,
		.m.run = ghb_bulk_run,
		.size = size,
		.n = n,
		.arr = arr,
	};
	char name[32];
	unsigned int k;
	int ret;

	snprintf(name, sizeof(name), "goheap_bench_bulk_%zu", size);
	bm.cache = kmem_cache_create(name, size, 0, 0, NULL);
	if (!bm.cache)
		return -ENOMEM;
	ret = ghb_measure(&bm.m);
	if (ret)
		pr_err("error pattern=bulk size=%zu n=%u side=%u: allocation failed\n",
		       size, n, bm.m.failed);
	/* one more, untimed, goheap round for its slow-path counters */
	goheap_read_stats(&ghb_before);
	if (!ret && ghb_bulk_run(&bm.m, 0, bm.m.n) == GHB_FAILED)
		ret = -ENOMEM;
	goheap_read_stats(&ghb_after);
	for (k = 1; !ret && k < ARRAY_SIZE(vs); k++) {
		ghb_add("pattern=bulk size=%zu n=%u cpus=1 vs=%s ops=%lu rounds=%u",
			size, n, vs[k], bm.m.n, bm.m.s[0].n);
		ghb_add_ns("goheap", &bm.m.s[0]);
		ghb_add_ns("kernel", &bm.m.s[k]);
		ghb_add_special(bm.m.n);
		ghb_emit();
	}
	kmem_cache_destroy(bm.cache);
	return ret;
}

int ghb_bulk(void *unused)
{
	static const unsigned int counts[] = { 16, 128 };
	static const size_t sizes[] = { 64, 256 };
	void **arr = kcalloc(counts[ARRAY_SIZE(counts) - 1], sizeof(void *), GFP_KERNEL);
	unsigned int c, z;
	int ret = 0;

	if (!arr)
		return -ENOMEM;
	for (z = 0; z < ARRAY_SIZE(sizes) && !ret; z++)
		for (c = 0; c < ARRAY_SIZE(counts) && !ret; c++)
			ret = ghb_bulk_one(sizes[z], counts[c], arr);
	kfree(arr);
	return ret;
}

/* ---- remote ---------------------------------------------------------------------- */

#define GHB_RING_SLOTS	256

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

/* The producer did not start: let the consumer go, it stops at a NULL. */
static void ghb_remote_cancel(struct ghb_ring *r)
{
	r->slot[0] = NULL;
	/* release: slot 0 before head, as the producer would */
	smp_store_release(&r->head, 1);
	r->start.nthreads = 1;
	/* release: pairs with the consumer's acquire of go */
	smp_store_release(&r->start.go, 1);
}

/* One run: ns from the start to the consumer's last free, or GHB_FAILED. */
static u64 ghb_remote_run(struct ghb_ring *r, const struct ghb_side *side,
			  size_t size, unsigned long n, int cpu_p, int cpu_c)
{
	struct ghb_remote_job job = { .ring = r, .side = side };
	struct ghb_thread tp, tc;

	r->size = size;
	r->n = n;
	r->head = 0;
	r->tail = 0;
	r->failed = false;
	memset(&r->start, 0, sizeof(r->start));
	r->start.nthreads = 2;
	if (ghb_thread_start(&tc, cpu_c, ghb_consumer_fn, &job))
		return GHB_FAILED;
	if (ghb_thread_start(&tp, cpu_p, ghb_producer_fn, &job)) {
		ghb_remote_cancel(r);
		ghb_thread_wait(&tc);
		return GHB_FAILED;
	}
	ghb_thread_wait(&tp);
	ghb_thread_wait(&tc);
	return r->failed ? GHB_FAILED : r->t_end - r->start.t0;
}

struct ghb_remote_meas {
	struct ghb_meas m;
	struct ghb_ring *ring;
	size_t size;
	int cpu_p, cpu_c;
};

static u64 ghb_remote_meas_run(struct ghb_meas *m, unsigned int side,
			       unsigned long n)
{
	struct ghb_remote_meas *rm = container_of(m, struct ghb_remote_meas, m);

	return ghb_remote_run(rm->ring, ghb_sides[side], rm->size, n,
			      rm->cpu_p, rm->cpu_c);
}

/* Both sides at @size; a failure is reported, and ends the pattern. */
static int ghb_remote_size(struct ghb_remote_meas *rm, size_t size)
{
	memset(&rm->m.s, 0, sizeof(rm->m.s));
	rm->size = size;
	if (ghb_measure(&rm->m)) {
		pr_err("error pattern=remote size=%zu side=%s: allocation failed\n",
		       size, ghb_sides[rm->m.failed]->name);
		return -ENOMEM;
	}
	ghb_add("pattern=remote size=%zu cpus=2 vs=kmalloc ops=%lu rounds=%u",
		size, rm->m.n, rm->m.s[0].n);
	ghb_add_ns("goheap", &rm->m.s[0]);
	ghb_add_ns("kernel", &rm->m.s[1]);
	ghb_emit();
	return 0;
}

/* A failed run is reported in the log, but the command succeeds. */
int ghb_remote(void *unused)
{
	static const size_t sizes[] = { 64, 256 };
	struct ghb_remote_meas rm = {
		.m.nsides = 2,
		.m.n = ghb_ops(800000),
		.m.run = ghb_remote_meas_run,
	};
	unsigned int z;

	rm.cpu_p = cpumask_first(cpu_online_mask);
	rm.cpu_c = cpumask_next(rm.cpu_p, cpu_online_mask);
	if (rm.cpu_c >= nr_cpu_ids) {
		pr_info("skip pattern=remote: needs two CPUs\n");
		return 0;
	}
	rm.ring = kzalloc(sizeof(*rm.ring), GFP_KERNEL);
	if (!rm.ring)
		return -ENOMEM;
	rm.ring->slot = kcalloc(GHB_RING_SLOTS, sizeof(void *), GFP_KERNEL);
	if (!rm.ring->slot) {
		kfree(rm.ring);
		return -ENOMEM;
	}
	rm.ring->mask = GHB_RING_SLOTS - 1;
	for (z = 0; z < ARRAY_SIZE(sizes); z++)
		if (ghb_remote_size(&rm, sizes[z]))
			break;
	kfree(rm.ring->slot);
	kfree(rm.ring);
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

/* Wait at the start line after the warm-up; false if any thread failed. */
static bool ghb_par_go(struct ghb_par_job *job, bool warm_ok)
{
	struct ghb_par *par = job->par;

	if (!warm_ok)
		atomic_inc(&par->failed);
	ghb_start_wait(&par->start, job->idx);
	return !atomic_read(&par->failed);
}

static u64 ghb_par_churn(struct ghb_par_job *job)
{
	struct ghb_par *par = job->par;
	const struct ghb_side *side = par->side;
	unsigned long warm = par->n / 10;
	bool ok;
	u64 t;

	ok = !side->fill(&job->c, NULL) &&
	     side->churn(&job->c, NULL, 0, warm) != GHB_FAILED;
	t = ghb_par_go(job, ok) ? side->churn(&job->c, NULL, warm, par->n) :
	    GHB_FAILED;
	job->t_end = ktime_get_ns();
	side->empty(&job->c, NULL);
	return t;
}

static u64 ghb_par_pair(struct ghb_par_job *job)
{
	struct ghb_par *par = job->par;
	const struct ghb_side *side = par->side;
	bool ok;
	u64 t;

	ok = side->pair(NULL, par->size, par->n / 10 + 1) != GHB_FAILED;
	t = ghb_par_go(job, ok) ? side->pair(NULL, par->size, par->n) : GHB_FAILED;
	job->t_end = ktime_get_ns();
	return t;
}

static int ghb_par_fn(void *arg)
{
	struct ghb_par_job *job = arg;
	u64 t = job->par->churn ? ghb_par_churn(job) : ghb_par_pair(job);

	if (t == GHB_FAILED)
		atomic_inc(&job->par->failed);
	return 0;
}

struct ghb_par_meas {
	struct ghb_par par;
	struct ghb_par_job *jobs;
	struct ghb_thread *threads;
	unsigned int ncpus;
	struct ghb_samples s[2];
	unsigned int side;	/* the side being run */
};

/* Every online CPU runs the loop at once; ns from start to the last end. */
static u64 ghb_par_run(struct ghb_par_meas *pm)
{
	struct ghb_par *par = &pm->par;
	unsigned int i, started;
	u64 end = 0;

	memset(&par->start, 0, sizeof(par->start));
	par->start.nthreads = pm->ncpus;
	atomic_set(&par->failed, 0);
	started = ghb_threads_start(pm->threads, pm->ncpus, ghb_par_fn, pm->jobs,
				    sizeof(*pm->jobs));
	if (started < pm->ncpus) {
		/* fewer threads than the start line waits for: release it */
		atomic_inc(&par->failed);
		par->start.nthreads = started;
	}
	for (i = 0; i < started; i++) {
		ghb_thread_wait(&pm->threads[i]);
		end = max(end, pm->jobs[i].t_end);
	}
	return atomic_read(&par->failed) ? GHB_FAILED : end - par->start.t0;
}

static int ghb_par_step(void *arg, unsigned int j)
{
	struct ghb_par_meas *pm = arg;
	unsigned long n = pm->par.n;
	u64 t;

	pm->side = j;
	pm->par.side = ghb_sides[j];
	t = ghb_par_run(pm);
	if (t == GHB_FAILED)
		return -ENOMEM;
	/* per-CPU ns per op: each CPU did n, or n - n/10 churn ops */
	ghb_sample(&pm->s[j], t, n - (pm->par.churn ? n / 10 : 0));
	return 0;
}

static void ghb_par_emit(struct ghb_par_meas *pm)
{
	u64 tput[2];
	unsigned int k;

	for (k = 0; k < 2; k++) {
		u64 med = ghb_median(&pm->s[k]);

		tput[k] = med ? div64_u64(100ULL * NSEC_PER_SEC * pm->ncpus, med) : 0;
	}
	if (pm->par.churn)
		ghb_add("pattern=parallel_churn size=skewed cpus=%u vs=kmalloc live=4096",
			pm->ncpus);
	else
		ghb_add("pattern=parallel_pair size=%zu cpus=%u vs=kmalloc",
			pm->par.size, pm->ncpus);
	ghb_add(" ops=%lu rounds=%u goheap_ops_per_s=%llu kernel_ops_per_s=%llu",
		pm->par.n, pm->s[0].n, tput[0], tput[1]);
	ghb_add_ns("goheap", &pm->s[0]);
	ghb_add_ns("kernel", &pm->s[1]);
	ghb_emit();
}

/* Pair at @size, or (@size 0) the skewed churn, on every CPU. */
static int ghb_parallel_one(struct ghb_par_meas *pm, size_t size)
{
	unsigned int i;
	int ret = 0;

	memset(pm->s, 0, sizeof(pm->s));
	pm->par.churn = !size;
	pm->par.size = size;
	pm->par.n = ghb_ops(pm->par.churn ? 200000 : 800000);
	for (i = 0; i < pm->ncpus && pm->par.churn && !ret; i++)
		ret = ghb_churn_init(&pm->jobs[i].c, 4096, pm->par.n, GHB_SKEWED,
				     GHB_SEED + i);
	if (!ret)
		ret = ghb_interleave(2, ghb_par_step, pm);
	if (!ret)
		ghb_par_emit(pm);
	for (i = 0; i < pm->ncpus && pm->par.churn; i++)
		ghb_churn_free(&pm->jobs[i].c);
	return ret;
}

int ghb_parallel(void *unused)
{
	/* pair sizes, then 0: the skewed churn */
	static const size_t sizes[] = { 64, 256, 0 };
	struct ghb_par_meas pm = { .ncpus = num_online_cpus() };
	unsigned int i;
	int ret = -ENOMEM;

	pm.threads = kcalloc(pm.ncpus, sizeof(*pm.threads), GFP_KERNEL);
	pm.jobs = kcalloc(pm.ncpus, sizeof(*pm.jobs), GFP_KERNEL);
	if (pm.threads && pm.jobs) {
		for (i = 0; i < pm.ncpus; i++) {
			pm.jobs[i].par = &pm.par;
			pm.jobs[i].idx = i;
		}
		for (i = 0, ret = 0; i < ARRAY_SIZE(sizes) && !ret; i++)
			ret = ghb_parallel_one(&pm, sizes[i]);
	}
	if (ret)
		pr_err("error pattern=parallel side=%s: failed (%d)\n",
		       ghb_sides[pm.side]->name, ret);
	kfree(pm.jobs);
	kfree(pm.threads);
	return ret;
}
