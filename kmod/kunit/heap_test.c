// SPDX-License-Identifier: GPL-2.0
/* KUnit: the page heap (arenas, page runs, page map, release). */
#include <linux/delay.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "tests.h"

/* A new release delay, applied at once (as the module parameter does). */
static void gh_test_set_delay(unsigned int ms)
{
	gh_release_delay_ms = ms;
	gh_heap_release_kick();
}

/* The longest span an ordinary arena takes: half of one (heap.c). */
static unsigned int gh_test_shared_max(void)
{
	return (1U << gh_arena_order) / 2;
}

static struct gh_span *gh_test_span(struct kunit *test, unsigned int npages)
{
	struct gh_span *s = gh_heap_alloc_span(npages, 1, 0, NUMA_NO_NODE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, s->npages, npages);
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(s->base));
	return s;
}

/*
 * End of a test that freed every span it placed: the placement invariants
 * hold, everything goes back, the identities hold, and the release delay
 * is @old_delay again.
 */
static void gh_test_heap_emptied(struct kunit *test, unsigned int old_delay)
{
	KUNIT_EXPECT_TRUE(test, gh_heap_search_ok());
	gh_heap_release_all();
	gh_test_expect_heap_identities(test);
	gh_test_set_delay(old_delay);
	rcu_barrier();
}

static void gh_test_runs_and_coalescing(struct kunit *test)
{
	unsigned int n, adjacent = 0, old_delay = gh_release_delay_ms;

	/* an arena a and b leave empty must stay until d is placed */
	gh_test_set_delay(600000);
	/* d, their merged run plus one, must fit an ordinary arena */
	for (n = 1; 2 * n + 1 <= gh_test_shared_max(); n++) {
		struct gh_span *a = gh_test_span(test, n);
		struct gh_span *b = gh_test_span(test, n + 1);
		struct gh_span *d;

		/* neighbours in one arena: arenas next to each other do not merge */
		if (b->arena != a->arena || b->base != a->base + n * PAGE_SIZE) {
			gh_heap_free_span(a);
			gh_heap_free_span(b);
			continue;
		}
		adjacent++;
		gh_heap_free_span(a);
		gh_heap_free_span(b);
		/* first fit: the coalesced run of a and b is a candidate */
		d = gh_test_span(test, 2 * n + 1);
		KUNIT_EXPECT_TRUE(test, d->base <= a->base);
		gh_heap_free_span(d);
		gh_test_expect_heap_identities(test);
	}
	KUNIT_EXPECT_GT(test, adjacent, 0U);
	gh_test_set_delay(old_delay);
	gh_heap_release_all();
	rcu_barrier();
}

static void gh_test_aligned_runs(struct kunit *test)
{
	unsigned int align;

	for (align = 2; align <= 256; align *= 2) {
		struct gh_span *s = gh_heap_alloc_span(align, align, 0, NUMA_NO_NODE, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, s);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED(__pa(s->base), align * PAGE_SIZE));
		gh_heap_free_span(s);
	}
	rcu_barrier();
}

static void gh_test_span_lookup(struct kunit *test)
{
	struct gh_span *s = gh_test_span(test, 5);
	void *last = s->base + 5 * PAGE_SIZE - 1;

	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, gh_span_of(s->base), s);
	KUNIT_EXPECT_PTR_EQ(test, gh_span_of(last), s);
	KUNIT_EXPECT_PTR_EQ(test, gh_span_of(s->base + 2 * PAGE_SIZE + 123), s);
	KUNIT_EXPECT_PTR_NE(test, gh_span_of(s->base - 1), s);
	KUNIT_EXPECT_PTR_NE(test, gh_span_of(last + 1), s);
	rcu_read_unlock();
	gh_heap_free_span(s);
	KUNIT_EXPECT_FALSE(test, gh_heap_owns(s->base));
	rcu_barrier();
}

/*
 * Parts of the map never populated end in the shared empty nodes, and a
 * look-up through them finds no span: no top entry is NULL, and pfns one
 * level or two away from a live span's (256 GiB, 32 TiB: no test VM has
 * memory there) resolve to nothing.
 */
