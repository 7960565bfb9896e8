// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: fail_goheap (fault.c). The knobs are set with gh_fault_set(), the
 * function a write to their debugfs files calls. Every case lets only its
 * own thread group fail (task-filter with task-pid), so that whatever else
 * allocates meanwhile neither draws a failure nor moves the counts, and
 * checks the FaultInjected delta and that no object outlives the case. The
 * suite's exit disarms whatever a case left armed, failed cases included.
 */
#include <linux/irq_work.h>
#include <linux/jump_label.h>
#include <linux/sched.h>

#include "tests.h"
#include "../fault.h"
#include "../hooks.h"

#define GH_FT_TRIES	20

/* Only this thread group may fail, quietly; sleeping callers too. */
static void gh_ft_arm(struct kunit *test, long interval, long times)
{
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_VERBOSE, 0), 0);
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_TASK_PID, task_tgid_nr(current)), 0);
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_TASK_FILTER, 1), 0);
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_IGNORE_GFP_WAIT, 0), 0);
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_INTERVAL, interval), 0);
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_TIMES, times), 0);
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_PROBABILITY, 100), 0);
}

/* The figures a case compares at its end, kept off the stack. */
struct gh_ft_mark {
	struct goheap_stats st;
};

static struct gh_ft_mark *gh_ft_begin(struct kunit *test)
{
	struct gh_ft_mark *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	goheap_read_stats(&m->st);
	return m;
}

/* Exactly @injected failures were counted, and no object is left over. */
static void gh_ft_end(struct kunit *test, struct gh_ft_mark *m, u64 injected)
{
	struct goheap_stats *now = kunit_kzalloc(test, sizeof(*now), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, now);
	goheap_read_stats(now);
	KUNIT_EXPECT_EQ(test, now->fault_injected - m->st.fault_injected, injected);
	KUNIT_EXPECT_EQ(test, now->heap_objects, m->st.heap_objects);
	KUNIT_EXPECT_EQ(test, now->alloc, m->st.alloc);
}

/*
 * interval 3, times 4: of 20 eligible allocations (small, medium and
 * large in turn) the 3rd, 6th, 9th and 12th fail, then times is spent.
 */
static void gh_ft_interval_times(struct kunit *test)
{
	static const size_t sizes[] = { 64, 1000, 40000 };
	struct gh_ft_mark *m = gh_ft_begin(test);
	void *p[GH_FT_TRIES];
	unsigned int i;

	gh_ft_arm(test, 3, 4);
	for (i = 0; i < GH_FT_TRIES; i++)
		p[i] = goheap_alloc(sizes[i % ARRAY_SIZE(sizes)], GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, gh_fault_get(GH_FAULT_TIMES), 0);
	KUNIT_EXPECT_EQ(test, gh_fault_set(GH_FAULT_PROBABILITY, 0), 0);
	for (i = 0; i < GH_FT_TRIES; i++) {
		bool want_fail = (i + 1) % 3 == 0 && i < 12;

		KUNIT_EXPECT_EQ_MSG(test, !p[i], want_fail, "allocation %u", i + 1);
		goheap_free(p[i]);
	}
	gh_ft_end(test, m, 4);
}

