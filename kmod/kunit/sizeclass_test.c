// SPDX-License-Identifier: GPL-2.0
/* KUnit: the size-class table and size -> class lookup. */
#include <linux/math64.h>
#include <linux/sizes.h>

#include "tests.h"

static void gh_test_every_size_maps_to_smallest_fit(struct kunit *test)
{
	size_t size;

	KUNIT_EXPECT_EQ(test, gh_size_to_class(0), 0U);
	for (size = 1; size <= GH_MAX_SMALL_SIZE; size++) {
		unsigned int cls = gh_size_to_class(size);

		KUNIT_ASSERT_GE(test, cls, 1U);
		KUNIT_ASSERT_LT(test, cls, (unsigned int)GH_NUM_CLASSES);
		KUNIT_ASSERT_GE_MSG(test, (size_t)gh_classes[cls].size, size,
				    "size %zu", size);
		if (cls > 1)
			KUNIT_ASSERT_LT_MSG(test, (size_t)gh_classes[cls - 1].size,
					    size, "size %zu", size);
	}
	KUNIT_EXPECT_EQ(test, gh_size_to_class(GH_MAX_SMALL_SIZE + 1), 0U);
}

static void gh_test_tail_waste_bounded(struct kunit *test)
{
	unsigned int cls;

	for (cls = 1; cls < GH_NUM_CLASSES; cls++) {
		const struct gh_class_info *c = &gh_classes[cls];
		unsigned long span = (unsigned long)c->npages * PAGE_SIZE;

		KUNIT_EXPECT_EQ(test, (unsigned long)c->nelems * c->size + c->tail, span);
		KUNIT_EXPECT_LE_MSG(test, (unsigned long)c->tail * 8, span,
				    "class %u", cls);
		KUNIT_EXPECT_LE(test, (unsigned int)c->nelems, GH_MAX_SPAN_OBJECTS);
		/* refills are rare: 4 objects a span, or a 16 KiB span */
		KUNIT_EXPECT_TRUE_MSG(test, c->nelems >= 4 || span >= SZ_16K,
				      "class %u", cls);
		KUNIT_EXPECT_EQ(test, c->size % 8, 0U);
		if (cls > 1)
			KUNIT_EXPECT_GT(test, c->size, gh_classes[cls - 1].size);
	}
}

/*
 * Every slot of every span a class may have: its table span, and the
 * grown ones span.c allows (up to GH_MAX_SPAN_OBJECTS objects and
 * 2^32 / size bytes).
 */
static void gh_test_divmagic_exact(struct kunit *test)
{
	unsigned int cls, i, slots;

	for (cls = 1; cls < GH_NUM_CLASSES; cls++) {
		const struct gh_class_info *c = &gh_classes[cls];
		/* the index the allocator computes, from the span's own magic */
		const struct gh_span span = { .divmagic = c->divmagic };

		slots = min_t(u64, GH_MAX_SPAN_OBJECTS,
			      div_u64(1ULL << 32, (u64)c->size * c->size));
		slots = max_t(unsigned int, slots, c->nelems);
		for (i = 0; i < slots; i++) {
			unsigned long first = (unsigned long)i * c->size;

			KUNIT_ASSERT_EQ(test, gh_span_index(&span, first), i);
			KUNIT_ASSERT_EQ(test, gh_span_index(&span, first + c->size - 1), i);
		}
	}
}

/* Documentation/goheap.rst: 61 classes, 8 bytes to 32 KiB. */
static void gh_test_table_as_documented(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, GH_NUM_CLASSES - 1, 61);
	KUNIT_EXPECT_EQ(test, gh_classes[1].size, 8U);
	KUNIT_EXPECT_EQ(test, gh_classes[GH_NUM_CLASSES - 1].size, 32768U);
	KUNIT_EXPECT_EQ(test, GH_MAX_SMALL_SIZE, GOHEAP_MAX_SMALL_SIZE);
}

static struct kunit_case gh_sizeclass_cases[] = {
	KUNIT_CASE(gh_test_every_size_maps_to_smallest_fit),
	KUNIT_CASE(gh_test_tail_waste_bounded),
	KUNIT_CASE(gh_test_divmagic_exact),
	KUNIT_CASE(gh_test_table_as_documented),
	{}
};

struct kunit_suite gh_sizeclass_suite = {
	.name = "goheap_sizeclass",
	.test_cases = gh_sizeclass_cases,
};