static void gh_test_map_unpopulated(struct kunit *test)
{
	struct gh_span *s = gh_test_span(test, 1);
	unsigned long pfn = PHYS_PFN(__pa(s->base));
	unsigned long far[] = {
		pfn ^ BIT(2 * GH_MAP_BITS + 8),	/* another level-2 node */
		pfn ^ BIT(GH_MAP_TOP_SHIFT + 6),	/* another top entry */
	};
	unsigned int i;

	for (i = 0; i < GH_MAP_TOP_SIZE; i++)
		KUNIT_EXPECT_NOT_NULL(test, READ_ONCE(gh_map_top[i]));
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, gh_span_of(s->base), s);
	for (i = 0; i < ARRAY_SIZE(far); i++)
		KUNIT_EXPECT_NULL(test, gh_span_of(__va(PFN_PHYS(far[i]))));
	rcu_read_unlock();
	gh_heap_free_span(s);
	rcu_barrier();
}

static void gh_test_ownership_rejects_foreign(struct kunit *test)
{
	struct gh_span *s = gh_test_span(test, 1);
	struct gh_arena *a = s->arena;
	void *km = kmalloc(64, GFP_KERNEL);
	void *vm = vmalloc(PAGE_SIZE);
	int on_stack = 1;

	KUNIT_ASSERT_NOT_NULL(test, km);
	KUNIT_ASSERT_NOT_NULL(test, vm);
	KUNIT_EXPECT_TRUE(test, gh_heap_owns(s->base));
	KUNIT_EXPECT_FALSE(test, gh_heap_owns(km));
	KUNIT_EXPECT_FALSE(test, gh_heap_owns(vm));
	KUNIT_EXPECT_FALSE(test, gh_heap_owns(&on_stack));
	KUNIT_EXPECT_FALSE(test, gh_heap_owns(NULL));
	KUNIT_EXPECT_FALSE(test, gh_heap_owns((void *)-1L));
	/* just outside the arena: someone else's memory, or another arena's */
	rcu_read_lock();
	{
		struct gh_span *before = gh_span_of(a->base - 1);
		struct gh_span *after = gh_span_of(a->base + a->npages * PAGE_SIZE);

		KUNIT_EXPECT_TRUE(test, !before || before->arena != a);
		KUNIT_EXPECT_TRUE(test, !after || after->arena != a);
	}
	rcu_read_unlock();
	kfree(km);
	vfree(vm);
	gh_heap_free_span(s);
	rcu_barrier();
}

static void gh_test_release_and_identities(struct kunit *test)
{
	struct gh_heap_stats before, mid, after;
	struct gh_span *s;

	gh_test_settle();
	gh_heap_read_stats(&before);
	gh_test_expect_heap_identities(test);

	/* a whole fresh arena's worth cannot fit in any partly used arena */
	s = gh_test_span(test, 1U << gh_arena_order);
	gh_heap_read_stats(&mid);
	KUNIT_EXPECT_GE(test, mid.sys_bytes, before.sys_bytes +
			((u64)PAGE_SIZE << gh_arena_order));
	KUNIT_EXPECT_EQ(test, mid.inuse_bytes, before.inuse_bytes +
			((u64)PAGE_SIZE << gh_arena_order));
	gh_test_expect_heap_identities(test);

	gh_heap_free_span(s);
	gh_test_expect_heap_identities(test);
	gh_heap_release_all();
	gh_heap_read_stats(&after);
	KUNIT_EXPECT_EQ(test, after.inuse_bytes, before.inuse_bytes);
	KUNIT_EXPECT_LE(test, after.sys_bytes, before.sys_bytes);
	gh_test_expect_heap_identities(test);
	rcu_barrier();
}

static int gh_test_cmp_base(const void *x, const void *y)
{
	const struct gh_span *a = *(struct gh_span * const *)x;
	const struct gh_span *b = *(struct gh_span * const *)y;

	return a->base < b->base ? -1 : a->base > b->base;
}

/*
 * First fit by address across arenas: the lowest arena with room wins.
 * Each of six arenas is filled by two halves, taken in turn on an empty
 * heap; then three arenas are emptied.
 */