/* The bulk and realloc calls go the same way; bulk stays all or nothing. */
static void gh_ft_bulk_realloc(struct kunit *test)
{
	struct gh_ft_mark *m = gh_ft_begin(test);
	void *ptrs[8], *p, *q;

	p = goheap_alloc(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	gh_ft_arm(test, 5, 2);
	/* the 5th object fails: the four before it go back */
	KUNIT_EXPECT_EQ(test, goheap_alloc_bulk(64, GFP_KERNEL, ARRAY_SIZE(ptrs), ptrs), 0);
	/* calls 6 to 9 (a realloc's new object, a bulk of three) pass */
	q = goheap_realloc(p, 128, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, q);
	p = q ?: p;
	KUNIT_EXPECT_EQ(test, goheap_alloc_bulk(64, GFP_KERNEL, 3, ptrs), 3);
	goheap_free_bulk(3, ptrs);
	/* the 10th: the realloc fails, and p stays valid */
	KUNIT_EXPECT_NULL(test, goheap_realloc(p, 4096, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, gh_fault_get(GH_FAULT_TIMES), 0);
	goheap_free(p);
	gh_ft_end(test, m, 2);
}

/* __GFP_NOFAIL and zero bytes are never failed, however the knobs are set. */
static void gh_ft_nofail(struct kunit *test)
{
	struct gh_ft_mark *m = gh_ft_begin(test);
	void *p[4];
	unsigned int i;

	gh_ft_arm(test, 1, -1);
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = goheap_alloc(64, GFP_KERNEL | __GFP_NOFAIL);
		KUNIT_EXPECT_NOT_NULL(test, p[i]);
	}
	KUNIT_EXPECT_PTR_EQ(test, goheap_alloc(0, GFP_KERNEL), GOHEAP_ZERO_PTR);
	KUNIT_EXPECT_NULL(test, goheap_alloc(64, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, gh_fault_get(GH_FAULT_TIMES), -1);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		goheap_free(p[i]);
	gh_ft_end(test, m, 1);
}

/* ignore-gfp-wait spares callers that may reclaim, and only them. */
static void gh_ft_ignore_gfp_wait(struct kunit *test)
{
	struct gh_ft_mark *m = gh_ft_begin(test);
	void *p;

	gh_ft_arm(test, 1, -1);
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_IGNORE_GFP_WAIT, 1), 0);
	KUNIT_EXPECT_NULL(test, goheap_alloc(64, GFP_ATOMIC));
	KUNIT_EXPECT_NULL(test, goheap_alloc(64, GFP_NOWAIT));
	/* __GFP_NOWARN: failed all the same, only not reported */
	KUNIT_EXPECT_NULL(test, goheap_alloc(64, GFP_ATOMIC | __GFP_NOWARN));
	p = goheap_alloc(64, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	goheap_free(p);
	gh_ft_end(test, m, 3);
}

/* Only requests of min-size .. max-size bytes fail; max-size 0 is no bound. */
static void gh_ft_size_filter(struct kunit *test)
{
	static const struct { size_t size; bool fails; } in[] = {
		{ 64, false }, { 100, true }, { 1000, true }, { 1001, false },
		{ 40000, false },
	}, unbounded[] = { { 99, false }, { 100, true }, { 40000, true } };
	struct gh_ft_mark *m = gh_ft_begin(test);
	unsigned int i;
	void *p;

	gh_ft_arm(test, 1, -1);
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_MIN_SIZE, 100), 0);
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_MAX_SIZE, 1000), 0);
	for (i = 0; i < ARRAY_SIZE(in); i++) {
		p = goheap_alloc(in[i].size, GFP_KERNEL);
		KUNIT_EXPECT_EQ_MSG(test, !p, in[i].fails, "%zu bytes", in[i].size);
		goheap_free(p);
	}
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_MAX_SIZE, 0), 0);
	for (i = 0; i < ARRAY_SIZE(unbounded); i++) {
		p = goheap_alloc(unbounded[i].size, GFP_KERNEL);
		KUNIT_EXPECT_EQ_MSG(test, !p, unbounded[i].fails, "%zu bytes, no max",
				    unbounded[i].size);
		goheap_free(p);
	}
	gh_ft_end(test, m, 4);
}

