// SPDX-License-Identifier: GPL-2.0
/* KUnit: the exported allocation API, and every kind of bad input. */
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>

#include "tests.h"

#define GH_TEST_NEIGHBOURS	8

static void gh_test_fill(void *p, size_t size, u8 seed)
{
	memset(p, seed, size);
}

static bool gh_test_check(const void *p, size_t size, u8 seed)
{
	return !memchr_inv(p, seed, size);
}

/* Sizes to try: every class size, one byte more than the previous class. */
static size_t gh_test_size(unsigned int cls, bool exact)
{
	if (exact || cls == 1)
		return gh_classes[cls].size;
	return gh_classes[cls - 1].size + 1;
}

static void gh_test_one_size(struct kunit *test, size_t size, size_t max_usable)
{
	void *objs[GH_TEST_NEIGHBOURS];
	unsigned int i;

	for (i = 0; i < GH_TEST_NEIGHBOURS; i++) {
		objs[i] = goheap_alloc(size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)objs[i], 8));
		if (is_power_of_2(size))
			KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)objs[i], size),
					      "size %zu", size);
		KUNIT_EXPECT_GE(test, goheap_size(objs[i]), size);
		KUNIT_EXPECT_LE(test, goheap_size(objs[i]), max_usable);
		gh_test_fill(objs[i], goheap_size(objs[i]), 0x40 + i);
	}
	for (i = 0; i < GH_TEST_NEIGHBOURS; i++) {
		KUNIT_EXPECT_TRUE_MSG(test, gh_test_check(objs[i], goheap_size(objs[i]),
							  0x40 + i), "size %zu", size);
		goheap_free(objs[i]);
	}
}

static void gh_test_every_class(struct kunit *test)
{
	unsigned int cls;

	for (cls = 1; cls < GH_NUM_CLASSES; cls++) {
		gh_test_one_size(test, gh_test_size(cls, true), gh_classes[cls].size);
		gh_test_one_size(test, gh_test_size(cls, false), gh_classes[cls].size);
	}
}

