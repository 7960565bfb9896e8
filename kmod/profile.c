// SPDX-License-Identifier: GPL-2.0
/*
 * The allocation profile: Go's runtime.MemProfile for the manual heap.
 *
 * Sampling. Like Go, goheap samples allocations by bytes, not by calls:
 * the bytes handed out form a Poisson process of rate 1/profile_rate, and
 * the allocation whose bytes contain the next event is the sample. Each
 * CPU keeps a countdown per size class, gh_caches.cls[].sample_left
 * (cache.h), armed with an exponentially distributed distance of mean
 * profile_rate; every request of the manual heap subtracts its size from
 * its class's, and the one that takes it below zero is sampled and
 * re-arms it. The fast path pays a subtract and a sign branch on the
 * class's cache line, which it loads anyway; when the countdown runs out
 * it returns NULL without taking an object, and the slow path (malloc.c,
 * gh_alloc_small_profiled()) takes the sample. Large allocations count
 * down too, out of line, on class 0's (gh_profile_tick()).
 *
 * One countdown a class rather than one a CPU: `make bench` measured a
 * countdown beside the cache's busy mark at 3 instructions on `pair` (the
 * line's address is one more register to compute), one a class at 2
 * (Documentation/benchmarks.rst, "Allocation profile"). It samples the
 * same: each class's bytes are a Poisson process of the same rate, so
 * either way an object is sampled independently of every other. Because
 * the distances are memoryless, an object of s bytes is sampled with
 * probability 1 - exp(-s / rate) whatever came before it, so an estimate
 * of the objects behind a sample is 1 / (1 - exp(-s / rate)), the scaling
 * Go's pprof writer applies (scaleHeapSample): allocinfo and heap.pprof
 * show counts and bytes scaled so, per bucket, with the rate as it is when
 * they are read (or the last non-zero one, while profiling is off).
 *
 * The distance is -ln(u) * rate for u uniform in (0, 1], from
 * get_random_u32(), in integer arithmetic: -log2(u) by repeated squaring
 * to 16 fractional bits (gh_profile_neg_log2(); within 2^-16 of the true
 * value), times ln 2 in 32.32 fixed point. A distance is thus within
 * 2^-16 * ln 2 * rate (about 1e-5 of the mean) of the exact draw; the 32
 * bits of u cap it at 22.2 times the mean, which moves the mean by less
 * than 1e-8 of itself.
 *
 * Why sampled objects get pages. A sampled object, small or large, is a
 * large object: a page run of its own from the page heap, whose span
 * (GH_SPAN_LARGE) points to its bucket (struct gh_span's prof). A page is
 * aligned for any request, and a large object's free always takes the
 * slow path (gh_free_large()), which sees the bucket and counts the free:
 * so goheap_free()'s fast path needs no test at all for the profile. The
 * price is a page for a small object once every profile_rate bytes on
 * average, and statistics that count a sampled small object as a large
 * one (its goheap_size() is its pages').
 *
 * Not sampled: typed caches' objects (they must stay in their class's
 * spans), bulk calls, goheap_alloc_node(), and requests made while an
 * interrupt found this CPU's cache busy.
 *
 * Buckets. A sample's stack (stack_trace_save(), with goheap's own frames
 * dropped so that the first frame is the caller's call site) goes to the
 * stack depot; its bucket, keyed by (stack, size), counts allocations and
 * frees. Buckets are never freed before unload, so a span can point to
 * one for as long as it lives. A sample whose stack or bucket cannot be
 * had (the caller's gfp, minus zone bits, is used) is counted as dropped.
 * One spinlock, taken with interrupts off, guards the buckets: goheap's
 * slow paths take spinlock_t locks already, so this one is legal wherever
 * they are, PREEMPT_RT included.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/hashtable.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/stackdepot.h>
#include <linux/stacktrace.h>
#include <kunit/visibility.h>

#include "cache.h"
#include "pprof.h"
#include "profile.h"

#define GH_PROF_DEPTH		32	/* frames kept per stack */
#define GH_PROF_HASH_BITS	10
#define GH_ONE_Q32		(1ULL << 32)
#define GH_LN2_Q32		2977044472ULL	/* ln 2 * 2^32, rounded */