static void gh_test_first_fit_packs_low(struct kunit *test)
{
	struct gh_span *full[12], *small[3];
	unsigned int i;

	gh_test_settle();
	for (i = 0; i < ARRAY_SIZE(full); i++)
		full[i] = gh_test_span(test, gh_test_shared_max());
	sort(full, ARRAY_SIZE(full), sizeof(full[0]), gh_test_cmp_base, NULL);
	for (i = 2; i < ARRAY_SIZE(full); i += 2) {
		KUNIT_EXPECT_PTR_EQ(test, full[i]->arena, full[i + 1]->arena);
		KUNIT_EXPECT_PTR_NE(test, full[i]->arena, full[i - 1]->arena);
	}
	for (i = 2; i < 10; i++)
		if (i / 2 != 2)
			gh_heap_free_span(full[i]);
	for (i = 0; i < ARRAY_SIZE(small); i++) {
		small[i] = gh_test_span(test, 1);
		/* in the second arena (or a lower one), never the fourth or fifth */
		KUNIT_EXPECT_TRUE(test, small[i]->base < full[4]->base);
	}
	for (i = 0; i < ARRAY_SIZE(small); i++)
		gh_heap_free_span(small[i]);
	for (i = 0; i < ARRAY_SIZE(full); i++)
		if (i < 2 || i / 2 == 2 || i >= 10)
			gh_heap_free_span(full[i]);
	gh_test_expect_heap_identities(test);
	rcu_barrier();
}

/*
 * A span longer than half an ordinary arena gets one of its own, exactly;
 * freed, the arena waits out the release delay, and a span at most a
 * quarter shorter takes it meanwhile; one of an ordinary arena's size
 * serves small spans too once it is empty.
 */
static void gh_test_dedicated_arena(struct kunit *test)
{
	unsigned int npages = (1U << gh_arena_order) + 3;
	unsigned int old_delay = gh_release_delay_ms;
	struct gh_heap_stats before, mid, after;
	struct gh_span *s, **half = kunit_kcalloc(test, 64, sizeof(*half), GFP_KERNEL);
	unsigned int n;
	void *base;

	KUNIT_ASSERT_NOT_NULL(test, half);
	gh_test_settle();
	gh_test_set_delay(600000);
	s = gh_test_span(test, gh_test_shared_max());
	KUNIT_EXPECT_FALSE(test, s->arena->dedicated);
	gh_heap_free_span(s);
	s = gh_test_span(test, gh_test_shared_max() + 1);
	KUNIT_EXPECT_TRUE(test, s->arena->dedicated);
	gh_heap_free_span(s);
	gh_heap_release_all();

	gh_heap_read_stats(&before);
	s = gh_test_span(test, npages);
	KUNIT_EXPECT_TRUE(test, s->arena->dedicated);
	KUNIT_EXPECT_PTR_EQ(test, s->base, s->arena->base);
	gh_heap_read_stats(&mid);
	/* the rest of the buddy block went back at once */
	KUNIT_EXPECT_EQ(test, mid.sys_bytes, before.sys_bytes + (u64)npages * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, mid.arenas, before.arenas + 1);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, gh_span_of(s->base + (npages - 1) * PAGE_SIZE), s);
	KUNIT_EXPECT_NULL(test, gh_span_of(s->base + npages * PAGE_SIZE));
	rcu_read_unlock();

	/* freed, the arena stays, idle */
	base = s->base;
	gh_heap_free_span(s);
	gh_heap_read_stats(&after);
	KUNIT_EXPECT_EQ(test, after.sys_bytes, mid.sys_bytes);
	KUNIT_EXPECT_EQ(test, after.idle_bytes, before.idle_bytes + (u64)npages * PAGE_SIZE);
	gh_test_expect_heap_identities(test);
	/*
	 * A span half as long does not take it; one two pages shorter (and
	 * longer than any ordinary arena, which might be empty too) does.
	 */
	s = gh_test_span(test, npages / 2 + 1);
	KUNIT_EXPECT_PTR_NE(test, s->base, base);
	gh_heap_free_span(s);
	s = gh_test_span(test, npages - 2);
	KUNIT_EXPECT_PTR_EQ(test, s->base, base);
	gh_heap_free_span(s);
	gh_test_expect_heap_identities(test);

	/* a drain (or the delay's end) gives them back */
	gh_heap_release_all();
	gh_heap_read_stats(&after);
	KUNIT_EXPECT_EQ(test, after.sys_bytes, before.sys_bytes);
	KUNIT_EXPECT_EQ(test, after.arenas, before.arenas);
	gh_test_expect_heap_identities(test);

	/*
	 * Empty and of an ordinary arena's size, it serves either kind:
	 * half-arena spans fill the arenas with room and then it, before any
	 * new arena; emptied again, it takes a whole-arena span.
	 */
	s = gh_test_span(test, 1U << gh_arena_order);
	KUNIT_EXPECT_TRUE(test, s->arena->dedicated);
	base = s->base;
	gh_heap_free_span(s);
	gh_heap_read_stats(&mid);
	for (n = 0; n < 64; n++) {
		half[n] = gh_test_span(test, gh_test_shared_max());
		if (half[n]->base == base)
			break;
	}
	KUNIT_ASSERT_LT(test, n, 64U);
	KUNIT_EXPECT_FALSE(test, half[n]->arena->dedicated);
	gh_heap_read_stats(&after);
	KUNIT_EXPECT_EQ(test, after.arenas, mid.arenas);
	do
		gh_heap_free_span(half[n]);
	while (n--);
	s = gh_test_span(test, 1U << gh_arena_order);
	KUNIT_EXPECT_TRUE(test, s->arena->dedicated);
	gh_heap_read_stats(&after);
	KUNIT_EXPECT_EQ(test, after.arenas, mid.arenas);
	gh_heap_free_span(s);
	gh_test_heap_emptied(test, old_delay);
}

