// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the slab-style API. gfp flags goheap refuses or ignores, bulk
 * allocation and free, RCU frees and typed caches, each with its bad input.
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "tests.h"

/* A snapshot of the statistics, kept off the stack (KASAN frames are small). */
static struct goheap_stats *gh_sa_stats(struct kunit *test)
{
	struct goheap_stats *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, st);
	goheap_read_stats(st);
	return st;
}

/* ---- gfp flags ---------------------------------------------------------------- */

static void gh_test_gfp_refused(struct kunit *test)
{
	static const gfp_t refused[] = { __GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM };
	struct goheap_stats *before = gh_sa_stats(test), *after;
	void *ptrs[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		KUNIT_EXPECT_NULL(test, goheap_alloc(64, GFP_KERNEL | refused[i]));
		KUNIT_EXPECT_NULL(test, goheap_alloc(65536, GFP_KERNEL | refused[i]));
		KUNIT_EXPECT_EQ(test, goheap_alloc_bulk(64, GFP_KERNEL | refused[i],
							ARRAY_SIZE(ptrs), ptrs), 0);
	}
	after = gh_sa_stats(test);
	KUNIT_EXPECT_EQ(test, after->bad_gfp - before->bad_gfp, 3 * ARRAY_SIZE(refused));
	KUNIT_EXPECT_EQ(test, after->heap_objects, before->heap_objects);
}

static void gh_test_gfp_ignored(struct kunit *test)
{
	static const gfp_t ignored[] = { __GFP_ACCOUNT, __GFP_RECLAIMABLE, __GFP_COMP };
	struct goheap_stats *before = gh_sa_stats(test), *after;
	static const size_t sizes[] = { 64, 65536 };
	unsigned int i, j;
	void *p;

	for (i = 0; i < ARRAY_SIZE(ignored); i++)
		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			p = goheap_alloc(sizes[j], GFP_KERNEL | ignored[i]);
			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_GE(test, goheap_size(p), sizes[j]);
			gh_test_fill(p, sizes[j], 0x3c);
			goheap_free(p);
		}
	after = gh_sa_stats(test);
	KUNIT_EXPECT_EQ(test, after->bad_gfp, before->bad_gfp);
	KUNIT_EXPECT_EQ(test, after->heap_objects, before->heap_objects);
}

/* ---- bulk ---------------------------------------------------------------------- */

static void **gh_sa_ptrs(struct kunit *test, size_t n)
{
	void **ptrs = kunit_kcalloc(test, n, sizeof(*ptrs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ptrs);
	return ptrs;
}

/* Every object is distinct, usable for @size bytes, and in one piece. */
static void gh_sa_check_objects(struct kunit *test, void **ptrs, size_t n,
				size_t size)
{
	size_t i;

	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_NOT_NULL(test, ptrs[i]);
		KUNIT_EXPECT_GE(test, goheap_size(ptrs[i]), size);
		memset(ptrs[i], (u8)i, size);
	}
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_TRUE(test, gh_test_check(ptrs[i], size, (u8)i));
}

static void gh_test_bulk_alloc_free(struct kunit *test)
{
	static const size_t sizes[] = { 64, 256 }, counts[] = { 1, 16, 128, 1000 };
	struct goheap_stats *before, *after;
	unsigned int s, c;
	void **ptrs = gh_sa_ptrs(test, 1000);

	for (s = 0; s < ARRAY_SIZE(sizes); s++)
		for (c = 0; c < ARRAY_SIZE(counts); c++) {
			before = gh_sa_stats(test);
			KUNIT_ASSERT_EQ(test, goheap_alloc_bulk(sizes[s], GFP_KERNEL,
								counts[c], ptrs),
					(int)counts[c]);
			gh_sa_check_objects(test, ptrs, counts[c], sizes[s]);
			after = gh_sa_stats(test);
			KUNIT_EXPECT_EQ(test, after->mallocs - before->mallocs, counts[c]);
			KUNIT_EXPECT_EQ(test, after->heap_objects - before->heap_objects,
					counts[c]);
			goheap_free_bulk(counts[c], ptrs);
			after = gh_sa_stats(test);
			KUNIT_EXPECT_EQ(test, after->frees - before->frees, counts[c]);
			KUNIT_EXPECT_EQ(test, after->heap_objects, before->heap_objects);
		}
}