/* space: requests pass while the budget left is larger than they are. */
static void gh_ft_space(struct kunit *test)
{
	struct gh_ft_mark *m = gh_ft_begin(test);

	gh_ft_arm(test, 1, -1);
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_SPACE, 100), 0);
	KUNIT_EXPECT_FALSE(test, gh_fault_should_fail(64, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, gh_fault_get(GH_FAULT_SPACE), 36);
	KUNIT_EXPECT_TRUE(test, gh_fault_should_fail(64, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, gh_fault_should_fail(16, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, gh_fault_get(GH_FAULT_SPACE), 20);
	gh_ft_end(test, m, 1);
}

struct gh_ft_irq {
	struct irq_work work;
	bool failed;
};

static void gh_ft_irq_fn(struct irq_work *w)
{
	struct gh_ft_irq *x = container_of(w, struct gh_ft_irq, work);

	x->failed = gh_fault_should_fail(64, GFP_ATOMIC);
}

/* Whether a call from a hard interrupt fails (HARD: not threaded on RT). */
static bool gh_ft_fails_in_irq(void)
{
	struct gh_ft_irq x = { .work = IRQ_WORK_INIT_HARD(gh_ft_irq_fn) };

	irq_work_queue(&x.work);
	irq_work_sync(&x.work);
	return x.failed;
}

/* task-filter: task-pid's thread group, make-it-fail tasks, no interrupts. */
static void gh_ft_task_filter(struct kunit *test)
{
	struct gh_ft_mark *m = gh_ft_begin(test);
	unsigned int injected = 2;

	gh_ft_arm(test, 1, -1);
	KUNIT_EXPECT_TRUE(test, gh_fault_should_fail(64, GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_TASK_PID, 1), 0);
	KUNIT_EXPECT_FALSE(test, gh_fault_should_fail(64, GFP_KERNEL));
#ifdef CONFIG_FAULT_INJECTION
	current->make_it_fail = 1;
	KUNIT_EXPECT_TRUE(test, gh_fault_should_fail(64, GFP_KERNEL));
	current->make_it_fail = 0;
	injected++;
#endif
	/* an interrupt is no task, even on a task that may fail */
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_TASK_PID, task_tgid_nr(current)), 0);
	KUNIT_EXPECT_FALSE(test, gh_ft_fails_in_irq());
	/* without the filter anything fails, interrupts too */
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_TASK_FILTER, 0), 0);
	KUNIT_EXPECT_TRUE(test, gh_ft_fails_in_irq());
	gh_ft_end(test, m, injected);
}

/* probability 50: about half of many eligible calls fail. */
static void gh_ft_probability(struct kunit *test)
{
	struct gh_ft_mark *m = gh_ft_begin(test);
	unsigned int i, failed = 0;

	gh_ft_arm(test, 1, -1);
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_PROBABILITY, 50), 0);
	for (i = 0; i < 1000; i++)
		failed += gh_fault_should_fail(8, GFP_KERNEL);
	/* 1000 fair coins: outside 350..650 about once in 10^20 runs */
	KUNIT_EXPECT_GE(test, failed, 350U);
	KUNIT_EXPECT_LE(test, failed, 650U);
	gh_ft_end(test, m, failed);
}

/* Typed caches (merged and with spans of their own) and GC domains. */
static void gh_ft_cache_one(struct kunit *test, unsigned int flags)
{
	struct goheap_cache *c = goheap_cache_create("gh_ft_cache", 48, 0, flags, NULL);
	void *ptrs[4], *p;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(c));
	gh_ft_arm(test, 1, 3);
	KUNIT_EXPECT_NULL(test, goheap_cache_alloc(c, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, goheap_cache_alloc_node(c, GFP_KERNEL, NUMA_NO_NODE));
	KUNIT_EXPECT_EQ(test, goheap_cache_alloc_bulk(c, GFP_KERNEL, ARRAY_SIZE(ptrs), ptrs), 0);
	/* times spent: the cache serves again */
	p = goheap_cache_alloc(c, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	goheap_cache_free(c, p);
	KUNIT_EXPECT_EQ(test, goheap_cache_destroy(c), 0);
}

static void gh_ft_typed_cache(struct kunit *test)
{
	struct gh_ft_mark *m = gh_ft_begin(test);

	gh_ft_cache_one(test, 0);
	gh_ft_cache_one(test, GOHEAP_CACHE_NO_MERGE);
	gh_ft_end(test, m, 6);
}

static const struct goheap_gc_type gh_ft_leaf = { .name = "ft_leaf", .size = 48 };

static void gh_ft_gc_domain(struct kunit *test)
{
	struct gh_ft_mark *m = gh_ft_begin(test);
	struct goheap_gc_domain *d = goheap_gc_create("gh_ft", NULL);
	void *obj;
	int tok;

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(d));
	tok = goheap_gc_enter(d);
	KUNIT_ASSERT_GE(test, tok, 0);
	gh_ft_arm(test, 1, 1);
	KUNIT_EXPECT_NULL(test, goheap_gc_alloc(d, &gh_ft_leaf, GFP_KERNEL));
	obj = goheap_gc_alloc(d, &gh_ft_leaf, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, obj);
	KUNIT_EXPECT_EQ(test, goheap_gc_exit(d, tok), 0);
	KUNIT_EXPECT_EQ(test, goheap_gc_destroy(d), 0);
	gh_ft_end(test, m, 1);
}

