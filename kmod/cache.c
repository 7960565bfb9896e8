// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU cache (Go's mcache).
 *
 * Each CPU owns at most one span per size class and allocates from it
 * through a 64-bit window of its free objects (Go's allocCache): the next
 * object is the lowest set bit, found with one count-trailing-zeros, and
 * taking it clears that bit in the window and sets it in the span's alloc
 * bitmap. Both live in memory only this CPU writes while it owns the span.
 *
 * A free on the CPU whose cache holds the object's span clears the alloc
 * bit with a plain store and, if the object lies in the current window,
 * sets its window bit again, so an alloc/free pair keeps reusing one hot
 * object.
 *
 * Who may touch a cache: the fast paths take no lock, disable no interrupt
 * and execute no atomic instruction. They run with preemption off and mark
 * the cache "busy" with a plain store for the few instructions in which it
 * is inconsistent (SLUB's local_trylock() of 6.15+, which 6.1 and 6.12 do
 * not have). An interrupt that lands while its CPU's cache is busy finds
 * the mark and never touches that cache: it allocates from the central
 * lists under their irq-safe lock and frees through the span's remote bits,
 * as another CPU would. Nothing but a hardirq or softirq on the same CPU
 * can see a busy cache, because busy sections run with preemption off.
 * The fast paths themselves are inline in cache.h; this file has all that
 * is slower.
 *
 * Slow paths pin the task to its CPU (preemption off, or migration off on
 * PREEMPT_RT, where the central and heap locks are sleeping locks) and take
 * locks only outside busy sections: they detach a span from the cache in
 * one busy section, hand it to central, take another from central, and
 * install it in a second busy section. Whatever changed in between (an
 * interrupt, or on RT another task on this CPU, may have refilled the
 * class) is looked at again before installing. Growing needs a new span
 * from the page heap, which may sleep under the caller's gfp, so it runs
 * unpinned.
 *
 * A span belongs to a cache exactly while that cache's slot holds it; only
 * then are frees on that CPU local. span->owner names the CPU from before
 * the span is installed until after it is given back, and tells frees from
 * elsewhere to use the remote bits (span.c); frees to spans that no cache
 * owns go to the central list under its per-class lock (central.c).
 *
 * Caches are emptied, so that their spans can be reclaimed, when a CPU goes
 * offline (CPU hotplug "dead" callback, on a surviving CPU), and on
 * goheap_drain() and under memory pressure: a work item on each CPU, which
 * runs in task context and so never lands inside a busy section.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "cache.h"
#include "report.h"
#include "trace.h"

DEFINE_PER_CPU(struct gh_cache, gh_caches);
DEFINE_PER_CPU(unsigned long, gh_cache_bypasses);
static DEFINE_PER_CPU(struct work_struct, gh_drain_works);
static DEFINE_MUTEX(gh_drain_mutex);
static struct workqueue_struct *gh_drain_wq;
static enum cpuhp_state gh_cache_hp_state;

/*
 * Keep the task on this CPU for a slow path. On PREEMPT_RT the slow path
 * takes sleeping locks, so only migration is disabled there.
 */
static int gh_pin(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		migrate_disable();
	else
		preempt_disable();
	return smp_processor_id();
}

static void gh_unpin(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		migrate_enable();
	else
		preempt_enable();
}

/*
 * The slow path's pop: the window's lowest free object, which it hands out
 * even when its remote bit is set, after settling that raced double free.
 */
static void *gh_cache_pop(struct gh_cache_class *cc)
{
	struct gh_span *span = cc->span;
	unsigned int idx = cc->word * BITS_PER_LONG + __ffs(cc->window);

	if (test_bit(idx, gh_span_remote_bits(span)))
		gh_span_settle_raced_free(span, idx);
	return gh_cache_try_pop(cc, 0);
}

static bool gh_cache_find_window(struct gh_cache_class *cc, unsigned int from)
{
	struct gh_span *span = cc->span;
	unsigned int w;

	for (w = from; w < span->nwords; w++) {
		cc->window = gh_span_window(span, w);
		if (cc->window) {
			cc->word = w;
			return true;
		}
	}
	return false;
}

/* Look for free objects in the owned span: next words, then from the start. */
static bool gh_cache_next_window(struct gh_cache_class *cc)
{
	if (!cc->span)
		return false;
	if (gh_cache_find_window(cc, cc->word + 1))
		return true;
	gh_span_fold_remote(cc->span);
	return gh_cache_find_window(cc, 0);
}

/* Take the owned span out of the cache (busy); the caller gives it back. */
static struct gh_span *gh_cache_detach(struct gh_cache_class *cc)
{
	struct gh_span *span = cc->span;

	cc->span = NULL;
	cc->window = 0;
	return span;
}

static void gh_cache_give_back(unsigned int cls, struct gh_span *span)
{
	if (!span)
		return;
	gh_central_put(gh_central_of(span->nid, cls), span);
	gh_count(GH_CNT_FLUSHES);
}

/*
 * A partial span of @central for @cpu's cache. The exhausted span @old goes
 * back under the same lock when it is @central's; a span of another node's
 * lists goes back to them first.
 */
static struct gh_span *gh_cache_take(unsigned int cls, struct gh_central *central,
				     int cpu, unsigned int want,
				     struct gh_span *old)
{
	if (old && gh_central_of(old->nid, cls) != central) {
		gh_cache_give_back(cls, old);
		old = NULL;
	}
	if (old)
		gh_count(GH_CNT_FLUSHES);
	return gh_central_take(central, cpu, want, old);
}

/*
 * First busy section of a refill: an object from the rest of the owned
 * span, or else the exhausted span, detached into @old. ERR_PTR(-EBUSY) if
 * the cache is busy.
 */
static void *gh_cache_rescan(unsigned int cls, struct gh_span **old)
{
	struct gh_cache_class *cc = this_cpu_ptr(&gh_caches.cls[cls]);
	void *p = NULL;

	if (!gh_cache_enter())
		return ERR_PTR(-EBUSY);
	if (cc->window || gh_cache_next_window(cc))
		p = gh_cache_pop(cc);
	else
		*old = gh_cache_detach(cc);
	gh_cache_leave();
	return p;
}

/*
 * Second busy section: install @span, owned by this CPU, unless the class
 * was refilled meanwhile; then @span comes back in @spare. The span that
 * was there, if exhausted, comes back in @old.
 */
static void *gh_cache_install(unsigned int cls, struct gh_span *span,
			      struct gh_span **old, struct gh_span **spare)
{
	struct gh_cache_class *cc = this_cpu_ptr(&gh_caches.cls[cls]);
	void *p = NULL;

	*spare = span;
	if (!gh_cache_enter())
		return NULL;
	if (cc->window || gh_cache_next_window(cc)) {
		p = gh_cache_pop(cc);
	} else {
		*old = gh_cache_detach(cc);
		*spare = NULL;
		cc->span = span;
		cc->word = 0;
		gh_cache_find_window(cc, 0);
		gh_count(GH_CNT_REFILLS);
		trace_refill(cls, span->size, span->nelems, span->nid);
		p = gh_cache_pop(cc);
	}
	gh_cache_leave();
	return p;
}

/* Install @span with preemption off; give back what did not fit. */
static void *gh_cache_install_span(unsigned int cls, struct gh_span *span)
{
	struct gh_span *old = NULL, *spare;
	void *p;

	preempt_disable();
	p = gh_cache_install(cls, span, &old, &spare);
	preempt_enable();
	gh_cache_give_back(cls, old);
	if (spare)
		gh_central_put(gh_central_of(spare->nid, cls), spare);
	return p;
}

/*
 * Everything but a plain window pop: the window is empty, its next object
 * raced with two frees, or this CPU's cache is busy (we are an interrupt
 * that landed inside a fast path: allocate from central instead).
 */
static void *gh_cache_alloc_refill(unsigned int cls, gfp_t gfp,
				   unsigned int want)
{
	struct gh_span *old = NULL, *span;
	struct gh_central *central;
	void *p;
	int cpu;

	cpu = gh_pin();
	/* the CPU's own node's lists; a span keeps its node wherever it goes */
	central = gh_central_of(cpu_to_node(cpu), cls);
	preempt_disable();
	p = gh_cache_rescan(cls, &old);
	preempt_enable();
	if (p == ERR_PTR(-EBUSY)) {
		gh_unpin();
		this_cpu_inc(gh_cache_bypasses);
		return gh_central_alloc(central, gfp);
	}
	if (!p) {
		span = gh_cache_take(cls, central, cpu, want, old);
		if (!span) {
			gh_unpin();
			span = gh_central_grow(central, gfp, want);
			if (!span)
				return NULL;
			cpu = gh_pin();
			/* nobody else can see a span no object was taken from */
			WRITE_ONCE(span->owner, cpu);
		}
		p = gh_cache_install_span(cls, span);
	}
	gh_unpin();
	/* an interrupt may have made the cache busy meanwhile: go around it */
	return p ?: gh_central_alloc(central, gfp);
}

/**
 * gh_cache_alloc_slow() - allocate one object of class @cls when
 *	gh_cache_alloc_fast() could not, and count it
 * @cls: size class
 * @size: bytes asked for, for the statistics
 * @gfp: allocation flags
 * @want: for a bulk call, what gh_span_bulk_objects() says of it: a new
 *	  span must have that many free objects (0: any will do)
 *
 * Return: the object, or NULL if memory could not be had under @gfp.
 */
void *gh_cache_alloc_slow(unsigned int cls, size_t size, gfp_t gfp,
			  unsigned int want)
{
	void *p = gh_cache_alloc_refill(cls, gfp, want);

	if (p) {
		this_cpu_inc(gh_stats.class_mallocs[cls]);
		this_cpu_add(gh_stats.class_requested[cls], size);
	}
	return p;
}

/*
 * Take up to @n objects of the current window at once (busy): their alloc
 * bits are set with one store. A raced double free in the window (a remote
 * bit on a free object) is settled first, as gh_cache_pop() settles one.
 */
static unsigned int gh_cache_take_window(struct gh_cache_class *cc,
					 unsigned int n, void **ptrs)
{
	struct gh_span *span = cc->span;
	unsigned long window = cc->window, raced;
	void *base = gh_span_obj(span, cc->word * BITS_PER_LONG);
	const size_t size = span->size;
	unsigned int i, k;

	raced = window & READ_ONCE(span->remote[cc->word]);
	for (; unlikely(raced); raced &= raced - 1)
		gh_span_settle_raced_free(span, cc->word * BITS_PER_LONG + __ffs(raced));
	k = min_t(unsigned int, n, hweight_long(window));
	for (i = 0; i < k; i++) {
		ptrs[i] = base + __ffs(window) * size;
		window &= window - 1;
	}
	gh_span_alloc_bits(span)[cc->word] |= cc->window ^ window;
	cc->window = window;
	return k;
}

/**
 * gh_cache_alloc_bulk() - take up to @n objects of class @cls from this
 *	CPU's owned span in one busy section, and count them
 * @cls: size class
 * @size: bytes asked for per object, for the statistics
 * @n: objects wanted
 * @ptrs: filled from the start
 *
 * Walks the owned span's windows word by word, folding remote frees in
 * once at its end, as a refill would; it never takes a lock or a new span.
 *
 * Return: objects taken: fewer than @n when the owned span runs out (the
 * caller refills with gh_cache_alloc_slow()), 0 if the cache is busy.
 */
unsigned int gh_cache_alloc_bulk(unsigned int cls, size_t size,
				 unsigned int n, void **ptrs)
{
	struct gh_cache_class *cc;
	unsigned int i = 0;

	preempt_disable();
	if (gh_cache_enter()) {
		cc = this_cpu_ptr(&gh_caches.cls[cls]);
		while (i < n && (cc->window || gh_cache_next_window(cc)))
			i += gh_cache_take_window(cc, n - i, ptrs + i);
		cc->mallocs += i;
		cc->requested += size * i;
		gh_cache_leave();
	}
	preempt_enable();
	return i;
}

/* A free to a span some CPU owns, through its remote bit. */
static int gh_cache_free_remote(struct gh_span *span, unsigned int idx)
{
	if (!gh_span_remote_free(span, idx))
		return -EINVAL;
	/* the bit is set (a full barrier): did the owner let go meanwhile? */
	if (READ_ONCE(span->owner) == GH_NO_OWNER)
		gh_central_fold(gh_central_of(span->nid, span->cls), span);
	return 0;
}

/**
 * gh_cache_free_elsewhere() - free object @idx of a span this CPU's cache
 *	could not take it back into
 * @span: live span; the caller is in an RCU reader (any flavour)
 * @idx: object index, below span->nelems
 *
 * Through the remote bits if a cache owns the span (this CPU's too, when
 * its cache is busy), or under the central lock if none does. The free is
 * counted in gh_stats.
 *
 * Return: 0, or -EINVAL for an object that is not allocated (double or
 * invalid free); nothing is changed then.
 */
int gh_cache_free_elsewhere(struct gh_span *span, unsigned int idx)
{
	unsigned int cls = span->cls;
	int ret;

	if (READ_ONCE(span->owner) != GH_NO_OWNER) {
		ret = gh_cache_free_remote(span, idx);
	} else {
		ret = gh_central_free(gh_central_of(span->nid, cls), span, idx);
		if (ret == -EAGAIN)
			ret = gh_cache_free_remote(span, idx);
	}
	if (!ret)
		this_cpu_inc(gh_stats.class_frees[cls]);
	return ret;
}

/**
 * gh_cache_free() - free object @idx of small-object span @span, any path,
 *	and count it
 * @span: live span; the caller is in an RCU reader (any flavour)
 * @idx: object index, below span->nelems
 *
 * Return: as gh_cache_free_elsewhere().
 */
int gh_cache_free(struct gh_span *span, unsigned int idx)
{
	bool freed;

	preempt_disable();
	freed = gh_cache_free_local(span, idx);
	preempt_enable();
	return freed ? 0 : gh_cache_free_elsewhere(span, idx);
}

/* Give back every span of the cache of the CPU this runs on. */
static void gh_cache_drain_this_cpu(void)
{
	struct gh_span *span;
	unsigned int cls;

	for (cls = 1; cls < GH_NUM_CLASSES; cls++) {
		span = NULL;
		preempt_disable();
		/* task context: no fast path of this CPU is half done */
		if (!WARN_ON_ONCE(!gh_cache_enter())) {
			span = gh_cache_detach(this_cpu_ptr(&gh_caches.cls[cls]));
			gh_cache_leave();
		}
		preempt_enable();
		gh_cache_give_back(cls, span);
	}
}

static void gh_cache_drain_fn(struct work_struct *work)
{
	gh_cache_drain_this_cpu();
}

/**
 * gh_cache_drain_all() - empty every CPU's cache, then reclaim central
 *
 * Spans go back to central; those left empty go back to the page heap.
 * Each CPU empties its own cache in a work item, which cannot interrupt a
 * fast path.
 *
 * Context: process context; sleeps.
 */
void gh_cache_drain_all(void)
{
	unsigned int cpu;

	/*
	 * No cpus_read_lock(): the shrinker drains from reclaim, and CPU
	 * hotplug allocates under the hotplug lock. A CPU that goes down
	 * meanwhile had its cache emptied by gh_cache_cpu_dead(), and its
	 * work item runs elsewhere, emptying that CPU's cache instead, which
	 * is as safe as any drain.
	 */
	mutex_lock(&gh_drain_mutex);
	for_each_online_cpu(cpu)
		queue_work_on(cpu, gh_drain_wq, per_cpu_ptr(&gh_drain_works, cpu));
	for_each_possible_cpu(cpu)
		flush_work(per_cpu_ptr(&gh_drain_works, cpu));
	mutex_unlock(&gh_drain_mutex);
	gh_central_reclaim_all();
}

/**
 * gh_cache_bypass_count() - how often an interrupt found its CPU's cache
 *	busy (in the middle of a fast path) and went around it
 *
 * Return: the sum over all CPUs since load.
 */
unsigned long gh_cache_bypass_count(void)
{
	unsigned long sum = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(gh_cache_bypasses, cpu);
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(gh_cache_bypass_count);

/**
 * gh_cache_free_slots() - free objects in the span @cpu's cache owns
 * @cpu: a possible CPU
 * @cls: size class
 *
 * A racy reading for statistics; the caller is in an RCU reader.
 *
 * Return: free object slots in the owned span, 0 if none is owned.
 */
unsigned long gh_cache_free_slots(unsigned int cpu, unsigned int cls)
{
	struct gh_span *span = READ_ONCE(per_cpu_ptr(&gh_caches, cpu)->cls[cls].span);

	if (!span)
		return 0;
	return span->nelems - gh_span_live_objects(span);
}

/* A dead CPU's cache is emptied from a surviving CPU: nothing runs on it. */
static int gh_cache_cpu_dead(unsigned int cpu)
{
	struct gh_cache *c = per_cpu_ptr(&gh_caches, cpu);
	unsigned int cls;

	for (cls = 1; cls < GH_NUM_CLASSES; cls++)
		gh_cache_give_back(cls, gh_cache_detach(&c->cls[cls]));
	return 0;
}

int gh_cache_init(void)
{
	unsigned int cpu;
	int ret;

	/* drains run under memory pressure: the queue must make progress */
	gh_drain_wq = alloc_workqueue("goheap_drain", WQ_MEM_RECLAIM, 0);
	if (!gh_drain_wq)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		INIT_WORK(per_cpu_ptr(&gh_drain_works, cpu), gh_cache_drain_fn);
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "goheap:dead",
					NULL, gh_cache_cpu_dead);
	if (ret < 0) {
		destroy_workqueue(gh_drain_wq);
		return ret;
	}
	gh_cache_hp_state = ret;
	return 0;
}

void gh_cache_exit(void)
{
	cpuhp_remove_state_nocalls(gh_cache_hp_state);
	gh_cache_drain_all();
	destroy_workqueue(gh_drain_wq);
}