struct gh_prof_bucket {
	struct hlist_node node;
	depot_stack_handle_t stack;
	unsigned long site;	/* the stack's first frame */
	u64 size;		/* bytes asked for */
	u64 allocs, frees;
};

unsigned int gh_profile_rate = GH_PROFILE_RATE_DEFAULT;
/* the rate the buckets' counts are scaled with: the last non-zero one */
static unsigned int gh_prof_scale_rate = GH_PROFILE_RATE_DEFAULT;

static DEFINE_SPINLOCK(gh_prof_lock);
static DEFINE_HASHTABLE(gh_prof_hash, GH_PROF_HASH_BITS);
static unsigned int gh_prof_nbuckets;
static atomic_long_t gh_prof_samples, gh_prof_dropped;

/**
 * gh_profile_neg_log2() - -log2(@x / 2^32)
 * @x: 1 .. 2^32
 *
 * Return: the value in 16.16 fixed point, within 2^-16.
 */
u32 gh_profile_neg_log2(u64 x)
{
	unsigned int e = fls64(x) - 1, i;
	u64 m = (x << 30) >> e;		/* x / 2^e in [1, 2), 2.30 fixed point */
	u32 frac = 0;

	for (i = 16; i--; ) {
		m = (m * m) >> 30;
		if (m >= 2ULL << 30) {
			m >>= 1;
			frac |= 1U << i;
		}
	}
	return (32U << 16) - ((e << 16) | frac);
}
EXPORT_SYMBOL_IF_KUNIT(gh_profile_neg_log2);

/**
 * gh_profile_draw() - an exponentially distributed distance
 * @rate: its mean, in bytes
 * @rnd: 32 random bits
 *
 * Return: -ln((@rnd + 1) / 2^32) * @rate, in bytes.
 */
u64 gh_profile_draw(unsigned int rate, u32 rnd)
{
	u64 nl = gh_profile_neg_log2((u64)rnd + 1);

	return mul_u64_u32_shr(nl * rate, GH_LN2_Q32, 48);
}
EXPORT_SYMBOL_IF_KUNIT(gh_profile_draw);

/* 1 - exp(-@r) for @r in [0, ln 2), both 32.32 fixed point */
static u64 gh_prof_one_minus_exp(u64 r)
{
	u64 term = r, sum = r;
	unsigned int i;

	for (i = 2; i < 16 && term; i++) {
		term = ((term * r) >> 32) / i;
		if (i & 1)
			sum += term;
		else
			sum -= term;
	}
	return sum;
}

/* 1 - exp(-@x), 32.32 fixed point */
static u64 gh_prof_sample_prob(u64 x)
{
	u64 k = div64_u64(x, GH_LN2_Q32);
	u64 q = gh_prof_one_minus_exp(x - k * GH_LN2_Q32);

	if (!k)
		return q;
	return k >= 32 ? GH_ONE_Q32 : GH_ONE_Q32 - ((GH_ONE_Q32 - q) >> k);
}

/**
 * gh_profile_exp_neg() - exp(-@x)
 * @x: 32.32 fixed point
 *
 * Return: exp(-@x) in 32.32 fixed point.
 */
u64 gh_profile_exp_neg(u64 x)
{
	return GH_ONE_Q32 - gh_prof_sample_prob(x);
}
EXPORT_SYMBOL_IF_KUNIT(gh_profile_exp_neg);

/* @a * 2^32 / @q for @q in [1, 2^32], saturated */
static u64 gh_prof_scale(u64 a, u64 q)
{
	u64 hi = div64_u64(a, q), rem = a - hi * q;

	if (hi >> 32)
		return U64_MAX;
	return (hi << 32) + div64_u64(rem << 32, q);
}

static long gh_prof_next(void)
{
	unsigned int rate = READ_ONCE(gh_profile_rate);

	return rate ? gh_profile_draw(rate, get_random_u32()) : LONG_MAX;
}