/* A bulk allocation empties each span in one go: one refill per span. */
static void gh_test_bulk_refills_per_span(struct kunit *test)
{
	unsigned int nelems = gh_classes[gh_size_to_class(256)].nelems;
	struct goheap_stats *before, *after;
	void **ptrs = gh_sa_ptrs(test, 1024);

	before = gh_sa_stats(test);
	KUNIT_ASSERT_EQ(test, goheap_alloc_bulk(256, GFP_KERNEL, 1024, ptrs), 1024);
	after = gh_sa_stats(test);
	/* spans grow with demand, so there are fewer refills than this */
	KUNIT_EXPECT_LE(test, after->refills - before->refills, 1024 / nelems + 2);
	goheap_free_bulk(1024, ptrs);
}

/* How many distinct spans hold @ptrs[0 .. @n), and the fewest objects of one. */
static unsigned int gh_sa_spans(void **ptrs, size_t n, unsigned int *min_nelems)
{
	struct gh_span *span, *last = NULL;
	unsigned int spans = 0;
	size_t i;

	*min_nelems = UINT_MAX;
	for (i = 0; i < n; i++) {
		span = gh_test_span_of(ptrs[i]);
		if (!span || span == last)
			continue;
		spans++;
		last = span;
		*min_nelems = min_t(unsigned int, *min_nelems, span->nelems);
	}
	return spans;
}

/*
 * A bulk call of more objects than a span of the class holds gets a span
 * that holds them all, so that the next such call on the CPU takes its
 * objects from that one span with no refill. A drain (kswapd's shrinker)
 * may take the span from the cache between two calls: three tries.
 */
static void gh_test_bulk_span_holds_call(struct kunit *test)
{
	static const size_t sizes[] = { 64, 256 };
	const size_t n = 128;
	struct goheap_stats *before, *after;
	void **ptrs = gh_sa_ptrs(test, n);
	unsigned int s, try, spans, nelems, cls;
	bool one_span;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		cls = gh_size_to_class(sizes[s]);
		KUNIT_ASSERT_LT(test, gh_classes[cls].nelems, n);
		KUNIT_EXPECT_EQ(test, gh_span_bulk_objects(cls, gh_classes[cls].nelems), 0);
		KUNIT_EXPECT_GE(test, gh_span_bulk_objects(cls, n), n);
		one_span = false;
		for (try = 0; try < 3 && !one_span; try++) {
			migrate_disable();
			KUNIT_ASSERT_EQ(test, goheap_alloc_bulk(sizes[s], GFP_KERNEL, n, ptrs), n);
			goheap_free_bulk(n, ptrs);
			before = gh_sa_stats(test);
			KUNIT_ASSERT_EQ(test, goheap_alloc_bulk(sizes[s], GFP_KERNEL, n, ptrs), n);
			after = gh_sa_stats(test);
			migrate_enable();
			gh_sa_check_objects(test, ptrs, n, sizes[s]);
			spans = gh_sa_spans(ptrs, n, &nelems);
			one_span = spans == 1 && nelems >= n &&
				   after->refills == before->refills;
			goheap_free_bulk(n, ptrs);
		}
		KUNIT_EXPECT_TRUE_MSG(test, one_span, "size %zu: %u spans, %u objects",
				      sizes[s], spans, nelems);
	}
}

/* A bulk call's span stays within an ordinary arena and the bitmap's size. */
static void gh_test_bulk_span_bounds(struct kunit *test)
{
	const size_t n = 2000;
	unsigned int nelems, cls = gh_size_to_class(256);
	void **ptrs = gh_sa_ptrs(test, n);
	size_t i;

	KUNIT_EXPECT_LE(test, gh_span_bulk_objects(cls, n), GH_MAX_SPAN_OBJECTS);
	KUNIT_ASSERT_EQ(test, goheap_alloc_bulk(256, GFP_KERNEL, n, ptrs), n);
	KUNIT_EXPECT_GT(test, gh_sa_spans(ptrs, n, &nelems), 1);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_LE(test, gh_test_span_of(ptrs[i])->npages,
				1U << gh_arena_order);
	KUNIT_EXPECT_LE(test, nelems, GH_MAX_SPAN_OBJECTS);
	gh_sa_check_objects(test, ptrs, n, 256);
	goheap_free_bulk(n, ptrs);
}

