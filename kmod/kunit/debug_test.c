// SPDX-License-Identifier: GPL-2.0
/*
 * goheap_debug: what debug mode's parameter accepts, and what it asks the
 * size classes for. Debug mode itself is chosen at load, so its checks run
 * in make check's debug boots (selftests/tests/debug.sh), where every
 * object carries a trailer; this suite runs in the ordinary boot.
 */
#include <kunit/test.h>

#include "../debug.h"
#include "tests.h"

static void gh_test_debug_parse_good(struct kunit *test)
{
	static const struct {
		const char *s;
		unsigned int flags;
	} good[] = {
		{ "", 0 }, { "0", 0 }, { "0\n", 0 },
		{ "1", GH_DEBUG_ALL }, { "all", GH_DEBUG_ALL }, { "all\n", GH_DEBUG_ALL },
		{ "Z", GH_DEBUG_REDZONE }, { "P", GH_DEBUG_POISON },
		{ "U", GH_DEBUG_TRACK }, { "K", GH_DEBUG_LEAK },
		{ "ZP", GH_DEBUG_REDZONE | GH_DEBUG_POISON },
		{ "KUPZ\n", GH_DEBUG_ALL }, { "ZZ", GH_DEBUG_REDZONE },
	};
	unsigned int i, flags;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		flags = ~0U;
		KUNIT_EXPECT_EQ_MSG(test, gh_debug_parse(good[i].s, &flags), 0,
				    "'%s'", good[i].s);
		KUNIT_EXPECT_EQ_MSG(test, flags, good[i].flags, "'%s'", good[i].s);
	}
}

/* Refused, and the flags are left as they were. */
static void gh_test_debug_parse_bad(struct kunit *test)
{
	static const char * const bad[] = {
		"z", "X", "Z P", " Z", "ZPX", "2", "al", "Z\nP", "-1", "ZP\n\n",
	};
	unsigned int i, flags;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		flags = 0x5a5a;
		KUNIT_EXPECT_EQ_MSG(test, gh_debug_parse(bad[i], &flags), -EINVAL,
				    "'%s'", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, flags, 0x5a5a, "'%s'", bad[i]);
	}
}

/* Room for the trailer (and the red zone), and no wrap near SIZE_MAX. */
static void gh_test_debug_slot_request(struct kunit *test)
{
	size_t extra = sizeof(struct gh_debug_track) +
		       (gh_debug_flags & GH_DEBUG_REDZONE ? 8 : 0);

	KUNIT_EXPECT_EQ(test, gh_debug_slot_request(1), 1 + extra);
	KUNIT_EXPECT_EQ(test, gh_debug_slot_request(100), 100 + extra);
	KUNIT_EXPECT_EQ(test, gh_debug_slot_request(SIZE_MAX - extra), SIZE_MAX);
	KUNIT_EXPECT_EQ(test, gh_debug_slot_request(SIZE_MAX - extra + 1), SIZE_MAX);
	KUNIT_EXPECT_EQ(test, gh_debug_slot_request(SIZE_MAX), SIZE_MAX);
}

/* The ordinary boot: no trailer, so goheap_size() is the class size. */
static void gh_test_debug_off_leaves_objects_alone(struct kunit *test)
{
	void *p;

	KUNIT_ASSERT_EQ(test, gh_debug_flags, 0U);
	p = goheap_alloc(100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, goheap_size(p), (size_t)gh_classes[gh_size_to_class(100)].size);
	goheap_free(p);
}

static struct kunit_case gh_debug_cases[] = {
	KUNIT_CASE(gh_test_debug_parse_good),
	KUNIT_CASE(gh_test_debug_parse_bad),
	KUNIT_CASE(gh_test_debug_slot_request),
	KUNIT_CASE(gh_test_debug_off_leaves_objects_alone),
	{}
};

struct kunit_suite gh_debug_suite = {
	.name = "goheap_debug",
	.test_cases = gh_debug_cases,
};
