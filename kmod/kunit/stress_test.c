// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: goheap under concurrency, CPU hotplug, interrupt context and page
 * allocation failure.
 */
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/workqueue.h>

#include "tests.h"

#define GH_RING_SIZE	256
#define GH_LIVE_SLOTS	64

/* Every object starts with a tag naming its owner and sequence number. */
struct gh_obj_ref {
	void *p;
	size_t size;
	u64 tag;
};

struct gh_ring {
	spinlock_t lock;
	unsigned int head, tail;
	struct gh_obj_ref refs[GH_RING_SIZE];
};

struct gh_stress {
	struct gh_ring ring;
	atomic_t errors;
	atomic_t running;
	unsigned int iterations;
	bool fail_pages;
	struct completion done;
};

static u8 gh_tag_byte(u64 tag)
{
	return (u8)(tag ^ (tag >> 8) ^ (tag >> 48));
}

static void gh_obj_fill(struct gh_obj_ref *r)
{
	*(u64 *)r->p = r->tag;
	memset(r->p + sizeof(u64), gh_tag_byte(r->tag), r->size - sizeof(u64));
}

static bool gh_obj_intact(const struct gh_obj_ref *r)
{
	return *(u64 *)r->p == r->tag &&
	       !memchr_inv(r->p + sizeof(u64), gh_tag_byte(r->tag),
			   r->size - sizeof(u64));
}

static void gh_obj_release(struct gh_stress *st, struct gh_obj_ref *r)
{
	if (!gh_obj_intact(r))
		atomic_inc(&st->errors);
	goheap_free(r->p);
	r->p = NULL;
}

static bool gh_ring_push(struct gh_ring *ring, struct gh_obj_ref *r)
{
	bool ok;

	spin_lock(&ring->lock);
	ok = ring->head - ring->tail < GH_RING_SIZE;
	if (ok)
		ring->refs[ring->head++ % GH_RING_SIZE] = *r;
	spin_unlock(&ring->lock);
	return ok;
}

static bool gh_ring_pop(struct gh_ring *ring, struct gh_obj_ref *r)
{
	bool ok;

	spin_lock(&ring->lock);
	ok = ring->head != ring->tail;
	if (ok)
		*r = ring->refs[ring->tail++ % GH_RING_SIZE];
	spin_unlock(&ring->lock);
	return ok;
}

static size_t gh_stress_size(u32 rnd)
{
	/* mostly small, some up to a page, a few large */
	switch (rnd % 16) {
	case 0:
		return 32769 + rnd % 70000;
	case 1 ... 3:
		return 8 + rnd % 4096;
	default:
		return 8 + rnd % 256;
	}
}

static int gh_stress_thread(void *arg)
{
	struct gh_stress *st = arg;
	struct gh_obj_ref *live = kcalloc(GH_LIVE_SLOTS, sizeof(*live), GFP_KERNEL);
	u64 me = (u64)raw_smp_processor_id() << 56 | (u64)(get_random_u32() & 0xffffff) << 32;
	unsigned int i;

	if (!live) {
		atomic_inc(&st->errors);
		goto out;
	}
	if (st->fail_pages)
		current->make_it_fail = 1;
	for (i = 0; i < st->iterations; i++) {
		u32 rnd = get_random_u32();
		struct gh_obj_ref *slot = &live[rnd % GH_LIVE_SLOTS];
		struct gh_obj_ref r;

		if (slot->p && (!(rnd & 0x100) || !gh_ring_push(&st->ring, slot)))
			gh_obj_release(st, slot);
		slot->p = NULL;
		if (gh_ring_pop(&st->ring, &r))
			gh_obj_release(st, &r);

		slot->size = gh_stress_size(rnd >> 9);
		slot->tag = me | i;
		slot->p = goheap_alloc(slot->size, GFP_KERNEL);
		if (!slot->p) {
			if (!st->fail_pages)
				atomic_inc(&st->errors);
			continue;
		}
		gh_obj_fill(slot);
		if (!(i % 512))
			cond_resched();
	}
	for (i = 0; i < GH_LIVE_SLOTS; i++)
		if (live[i].p)
			gh_obj_release(st, &live[i]);
	kfree(live);
out:
	current->make_it_fail = 0;
	if (atomic_dec_and_test(&st->running))
		complete(&st->done);
	return 0;
}

/* How gh_stress_run() runs its threads. */
enum gh_stress_how {
	GH_STRESS_BIND = 1,		/* one thread bound to each CPU */
	GH_STRESS_FAIL_PAGES = 2,	/* the buddy allocator fails the threads */
};