static void gh_test_bulk_sizes_without_class(struct kunit *test)
{
	struct goheap_stats *before = gh_sa_stats(test), *after;
	void *ptrs[3];
	unsigned int i;

	KUNIT_ASSERT_EQ(test, goheap_alloc_bulk(0, GFP_KERNEL, 3, ptrs), 3);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_PTR_EQ(test, ptrs[i], GOHEAP_ZERO_PTR);
	goheap_free_bulk(3, ptrs);
	KUNIT_ASSERT_EQ(test, goheap_alloc_bulk(40000, GFP_KERNEL, 3, ptrs), 3);
	gh_sa_check_objects(test, ptrs, 3, 40000);
	goheap_free_bulk(3, ptrs);
	after = gh_sa_stats(test);
	KUNIT_EXPECT_EQ(test, after->heap_objects, before->heap_objects);
	KUNIT_EXPECT_EQ(test, after->mallocs - before->mallocs, 3);
}

/* When memory runs out part way, nothing stays allocated. */
static void gh_test_bulk_all_or_nothing(struct kunit *test)
{
	size_t n = 4096;
	struct goheap_stats *before, *after;
	void **ptrs = kvcalloc(n, sizeof(*ptrs), GFP_KERNEL);
	void *first;
	int got;

	KUNIT_ASSERT_NOT_NULL(test, ptrs);
	gh_test_settle();
	/* one CPU throughout: the bulk call starts in the span first leaves */
	migrate_disable();
	first = goheap_alloc(4096, GFP_KERNEL);	/* a span with free objects */
	before = gh_sa_stats(test);
	if (!first || gh_test_fail_pages(true)) {
		migrate_enable();
		goheap_free(first);
		kvfree(ptrs);
		KUNIT_ASSERT_NOT_NULL(test, first);
		kunit_skip(test, "fail_page_alloc is not armed for make_it_fail tasks");
	}
	got = goheap_alloc_bulk(4096, GFP_KERNEL | __GFP_NOWARN, n, ptrs);
	gh_test_fail_pages(false);
	migrate_enable();
	after = gh_sa_stats(test);
	KUNIT_EXPECT_EQ(test, got, 0);
	KUNIT_EXPECT_EQ(test, after->heap_objects, before->heap_objects);
	KUNIT_EXPECT_EQ(test, after->mallocs - before->mallocs, after->frees - before->frees);
	KUNIT_EXPECT_GT(test, after->mallocs - before->mallocs, 0);
	if (got)
		goheap_free_bulk(n, ptrs);
	goheap_free(first);
	kvfree(ptrs);
}

static void gh_test_bulk_bad_input(struct kunit *test)
{
	struct goheap_stats *before = gh_sa_stats(test), *after;
	void *ptrs[6], *dead;
	int on_stack;

	KUNIT_EXPECT_EQ(test, goheap_alloc_bulk(64, GFP_KERNEL, 4, NULL), 0);
	KUNIT_EXPECT_EQ(test, goheap_alloc_bulk(64, GFP_KERNEL, (size_t)INT_MAX + 1, ptrs), 0);
	goheap_free_bulk(4, NULL);
	dead = goheap_alloc(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dead);
	goheap_free(dead);
	KUNIT_ASSERT_EQ(test, goheap_alloc_bulk(64, GFP_KERNEL, 3, ptrs), 3);
	/* good ones around a foreign pointer, NULL and a freed object */
	ptrs[5] = ptrs[2];
	ptrs[2] = &on_stack;
	ptrs[3] = NULL;
	ptrs[4] = dead;
	goheap_free_bulk(6, ptrs);
	after = gh_sa_stats(test);
	KUNIT_EXPECT_EQ(test, after->heap_objects, before->heap_objects);
	KUNIT_EXPECT_EQ(test, after->invalid_frees - before->invalid_frees, 1);
	KUNIT_EXPECT_EQ(test, after->double_frees - before->double_frees, 1);
}

