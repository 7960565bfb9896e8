// SPDX-License-Identifier: GPL-2.0
/*
 * churn: a live set of random sizes, randomly replaced (larson), on one
 * CPU; the time per replacement and the memory each side holds for the
 * live set. The sequences are drawn here (parallel uses them too); the
 * loops are in sides.c.
 *
 * burst: the memory a burst leaves behind. A large live set of the skewed
 * sizes, 80 % of it freed in random order, then a wait longer than
 * goheap's release_delay_ms: what each side still holds then, with no
 * drain and no shrinker, beside what it held at the peak. footprint: the
 * same for small live sets (0.25 to 16 MiB) of kernel-like sizes, half of
 * each freed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmstat.h>
#include "bench.h"

/* ---- sequences ---------------------------------------------------------------- */

static const char *const ghb_dist_names[] = { "uniform", "skewed", "kernel" };

/*
 * kernel: what kmalloc sees on a running system, mostly small with a tail:
 * 45 % 16..64, 25 % 65..192, 15 % 193..512, 14.8 % 513..4096, and 0.2 %
 * 32 KiB..64 KiB (mean about 540 bytes).
 */
static u32 ghb_draw_kernel_size(struct rnd_state *rs)
{
	u32 r = prandom_u32_state(rs), x = prandom_u32_state(rs);

	switch (r % 1000) {
	case 0 ... 449:
		return 16 + x % 49;
	case 450 ... 699:
		return 65 + x % 128;
	case 700 ... 849:
		return 193 + x % 320;
	case 850 ... 997:
		return 513 + x % 3584;
	default:
		return 32769 + x % 32768;
	}
}