/*
 * A search start per run length. Four arenas of one-page spans with every
 * other page freed: a one-page span takes the lowest hole; freeing the page
 * between two holes lowers the two-page start to that run, which the next
 * two-page span takes; once it is used up a two-page span goes past every
 * arena with single pages, to a new one.
 */
static void gh_test_search_start_per_length(struct kunit *test)
{
	unsigned int i, n = 4U << gh_arena_order, old_delay = gh_release_delay_ms;
	struct gh_span **one = kunit_kcalloc(test, n, sizeof(*one), GFP_KERNEL);
	void **base = kunit_kcalloc(test, n, sizeof(*base), GFP_KERNEL);
	struct gh_span *s, *two, *three;

	KUNIT_ASSERT_NOT_NULL(test, one);
	KUNIT_ASSERT_NOT_NULL(test, base);
	gh_test_settle();
	gh_test_set_delay(600000);
	for (i = 0; i < n; i++)
		one[i] = gh_test_span(test, 1);
	sort(one, n, sizeof(one[0]), gh_test_cmp_base, NULL);
	for (i = 0; i < n; i++)
		base[i] = one[i]->base;
	/* the lowest arena is the first 2^order of them, in page order */
	KUNIT_ASSERT_PTR_EQ(test, base[2], base[0] + 2 * PAGE_SIZE);
	for (i = 0; i < n; i += 2) {
		gh_heap_free_span(one[i]);
		one[i] = NULL;
	}
	KUNIT_EXPECT_TRUE(test, gh_heap_search_ok());

	s = gh_test_span(test, 1);
	KUNIT_EXPECT_PTR_EQ(test, s->base, base[0]);
	gh_heap_free_span(s);

	gh_heap_free_span(one[1]);
	one[1] = NULL;
	KUNIT_EXPECT_TRUE(test, gh_heap_search_ok());
	two = gh_test_span(test, 2);
	KUNIT_EXPECT_PTR_EQ(test, two->base, base[0]);
	KUNIT_EXPECT_TRUE(test, gh_heap_search_ok());

	three = gh_test_span(test, 2);
	for (i = 3; i < n; i += 2)
		KUNIT_EXPECT_PTR_NE(test, three->arena, one[i]->arena);
	KUNIT_EXPECT_PTR_NE(test, three->arena, two->arena);
	KUNIT_EXPECT_TRUE(test, gh_heap_search_ok());

	gh_heap_free_span(three);
	gh_heap_free_span(two);
	for (i = 3; i < n; i += 2)
		gh_heap_free_span(one[i]);
	gh_test_heap_emptied(test, old_delay);
}