/* ---- RCU frees ------------------------------------------------------------------ */

static void gh_test_free_rcu(struct kunit *test)
{
	struct goheap_stats *before, *after;
	void **ptrs = gh_sa_ptrs(test, 300);
	unsigned int i;

	goheap_rcu_barrier();
	before = gh_sa_stats(test);
	KUNIT_ASSERT_EQ(test, goheap_alloc_bulk(96, GFP_KERNEL, 300, ptrs), 300);
	rcu_read_lock();
	for (i = 0; i < 300; i++)
		gh_test_fill(ptrs[i], 96, 0x77);
	rcu_read_unlock();
	for (i = 0; i < 300; i++)
		goheap_free_rcu(ptrs[i]);
	goheap_rcu_barrier();
	after = gh_sa_stats(test);
	KUNIT_EXPECT_EQ(test, after->heap_objects, before->heap_objects);
	/* the objects, and the blocks that carried them */
	KUNIT_EXPECT_GE(test, after->frees - before->frees, 300);
	KUNIT_EXPECT_EQ(test, after->invalid_frees, before->invalid_frees);
	KUNIT_EXPECT_EQ(test, after->double_frees, before->double_frees);
}

struct gh_sa_reader {
	struct completion inside;
	bool leave;
};

/* An RCU reader on another CPU, until told to leave. */
static int gh_sa_reader_fn(void *arg)
{
	struct gh_sa_reader *r = arg;

	rcu_read_lock();
	complete(&r->inside);
	while (!READ_ONCE(r->leave))
		cpu_relax();
	rcu_read_unlock();
	return 0;
}

/* An object freed with goheap_free_rcu() outlives a reader that began first. */
static void gh_test_free_rcu_waits_for_readers(struct kunit *test)
{
	struct gh_sa_reader r = { .leave = false };
	struct task_struct *t;
	void *p;
	int cpu;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	p = goheap_alloc(128, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	init_completion(&r.inside);
	migrate_disable();
	cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	t = kthread_create(gh_sa_reader_fn, &r, "gh_rcu_reader");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, cpu);
	wake_up_process(t);
	wait_for_completion(&r.inside);
	goheap_free_rcu(p);
	msleep(100);	/* past the batch's delay: its call_rcu() is issued */
	KUNIT_EXPECT_EQ(test, gh_live_size(p), 128);
	WRITE_ONCE(r.leave, true);
	migrate_enable();
	goheap_rcu_barrier();
	KUNIT_EXPECT_EQ(test, gh_live_size(p), 0);
}

static void gh_test_free_rcu_bad_input(struct kunit *test)
{
	struct goheap_stats *before = gh_sa_stats(test), *after;
	void *dead = goheap_alloc(64, GFP_KERNEL);
	int on_stack;

	KUNIT_ASSERT_NOT_NULL(test, dead);
	goheap_free(dead);
	goheap_free_rcu(NULL);
	goheap_free_rcu(GOHEAP_ZERO_PTR);
	goheap_free_rcu(&on_stack);
	goheap_free_rcu(dead);
	goheap_rcu_barrier();
	after = gh_sa_stats(test);
	KUNIT_EXPECT_EQ(test, after->invalid_frees - before->invalid_frees, 2);
	KUNIT_EXPECT_EQ(test, after->heap_objects, before->heap_objects);
}

/* ---- typed caches --------------------------------------------------------------- */

struct gh_sa_obj {
	u32 magic;
	u32 uses;
	char pad[88];
};

#define GH_SA_MAGIC	0x600dca5e

static atomic_t gh_sa_ctor_calls = ATOMIC_INIT(0);

static void gh_sa_ctor(void *p)
{
	struct gh_sa_obj *o = p;

	o->magic = GH_SA_MAGIC;
	o->uses = 0;
	atomic_inc(&gh_sa_ctor_calls);
}

static struct goheap_cache *gh_sa_cache(struct kunit *test, const char *name,
					size_t size, size_t align,
					unsigned int flags, void (*ctor)(void *))
{
	struct goheap_cache *c = goheap_cache_create(name, size, align, flags, ctor);

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(c));
	return c;
}