/**
 * gh_profile_rearm_all() - arm every CPU's countdown with the current rate
 *
 * For a new profile_rate; 0 stops sampling (the countdowns never run out).
 */
void gh_profile_rearm_all(void)
{
	unsigned int rate = READ_ONCE(gh_profile_rate), cls;
	int cpu;

	if (rate)
		WRITE_ONCE(gh_prof_scale_rate, rate);
	for_each_possible_cpu(cpu)
		for (cls = 0; cls < GH_NUM_CLASSES; cls++)
			WRITE_ONCE(per_cpu(gh_caches.cls[cls].sample_left, cpu),
				   gh_prof_next());
}

/**
 * gh_profile_due() - whether this CPU's countdown of @cls ran out, re-arming it
 * @cls: the request's size class
 *
 * For the small-object slow path, after gh_cache_alloc_fast() counted the
 * request down.
 *
 * Return: true if this request is a profile sample.
 */
bool gh_profile_due(unsigned int cls)
{
	if (likely(this_cpu_read(gh_caches.cls[cls].sample_left) >= 0))
		return false;
	this_cpu_write(gh_caches.cls[cls].sample_left, gh_prof_next());
	return READ_ONCE(gh_profile_rate);
}

/**
 * gh_profile_tick() - count a large allocation down, re-arming if it ran out
 * @size: bytes asked for
 *
 * Return: true if this request is a profile sample.
 */
bool gh_profile_tick(size_t size)
{
	/* class 0, which no object has, counts large allocations down */
	if (likely(this_cpu_sub_return(gh_caches.cls[0].sample_left, (long)size) >= 0))
		return false;
	this_cpu_write(gh_caches.cls[0].sample_left, gh_prof_next());
	return READ_ONCE(gh_profile_rate);
}

static u32 gh_prof_key(depot_stack_handle_t stack, u64 size)
{
	return stack ^ (u32)(size * 0x9e3779b97f4a7c15ULL >> 32);
}

static struct gh_prof_bucket *gh_prof_find(depot_stack_handle_t stack,
					   u64 size)
{
	struct gh_prof_bucket *b;

	hash_for_each_possible(gh_prof_hash, b, node, gh_prof_key(stack, size))
		if (b->stack == stack && b->size == size)
			return b;
	return NULL;
}

/**
 * gh_profile_alloc() - record a sampled allocation
 * @size: bytes asked for
 * @gfp: the caller's flags, for the stack depot and a new bucket
 *
 * Context: wherever goheap_alloc() may be called with @gfp.
 * Return: the bucket that counts it, for the span; NULL if the sample was
 * dropped (no memory for its stack or bucket).
 */
struct gh_prof_bucket *gh_profile_alloc(size_t size, gfp_t gfp)
{
	struct gh_prof_bucket *b, *fresh = NULL;
	unsigned long entries[GH_PROF_DEPTH];
	depot_stack_handle_t stack = 0;
	unsigned int n, skip = 0;
	unsigned long flags;

	gfp &= ~(GFP_ZONEMASK | __GFP_ZERO | __GFP_NOFAIL | GH_GFP_IGNORED);
	gfp |= __GFP_NOWARN;
	n = stack_trace_save(entries, ARRAY_SIZE(entries), 0);
	while (skip < n && within_module_core(entries[skip], THIS_MODULE))
		skip++;
	if (skip < n)
		stack = stack_depot_save(entries + skip, n - skip, gfp);
	if (!stack)
		goto dropped;
	spin_lock_irqsave(&gh_prof_lock, flags);
	b = gh_prof_find(stack, size);
	if (!b) {
		spin_unlock_irqrestore(&gh_prof_lock, flags);
		fresh = kmalloc(sizeof(*fresh), gfp);
		if (!fresh)
			goto dropped;
		fresh->stack = stack;
		fresh->site = entries[skip];
		fresh->size = size;
		fresh->allocs = 0;
		fresh->frees = 0;
		spin_lock_irqsave(&gh_prof_lock, flags);
		b = gh_prof_find(stack, size);
		if (!b) {
			hash_add(gh_prof_hash, &fresh->node, gh_prof_key(stack, size));
			gh_prof_nbuckets++;
			b = fresh;
			fresh = NULL;
		}
	}
	b->allocs++;
	spin_unlock_irqrestore(&gh_prof_lock, flags);
	kfree(fresh);
	atomic_long_inc(&gh_prof_samples);
	return b;

dropped:
	atomic_long_inc(&gh_prof_dropped);
	return NULL;
}