static void gh_test_large_sizes(struct kunit *test)
{
	static const size_t sizes[] = {
		GH_MAX_SMALL_SIZE + 1, 65536, 100000, 1 << 20, 3 << 20,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		gh_test_one_size(test, sizes[i], PAGE_ALIGN(sizes[i]));
	gh_test_one_size(test, goheap_max_size(), goheap_max_size());
}

static void gh_test_zeroing(struct kunit *test)
{
	static const size_t sizes[] = { 8, 24, 100, 1000, 4096, 20000, 70000 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		/* dirty an object, free it, and ask again with __GFP_ZERO */
		void *p = goheap_alloc(sizes[i], GFP_KERNEL), *q;

		KUNIT_ASSERT_NOT_NULL(test, p);
		memset(p, 0xa5, goheap_size(p));
		goheap_free(p);
		q = goheap_zalloc(sizes[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, q);
		KUNIT_EXPECT_TRUE(test, gh_test_check(q, goheap_size(q), 0));
		goheap_free(q);
	}
}

static void gh_test_zero_size(struct kunit *test)
{
	void *p = goheap_alloc(0, GFP_KERNEL);

	KUNIT_EXPECT_PTR_EQ(test, p, GOHEAP_ZERO_PTR);
	KUNIT_EXPECT_PTR_EQ(test, goheap_alloc(0, GFP_ATOMIC), p);
	KUNIT_EXPECT_EQ(test, goheap_size(p), (size_t)0);
	goheap_free(p);
	goheap_free(NULL);
}

static void gh_test_atomic_context(struct kunit *test)
{
	unsigned long flags;
	void *p, *q;

	local_irq_save(flags);
	p = goheap_alloc(200, GFP_ATOMIC);
	q = goheap_alloc(50000, GFP_NOWAIT);
	goheap_free(p);
	goheap_free(q);
	local_irq_restore(flags);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_NOT_NULL(test, q);
}

static void gh_test_realloc(struct kunit *test)
{
	void *p = goheap_realloc(NULL, 20, GFP_KERNEL), *q;

	KUNIT_ASSERT_NOT_NULL(test, p);
	gh_test_fill(p, 20, 0x11);
	/* grows within its class: stays */
	KUNIT_EXPECT_PTR_EQ(test, goheap_realloc(p, 24, GFP_KERNEL), p);
	q = goheap_realloc(p, 5000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_TRUE(test, gh_test_check(q, 20, 0x11));
	p = goheap_realloc(q, 100000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, gh_test_check(p, 20, 0x11));
	KUNIT_EXPECT_PTR_EQ(test, goheap_realloc(p, 0, GFP_KERNEL), GOHEAP_ZERO_PTR);
}

static struct kunit_case gh_alloc_cases[] = {
	KUNIT_CASE(gh_test_every_class),
	KUNIT_CASE(gh_test_large_sizes),
	KUNIT_CASE(gh_test_zeroing),
	KUNIT_CASE(gh_test_zero_size),
	KUNIT_CASE(gh_test_atomic_context),
	KUNIT_CASE(gh_test_realloc),
	{}
};

struct kunit_suite gh_alloc_suite = {
	.name = "goheap_alloc",
	.test_cases = gh_alloc_cases,
};

/* ---- bad input --------------------------------------------------------- */

struct gh_bad_ctx {
	struct goheap_stats before;
	struct kunit *test;
};

static void gh_bad_begin(struct kunit *test, struct gh_bad_ctx *ctx)
{
	ctx->test = test;
	goheap_read_stats(&ctx->before);
}

/* Exactly the expected counters moved, and no object count changed. */
static void gh_bad_end(struct gh_bad_ctx *ctx, u64 invalid, u64 dbl, u64 oversize)
{
	struct goheap_stats now;

	goheap_read_stats(&now);
	KUNIT_EXPECT_EQ(ctx->test, now.invalid_frees - ctx->before.invalid_frees, invalid);
	KUNIT_EXPECT_EQ(ctx->test, now.double_frees - ctx->before.double_frees, dbl);
	KUNIT_EXPECT_EQ(ctx->test, now.oversize - ctx->before.oversize, oversize);
	KUNIT_EXPECT_EQ(ctx->test, now.heap_objects, ctx->before.heap_objects);
}

/* A victim object next to the bad operation must come through intact. */
static void *gh_victim(struct kunit *test, size_t size)
{
	void *v = goheap_alloc(size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, v);
	gh_test_fill(v, size, 0x5a);
	return v;
}

static void gh_victim_check(struct kunit *test, void *v, size_t size)
{
	KUNIT_EXPECT_TRUE(test, gh_test_check(v, size, 0x5a));
	goheap_free(v);
}

static void gh_test_bad_sizes(struct kunit *test)
{
	struct gh_bad_ctx ctx;

	gh_bad_begin(test, &ctx);
	KUNIT_EXPECT_NULL(test, goheap_alloc(SIZE_MAX, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, goheap_alloc(goheap_max_size() + 1, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, goheap_alloc_array(SIZE_MAX / 2, 4, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, goheap_realloc(NULL, SIZE_MAX, GFP_KERNEL));
	gh_bad_end(&ctx, 0, 0, 4);
}

static void gh_test_free_null_and_zero(struct kunit *test)
{
	struct gh_bad_ctx ctx;

	gh_bad_begin(test, &ctx);
	goheap_free(NULL);
	goheap_free(GOHEAP_ZERO_PTR);
	gh_bad_end(&ctx, 0, 0, 0);
}

/*
 * A freed large object's pages are free arena pages, in no span: its second
 * free is counted as an invalid free, the first two sizes' as double frees.
 */
static void gh_test_double_free_same_cpu(struct kunit *test)
{
	static const size_t sizes[] = { 16, 1000, 40000 };
	struct gh_bad_ctx ctx;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *v = gh_victim(test, sizes[i]);
		void *p = goheap_alloc(sizes[i], GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, p);
		goheap_free(p);
		gh_bad_begin(test, &ctx);
		goheap_free(p);
		if (sizes[i] > GOHEAP_MAX_SMALL_SIZE)
			gh_bad_end(&ctx, 1, 0, 0);
		else
			gh_bad_end(&ctx, 0, 1, 0);
		gh_victim_check(test, v, sizes[i]);
	}
}

static void gh_free_ipi(void *p)
{
	goheap_free(p);
}

static void gh_test_double_free_across_cpus(struct kunit *test)
{
	struct gh_bad_ctx ctx;
	int other, me;
	void *p, *v;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	v = gh_victim(test, 64);
	me = get_cpu();
	other = cpumask_any_but(cpu_online_mask, me);
	p = goheap_alloc(64, GFP_ATOMIC);
	put_cpu();
	KUNIT_ASSERT_NOT_NULL(test, p);
	/* freed from the other CPU (a remote free), then again */
	smp_call_function_single(other, gh_free_ipi, p, 1);
	gh_bad_begin(test, &ctx);
	smp_call_function_single(other, gh_free_ipi, p, 1);
	goheap_free(p);
	gh_bad_end(&ctx, 0, 2, 0);
	gh_victim_check(test, v, 64);
}

static void gh_test_free_foreign(struct kunit *test)
{
	void *km = kmalloc(64, GFP_KERNEL);
	void *vm = vmalloc(PAGE_SIZE);
	void *v = gh_victim(test, 64);
	struct gh_bad_ctx ctx;
	int on_stack = 0;

	KUNIT_ASSERT_NOT_NULL(test, km);
	KUNIT_ASSERT_NOT_NULL(test, vm);
	gh_bad_begin(test, &ctx);
	goheap_free(km);
	goheap_free(vm);
	goheap_free(&on_stack);
	goheap_free((void *)0xdead000000000000UL);
	gh_bad_end(&ctx, 4, 0, 0);
	kfree(km);
	vfree(vm);
	gh_victim_check(test, v, 64);
}

static void gh_test_free_interior(struct kunit *test)
{
	void *small = goheap_alloc(128, GFP_KERNEL);
	void *large = goheap_alloc(100000, GFP_KERNEL);
	struct gh_bad_ctx ctx;

	KUNIT_ASSERT_NOT_NULL(test, small);
	KUNIT_ASSERT_NOT_NULL(test, large);
	gh_test_fill(small, 128, 0x5a);
	gh_test_fill(large, 100000, 0x5a);
	gh_bad_begin(test, &ctx);
	goheap_free(small + 8);
	goheap_free(large + PAGE_SIZE);
	goheap_free(large + 1);
	gh_bad_end(&ctx, 3, 0, 0);
	gh_victim_check(test, small, 128);
	gh_victim_check(test, large, 100000);
}

static void gh_test_free_unallocated(struct kunit *test)
{
	void *v = gh_victim(test, 512);
	struct gh_bad_ctx ctx;
	struct gh_span *span;
	void *never;

	/* an arena page in no span */
	void *large = goheap_alloc(100000, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, large);
	goheap_free(large);
	/* a slot of a live span that was never handed out */
	rcu_read_lock();
	span = gh_span_of(v);
	KUNIT_ASSERT_NOT_NULL(test, span);
	never = span->base + (span->nelems - 1) * span->size;
	if (never == v)
		never = span->base;
	rcu_read_unlock();
	if (goheap_size(never) && !test_bit((never - span->base) / span->size,
					     gh_span_alloc_bits(span))) {
		gh_bad_begin(test, &ctx);
		goheap_free(never);
		gh_bad_end(&ctx, 0, 1, 0);
	}
	gh_bad_begin(test, &ctx);
	goheap_free(large + 2 * PAGE_SIZE);
	gh_bad_end(&ctx, 1, 0, 0);
	gh_victim_check(test, v, 512);
}

static void gh_test_realloc_foreign(struct kunit *test)
{
	void *km = kmalloc(32, GFP_KERNEL);
	struct gh_bad_ctx ctx;

	KUNIT_ASSERT_NOT_NULL(test, km);
	gh_test_fill(km, 32, 0x77);
	gh_bad_begin(test, &ctx);
	KUNIT_EXPECT_NULL(test, goheap_realloc(km, 64, GFP_KERNEL));
	gh_bad_end(&ctx, 1, 0, 0);
	KUNIT_EXPECT_TRUE(test, gh_test_check(km, 32, 0x77));
	kfree(km);
}

static struct kunit_case gh_badinput_cases[] = {
	KUNIT_CASE(gh_test_bad_sizes),
	KUNIT_CASE(gh_test_free_null_and_zero),
	KUNIT_CASE(gh_test_double_free_same_cpu),
	KUNIT_CASE(gh_test_double_free_across_cpus),
	KUNIT_CASE(gh_test_free_foreign),
	KUNIT_CASE(gh_test_free_interior),
	KUNIT_CASE(gh_test_free_unallocated),
	KUNIT_CASE(gh_test_realloc_foreign),
	{}
};

struct kunit_suite gh_badinput_suite = {
	.name = "goheap_badinput",
	.test_cases = gh_badinput_cases,
};