/* uniform: 1..4096; skewed: 70 % 8..128, 25 % 129..1024, 5 % 1025..4096 */
static u32 ghb_draw_size(struct rnd_state *rs, enum ghb_dist dist)
{
	u32 r;

	if (dist == GHB_KERNEL)
		return ghb_draw_kernel_size(rs);
	r = prandom_u32_state(rs);
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

void ghb_churn_free(struct ghb_churn *c)
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

int ghb_churn_init(struct ghb_churn *c, unsigned int live, unsigned long ops,
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

/* ---- the kernel's side of the memory ------------------------------------------- */

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

/* Past a grace period and the kfree_rcu() batch after it (ghb_side_reset()). */
#define GHB_RESET_WAIT_MS	200

/* Let SLUB give back empty slabs of the kmalloc caches (goheap_drain()'s peer). */
static void ghb_slab_shrink(void)
{
	int i;

	for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++)
		if (kmalloc_caches[KMALLOC_NORMAL][i])
			kmem_cache_shrink(kmalloc_caches[KMALLOC_NORMAL][i]);
}

static void ghb_slab_unfill(void **held, long n)
{
	while (n-- > 0)
		kfree(held[n]);
}

/*
 * Take the free slots the kmalloc caches already have (other users' partly
 * used slabs), so that the live set measured next gets slabs of its own
 * and the slab counter's growth is all its own. Per cache, objects are
 * taken until the counter grows: then the cache has started a new slab,
 * whose remaining free slots are the only ones left from before. That slab
 * is in the baseline, but the live set fills it: its bytes, @fresh[i] for
 * kmalloc cache i, count as the live set's when it uses the cache (see
 * ghb_kernel_fresh()). Return: objects taken, or -ENOMEM (none kept).
 */
#define GHB_PREFILL_MAX	200000
#define GHB_KMALLOC_CACHES	(KMALLOC_SHIFT_HIGH + 1)

static long ghb_slab_prefill(void **held, s64 *fresh)
{
	long n = 0, now = 0;
	int i;

	for (i = 0; i < GHB_KMALLOC_CACHES; i++) {
		struct kmem_cache *cache = kmalloc_caches[KMALLOC_NORMAL][i];
		long before = ghb_slab_bytes();

		fresh[i] = 0;
		if (!cache)
			continue;
		while (n < GHB_PREFILL_MAX && (now = ghb_slab_bytes()) == before) {
			held[n] = kmalloc(kmem_cache_size(cache), GFP_KERNEL);
			if (!held[n]) {
				ghb_slab_unfill(held, n);
				return -ENOMEM;
			}
			n++;
		}
		fresh[i] = max(now - before, 0L);
	}
	return n;
}

/* The bit of the kmalloc cache whose objects are @ksize bytes, or 0. */
static unsigned long ghb_kmalloc_cache_bit(size_t ksize)
{
	int i;

	for (i = 0; i < GHB_KMALLOC_CACHES; i++)
		if (kmalloc_caches[KMALLOC_NORMAL][i] &&
		    kmem_cache_size(kmalloc_caches[KMALLOC_NORMAL][i]) == ksize)
			return BIT(i);
	return 0;
}

/* ---- the measurement ------------------------------------------------------------ */

struct ghb_mem {
	s64 held;	/* goheap: HeapSys + MetaBytes (Sys); kernel: slab */
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
	m->held = st.sys;
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

struct ghb_churn_meas {
	struct ghb_churn c;
	unsigned long warm;		/* the first tenth of the sequence */
	void **pre;			/* [GHB_PREFILL_MAX] */
	long npre;			/* objects in @pre */
	s64 fresh[GHB_KMALLOC_CACHES];	/* the new slab the prefill started */
	unsigned long used;		/* kmalloc caches the live set uses */
	bool used_known;
	unsigned int side;		/* the side being run */
	struct ghb_samples s[2];
	struct ghb_bytes held[2], inuse[2], alloc[2], prefilled, fresh_bytes;
};

/*
 * The bytes of the new slabs the prefill started in the kmalloc caches the
 * live set uses (found from its objects the first time, at the peak): the
 * prefill allocated them and the live set fills them, so they count as
 * the live set's, as the first span of each class in use counts on
 * goheap's side.
 */
static s64 ghb_kernel_fresh(struct ghb_churn_meas *cm)
{
	unsigned int s;
	s64 sum = 0;
	int i;

	if (!cm->used_known) {
		for (s = 0; s < cm->c.live; s++)
			if (cm->c.slot[s])
				cm->used |= ghb_kmalloc_cache_bit(ksize(cm->c.slot[s]));
		cm->used_known = true;
	}
	for_each_set_bit(i, &cm->used, GHB_KMALLOC_CACHES)
		sum += cm->fresh[i];
	return sum;
}

/*
 * Empty side @j's caches (goheap_drain(), or SLUB's kmem_cache_shrink()),
 * then let what that left behind run before the side is measured: span
 * structures and slabs freed after a grace period, which a worker frees
 * in batches (kfree_rcu()) tens of milliseconds later. Without the wait,
 * that worker preempted the first timed round: one goheap_free() of the
 * latency pattern counted 260,000 instructions on 6.12 PREEMPT_RT. Until
 * 6.13 rcu_barrier() does not wait for kfree_rcu() batches, hence the
 * sleep; under icount an idle guest's clock jumps, so it costs no host
 * time.
 */
static void ghb_side_reset(unsigned int j)
{
	if (j == 0)
		goheap_drain();
	else
		ghb_slab_shrink();
	rcu_barrier();
	msleep(GHB_RESET_WAIT_MS);
}

/* Side @j's memory before its live set exists. */
static int ghb_mem_base(struct ghb_churn_meas *cm, unsigned int j,
			struct ghb_mem *base)
{
	cm->npre = 0;
	cm->used = 0;
	cm->used_known = false;
	ghb_side_reset(j);
	if (j == 0) {
		ghb_goheap_mem(base);
		return 0;
	}
	cm->npre = ghb_slab_prefill(cm->pre, cm->fresh);
	if (cm->npre < 0) {
		cm->npre = 0;
		return -ENOMEM;
	}
	ghb_bytes_add(&cm->prefilled, cm->npre);
	base->held = ghb_slab_bytes();
	return 0;
}

/* Side @j's memory for what is live now, over @base. */
static void ghb_mem_now(struct ghb_churn_meas *cm, unsigned int j,
			const struct ghb_mem *base, struct ghb_mem *now)
{
	if (j == 0) {
		ghb_goheap_mem(now);
		now->held -= base->held;
		now->inuse -= base->inuse;
		now->alloc -= base->alloc;
	} else {
		now->held = ghb_slab_bytes() - base->held + ghb_kernel_fresh(cm);
		now->inuse = now->held;
		now->alloc = ghb_ksize_sum(&cm->c);
	}
}

/* Side @j's memory with the live set still allocated, over @base. */
static void ghb_mem_record(struct ghb_churn_meas *cm, unsigned int j,
			   const struct ghb_mem *base)
{
	struct ghb_mem now;

	ghb_mem_now(cm, j, base, &now);
	ghb_bytes_add(&cm->held[j], now.held);
	ghb_bytes_add(&cm->inuse[j], now.inuse);
	ghb_bytes_add(&cm->alloc[j], now.alloc);
	if (j == 1)
		ghb_bytes_add(&cm->fresh_bytes, ghb_kernel_fresh(cm));
}

static int ghb_churn_step(void *arg, unsigned int j)
{
	struct ghb_churn_meas *cm = arg;
	const struct ghb_side *side = ghb_sides[j];
	struct ghb_mem base = {};
	u64 t = GHB_FAILED;

	cm->side = j;
	if (ghb_mem_base(cm, j, &base))
		return -ENOMEM;
	if (!side->fill(&cm->c, NULL) &&
	    side->churn(&cm->c, NULL, 0, cm->warm) != GHB_FAILED)
		t = side->churn(&cm->c, NULL, cm->warm, cm->c.ops);
	if (t != GHB_FAILED) {
		ghb_sample(&cm->s[j], t, cm->c.ops - cm->warm);
		ghb_mem_record(cm, j, &base);
	}
	side->empty(&cm->c, NULL);
	ghb_slab_unfill(cm->pre, cm->npre);
	return t == GHB_FAILED ? -ENOMEM : 0;
}

static void ghb_churn_emit(struct ghb_churn_meas *cm, enum ghb_dist dist)
{
	ghb_add("pattern=churn size=%s cpus=1 vs=kmalloc live=%u ops=%lu rounds=%u",
		ghb_dist_names[dist], cm->c.live, cm->c.ops - cm->warm, cm->s[0].n);
	ghb_add_ns("goheap", &cm->s[0]);
	ghb_add_ns("kernel", &cm->s[1]);
	ghb_add(" requested_bytes=%llu goheap_bytes=%lld goheap_inuse_bytes=%lld goheap_alloc_bytes=%lld kernel_bytes=%lld kernel_alloc_bytes=%lld",
		ghb_churn_requested(&cm->c), ghb_bytes_median(&cm->held[0]),
		ghb_bytes_median(&cm->inuse[0]), ghb_bytes_median(&cm->alloc[0]),
		ghb_bytes_median(&cm->held[1]), ghb_bytes_median(&cm->alloc[1]));
	ghb_add(" kernel_prefilled_objects=%lld kernel_fresh_bytes=%lld",
		ghb_bytes_median(&cm->prefilled), ghb_bytes_median(&cm->fresh_bytes));
	ghb_emit();
}

static int ghb_churn_one(enum ghb_dist dist, unsigned int live, unsigned long ops)
{
	struct ghb_churn_meas *cm;
	int ret;

	cm = kzalloc(sizeof(*cm), GFP_KERNEL);
	if (!cm)
		return -ENOMEM;
	cm->warm = ops / 10;
	cm->pre = kvmalloc_array(GHB_PREFILL_MAX, sizeof(void *), GFP_KERNEL);
	ret = cm->pre ? ghb_churn_init(&cm->c, live, ops, dist, GHB_SEED) : -ENOMEM;
	if (!ret) {
		ret = ghb_interleave(2, ghb_churn_step, cm);
		if (ret)
			pr_err("error pattern=churn size=%s side=%s: allocation failed\n",
			       ghb_dist_names[dist], ghb_sides[cm->side]->name);
		else
			ghb_churn_emit(cm, dist);
		ghb_churn_free(&cm->c);
	}
	kvfree(cm->pre);
	kfree(cm);
	return ret;
}

int ghb_churn(void *unused)
{
	int ret;

	ret = ghb_churn_one(GHB_UNIFORM, 10000, ghb_ops(100000));
	if (!ret)
		ret = ghb_churn_one(GHB_SKEWED, 50000, ghb_ops(100000));
	return ret;
}

/* ---- burst ------------------------------------------------------------------------ */

#define GHB_BURST_LIVE		131072	/* skewed sizes average ~320 B: ~40 MiB */
#define GHB_BURST_FREED_PCT	80
/* goheap's default release_delay_ms (1000), and room for the work item */
#define GHB_BURST_WAIT_MS	1500

struct ghb_burst_meas {
	struct ghb_churn_meas cm;	/* held, inuse, alloc: after the wait */
	const char *pattern;
	enum ghb_dist dist;
	unsigned int freed_pct;
	u32 *order;			/* the slots to free, in order */
	unsigned long nfree;
	struct ghb_bytes peak[2];	/* held at the peak */
};

/* A random permutation of the slots; its first nfree are freed. */
static int ghb_burst_order(struct ghb_burst_meas *bm)
{
	unsigned int live = bm->cm.c.live, i;
	struct rnd_state rs;

	bm->order = kvmalloc_array(live, sizeof(u32), GFP_KERNEL);
	if (!bm->order)
		return -ENOMEM;
	for (i = 0; i < live; i++)
		bm->order[i] = i;
	prandom_seed_state(&rs, GHB_SEED + 1);
	for (i = live - 1; i > 0; i--)
		swap(bm->order[i], bm->order[prandom_u32_state(&rs) % (i + 1)]);
	bm->nfree = (unsigned long)live * bm->freed_pct / 100;
	return 0;
}

static u64 ghb_burst_requested(struct ghb_burst_meas *bm)
{
	unsigned long i;
	u64 sum = 0;

	for (i = bm->nfree; i < bm->cm.c.live; i++)
		sum += bm->cm.c.fill_size[bm->order[i]];
	return sum;
}

static int ghb_burst_step(void *arg, unsigned int j)
{
	struct ghb_burst_meas *bm = arg;
	struct ghb_churn_meas *cm = &bm->cm;
	const struct ghb_side *side = ghb_sides[j];
	struct ghb_mem base = {}, peak;
	int ret;

	cm->side = j;
	if (ghb_mem_base(cm, j, &base))
		return -ENOMEM;
	ret = side->fill(&cm->c, NULL);
	if (!ret) {
		ghb_mem_now(cm, j, &base, &peak);
		ghb_bytes_add(&bm->peak[j], peak.held);
		side->release(&cm->c, NULL, bm->order, bm->nfree);
		/* both sides wait alike; goheap's scavenger acts meanwhile */
		msleep(GHB_BURST_WAIT_MS);
		ghb_mem_record(cm, j, &base);
	}
	side->empty(&cm->c, NULL);
	ghb_slab_unfill(cm->pre, cm->npre);
	return ret;
}

static void ghb_burst_emit(struct ghb_burst_meas *bm)
{
	struct ghb_churn_meas *cm = &bm->cm;

	ghb_add("pattern=%s size=%s cpus=1 vs=kmalloc live=%u freed=%lu rounds=%u",
		bm->pattern, ghb_dist_names[bm->dist], cm->c.live, bm->nfree,
		cm->held[0].n);
	ghb_add(" requested_bytes=%llu goheap_peak_bytes=%lld kernel_peak_bytes=%lld",
		ghb_burst_requested(bm), ghb_bytes_median(&bm->peak[0]),
		ghb_bytes_median(&bm->peak[1]));
	ghb_add(" goheap_bytes=%lld goheap_inuse_bytes=%lld goheap_alloc_bytes=%lld kernel_bytes=%lld kernel_alloc_bytes=%lld",
		ghb_bytes_median(&cm->held[0]), ghb_bytes_median(&cm->inuse[0]),
		ghb_bytes_median(&cm->alloc[0]), ghb_bytes_median(&cm->held[1]),
		ghb_bytes_median(&cm->alloc[1]));
	ghb_add(" kernel_prefilled_objects=%lld kernel_fresh_bytes=%lld",
		ghb_bytes_median(&cm->prefilled), ghb_bytes_median(&cm->fresh_bytes));
	ghb_emit();
}

static int ghb_burst_one(const char *pattern, enum ghb_dist dist,
			 unsigned int live, unsigned int freed_pct)
{
	struct ghb_burst_meas *bm;
	int ret;

	bm = kzalloc(sizeof(*bm), GFP_KERNEL);
	if (!bm)
		return -ENOMEM;
	bm->pattern = pattern;
	bm->dist = dist;
	bm->freed_pct = freed_pct;
	bm->cm.pre = kvmalloc_array(GHB_PREFILL_MAX, sizeof(void *), GFP_KERNEL);
	ret = bm->cm.pre ? ghb_churn_init(&bm->cm.c, live, 0, dist, GHB_SEED) : -ENOMEM;
	if (!ret) {
		ret = ghb_burst_order(bm);
		if (!ret)
			ret = ghb_interleave(2, ghb_burst_step, bm);
		if (ret)
			pr_err("error pattern=%s live=%u side=%s: allocation failed\n",
			       pattern, live, ghb_sides[bm->cm.side]->name);
		else
			ghb_burst_emit(bm);
		ghb_churn_free(&bm->cm.c);
	}
	kvfree(bm->order);
	kvfree(bm->cm.pre);
	kfree(bm);
	return ret;
}

int ghb_burst(void *unused)
{
	return ghb_burst_one("burst", GHB_SKEWED, ghb_ops(GHB_BURST_LIVE),
			     GHB_BURST_FREED_PCT);
}

/* Live sets of about 0.25, 1, 4 and 16 MiB at ~540 bytes an object */
int ghb_footprint(void *unused)
{
	static const unsigned int live[] = { 500, 2000, 8000, 32000 };
	unsigned int i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(live) && !ret; i++)
		ret = ghb_burst_one("footprint", GHB_KERNEL, live[i], 50);
	return ret;
}

/* ---- latency ---------------------------------------------------------------------- */

#define GHB_LATENCY_LIVE	10000
#define GHB_LATENCY_OPS		100000

/* per side: the rounds' p50, p99, p99.9 and max of single operations */
enum { GHB_P50, GHB_P99, GHB_P999, GHB_PMAX, GHB_NR_PCT };
static const char *const ghb_pct_names[GHB_NR_PCT] = { "p50", "p99", "p999", "max" };

struct ghb_latency_meas {
	struct ghb_churn c;
	u32 *lat;				/* [2 * ops] */
	unsigned int side;
	struct ghb_bytes pct[2][GHB_NR_PCT];
};

static int ghb_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static int ghb_latency_step(void *arg, unsigned int j)
{
	struct ghb_latency_meas *lm = arg;
	const struct ghb_side *side = ghb_sides[j];
	unsigned long n = 2 * lm->c.ops;
	int ret;

	lm->side = j;
	ghb_side_reset(j);
	ret = side->fill(&lm->c, NULL);
	if (!ret)
		ret = side->latency(&lm->c, NULL, lm->lat);
	side->empty(&lm->c, NULL);
	if (ret)
		return ret;
	sort(lm->lat, n, sizeof(u32), ghb_cmp_u32, NULL);
	ghb_bytes_add(&lm->pct[j][GHB_P50], lm->lat[n / 2]);
	ghb_bytes_add(&lm->pct[j][GHB_P99], lm->lat[n * 99 / 100]);
	ghb_bytes_add(&lm->pct[j][GHB_P999], lm->lat[n * 999 / 1000]);
	ghb_bytes_add(&lm->pct[j][GHB_PMAX], lm->lat[n - 1]);
	return 0;
}

/* Medians over the rounds, but the max is the largest of any round. */
static void ghb_latency_emit(struct ghb_latency_meas *lm)
{
	unsigned int j, p;

	ghb_add("pattern=latency size=skewed cpus=1 vs=kmalloc live=%u ops=%lu rounds=%u",
		lm->c.live, lm->c.ops, lm->pct[0][GHB_P50].n);
	for (j = 0; j < 2; j++) {
		for (p = 0; p < GHB_NR_PCT; p++) {
			struct ghb_bytes *b = &lm->pct[j][p];
			s64 v = ghb_bytes_median(b);

			if (p == GHB_PMAX && b->n)
				v = b->v[b->n - 1];	/* sorted by the median */
			ghb_add(" %s_%s_ns=%lld", j ? "kernel" : "goheap",
				ghb_pct_names[p], v);
		}
	}
	ghb_emit();
}

int ghb_latency(void *unused)
{
	struct ghb_latency_meas *lm;
	int ret;

	lm = kzalloc(sizeof(*lm), GFP_KERNEL);
	if (!lm)
		return -ENOMEM;
	ret = ghb_churn_init(&lm->c, GHB_LATENCY_LIVE, ghb_ops(GHB_LATENCY_OPS),
			     GHB_SKEWED, GHB_SEED);
	if (!ret) {
		lm->lat = kvmalloc_array(2 * lm->c.ops, sizeof(u32), GFP_KERNEL);
		ret = lm->lat ? ghb_interleave(2, ghb_latency_step, lm) : -ENOMEM;
		if (ret)
			pr_err("error pattern=latency side=%s: allocation failed\n",
			       ghb_sides[lm->side]->name);
		else
			ghb_latency_emit(lm);
		kvfree(lm->lat);
		ghb_churn_free(&lm->c);
	}
	kfree(lm);
	return ret;
}