/**
 * gh_profile_free() - record the free of a sampled object
 * @b: its bucket
 *
 * Context: any context goheap_free() may be called in.
 */
void gh_profile_free(struct gh_prof_bucket *b)
{
	unsigned long flags;

	spin_lock_irqsave(&gh_prof_lock, flags);
	b->frees++;
	spin_unlock_irqrestore(&gh_prof_lock, flags);
}

/* A bucket as read, with its values scaled (struct gh_pprof_sample's v). */
struct gh_prof_rec {
	depot_stack_handle_t stack;
	unsigned long site;
	u64 size, allocs, frees;
	u64 v[4];
};

/* Scale @r's counts as Go does: by 1 / (1 - exp(-size / rate)). */
static void gh_prof_unbias(struct gh_prof_rec *r, unsigned int rate)
{
	u64 live = r->allocs - r->frees;
	u64 q = GH_ONE_Q32;

	if (rate > 1)
		q = max(gh_prof_sample_prob(div64_u64(r->size << 32, rate)), 1ULL);
	r->v[0] = gh_prof_scale(r->allocs, q);
	r->v[1] = gh_prof_scale(r->allocs * r->size, q);
	r->v[2] = gh_prof_scale(live, q);
	r->v[3] = gh_prof_scale(live * r->size, q);
}

/*
 * Every bucket, copied under the lock (one consistent snapshot) and then
 * scaled. Return: the records (kvfree() them) and their number in @nrec,
 * or NULL if memory is short.
 */
static struct gh_prof_rec *gh_prof_snapshot(unsigned int *nrec)
{
	unsigned int cap, n, bkt, rate = READ_ONCE(gh_prof_scale_rate);
	struct gh_prof_bucket *b;
	struct gh_prof_rec *r;
	unsigned long flags;
	bool fits;

	do {
		cap = READ_ONCE(gh_prof_nbuckets) + 16;
		r = kvmalloc_array(cap, sizeof(*r), GFP_KERNEL);
		if (!r)
			return NULL;
		n = 0;
		spin_lock_irqsave(&gh_prof_lock, flags);
		fits = gh_prof_nbuckets <= cap;
		if (fits) {
			hash_for_each(gh_prof_hash, bkt, b, node) {
				r[n].stack = b->stack;
				r[n].site = b->site;
				r[n].size = b->size;
				r[n].allocs = b->allocs;
				r[n].frees = b->frees;
				n++;
			}
		}
		spin_unlock_irqrestore(&gh_prof_lock, flags);
		if (!fits)
			kvfree(r);
	} while (!fits);
	for (bkt = 0; bkt < n; bkt++)
		gh_prof_unbias(&r[bkt], rate);
	*nrec = n;
	return r;
}

static int gh_prof_cmp_site(const void *a, const void *b)
{
	const struct gh_prof_rec *x = a, *y = b;

	return x->site < y->site ? -1 : x->site > y->site;
}

/* live bytes, descending; then the site, for a stable order */
static int gh_prof_cmp_bytes(const void *a, const void *b)
{
	const struct gh_prof_rec *x = a, *y = b;

	if (x->v[3] != y->v[3])
		return x->v[3] > y->v[3] ? -1 : 1;
	return gh_prof_cmp_site(a, b);
}

