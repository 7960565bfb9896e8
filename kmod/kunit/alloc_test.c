// SPDX-License-Identifier: GPL-2.0
/* KUnit: the exported allocation API on good input (bad input: badinput_test.c). */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>

#include "tests.h"

#define GH_TEST_NEIGHBOURS	8

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

/*
 * Atomic context as each kernel has it: interrupts off on non-RT; on
 * PREEMPT_RT, where no allocator may be called with interrupts off, under
 * a spinlock_t, which is what atomic callers hold there.
 */
static void gh_test_atomic_context(struct kunit *test)
{
	static DEFINE_SPINLOCK(lock);
	unsigned long flags;
	void *p, *q;

	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		spin_lock_irqsave(&lock, flags);
	else
		local_irq_save(flags);
	p = goheap_alloc(200, GFP_ATOMIC);
	q = goheap_alloc(50000, GFP_NOWAIT);
	goheap_free(p);
	goheap_free(q);
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		spin_unlock_irqrestore(&lock, flags);
	else
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

/*
 * __GFP_NOFAIL never fails and never asks the page allocator for a block
 * above order 1 with the flag (it warns then: the log check catches it).
 * Enough small objects to need a new arena, and large objects of order 4
 * and of the largest arena order, all with __GFP_NOFAIL.
 */
static void gh_test_nofail(struct kunit *test)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_NOFAIL;
	unsigned int i, n = 0, max = 3 * GH_GRANULE_PAGES * PAGE_SIZE / 64;
	void **objs = kvcalloc(max, sizeof(*objs), GFP_KERNEL);
	struct gh_heap_stats before, now;
	void *big, *huge;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	gh_test_settle();
	gh_heap_read_stats(&before);
	do {
		objs[n] = goheap_alloc(64, gfp);
		KUNIT_ASSERT_NOT_NULL(test, objs[n]);
		gh_heap_read_stats(&now);
	} while (++n < max && now.arenas <= before.arenas);
	KUNIT_EXPECT_GT(test, now.arenas, before.arenas);
	big = goheap_alloc(16 * PAGE_SIZE, gfp);
	huge = goheap_alloc(goheap_max_size(), gfp);
	KUNIT_EXPECT_NOT_NULL(test, big);
	KUNIT_EXPECT_NOT_NULL(test, huge);
	goheap_free(big);
	goheap_free(huge);
	for (i = 0; i < n; i++)
		goheap_free(objs[i]);
	kvfree(objs);
	gh_test_settle();
}

static struct kunit_case gh_alloc_cases[] = {
	KUNIT_CASE(gh_test_every_class),
	KUNIT_CASE(gh_test_large_sizes),
	KUNIT_CASE(gh_test_zeroing),
	KUNIT_CASE(gh_test_zero_size),
	KUNIT_CASE(gh_test_atomic_context),
	KUNIT_CASE(gh_test_realloc),
	KUNIT_CASE(gh_test_nofail),
	{}
};

struct kunit_suite gh_alloc_suite = {
	.name = "goheap_alloc",
	.test_cases = gh_alloc_cases,
};
