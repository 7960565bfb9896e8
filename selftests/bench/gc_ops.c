// SPDX-License-Identifier: GPL-2.0
/*
 * The collector's per-operation costs on one CPU, each against its nearest
 * peer: gc_alloc (goheap_gc_alloc() against goheap_alloc() and kzalloc()),
 * gc_section (goheap_gc_enter() + goheap_gc_exit() against a per-CPU
 * rw-semaphore) and gc_barrier (goheap_gc_store() against a plain store,
 * with the collector idle and while it marks); and on every CPU,
 * gc_parallel (allocation in one domain on one CPU, then on all at once).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/percpu-rwsem.h>
#include <linux/slab.h>
#include "bench.h"

struct ghb_gc_ctx {
	struct goheap_gc_domain *d;
	const struct goheap_gc_type *type;
	struct percpu_rw_semaphore *sem;
};

/* ---- gc_alloc: allocation in a domain against goheap_alloc() ------------------------ */

/* Types of the allocation benchmark: a pointer at 0, data at word 1. */
static const size_t ghb_first_ptr[] = { 0 };

static const struct goheap_gc_type ghb_alloc_types[] = {
	{ .name = "ghb16", .size = 16, .ptr_offsets = ghb_first_ptr, .nr_ptrs = 1 },
	{ .name = "ghb64", .size = 64, .ptr_offsets = ghb_first_ptr, .nr_ptrs = 1 },
	{ .name = "ghb256", .size = 256, .ptr_offsets = ghb_first_ptr, .nr_ptrs = 1 },
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
	u64 t0 = ktime_get_ns();
	unsigned long i = ghb_fill_loop(ctx, size, n, arr, 1, alloc);
	u64 t1 = ktime_get_ns();

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

static const char *const ghb_alloc_keys[] = {
	"gc", "goheap_zero", "goheap", "kernel_zero"
};

struct ghb_alloc_meas {
	struct ghb_meas m;
	struct ghb_gc_ctx g;
	size_t size;
	void **arr;
};

/* One timed allocation run of variant @v, then its objects are let go. */
static u64 ghb_gc_alloc_run(struct ghb_meas *m, unsigned int v, unsigned long n)
{
	struct ghb_alloc_meas *am = container_of(m, struct ghb_alloc_meas, m);
	struct ghb_gc_ctx *g = &am->g;
	unsigned long i;
	int tok;
	u64 t;

	switch (v) {
	case 0:
		tok = goheap_gc_enter(g->d);
		if (tok < 0)
			return GHB_FAILED;
		t = ghb_alloc_gc(g, am->size, n, am->arr);
		goheap_gc_exit(g->d, tok);
		/* nothing is rooted: the collection takes it all back */
		goheap_gc_collect(g->d);
		return t;
	case 1:
		t = ghb_alloc_goheap_zero(NULL, am->size, n, am->arr);
		break;
	case 2:
		t = ghb_alloc_goheap(NULL, am->size, n, am->arr);
		break;
	default:
		t = ghb_alloc_kernel_zero(NULL, am->size, n, am->arr);
		for (i = 0; i < n && t != GHB_FAILED; i++)
			kfree(am->arr[i]);
		return t;
	}
	for (i = 0; i < n && t != GHB_FAILED; i++)
		goheap_free(am->arr[i]);
	return t;
}

static int ghb_gc_alloc_type(struct ghb_alloc_meas *am, const struct goheap_gc_type *type)
{
	unsigned int k;

	memset(am->m.s, 0, sizeof(am->m.s));
	am->g.type = type;
	am->size = type->size;
	if (ghb_measure(&am->m)) {
		pr_err("error pattern=gc_alloc size=%zu variant=%s: allocation failed\n",
		       am->size, ghb_alloc_keys[am->m.failed]);
		return -ENOMEM;
	}
	ghb_add("pattern=gc_alloc size=%zu cpus=1 ops=%lu rounds=%u",
		am->size, am->m.n, am->m.s[0].n);
	for (k = 0; k < ARRAY_SIZE(ghb_alloc_keys); k++)
		ghb_add_ns(ghb_alloc_keys[k], &am->m.s[k]);
	ghb_emit();
	return 0;
}

int ghb_gc_alloc(void *unused)
{
	struct ghb_alloc_meas am = {
		.m.nsides = ARRAY_SIZE(ghb_alloc_keys),
		.m.n = ghb_ops(10000),
		.m.run = ghb_gc_alloc_run,
	};
	struct ghb_gc_heap h;
	unsigned int z;
	int ret;

	am.arr = kvmalloc_array(am.m.n, sizeof(void *), GFP_KERNEL);
	if (!am.arr)
		return -ENOMEM;
	ret = ghb_gc_new(&h, "ghb_alloc", GOHEAP_GC_UNCHECKED);
	am.g.d = h.d;
	for (z = 0; z < ARRAY_SIZE(ghb_alloc_types) && !ret; z++)
		ret = ghb_gc_alloc_type(&am, &ghb_alloc_types[z]);
	ghb_gc_del(&h);
	kvfree(am.arr);
	return ret;
}

/* ---- gc_section: enter + exit against a bare per-CPU rw-semaphore ---------------------- */

static __always_inline int ghb_enter_domain(struct ghb_gc_ctx *g)
{
	return goheap_gc_enter(g->d);
}

static __always_inline int ghb_exit_domain(struct ghb_gc_ctx *g, int tok)
{
	return goheap_gc_exit(g->d, tok);
}

static __always_inline int ghb_enter_rwsem(struct ghb_gc_ctx *g)
{
	percpu_down_read(g->sem);
	return 0;
}

static __always_inline int ghb_exit_rwsem(struct ghb_gc_ctx *g, int tok)
{
	percpu_up_read(g->sem);
	return 0;
}

static __always_inline u64 ghb_section_loop(struct ghb_gc_ctx *g, unsigned long n,
					    int (*enter)(struct ghb_gc_ctx *g),
					    int (*exit)(struct ghb_gc_ctx *g, int tok))
{
	unsigned long i;
	u64 t0, t1;
	int tok;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		tok = enter(g);
		if (unlikely(tok < 0))
			return GHB_FAILED;
		OPTIMIZER_HIDE_VAR(g);
		if (unlikely(exit(g, tok)))
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

struct ghb_section_meas {
	struct ghb_meas m;
	struct ghb_gc_ctx g;
};

static u64 ghb_section_run(struct ghb_meas *m, unsigned int side, unsigned long n)
{
	struct ghb_section_meas *sm = container_of(m, struct ghb_section_meas, m);

	return side ? ghb_section_rwsem(&sm->g, n) : ghb_section_domain(&sm->g, n);
}

int ghb_gc_section(void *unused)
{
	static struct percpu_rw_semaphore sem;
	struct ghb_section_meas sm = {
		.m.nsides = 2,
		.m.n = ghb_ops(20000),
		.m.run = ghb_section_run,
		.g.sem = &sem,
	};
	struct ghb_gc_heap h;
	int ret;

	ret = percpu_init_rwsem(&sem);
	if (ret)
		return ret;
	ret = ghb_gc_new(&h, "ghb_section", GOHEAP_GC_UNCHECKED);
	sm.g.d = h.d;
	if (!ret && ghb_measure(&sm.m))
		ret = -EINVAL;
	if (!ret) {
		ghb_add("pattern=gc_section cpus=1 ops=%lu rounds=%u", sm.m.n, sm.m.s[0].n);
		ghb_add_ns("gc", &sm.m.s[0]);
		ghb_add_ns("rwsem", &sm.m.s[1]);
		ghb_emit();
	} else {
		pr_err("error pattern=gc_section: %d\n", ret);
	}
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
 * The domain's barrier mode word, which goheap_gc_store() tests inline: a
 * word private to goheap, read through <goheap.h>'s struct
 * goheap_gc_domain_head, so that a chunk of stores can tell whether the
 * collector marked all along.
 */
static unsigned long ghb_store_mode(struct goheap_gc_domain *d)
{
	const struct goheap_gc_domain_head *head = (const void *)d;

	return READ_ONCE(head->barrier_mode);
}

struct ghb_barrier_meas {
	struct ghb_meas m;	/* side 0: plain stores, side 1: the barrier */
	struct ghb_gc_heap h;
	struct ghb_node **nodes;	/* [GHB_BAR_NODES] */
	unsigned long idle_mode;	/* the mode word with the collector idle */
	unsigned long cycles;		/* collections while marking */
	struct ghb_samples mark[2];	/* while marking */
	bool refused;			/* a chunk of stores failed */
};

/*
 * One chunk of stores inside a section, preemption off so that nothing
 * else runs on this CPU meanwhile; @marking tells whether the barrier was
 * on (the domain's mode word differed from its idle value) both before and
 * after.
 */
static u64 ghb_store_chunk(struct ghb_barrier_meas *bm, unsigned long n,
			   bool barrier, bool *marking)
{
	struct goheap_gc_domain *d = bm->h.d;
	unsigned long m0, m1;
	int tok;
	u64 t;

	tok = goheap_gc_enter(d);
	if (tok < 0)
		return GHB_FAILED;
	m0 = ghb_store_mode(d);
	preempt_disable();
	t = barrier ? ghb_stores_barrier(d, bm->nodes, n) :
	    ghb_stores_plain(d, bm->nodes, n);
	preempt_enable();
	m1 = ghb_store_mode(d);
	goheap_gc_exit(d, tok);
	*marking = m0 != bm->idle_mode && m1 != bm->idle_mode;
	return t;
}

static u64 ghb_barrier_idle_run(struct ghb_meas *m, unsigned int side,
				unsigned long n)
{
	struct ghb_barrier_meas *bm = container_of(m, struct ghb_barrier_meas, m);
	bool marking;

	return ghb_store_chunk(bm, n, side, &marking);
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

/*
 * Chunks, alternately plain and with the barrier, while another thread on
 * this CPU collects over and over; only the chunks that ran while the
 * collector marked count. Up to 60 s for the rounds of both.
 * Return: 0, or the error of starting or of running the collector.
 */
static int ghb_barrier_marking(struct ghb_barrier_meas *bm)
{
	struct ghb_collector col = { .d = bm->h.d };
	unsigned long n = bm->m.n, tries;
	struct ghb_thread th;
	bool marking, barrier;
	u64 t, deadline;
	int ret;

	ret = ghb_thread_start(&th, raw_smp_processor_id(), ghb_collector_fn, &col);
	if (ret)
		return ret;
	deadline = ktime_get_ns() + 60 * NSEC_PER_SEC;
	for (tries = 0; ktime_get_ns() < deadline && !bm->refused &&
	     (bm->mark[0].n < ghb_rounds() || bm->mark[1].n < ghb_rounds()); tries++) {
		barrier = tries & 1;
		t = ghb_store_chunk(bm, n, barrier, &marking);
		if (t == GHB_FAILED)
			bm->refused = true;
		else if (marking)
			ghb_sample(&bm->mark[barrier], t, n);
		cond_resched();
	}
	WRITE_ONCE(col.stop, true);
	ret = ghb_thread_wait(&th);
	bm->cycles = col.cycles;
	return ret;
}

static void ghb_barrier_emit(struct ghb_barrier_meas *bm, const char *name,
			     unsigned int flags)
{
	unsigned int k;

	for (k = 0; k < 2; k++) {
		struct ghb_samples *s = k ? bm->mark : bm->m.s;

		if (!s[0].n || !s[1].n) {
			pr_err("error pattern=gc_barrier domain=%s: no chunk while marking (%lu cycles)\n",
			       name, bm->cycles);
			continue;
		}
		ghb_add("pattern=gc_barrier size=%zu cpus=1 domain=%s checked=%d collector=%s ops=%lu rounds=%u",
			sizeof(void *), name, !(flags & GOHEAP_GC_UNCHECKED),
			k ? "marking" : "idle", bm->m.n, s[1].n);
		ghb_add_ns("barrier", &s[1]);
		ghb_add_ns("plain", &s[0]);
		if (k)
			ghb_add(" gc_cycles=%lu heap_objects=%lu", bm->cycles, bm->h.objects);
		ghb_emit();
	}
}

/* Stores with the collector idle, then while it marks a big heap. */
static int ghb_barrier_measure(struct ghb_barrier_meas *bm, const char *name,
			       unsigned int flags, unsigned long big)
{
	int ret;

	/* the store targets, and a big heap so that marking takes a while */
	ret = ghb_gc_build_lists(&bm->h, GHB_BAR_NODES + big, bm->nodes, GHB_BAR_NODES);
	if (ret)
		return ret;
	bm->idle_mode = ghb_store_mode(bm->h.d);
	if (ghb_measure(&bm->m))
		bm->refused = true;
	else
		ret = ghb_barrier_marking(bm);
	if (bm->refused) {
		pr_err("error pattern=gc_barrier domain=%s: a store was refused\n", name);
		return -EINVAL;
	}
	if (!ret)
		ghb_barrier_emit(bm, name, flags);
	return ret;
}

static int ghb_gc_barrier_one(const char *name, unsigned int flags, unsigned long big)
{
	struct ghb_barrier_meas *bm;
	int ret;

	bm = kzalloc(sizeof(*bm), GFP_KERNEL);
	if (!bm)
		return -ENOMEM;
	bm->m.nsides = 2;
	bm->m.n = ghb_ops(2000);
	bm->m.run = ghb_barrier_idle_run;
	bm->nodes = kcalloc(GHB_BAR_NODES, sizeof(*bm->nodes), GFP_KERNEL);
	ret = bm->nodes ? ghb_gc_new(&bm->h, name, flags) : -ENOMEM;
	if (!ret) {
		ret = ghb_barrier_measure(bm, name, flags, big);
		ghb_gc_del(&bm->h);
	}
	kfree(bm->nodes);
	kfree(bm);
	return ret;
}

int ghb_gc_barrier(void *unused)
{
	unsigned long big = ghb_ops(200000);
	int ret;

	ret = ghb_gc_barrier_one("ghb_barrier_unchecked", GOHEAP_GC_UNCHECKED, big);
	if (!ret)
		ret = ghb_gc_barrier_one("ghb_barrier_checked", 0, big);
	return ret;
}

/* ---- gc_parallel: allocation in one domain on one CPU, then on every CPU ----------- */

#define GHB_GCPAR_SECTION	100	/* allocations per section */

struct ghb_gcpar {
	struct goheap_gc_domain *d;
	struct ghb_start start;
	unsigned long n;		/* allocations per thread */
	atomic_t failed;
};

struct ghb_gcpar_job {
	struct ghb_gcpar *par;
	unsigned int idx;
	u64 t_end;
};

/* @n allocations of ghb_node_type, in sections of GHB_GCPAR_SECTION. */
static noinline bool ghb_gcpar_alloc(struct goheap_gc_domain *d, unsigned long n)
{
	unsigned long i, k;
	int tok;

	for (i = 0; i < n; i += GHB_GCPAR_SECTION) {
		tok = goheap_gc_enter(d);
		if (tok < 0)
			return false;
		for (k = 0; k < GHB_GCPAR_SECTION; k++)
			if (!goheap_gc_alloc(d, &ghb_node_type, GFP_KERNEL))
				break;
		goheap_gc_exit(d, tok);
		if (k < GHB_GCPAR_SECTION)
			return false;
	}
	return true;
}

static int ghb_gcpar_fn(void *arg)
{
	struct ghb_gcpar_job *job = arg;
	struct ghb_gcpar *par = job->par;
	bool ok = ghb_gcpar_alloc(par->d, par->n / 10);

	if (!ok)
		atomic_inc(&par->failed);
	ghb_start_wait(&par->start, job->idx);
	if (ok && !atomic_read(&par->failed) && !ghb_gcpar_alloc(par->d, par->n))
		atomic_inc(&par->failed);
	job->t_end = ktime_get_ns();
	return 0;
}

struct ghb_gcpar_meas {
	struct ghb_gcpar par;
	struct ghb_gcpar_job *jobs;
	struct ghb_thread *threads;
	unsigned int ncpus;
	struct ghb_samples s[2];	/* ns per allocation per thread */
};

/* @nthreads threads (on the first online CPUs) at once: ns to the last end. */
static u64 ghb_gcpar_run(struct ghb_gcpar_meas *pm, unsigned int nthreads)
{
	struct ghb_gcpar *par = &pm->par;
	unsigned int i, started;
	u64 end = 0;

	memset(&par->start, 0, sizeof(par->start));
	par->start.nthreads = nthreads;
	atomic_set(&par->failed, 0);
	started = ghb_threads_start(pm->threads, nthreads, ghb_gcpar_fn, pm->jobs,
				    sizeof(*pm->jobs));
	if (started < nthreads) {
		atomic_inc(&par->failed);
		par->start.nthreads = started;
	}
	for (i = 0; i < started; i++) {
		ghb_thread_wait(&pm->threads[i]);
		end = max(end, pm->jobs[i].t_end);
	}
	/* nothing is rooted: one collection takes every object back */
	goheap_gc_collect(par->d);
	return atomic_read(&par->failed) ? GHB_FAILED : end - par->start.t0;
}

/* Side 0: one thread; side 1: one per online CPU. */
static int ghb_gcpar_step(void *arg, unsigned int side)
{
	struct ghb_gcpar_meas *pm = arg;
	u64 t = ghb_gcpar_run(pm, side ? pm->ncpus : 1);

	if (t == GHB_FAILED)
		return -ENOMEM;
	ghb_sample(&pm->s[side], t, pm->par.n);
	return 0;
}

/*
 * Throughput of every CPU against one, per round and as the ratio of the
 * medians: each thread does n allocations, so the ratio is
 * ncpus * t(one) / t(all).
 */
static void ghb_gcpar_emit(struct ghb_gcpar_meas *pm)
{
	u64 one = ghb_median(&pm->s[0]), all = ghb_median(&pm->s[1]);
	u64 lo = U64_MAX, hi = 0, r;
	unsigned int k;

	for (k = 0; k < pm->s[0].n && k < pm->s[1].n; k++) {
		r = div64_u64(100ULL * pm->ncpus * pm->s[0].v[k], pm->s[1].v[k] ?: 1);
		lo = min(lo, r);
		hi = max(hi, r);
	}
	r = all ? div64_u64(100ULL * pm->ncpus * one, all) : 0;
	ghb_add("pattern=gc_parallel size=%zu cpus=%u ops=%lu rounds=%u",
		ghb_node_type.size, pm->ncpus, pm->par.n, pm->s[0].n);
	ghb_add(" scaling=%llu.%02llu scaling_min=%llu.%02llu scaling_max=%llu.%02llu",
		r / 100, r % 100, lo / 100, lo % 100, hi / 100, hi % 100);
	ghb_add_ns("one_cpu", &pm->s[0]);
	ghb_add_ns("every_cpu", &pm->s[1]);
	ghb_emit();
}

int ghb_gc_parallel(void *unused)
{
	struct ghb_gcpar_meas pm = { .ncpus = num_online_cpus() };
	struct ghb_gc_heap h;
	unsigned int i;
	int ret = -ENOMEM;

	pm.par.n = ghb_ops(200000);
	pm.threads = kcalloc(pm.ncpus, sizeof(*pm.threads), GFP_KERNEL);
	pm.jobs = kcalloc(pm.ncpus, sizeof(*pm.jobs), GFP_KERNEL);
	if (pm.threads && pm.jobs)
		ret = ghb_gc_new(&h, "ghb_parallel", GOHEAP_GC_UNCHECKED);
	if (!ret) {
		pm.par.d = h.d;
		for (i = 0; i < pm.ncpus; i++) {
			pm.jobs[i].par = &pm.par;
			pm.jobs[i].idx = i;
		}
		ret = ghb_interleave(2, ghb_gcpar_step, &pm);
		if (!ret)
			ghb_gcpar_emit(&pm);
		else
			pr_err("error pattern=gc_parallel: allocation failed\n");
		ghb_gc_del(&h);
	}
	kfree(pm.jobs);
	kfree(pm.threads);
	return ret;
}