static void gh_stress_run(struct kunit *test, unsigned int iterations,
			  unsigned int how, void (*meanwhile)(struct kunit *))
{
	struct gh_stress *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	struct goheap_stats before, after;
	struct gh_obj_ref r;
	int cpu;

	KUNIT_ASSERT_NOT_NULL(test, st);
	gh_test_settle();
	goheap_read_stats(&before);
	spin_lock_init(&st->ring.lock);
	init_completion(&st->done);
	st->iterations = iterations;
	st->fail_pages = how & GH_STRESS_FAIL_PAGES;
	atomic_set(&st->running, num_online_cpus());
	if (st->fail_pages && gh_test_fail_pages(true))
		kunit_skip(test, "fail_page_alloc is not armed for make_it_fail tasks");
	current->make_it_fail = 0;

	for_each_online_cpu(cpu) {
		struct task_struct *t = kthread_create(gh_stress_thread, st,
						       "goheap-stress/%d", cpu);

		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		if (how & GH_STRESS_BIND)
			kthread_bind(t, cpu);
		wake_up_process(t);
	}
	if (meanwhile)
		meanwhile(test);
	wait_for_completion(&st->done);
	if (st->fail_pages)
		KUNIT_EXPECT_EQ(test, gh_test_fail_pages(false), 0);
	while (gh_ring_pop(&st->ring, &r))
		gh_obj_release(st, &r);

	KUNIT_EXPECT_EQ(test, atomic_read(&st->errors), 0);
	gh_test_settle();
	goheap_read_stats(&after);
	KUNIT_EXPECT_EQ(test, after.heap_objects, before.heap_objects);
	KUNIT_EXPECT_EQ(test, after.alloc, before.alloc);
	KUNIT_EXPECT_EQ(test, after.heap_inuse, before.heap_inuse);
	KUNIT_EXPECT_EQ(test, after.heap_sys, after.heap_inuse + after.heap_idle);
	KUNIT_EXPECT_EQ(test, after.heap_inuse, after.alloc + after.cache_bytes +
			after.central_bytes + after.pending_bytes + after.tail_bytes +
			after.gc_bytes);
	KUNIT_EXPECT_EQ(test, after.invalid_frees, before.invalid_frees);
	KUNIT_EXPECT_EQ(test, after.double_frees, before.double_frees);
}

static void gh_test_stress_cross_cpu(struct kunit *test)
{
	gh_stress_run(test, 20000, GH_STRESS_BIND, NULL);
}

static void gh_hotplug_cycles(struct kunit *test)
{
	int i;

	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, remove_cpu(1), 0);
		msleep(20);
		KUNIT_EXPECT_EQ(test, add_cpu(1), 0);
		msleep(20);
	}
}

static void gh_test_stress_hotplug(struct kunit *test)
{
	if (num_online_cpus() < 2 || !cpu_online(1))
		kunit_skip(test, "needs CPU 1 online");
	gh_stress_run(test, 20000, 0, gh_hotplug_cycles);
}

static void gh_test_stress_page_failures(struct kunit *test)
{
	gh_stress_run(test, 5000, GH_STRESS_FAIL_PAGES, NULL);
}

/* ---- interrupt context -------------------------------------------------- */

struct gh_irq_ctx {
	struct hrtimer timer;
	struct irq_work work;
	struct tasklet_struct tasklet;
	atomic_t hardirq, softirq, irqwork, errors;
	int remaining;
};

static void gh_irq_alloc_free(struct gh_irq_ctx *c, atomic_t *count, size_t size)
{
	struct gh_obj_ref r = { .size = size, .tag = size * 31 };

	r.p = goheap_alloc(size, GFP_ATOMIC);
	if (!r.p) {
		atomic_inc(&c->errors);
		return;
	}
	gh_obj_fill(&r);
	if (!gh_obj_intact(&r))
		atomic_inc(&c->errors);
	goheap_free(r.p);
	atomic_inc(count);
}

static void gh_irq_work_fn(struct irq_work *w)
{
	struct gh_irq_ctx *c = container_of(w, struct gh_irq_ctx, work);

	gh_irq_alloc_free(c, &c->irqwork, 96);
}

static void gh_tasklet_fn(struct tasklet_struct *t)
{
	struct gh_irq_ctx *c = from_tasklet(c, t, tasklet);

	gh_irq_alloc_free(c, &c->softirq, 700);
}

static enum hrtimer_restart gh_hrtimer_fn(struct hrtimer *t)
{
	struct gh_irq_ctx *c = container_of(t, struct gh_irq_ctx, timer);

