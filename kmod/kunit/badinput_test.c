// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: bad input to the manual heap. Every bad call is reported, counted
 * exactly once in the right counter, and leaves the heap intact: a victim
 * object next to it comes through unchanged and the object count does not
 * move.
 */
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>

#include "tests.h"

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
	never = gh_span_obj(span, span->nelems - 1);
	if (never == v)
		never = span->base;
	rcu_read_unlock();
	if (!test_bit((never - span->base) / span->size, gh_span_alloc_bits(span))) {
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

/* A class whose spans have a tail at least one object slot long. */
static unsigned int gh_test_class_with_tail(void)
{
	unsigned int cls;

	for (cls = 1; cls < GH_NUM_CLASSES; cls++)
		if (gh_classes[cls].tail >= gh_classes[cls].size)
			return cls;
	for (cls = 1; cls < GH_NUM_CLASSES; cls++)
		if (gh_classes[cls].tail)
			return cls;
	return 0;
}

/*
 * A slot-aligned address just past a span's last object lies in the span's
 * pages but is no object: size, realloc and free all refuse it.
 */
static void gh_test_past_last_object(struct kunit *test)
{
	unsigned int cls = gh_test_class_with_tail();
	struct gh_bad_ctx ctx;
	struct gh_span *span;
	void *v, *past;

	if (!cls)
		kunit_skip(test, "no size class has a tail");
	v = gh_victim(test, gh_classes[cls].size);
	rcu_read_lock();
	span = gh_span_of(v);
	KUNIT_ASSERT_NOT_NULL(test, span);
	past = gh_span_obj(span, span->nelems);
	rcu_read_unlock();
	/* a grown span (span.c) may have no tail of its own */
	if ((size_t)span->npages * PAGE_SIZE == (size_t)span->nelems * span->size) {
		goheap_free(v);
		kunit_skip(test, "this span has no tail");
	}
	gh_bad_begin(test, &ctx);
	KUNIT_EXPECT_EQ(test, goheap_size(past), (size_t)0);
	KUNIT_EXPECT_NULL(test, goheap_realloc(past, 8, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, goheap_realloc(past, 2 * span->size, GFP_KERNEL));
	goheap_free(past);
	gh_bad_end(&ctx, 4, 0, 0);
	gh_victim_check(test, v, gh_classes[cls].size);
}

/* size and realloc of a freed object: reported, NULL, nothing changed. */
static void gh_test_use_after_free_calls(struct kunit *test)
{
	static const size_t sizes[] = { 64, 3000, 100000 };
	struct gh_bad_ctx ctx;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *v = gh_victim(test, sizes[i]);
		void *p = goheap_alloc(sizes[i], GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, p);
		goheap_free(p);
		gh_bad_begin(test, &ctx);
		KUNIT_EXPECT_EQ(test, goheap_size(p), (size_t)0);
		KUNIT_EXPECT_NULL(test, goheap_realloc(p, 8, GFP_KERNEL));
		KUNIT_EXPECT_NULL(test, goheap_realloc(p, 2 * sizes[i], GFP_KERNEL));
		gh_bad_end(&ctx, 3, 0, 0);
		gh_victim_check(test, v, sizes[i]);
	}
}

/* ---- two CPUs freeing one object at the same moment --------------------- */

enum gh_race_owner {
	GH_RACE_OWNER_A,	/* racer A's cache holds the span */
	GH_RACE_OWNER_B,
	GH_RACE_OWNER_NONE,	/* the span is on a central list */
	GH_RACE_OTHER_WORD,	/* A owns it, the object is outside A's window */
	GH_RACE_NR_OWNERS
};

#define GH_RACE_ROUNDS		1000	/* per ownership state */
#define GH_RACE_SIZE		64
#define GH_RACE_SPREAD		(BITS_PER_LONG + 8)

struct gh_race {
	struct kunit *test;
	atomic_t arrived;		/* rendezvous count */
	void *victim;			/* the object freed twice */
	void *fresh[2];			/* a new object on each CPU after the race */
	void *spread[GH_RACE_SPREAD];	/* GH_RACE_OTHER_WORD's neighbours */
	unsigned int errors;
	struct completion done[2];
};

/* Both racers wait for each other; @n counts rendezvous so far, from 1. */
static void gh_race_meet(struct gh_race *r, int n)
{
	atomic_inc(&r->arrived);
	while (atomic_read(&r->arrived) < 2 * n)
		cpu_relax();
}

/* Slow meeting for the setup steps: lets a drain's work items run. */
static void gh_race_meet_slowly(struct gh_race *r, int n)
{
	atomic_inc(&r->arrived);
	while (atomic_read(&r->arrived) < 2 * n)
		cond_resched();
}

/* Racer A, the owner in GH_RACE_OTHER_WORD: word 0 free, window on word 1. */
static void *gh_race_alloc_other_word(struct gh_race *r)
{
	unsigned int i;

	for (i = 0; i < GH_RACE_SPREAD; i++)
		r->spread[i] = goheap_alloc(GH_RACE_SIZE, GFP_KERNEL);
	return r->spread[0];
}

static void gh_race_free_spread(struct gh_race *r)
{
	unsigned int i;

	for (i = 1; i < GH_RACE_SPREAD; i++)
		goheap_free(r->spread[i]);
	memset(r->spread, 0, sizeof(r->spread));
}

static bool gh_race_same_span(const void *a, const void *b)
{
	bool same;

	rcu_read_lock();
	same = gh_span_of(a) && gh_span_of(a) == gh_span_of(b);
	rcu_read_unlock();
	return same;
}

/*
 * A span whose last object is freed while no cache holds it goes back to
 * the page heap, and a free into free pages is an invalid free. A cache
 * can let go of its span at any time (the shrinker drains from kswapd),
 * so in every state the victim gets a neighbour in its span (two objects
 * taken in a row, until they share a span) that keeps the span alive, and
 * the race stays a double free.
 */
static void gh_race_alloc_kept(struct gh_race *r)
{
	unsigned int i;

	for (i = 1; i + 1 < GH_RACE_SPREAD; i += 2) {
		r->spread[i] = goheap_alloc(GH_RACE_SIZE, GFP_KERNEL);
		r->spread[i + 1] = goheap_alloc(GH_RACE_SIZE, GFP_KERNEL);
		if (gh_race_same_span(r->spread[i], r->spread[i + 1])) {
			r->victim = r->spread[i];
			r->spread[i] = NULL;
			return;
		}
	}
	r->errors++;		/* no two objects in a row shared a span */
	r->victim = goheap_alloc(GH_RACE_SIZE, GFP_KERNEL);
}

static void gh_race_setup(struct gh_race *r, int me, enum gh_race_owner owner)
{
	if (owner == GH_RACE_OWNER_B ? me != 1 : me != 0)
		return;
	if (owner == GH_RACE_OTHER_WORD) {
		r->victim = gh_race_alloc_other_word(r);
		if (!gh_race_same_span(r->spread[0], r->spread[1]))
			r->errors++;
		return;
	}
	gh_race_alloc_kept(r);
	if (owner == GH_RACE_OWNER_NONE)
		goheap_drain();
}

/* After the race: a fresh object on each CPU must be private to it. */
static void gh_race_use_fresh(struct gh_race *r, int me, int *n)
{
	r->fresh[me] = goheap_alloc(GH_RACE_SIZE, GFP_KERNEL);
	if (r->fresh[me])
		memset(r->fresh[me], 0x60 + me, GH_RACE_SIZE);
	gh_race_meet(r, ++*n);
	if (r->fresh[0] == r->fresh[1] ||
	    (r->fresh[me] && !gh_test_check(r->fresh[me], GH_RACE_SIZE, 0x60 + me)))
		r->errors++;
	gh_race_meet(r, ++*n);
	goheap_free(r->fresh[me]);
}

/*
 * The window in which the two frees overlap is a few instructions wide:
 * sweep their relative start across rounds so that some rounds hit it.
 */
static void gh_race_jitter(int n, int me)
{
	unsigned int spins = (n * (me ? 7 : 3)) % 64;

	/* a plain loop: under QEMU, pause may leave the vCPU's fast loop */
	while (spins--)
		barrier();
}

static void gh_race_round(struct gh_race *r, int me, enum gh_race_owner owner,
			  int *n)
{
	gh_race_setup(r, me, owner);
	gh_race_meet_slowly(r, ++*n);
	gh_race_jitter(*n, me);
	goheap_free(r->victim);
	gh_race_meet(r, ++*n);
	gh_race_use_fresh(r, me, n);
	if (me == 0) {
		gh_race_free_spread(r);
		goheap_drain();
	}
	gh_race_meet_slowly(r, ++*n);
}

static int gh_race_thread(struct gh_race *r, int me)
{
	int owner, i, n = 0;

	for (owner = 0; owner < GH_RACE_NR_OWNERS; owner++)
		for (i = 0; i < GH_RACE_ROUNDS; i++)
			gh_race_round(r, me, owner, &n);
	complete(&r->done[me]);
	return 0;
}

static int gh_race_thread_a(void *r)
{
	return gh_race_thread(r, 0);
}

static int gh_race_thread_b(void *r)
{
	return gh_race_thread(r, 1);
}

/*
 * The outcome of a lost race, made on purpose: this CPU frees an object
 * of its own span (back into its window) and another CPU's free of the
 * same object lands late, as its remote bit and its count. The object must
 * be settled when the owner next takes it: one double free counted, one
 * free taken back, the object handed out once and still live after a drain
 * folds remote frees in.
 */
static void gh_test_raced_free_settled(struct kunit *test)
{
	void **objs = kunit_kcalloc(test, GH_MAX_SPAN_OBJECTS, sizeof(*objs), GFP_KERNEL);
	struct gh_bad_ctx ctx;
	struct gh_span *span;
	unsigned int idx, n = 0, i;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	gh_test_settle();
	migrate_disable();	/* one CPU's cache throughout */
	p = goheap_alloc(GH_RACE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	rcu_read_lock();
	span = gh_span_of(p);
	idx = (p - span->base) / span->size;
	rcu_read_unlock();
	goheap_free(p);
	gh_bad_begin(test, &ctx);
	/* the other CPU's free, whose check ran before ours cleared the bit */
	set_bit(idx, gh_span_remote_bits(span));
	this_cpu_inc(gh_stats.class_frees[span->cls]);
	do {
		objs[n] = goheap_alloc(GH_RACE_SIZE, GFP_KERNEL);
	} while (objs[n] && objs[n] != p && ++n < GH_MAX_SPAN_OBJECTS);
	migrate_enable();
	KUNIT_ASSERT_PTR_EQ(test, objs[n], p);
	KUNIT_EXPECT_FALSE(test, test_bit(idx, gh_span_remote_bits(span)));
	gh_test_fill(p, GH_RACE_SIZE, 0x6b);
	goheap_drain();
	KUNIT_EXPECT_TRUE(test, test_bit(idx, gh_span_alloc_bits(span)));
	KUNIT_EXPECT_TRUE(test, gh_test_check(p, GH_RACE_SIZE, 0x6b));
	for (i = 0; i <= n; i++)
		goheap_free(objs[i]);
	gh_bad_end(&ctx, 0, 1, 0);
}

/*
 * Two CPUs free one object at once, thousands of times, in each ownership
 * state. Each race is one double free, counted exactly once whether it is
 * caught at free time or later, and never hands an object to two owners.
 */
static void gh_test_double_free_race(struct kunit *test)
{
	struct gh_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct task_struct *a, *b;
	struct gh_bad_ctx ctx;
	int cpu_a, cpu_b;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_NOT_NULL(test, r);
	cpu_a = cpumask_first(cpu_online_mask);
	cpu_b = cpumask_next(cpu_a, cpu_online_mask);
	init_completion(&r->done[0]);
	init_completion(&r->done[1]);
	gh_test_settle();
	gh_bad_begin(test, &ctx);
	a = kthread_create_on_cpu(gh_race_thread_a, r, cpu_a, "gh_race_a/%u");
	b = kthread_create_on_cpu(gh_race_thread_b, r, cpu_b, "gh_race_b/%u");
	KUNIT_ASSERT_FALSE(test, IS_ERR(a) || IS_ERR(b));
	wake_up_process(a);
	wake_up_process(b);
	wait_for_completion(&r->done[0]);
	wait_for_completion(&r->done[1]);
	gh_bad_end(&ctx, 0, GH_RACE_NR_OWNERS * GH_RACE_ROUNDS, 0);
	KUNIT_EXPECT_EQ(test, r->errors, 0U);
	gh_test_expect_heap_identities(test);
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
	KUNIT_CASE(gh_test_past_last_object),
	KUNIT_CASE(gh_test_use_after_free_calls),
	KUNIT_CASE(gh_test_raced_free_settled),
	KUNIT_CASE(gh_test_double_free_race),
	{}
};

struct kunit_suite gh_badinput_suite = {
	.name = "goheap_badinput",
	.test_cases = gh_badinput_cases,
};