static void gh_test_cache_merged(struct kunit *test)
{
	struct goheap_cache *c = gh_sa_cache(test, "kunit_merged", 100, 0, 0, NULL);
	struct goheap_stats *before = gh_sa_stats(test), *after;
	struct gh_span *span;
	void *p, *q;

	KUNIT_EXPECT_EQ(test, goheap_cache_size(c), 112);
	p = goheap_cache_alloc(c, GFP_KERNEL);
	q = goheap_cache_alloc(c, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, gh_test_check(q, 112, 0));
	rcu_read_lock();
	span = gh_span_of(p);
	KUNIT_EXPECT_EQ(test, span->state, GH_SPAN_SMALL);	/* the class's span */
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, gh_typed_active(c), 2);
	KUNIT_EXPECT_EQ(test, goheap_cache_destroy(c), -EBUSY);	/* reported */
	goheap_cache_free(c, p);
	goheap_cache_free(c, q);
	goheap_cache_free(c, NULL);
	KUNIT_EXPECT_EQ(test, gh_typed_active(c), 0);
	after = gh_sa_stats(test);
	KUNIT_EXPECT_EQ(test, after->heap_objects, before->heap_objects);
	KUNIT_EXPECT_EQ(test, goheap_cache_destroy(c), 0);
}

static void gh_test_cache_alignment(struct kunit *test)
{
	static const struct {
		size_t size, align, objsize, aligned;
		unsigned int flags;
	} cases[] = {
		{ 100, 64, 128, 64, 0 }, { 24, 256, 256, 256, 0 }, { 8, 0, 8, 8, 0 },
		{ 40, 0, 64, L1_CACHE_BYTES, GOHEAP_CACHE_HWCACHE_ALIGN },
		{ 3000, 2048, 4096, 2048, 0 },
		{ 100, 64, 128, 64, GOHEAP_CACHE_NO_MERGE },
	};
	void *objs[20];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct goheap_cache *c = gh_sa_cache(test, "kunit_align", cases[i].size,
						     cases[i].align, cases[i].flags, NULL);

		KUNIT_EXPECT_EQ(test, goheap_cache_size(c), cases[i].objsize);
		for (j = 0; j < ARRAY_SIZE(objs); j++) {
			objs[j] = goheap_cache_alloc(c, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, objs[j]);
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)objs[j],
							   cases[i].aligned));
			memset(objs[j], 0xa5, cases[i].size);
		}
		goheap_cache_free_bulk(c, ARRAY_SIZE(objs), objs);
		KUNIT_EXPECT_EQ(test, gh_typed_active(c), 0);
		KUNIT_EXPECT_EQ(test, goheap_cache_destroy(c), 0);
	}
}

static void gh_test_cache_ctor(struct kunit *test)
{
	struct goheap_cache *c = gh_sa_cache(test, "kunit_ctor", sizeof(struct gh_sa_obj),
					     0, 0, gh_sa_ctor);
	unsigned int nelems = gh_classes[gh_size_to_class(goheap_cache_size(c))].nelems;
	struct gh_sa_obj *o, *again;
	struct gh_span *span;
	int calls, i;

	atomic_set(&gh_sa_ctor_calls, 0);
	o = goheap_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	/* the whole span was constructed when it was populated */
	KUNIT_EXPECT_EQ(test, atomic_read(&gh_sa_ctor_calls), nelems);
	KUNIT_EXPECT_EQ(test, o->magic, GH_SA_MAGIC);
	rcu_read_lock();
	span = gh_span_of(o);
	KUNIT_EXPECT_EQ(test, span->state, GH_SPAN_TYPED);	/* a span of its own */
	rcu_read_unlock();
	o->uses++;
	goheap_cache_free(c, o);
	calls = atomic_read(&gh_sa_ctor_calls);
	again = goheap_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, again);
	/* not constructed again: handed out as it came back */
	KUNIT_EXPECT_EQ(test, atomic_read(&gh_sa_ctor_calls), calls);
	KUNIT_EXPECT_EQ(test, again->magic, GH_SA_MAGIC);
	/* __GFP_ZERO would undo the constructor: refused */
	KUNIT_EXPECT_NULL(test, goheap_cache_alloc(c, GFP_KERNEL | __GFP_ZERO));
	KUNIT_EXPECT_EQ(test, gh_typed_active(c), 1);
	/* goheap_free() takes a typed object too, and the cache sees it */
	goheap_free(again);
	KUNIT_EXPECT_EQ(test, gh_typed_active(c), 0);
	/* the emptied span is kept: alloc/free in turn builds no new span */
	for (i = 0; i < 100; i++) {
		again = goheap_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, again);
		goheap_cache_free(c, again);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&gh_sa_ctor_calls), calls);
	KUNIT_EXPECT_EQ(test, goheap_cache_destroy(c), 0);
}