	gh_irq_alloc_free(c, &c->hardirq, 40 + c->remaining % 3000);
	irq_work_queue(&c->work);
	tasklet_schedule(&c->tasklet);
	if (--c->remaining <= 0)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(200 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void gh_test_interrupt_context(struct kunit *test)
{
	struct gh_irq_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->remaining = 200;
	init_irq_work(&c->work, gh_irq_work_fn);
	tasklet_setup(&c->tasklet, gh_tasklet_fn);
	hrtimer_init(&c->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	c->timer.function = gh_hrtimer_fn;
	hrtimer_start(&c->timer, ns_to_ktime(200 * NSEC_PER_USEC), HRTIMER_MODE_REL);
	/* the process side allocates at the same time */
	for (i = 0; i < 2000; i++) {
		void *p = goheap_alloc(40 + i % 3000, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, p);
		memset(p, 0x3c, 40);
		goheap_free(p);
		if (!(i % 64))
			usleep_range(1000, 2000);
	}
	while (READ_ONCE(c->remaining) > 0)
		msleep(20);
	hrtimer_cancel(&c->timer);
	irq_work_sync(&c->work);
	tasklet_kill(&c->tasklet);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->hardirq), 200);
	KUNIT_EXPECT_GT(test, atomic_read(&c->softirq), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&c->irqwork), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->errors), 0);
}

/*
 * An interrupt storm aimed at one CPU's fast paths: CPU A alternates
 * allocations and frees in a task while CPU B keeps interrupting it with
 * IPIs whose handlers allocate and free too (hardirq context; not on
 * PREEMPT_RT, where no allocator serves hardirqs), and a SCHED_FIFO task
 * on CPU A preempts it (every kernel). Every object must be unique and
 * intact, and some interrupts must have landed inside a fast path.
 */
struct gh_storm {
	struct gh_obj_ref task_live[GH_LIVE_SLOTS];
	struct gh_obj_ref irq_live[GH_LIVE_SLOTS];
	struct gh_obj_ref fifo_live[GH_LIVE_SLOTS];
	unsigned int irq_n, fifo_n;
	atomic_t errors;
	atomic_t stop;
	struct completion done[3];
	int cpu_a;
};

/* Replace slot @n % GH_LIVE_SLOTS of @live with a fresh object. */
static void gh_storm_step(struct gh_storm *s, struct gh_obj_ref *live,
			  unsigned int n, u64 owner, gfp_t gfp)
{
	struct gh_obj_ref *r = &live[n % GH_LIVE_SLOTS];

	if (r->p) {
		if (!gh_obj_intact(r))
			atomic_inc(&s->errors);
		goheap_free(r->p);
	}
	r->size = 16 + (n * 40) % 500;
	r->tag = owner << 56 | n;
	r->p = goheap_alloc(r->size, gfp);
	if (!r->p) {
		atomic_inc(&s->errors);
		return;
	}
	gh_obj_fill(r);
}

static void gh_storm_free_all(struct gh_storm *s, struct gh_obj_ref *live)
{
	unsigned int i;

	for (i = 0; i < GH_LIVE_SLOTS; i++) {
		if (!live[i].p)
			continue;
		if (!gh_obj_intact(&live[i]))
			atomic_inc(&s->errors);
		goheap_free(live[i].p);
		live[i].p = NULL;
	}
}

static void gh_storm_ipi(void *arg)
{
	struct gh_storm *s = arg;

	gh_storm_step(s, s->irq_live, s->irq_n++, 2, GFP_ATOMIC);
}

static int gh_storm_task(void *arg)
{
	struct gh_storm *s = arg;
	unsigned int n;

	for (n = 0; n < 200000 && !atomic_read(&s->stop); n++) {
		gh_storm_step(s, s->task_live, n, 1, GFP_KERNEL);
		if (!(n % 1024))
			cond_resched();
	}
	atomic_set(&s->stop, 1);
	gh_storm_free_all(s, s->task_live);
	complete(&s->done[0]);
	return 0;
}

static int gh_storm_interrupter(void *arg)
{
	struct gh_storm *s = arg;

	while (!atomic_read(&s->stop)) {
		if (!IS_ENABLED(CONFIG_PREEMPT_RT))
			smp_call_function_single(s->cpu_a, gh_storm_ipi, s, 1);
		else
			cond_resched();
	}
	complete(&s->done[1]);
	return 0;
}

static int gh_storm_fifo(void *arg)
{
	struct gh_storm *s = arg;

	while (!atomic_read(&s->stop)) {
		gh_storm_step(s, s->fifo_live, s->fifo_n++, 3, GFP_KERNEL);
		usleep_range(50, 100);
	}
	gh_storm_free_all(s, s->fifo_live);
	complete(&s->done[2]);
	return 0;
}