/*
 * Random spans, random frees: after every step, for every run length, every
 * arena below its search start has no room for it, and each arena's
 * summary matches its bitmap.
 */
static void gh_test_placement_invariants(struct kunit *test)
{
	unsigned int step, bad = 0, n = 128, max = (1U << gh_arena_order) + 4;
	struct gh_span **spans = kunit_kcalloc(test, n, sizeof(*spans), GFP_KERNEL);
	struct rnd_state rs;

	KUNIT_ASSERT_NOT_NULL(test, spans);
	prandom_seed_state(&rs, 0x61726e61ULL);
	gh_test_settle();
	for (step = 0; step < 2000; step++) {
		unsigned int i = prandom_u32_state(&rs) % n;

		if (spans[i]) {
			gh_heap_free_span(spans[i]);
			spans[i] = NULL;
		} else {
			spans[i] = gh_test_span(test, 1 + prandom_u32_state(&rs) % max);
		}
		if (!gh_heap_search_ok())
			bad++;
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);
	for (step = 0; step < n; step++)
		if (spans[step])
			gh_heap_free_span(spans[step]);
	KUNIT_EXPECT_TRUE(test, gh_heap_search_ok());
	gh_heap_release_all();
	KUNIT_EXPECT_TRUE(test, gh_heap_search_ok());
	gh_test_expect_heap_identities(test);
	rcu_barrier();
}

/*
 * After a burst, the arenas it emptied go back without a drain or the
 * shrinker: the idle bytes left are at most one partly used arena's.
 */
static void gh_test_burst_goes_back(struct kunit *test)
{
	unsigned int n = 16 << gh_arena_order, old_delay = gh_release_delay_ms;
	unsigned int kept = 0, i, waited;
	struct gh_heap_stats before, st;
	struct gh_span **spans;

	spans = kunit_kcalloc(test, n, sizeof(*spans), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spans);
	gh_test_settle();
	gh_heap_read_stats(&before);
	gh_test_set_delay(50);
	for (i = 0; i < n; i++)
		spans[i] = gh_test_span(test, 1 + i % 2);
	/* the first tenth stays live, the rest goes, in a scattered order */
	for (i = 0; i < n; i++) {
		unsigned int j = (i * 7919) % n;

		if (j < n / 10) {
			kept++;
			continue;
		}
		gh_heap_free_span(spans[j]);
		spans[j] = NULL;
	}
	KUNIT_EXPECT_EQ(test, kept, n / 10);
	for (waited = 0; waited < 100; waited++) {
		msleep(20);
		gh_heap_read_stats(&st);
		if (st.idle_bytes <= before.idle_bytes + (PAGE_SIZE << gh_arena_order))
			break;
	}
	KUNIT_EXPECT_LE(test, st.idle_bytes, before.idle_bytes + (PAGE_SIZE << gh_arena_order));
	KUNIT_EXPECT_EQ(test, st.inuse_bytes, before.inuse_bytes +
			(u64)kept * 3 / 2 * PAGE_SIZE);
	gh_test_expect_heap_identities(test);
	for (i = 0; i < n; i++)
		if (spans[i])
			gh_heap_free_span(spans[i]);
	gh_test_set_delay(old_delay);
	rcu_barrier();
}

static void gh_test_delayed_release(struct kunit *test)
{
	struct gh_heap_stats st;
	struct gh_span *s;
	unsigned int old_delay = gh_release_delay_ms;
	int waited;

	gh_test_settle();
	gh_test_set_delay(50);
	s = gh_test_span(test, 1U << gh_arena_order);
	gh_heap_free_span(s);
	/* the delayed work frees the arena without anyone asking */
	for (waited = 0; waited < 100; waited++) {
		gh_heap_read_stats(&st);
		if (!st.arenas)
			break;
		msleep(20);
	}
	KUNIT_EXPECT_EQ(test, st.arenas, 0UL);
	KUNIT_EXPECT_EQ(test, st.sys_bytes, 0ULL);
	gh_test_set_delay(old_delay);
	rcu_barrier();
}