/* Armed, the attribute holds one reference on the hooks key; disarmed none. */
static void gh_ft_hooks_key(struct kunit *test)
{
	int base = gh_hooks_count();

	gh_ft_arm(test, 1, 1);
	KUNIT_EXPECT_EQ(test, gh_hooks_count(), base + 1);
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_PROBABILITY, 30), 0);
	KUNIT_EXPECT_EQ(test, gh_hooks_count(), base + 1);
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_PROBABILITY, 0), 0);
	KUNIT_EXPECT_EQ(test, gh_hooks_count(), base);
	KUNIT_ASSERT_EQ(test, gh_fault_set(GH_FAULT_PROBABILITY, 0), 0);
	KUNIT_EXPECT_EQ(test, gh_hooks_count(), base);
}

/* A value out of a knob's range is refused and leaves it as it was. */
static void gh_ft_bad_values(struct kunit *test)
{
	static const struct { enum gh_fault_knob knob; long val; } bad[] = {
		{ GH_FAULT_PROBABILITY, 101 }, { GH_FAULT_PROBABILITY, -1 },
		{ GH_FAULT_INTERVAL, 0 }, { GH_FAULT_INTERVAL, -1 },
		{ GH_FAULT_TIMES, -2 }, { GH_FAULT_SPACE, -1 },
		{ GH_FAULT_VERBOSE, 3 }, { GH_FAULT_TASK_FILTER, 2 },
		{ GH_FAULT_TASK_PID, -1 }, { GH_FAULT_IGNORE_GFP_WAIT, -1 },
		{ GH_FAULT_MIN_SIZE, -1 }, { GH_FAULT_MAX_SIZE, -1 },
		{ GH_FAULT_NR_KNOBS, 0 },
	};
	unsigned int i;
	long was;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		was = bad[i].knob < GH_FAULT_NR_KNOBS ? gh_fault_get(bad[i].knob) : 0;
		KUNIT_EXPECT_EQ_MSG(test, gh_fault_set(bad[i].knob, bad[i].val), -EINVAL,
				    "knob %d value %ld", bad[i].knob, bad[i].val);
		if (bad[i].knob < GH_FAULT_NR_KNOBS)
			KUNIT_EXPECT_EQ(test, gh_fault_get(bad[i].knob), was);
	}
	KUNIT_EXPECT_EQ(test, gh_fault_get(GH_FAULT_PROBABILITY), 0);
}

static void gh_ft_exit(struct kunit *test)
{
	gh_fault_reset();
#ifdef CONFIG_FAULT_INJECTION
	current->make_it_fail = 0;
#endif
}

static struct kunit_case gh_fault_cases[] = {
	KUNIT_CASE(gh_ft_interval_times),
	KUNIT_CASE(gh_ft_bulk_realloc),
	KUNIT_CASE(gh_ft_nofail),
	KUNIT_CASE(gh_ft_ignore_gfp_wait),
	KUNIT_CASE(gh_ft_size_filter),
	KUNIT_CASE(gh_ft_space),
	KUNIT_CASE(gh_ft_task_filter),
	KUNIT_CASE(gh_ft_probability),
	KUNIT_CASE(gh_ft_typed_cache),
	KUNIT_CASE(gh_ft_gc_domain),
	KUNIT_CASE(gh_ft_hooks_key),
	KUNIT_CASE(gh_ft_bad_values),
	{}
};

struct kunit_suite gh_fault_suite = {
	.name = "goheap_fault",
	.exit = gh_ft_exit,
	.test_cases = gh_fault_cases,
};