static void gh_test_interrupt_storm(struct kunit *test)
{
	struct gh_storm *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct goheap_stats before, after;
	struct task_struct *t[3];
	unsigned long bypasses;
	int cpu_b, i;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->cpu_a = cpumask_first(cpu_online_mask);
	cpu_b = cpumask_next(s->cpu_a, cpu_online_mask);
	for (i = 0; i < 3; i++)
		init_completion(&s->done[i]);
	gh_test_settle();
	goheap_read_stats(&before);
	bypasses = gh_cache_bypass_count();
	t[0] = kthread_create_on_cpu(gh_storm_task, s, s->cpu_a, "gh_storm/%u");
	t[1] = kthread_create_on_cpu(gh_storm_interrupter, s, cpu_b, "gh_ipi/%u");
	t[2] = kthread_create_on_cpu(gh_storm_fifo, s, s->cpu_a, "gh_fifo/%u");
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
	sched_set_fifo(t[2]);
	for (i = 0; i < 3; i++)
		wake_up_process(t[i]);
	for (i = 0; i < 3; i++)
		wait_for_completion(&s->done[i]);
	/* the IPI handler's objects are freed in task context at the end */
	gh_storm_free_all(s, s->irq_live);
	gh_test_settle();
	goheap_read_stats(&after);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->errors), 0);
	KUNIT_EXPECT_EQ(test, after.heap_objects, before.heap_objects);
	KUNIT_EXPECT_EQ(test, after.invalid_frees, before.invalid_frees);
	KUNIT_EXPECT_EQ(test, after.double_frees, before.double_frees);
	kunit_info(test, "%u IPIs, %u FIFO wake-ups, %lu fast paths went around a busy cache\n",
		   s->irq_n, s->fifo_n, gh_cache_bypass_count() - bypasses);
	if (!IS_ENABLED(CONFIG_PREEMPT_RT))
		KUNIT_EXPECT_GT(test, gh_cache_bypass_count() - bypasses, 0UL);
}