/*
 * A typesafe cache's span keeps its pages for a grace period after it
 * empties. GH_CENTRAL_SPARES + 1 spans: the first to empty are kept as the
 * cache's spares, the last goes back to the page heap, after a grace period.
 */
static void gh_test_cache_typesafe_by_rcu(struct kunit *test)
{
	struct goheap_cache *c = gh_sa_cache(test, "kunit_rcu", 512, 0,
					     GOHEAP_CACHE_TYPESAFE_BY_RCU, NULL);
	unsigned int i, n = (GH_CENTRAL_SPARES + 1) *
			    gh_classes[gh_size_to_class(512)].nelems;
	void **objs = gh_sa_ptrs(test, n);
	struct gh_span *span, *second;
	bool mapped;
	void *p;

	for (i = 0; i < n; i++) {
		objs[i] = goheap_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		memset(objs[i], 0x42, 512);
	}
	p = objs[n - 1];
	second = gh_test_span_of(p);
	for (i = 0; i < n - 1; i++)
		if (gh_test_span_of(objs[i]) != second)
			goheap_cache_free(c, objs[i]);
	for (i = 0; i < n - 1; i++)
		if (gh_test_span_of(objs[i]) == second)
			goheap_cache_free(c, objs[i]);
	rcu_read_lock();
	goheap_cache_free(c, p);	/* the second span's last object */
	span = gh_span_of(p);
	mapped = span == second && READ_ONCE(span->state) == GH_SPAN_DEAD;
	/* still memory of the type: a reader may look at it */
	KUNIT_EXPECT_TRUE(test, gh_test_check(p, 512, 0x42));
	rcu_read_unlock();
	KUNIT_EXPECT_TRUE(test, mapped);
	KUNIT_EXPECT_EQ(test, goheap_cache_destroy(c), 0);	/* waits for the spans */
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, gh_span_of(p));
	rcu_read_unlock();
}

static void gh_test_cache_wrong_cache(struct kunit *test)
{
	struct goheap_cache *own = gh_sa_cache(test, "kunit_own", 64, 0,
					       GOHEAP_CACHE_NO_MERGE, NULL);
	struct goheap_cache *merged = gh_sa_cache(test, "kunit_m256", 256, 0, 0, NULL);
	void *keep = goheap_cache_alloc(own, GFP_KERNEL);	/* keeps a's span */
	void *a = goheap_cache_alloc(own, GFP_KERNEL);
	void *b = goheap_cache_alloc(merged, GFP_KERNEL);
	void *k = goheap_alloc(1000, GFP_KERNEL);
	void *big = goheap_alloc(65536, GFP_KERNEL);
	struct goheap_stats *before = gh_sa_stats(test), *after;

	KUNIT_ASSERT_NOT_NULL(test, keep);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_ASSERT_NOT_NULL(test, big);
	goheap_cache_free(merged, a);	/* own cache's object */
	goheap_cache_free(own, b);	/* merged cache's object */
	goheap_cache_free(merged, k);	/* another class */
	goheap_cache_free(own, big);	/* a large object */
	after = gh_sa_stats(test);
	KUNIT_EXPECT_EQ(test, after->invalid_frees - before->invalid_frees, 4);
	KUNIT_EXPECT_EQ(test, after->heap_objects, before->heap_objects);
	/* nothing was lost: every object is still live and freeable */
	KUNIT_EXPECT_EQ(test, goheap_size(a), 64);
	KUNIT_EXPECT_EQ(test, goheap_size(b), 256);
	goheap_cache_free(own, a);
	goheap_cache_free(merged, b);
	goheap_free(k);
	goheap_free(big);
	goheap_cache_free(own, a);	/* and a double free to the right cache */
	after = gh_sa_stats(test);
	KUNIT_EXPECT_EQ(test, after->double_frees - before->double_frees, 1);
	KUNIT_EXPECT_EQ(test, before->heap_objects - after->heap_objects, 4);
	goheap_cache_free(own, keep);
	KUNIT_EXPECT_EQ(test, gh_typed_active(own), 0);
	KUNIT_EXPECT_EQ(test, goheap_cache_destroy(own), 0);
	KUNIT_EXPECT_EQ(test, goheap_cache_destroy(merged), 0);
}