/* Poll until the heap holds @arenas arenas or jiffies pass @deadline. */
static void gh_test_wait_arenas(struct gh_heap_stats *st, unsigned long arenas,
				unsigned long deadline)
{
	for (;;) {
		gh_heap_read_stats(st);
		if (st->arenas == arenas || time_after(jiffies, deadline))
			return;
		msleep(20);
	}
}

/*
 * The delay counts from the last use of an arena's pages: a span that was
 * idle for half a delay before it was freed (a reaped spare) leaves an
 * arena that goes back half a delay later, not a whole one; and a release
 * that finds an arena not yet due runs again at that arena's time, not a
 * whole delay on. Deadlines leave a quarter delay for the work to run.
 */
static void gh_test_release_counts_idle_time(struct kunit *test)
{
	unsigned int old_delay = gh_release_delay_ms, delay_ms = 1000;
	unsigned long delay = msecs_to_jiffies(delay_ms), t0, t1;
	struct gh_heap_stats st;
	struct gh_span *x, *y;

	gh_test_settle();
	gh_test_set_delay(delay_ms);
	x = gh_test_span(test, 1U << gh_arena_order);
	t0 = jiffies;
	msleep(delay_ms / 2);
	gh_heap_free_idle_span(x, t0);
	gh_test_wait_arenas(&st, 0, t0 + delay + delay / 4);
	KUNIT_EXPECT_EQ(test, st.arenas, 0UL);

	/* x due at t0 + delay, y at t1 + delay, before x's + 2 * delay */
	x = gh_test_span(test, 1U << gh_arena_order);
	y = gh_test_span(test, 1U << gh_arena_order);
	KUNIT_EXPECT_PTR_NE(test, x->arena, y->arena);
	t0 = jiffies;
	gh_heap_free_span(x);
	msleep(delay_ms / 2);
	t1 = jiffies;
	gh_heap_free_span(y);
	gh_test_wait_arenas(&st, 1, t0 + delay + delay / 4);
	KUNIT_EXPECT_EQ(test, st.arenas, 1UL);
	gh_test_wait_arenas(&st, 0, t1 + delay + delay / 4);
	KUNIT_EXPECT_EQ(test, st.arenas, 0UL);
	gh_test_set_delay(old_delay);
	rcu_barrier();
}

static void gh_test_page_alloc_failure(struct kunit *test)
{
	struct gh_heap_stats before, after;
	struct gh_span *s;

	gh_test_settle();
	gh_heap_read_stats(&before);
	if (gh_test_fail_pages(true))
		kunit_skip(test, "fail_page_alloc is not armed for make_it_fail tasks");
	s = gh_heap_alloc_span(GH_MAX_ARENA_PAGES, 1, 0, NUMA_NO_NODE, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, gh_test_fail_pages(false), 0);
	KUNIT_EXPECT_NULL(test, s);
	if (s)
		gh_heap_free_span(s);
	gh_heap_read_stats(&after);
	KUNIT_EXPECT_EQ(test, after.sys_bytes, before.sys_bytes);
	KUNIT_EXPECT_EQ(test, after.meta_bytes, before.meta_bytes);
	KUNIT_EXPECT_EQ(test, after.spans, before.spans);
}

static struct kunit_case gh_heap_cases[] = {
	KUNIT_CASE(gh_test_runs_and_coalescing),
	KUNIT_CASE(gh_test_aligned_runs),
	KUNIT_CASE(gh_test_span_lookup),
	KUNIT_CASE(gh_test_map_unpopulated),
	KUNIT_CASE(gh_test_ownership_rejects_foreign),
	KUNIT_CASE(gh_test_release_and_identities),
	KUNIT_CASE(gh_test_first_fit_packs_low),
	KUNIT_CASE(gh_test_dedicated_arena),
	KUNIT_CASE(gh_test_burst_goes_back),
	KUNIT_CASE(gh_test_search_start_per_length),
	KUNIT_CASE(gh_test_placement_invariants),
	KUNIT_CASE(gh_test_delayed_release),
	KUNIT_CASE(gh_test_release_counts_idle_time),
	KUNIT_CASE(gh_test_page_alloc_failure),
	{}
};

struct kunit_suite gh_heap_suite = {
	.name = "goheap_heap",
	.test_cases = gh_heap_cases,
};