static void gh_test_drain_returns_to_baseline(struct kunit *test)
{
	void **objs = kunit_kcalloc(test, 512, sizeof(*objs), GFP_KERNEL);
	struct goheap_stats base, now;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	gh_test_settle();
	goheap_read_stats(&base);
	for (i = 0; i < 512; i++) {
		objs[i] = goheap_alloc(8 + (i * 37) % 9000, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	goheap_read_stats(&now);
	KUNIT_EXPECT_GT(test, now.heap_inuse, base.heap_inuse);
	KUNIT_EXPECT_EQ(test, now.heap_objects, base.heap_objects + 512);
	for (i = 0; i < 512; i++)
		goheap_free(objs[i]);
	goheap_drain();
	goheap_read_stats(&now);
	KUNIT_EXPECT_EQ(test, now.heap_inuse, base.heap_inuse);
	KUNIT_EXPECT_EQ(test, now.heap_objects, base.heap_objects);
	KUNIT_EXPECT_EQ(test, now.heap_sys, base.heap_sys);
}

static long gh_test_free_on_cpu(void *p)
{
	goheap_free(p);
	return 0;
}

/*
 * The slow-path counters count their paths: filling three spans of one
 * class makes refills, flushes and new spans; freeing the objects of the
 * spans given back takes the central lock once each; a free from another
 * CPU goes through a remote bit; and the emptied spans go back.
 */
static void gh_test_slow_path_counters(struct kunit *test)
{
	unsigned int cls = gh_size_to_class(256), per_span = gh_classes[cls].nelems;
	unsigned int i, n = 3 * per_span, other, given_back = 0;
	/* three snapshots are too much for the stack frame under KASAN */
	struct goheap_stats *snaps = kunit_kcalloc(test, 3, sizeof(*snaps), GFP_KERNEL);
	struct goheap_stats *start = &snaps[0], *a = &snaps[1], *b = &snaps[2];
	struct gh_span *owned;
	void **objs;

	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_ASSERT_NOT_NULL(test, snaps);
	gh_test_settle();
	goheap_read_stats(start);
	migrate_disable();
	for (i = 0; i < n; i++) {
		objs[i] = goheap_alloc(256, GFP_KERNEL);
		KUNIT_EXPECT_NOT_NULL(test, objs[i]);
	}
	other = cpumask_any_but(cpu_online_mask, smp_processor_id());
	goheap_read_stats(a);
	KUNIT_EXPECT_GE(test, a->refills - start->refills, 2ULL);
	KUNIT_EXPECT_GE(test, a->flushes - start->flushes, 1ULL);
	KUNIT_EXPECT_GE(test, a->span_allocs - start->span_allocs, 2ULL);
	KUNIT_EXPECT_EQ(test, a->central_frees, start->central_frees);
	/* objects of the spans the cache gave back: every free locks */
	owned = gh_test_span_of(objs[n - 1]);
	for (i = 0; i < n; i++) {
		if (objs[i] && gh_test_span_of(objs[i]) != owned) {
			goheap_free(objs[i]);
			objs[i] = NULL;
			given_back++;
		}
	}
	goheap_read_stats(b);
	KUNIT_EXPECT_GE(test, given_back, per_span);
	KUNIT_EXPECT_EQ(test, b->central_frees - a->central_frees, (u64)given_back);
	/* the emptied spans stay as spares until a drain (or the reaper) */
	KUNIT_EXPECT_EQ(test, b->span_frees, a->span_frees);
	KUNIT_EXPECT_EQ(test, b->remote_frees, a->remote_frees);
	/* the last span is this CPU's: a free from another CPU is remote */
	if (other < nr_cpu_ids) {
		KUNIT_EXPECT_EQ(test, work_on_cpu(other, gh_test_free_on_cpu, objs[n - 1]), 0L);
		objs[n - 1] = NULL;
		goheap_read_stats(a);
		KUNIT_EXPECT_EQ(test, a->remote_frees - b->remote_frees, 1ULL);
	}
	for (i = 0; i < n; i++)
		goheap_free(objs[i]);
	migrate_enable();
	goheap_read_stats(b);
	KUNIT_EXPECT_EQ(test, b->invalid_frees, start->invalid_frees);
	KUNIT_EXPECT_EQ(test, b->double_frees, start->double_frees);
	KUNIT_EXPECT_EQ(test, b->heap_objects, start->heap_objects);
	gh_test_settle();
	goheap_read_stats(a);
	KUNIT_EXPECT_GE(test, a->span_frees - b->span_frees, 2ULL);
}

/*
 * Spans grow with demand: a class's new spans double once it has
 * GH_SPAN_GROW_STEP spans alive, objects land in them and work, and once
 * the objects are freed the class is back to its table's span.
 */
static void gh_test_span_growth(struct kunit *test)
{
	unsigned int cls = gh_size_to_class(1024), base = gh_classes[cls].npages;
	unsigned int i, n = 8 * GH_SPAN_GROW_STEP * gh_classes[cls].nelems;
	unsigned int grown = 0;
	struct gh_span *span;
	void **objs;

	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	gh_test_settle();
	KUNIT_ASSERT_EQ(test, gh_span_pages_of(cls), base);
	for (i = 0; i < n; i++) {
		objs[i] = goheap_alloc(1000, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		gh_test_fill(objs[i], 1000, i);
		span = gh_test_span_of(objs[i]);
		KUNIT_ASSERT_NOT_NULL(test, span);
		KUNIT_EXPECT_EQ(test, (unsigned long)span->nelems,
				span->npages * PAGE_SIZE / gh_classes[cls].size);
		grown += span->npages > base;
	}
	KUNIT_EXPECT_GT(test, gh_span_pages_of(cls), base);
	KUNIT_EXPECT_GT(test, grown, 0U);
	KUNIT_EXPECT_LE(test, gh_span_pages_of(cls), (unsigned int)GH_ARENA_PAGES);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_TRUE(test, gh_test_check(objs[i], 1000, i));
		KUNIT_EXPECT_EQ(test, goheap_size(objs[i]), (size_t)gh_classes[cls].size);
		goheap_free(objs[i]);
	}
	gh_test_settle();
	KUNIT_EXPECT_EQ(test, gh_span_pages_of(cls), base);
	gh_test_expect_heap_identities(test);
}

static struct kunit_case gh_stress_cases[] = {
	KUNIT_CASE(gh_test_slow_path_counters),
	KUNIT_CASE(gh_test_span_growth),
	KUNIT_CASE(gh_test_drain_returns_to_baseline),
	KUNIT_CASE(gh_test_interrupt_context),
	KUNIT_CASE(gh_test_interrupt_storm),
	KUNIT_CASE(gh_test_stress_cross_cpu),
	KUNIT_CASE(gh_test_stress_hotplug),
	KUNIT_CASE(gh_test_stress_page_failures),
	{}
};

struct kunit_suite gh_stress_suite = {
	.name = "goheap_stress",
	.test_cases = gh_stress_cases,
};