static void gh_test_cache_bad_create(struct kunit *test)
{
	static const struct { const char *name; size_t size, align; unsigned int flags; } bad[] = {
		{ NULL, 64, 0, 0 }, { "z", 0, 0, 0 },
		{ "big", GOHEAP_MAX_SMALL_SIZE + 1, 0, 0 }, { "a3", 64, 3, 0 },
		{ "a8k", 64, 2 * PAGE_SIZE, 0 }, { "flags", 64, 0, 0x100 },
		{ "", 64, 0, 0 }, { "two words", 64, 0, 0 }, { "quo\"te", 64, 0, 0 },
		{ "a_name_that_is_longer_than_sixty_four_characters_is_refused_here_", 64, 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_PTR_EQ(test, goheap_cache_create(bad[i].name, bad[i].size,
							      bad[i].align, bad[i].flags, NULL),
				    ERR_PTR(-EINVAL));
}

static void gh_test_cache_destroy(struct kunit *test)
{
	struct goheap_cache *c = gh_sa_cache(test, "kunit_destroy", 200, 0,
					     GOHEAP_CACHE_NO_MERGE, NULL);
	void *p = goheap_cache_alloc(c, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	/* live objects: reported, the cache and its object stay usable */
	KUNIT_EXPECT_EQ(test, goheap_cache_destroy(c), -EBUSY);
	memset(p, 1, 200);
	goheap_cache_free(c, p);
	KUNIT_EXPECT_EQ(test, goheap_cache_destroy(c), 0);
	/* a second destroy: reported, nothing touched */
	KUNIT_EXPECT_EQ(test, goheap_cache_destroy(c), -EINVAL);
	KUNIT_EXPECT_EQ(test, goheap_cache_destroy(NULL), 0);
}

static void gh_test_cache_bulk(struct kunit *test)
{
	static const unsigned int flags[] = { 0, GOHEAP_CACHE_NO_MERGE };
	struct goheap_stats *before = gh_sa_stats(test), *after;
	void **ptrs = gh_sa_ptrs(test, 200);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		struct goheap_cache *c = gh_sa_cache(test, "kunit_bulk", 48, 0, flags[i], NULL);

		KUNIT_ASSERT_EQ(test, goheap_cache_alloc_bulk(c, GFP_KERNEL, 200, ptrs), 200);
		gh_sa_check_objects(test, ptrs, 200, 48);
		KUNIT_EXPECT_EQ(test, gh_typed_active(c), 200);
		KUNIT_EXPECT_EQ(test, goheap_cache_alloc_bulk(c, GFP_KERNEL, 4, NULL), 0);
		goheap_cache_free_bulk(c, 200, ptrs);
		KUNIT_EXPECT_EQ(test, gh_typed_active(c), 0);
		KUNIT_EXPECT_EQ(test, goheap_cache_destroy(c), 0);
	}
	after = gh_sa_stats(test);
	KUNIT_EXPECT_EQ(test, after->heap_objects, before->heap_objects);
}

/* ---- NUMA nodes ----------------------------------------------------------------- */

/* @p lies on node @nid, and its span serves that node. */
static void gh_sa_expect_node(struct kunit *test, void *p, int nid)
{
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, gh_test_span_of(p)->nid, nid);
	if (node_state(nid, N_MEMORY))
		KUNIT_EXPECT_EQ(test, page_to_nid(virt_to_page(p)), nid);
}

static void gh_test_alloc_node(struct kunit *test)
{
	struct goheap_cache *merged = gh_sa_cache(test, "kunit_node_m", 64, 0, 0, NULL);
	struct goheap_cache *own = gh_sa_cache(test, "kunit_node_o", 64, 0,
					       GOHEAP_CACHE_NO_MERGE, NULL);
	struct goheap_stats *before = gh_sa_stats(test), *after;
	void *p[4];
	int nid, i;

	for_each_online_node(nid) {
		p[0] = goheap_alloc_node(64, GFP_KERNEL, nid);
		p[1] = goheap_alloc_node(65536, GFP_KERNEL, nid);
		p[2] = goheap_cache_alloc_node(merged, GFP_KERNEL, nid);
		p[3] = goheap_cache_alloc_node(own, GFP_KERNEL, nid);
		for (i = 0; i < 4; i++)
			gh_sa_expect_node(test, p[i], nid);
		goheap_free(p[0]);
		goheap_free(p[1]);
		goheap_cache_free(merged, p[2]);
		goheap_cache_free(own, p[3]);
	}
	p[0] = goheap_alloc_node(64, GFP_KERNEL, NUMA_NO_NODE);
	KUNIT_EXPECT_NOT_NULL(test, p[0]);
	goheap_free(p[0]);
	after = gh_sa_stats(test);
	KUNIT_EXPECT_EQ(test, after->heap_objects, before->heap_objects);
	KUNIT_EXPECT_EQ(test, goheap_cache_destroy(merged), 0);
	KUNIT_EXPECT_EQ(test, goheap_cache_destroy(own), 0);
}

static void gh_test_alloc_node_bad_input(struct kunit *test)
{
	static const int bad[] = { -5, MAX_NUMNODES, INT_MAX };
	struct goheap_stats *before = gh_sa_stats(test), *after;
	unsigned int i;
	int nid;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_NULL(test, goheap_alloc_node(64, GFP_KERNEL, bad[i]));
	/* a possible node id that is not online, if there is one */
	for (nid = 0; nid < MAX_NUMNODES && node_online(nid); nid++)
		;
	if (nid < MAX_NUMNODES)
		KUNIT_EXPECT_NULL(test, goheap_alloc_node(64, GFP_KERNEL, nid));
	KUNIT_EXPECT_NULL(test, goheap_alloc_node(64, GFP_KERNEL | __GFP_DMA, 0));
	after = gh_sa_stats(test);
	KUNIT_EXPECT_EQ(test, after->heap_objects, before->heap_objects);
	KUNIT_EXPECT_EQ(test, after->bad_gfp - before->bad_gfp, 1);
}

static struct kunit_case gh_slab_api_cases[] = {
	KUNIT_CASE(gh_test_gfp_refused),
	KUNIT_CASE(gh_test_gfp_ignored),
	KUNIT_CASE(gh_test_bulk_alloc_free),
	KUNIT_CASE(gh_test_bulk_refills_per_span),
	KUNIT_CASE(gh_test_bulk_span_holds_call),
	KUNIT_CASE(gh_test_bulk_span_bounds),
	KUNIT_CASE(gh_test_bulk_sizes_without_class),
	KUNIT_CASE(gh_test_bulk_all_or_nothing),
	KUNIT_CASE(gh_test_bulk_bad_input),
	KUNIT_CASE(gh_test_free_rcu),
	KUNIT_CASE(gh_test_free_rcu_waits_for_readers),
	KUNIT_CASE(gh_test_free_rcu_bad_input),
	KUNIT_CASE(gh_test_cache_merged),
	KUNIT_CASE(gh_test_cache_alignment),
	KUNIT_CASE(gh_test_cache_ctor),
	KUNIT_CASE(gh_test_cache_typesafe_by_rcu),
	KUNIT_CASE(gh_test_cache_wrong_cache),
	KUNIT_CASE(gh_test_cache_bad_create),
	KUNIT_CASE(gh_test_cache_destroy),
	KUNIT_CASE(gh_test_cache_bulk),
	KUNIT_CASE(gh_test_alloc_node),
	KUNIT_CASE(gh_test_alloc_node_bad_input),
	{}
};

struct kunit_suite gh_slab_api_suite = {
	.name = "goheap_slab_api",
	.test_cases = gh_slab_api_cases,
};