static int allocinfo_show(struct seq_file *m, void *v)
{
	struct gh_prof_rec *r;
	unsigned int n, i, k = 0;

	r = gh_prof_snapshot(&n);
	if (!r)
		return -ENOMEM;
	/* one line per call site: the buckets of a site summed */
	sort(r, n, sizeof(*r), gh_prof_cmp_site, NULL);
	for (i = 0; i < n; i++) {
		if (k && r[k - 1].site == r[i].site) {
			r[k - 1].v[2] += r[i].v[2];
			r[k - 1].v[3] += r[i].v[3];
			continue;
		}
		r[k++] = r[i];
	}
	sort(r, k, sizeof(*r), gh_prof_cmp_bytes, NULL);
	seq_puts(m, "allocinfo - version: 1.0\n");
	seq_printf(m, "# goheap profile_rate %u samples %ld dropped %ld\n",
		   READ_ONCE(gh_profile_rate), atomic_long_read(&gh_prof_samples),
		   atomic_long_read(&gh_prof_dropped));
	seq_puts(m, "#     <size>  <calls> <tag info>\n");
	for (i = 0; i < k; i++)
		seq_printf(m, "%12llu %8llu %pS\n", r[i].v[3], r[i].v[2],
			   (void *)r[i].site);
	kvfree(r);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(allocinfo);

struct gh_prof_blob {
	u8 *data;
	size_t len;
};

/* The gzipped profile.proto of a snapshot of the buckets, into @blob. */
static int gh_prof_pprof(struct gh_prof_blob *blob)
{
	struct gh_pprof_sample *s = NULL;
	struct gh_pb pb = {};
	struct gh_prof_rec *r;
	unsigned long *entries;
	unsigned int n, i;
	int ret = -ENOMEM;

	r = gh_prof_snapshot(&n);
	if (!r)
		return -ENOMEM;
	s = kvmalloc_array(n + 1, sizeof(*s), GFP_KERNEL);
	if (!s)
		goto out;
	for (i = 0; i < n; i++) {
		s[i].npcs = stack_depot_fetch(r[i].stack, &entries);
		s[i].pcs = entries;
		s[i].size = r[i].size;
		memcpy(s[i].v, r[i].v, sizeof(s[i].v));
	}
	ret = gh_pprof_heap(s, n, READ_ONCE(gh_prof_scale_rate), &pb);
	if (!ret)
		ret = gh_gzip(pb.buf, pb.len, &blob->data, &blob->len);
	gh_pb_free(&pb);
out:
	kvfree(s);
	kvfree(r);
	return ret;
}

static int heap_pprof_open(struct inode *inode, struct file *file)
{
	struct gh_prof_blob *blob = kzalloc(sizeof(*blob), GFP_KERNEL);
	int ret;

	if (!blob)
		return -ENOMEM;
	ret = gh_prof_pprof(blob);
	if (ret) {
		kfree(blob);
		return ret;
	}
	file->private_data = blob;
	return 0;
}

static ssize_t heap_pprof_read(struct file *file, char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	struct gh_prof_blob *blob = file->private_data;

	return simple_read_from_buffer(ubuf, len, ppos, blob->data, blob->len);
}

static int heap_pprof_release(struct inode *inode, struct file *file)
{
	struct gh_prof_blob *blob = file->private_data;

	kvfree(blob->data);
	kfree(blob);
	return 0;
}

static const struct file_operations heap_pprof_fops = {
	.owner = THIS_MODULE,
	.open = heap_pprof_open,
	.read = heap_pprof_read,
	.release = heap_pprof_release,
	.llseek = default_llseek,
};

/**
 * gh_profile_init() - set up the profile: stack depot, countdowns, files
 * @root: goheap's debugfs directory
 *
 * Before the first allocation: until then every countdown is 0, which
 * would sample each CPU's first request.
 */
void gh_profile_init(struct dentry *root)
{
	if (stack_depot_init())
		pr_warn("no stack depot: allocation profile samples will be dropped\n");
	gh_profile_rearm_all();
	debugfs_create_file("allocinfo", 0400, root, NULL, &allocinfo_fops);
	debugfs_create_file("heap.pprof", 0400, root, NULL, &heap_pprof_fops);
}

/* At unload, after every span is gone: free the buckets. */
void gh_profile_exit(void)
{
	struct gh_prof_bucket *b;
	struct hlist_node *tmp;
	unsigned int bkt;

	hash_for_each_safe(gh_prof_hash, bkt, tmp, b, node) {
		hash_del(&b->node);
		kfree(b);
	}
	gh_prof_nbuckets = 0;
}
