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
 * A free on the CPU that owns the object's span clears the alloc bit with a
 * plain store and, if the object lies in the current window, sets its
 * window bit again, so an alloc/free pair keeps reusing one hot object.
 *
 * The fast paths take the CPU's local lock: interrupts off, nothing shared,
 * no atomic read-modify-write. That is also what makes goheap usable from
 * hardirq context: an interrupt cannot land in the middle of a cache update
 * on its own CPU.
 *
 * Frees of objects owned by another CPU set a remote bit with one atomic
 * operation (span.c); frees to spans that no cache owns go to the central
 * list under its per-class lock (central.c). The owner folds remote frees
 * in when its window runs dry, before it gives up the span.
 *
 * When a window runs dry the cache moves to the span's next alloc word,
 * then collects remote frees and rescans from the start, and only when the
 * span is full hands it back to central and takes another. Growing needs a
 * new span from the page heap, which may sleep under the caller's gfp: the
 * local lock is dropped around it and the cache is looked at anew after,
 * since the task may have moved to another CPU or an interrupt may have
 * refilled the cache meanwhile.
 *
 * Caches are emptied, so that their spans can be reclaimed, when a CPU goes
 * offline (CPU hotplug "dead" callback, on a surviving CPU), and on
 * goheap_drain() and under memory pressure (an IPI to every CPU, which
 * cannot interrupt a fast path since those run with interrupts off).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>
#include <linux/local_lock.h>
#include <linux/smp.h>

#include "internal.h"

struct gh_cache_class {
	struct gh_span *span;	/* owned span, or NULL */
	unsigned long window;	/* free objects of alloc word @word */
	unsigned int word;
};

struct gh_cache {
	local_lock_t lock;
	struct gh_cache_class cls[GH_NUM_CLASSES];
};

static DEFINE_PER_CPU(struct gh_cache, gh_caches) = {
	.lock = INIT_LOCAL_LOCK(lock),
};

static enum cpuhp_state gh_cache_hp_state;

static __always_inline void *gh_cache_pop(struct gh_cache_class *cc)
{
	struct gh_span *span = cc->span;
	unsigned int bit = __ffs(cc->window);

	cc->window &= cc->window - 1;
	gh_span_alloc_bits(span)[cc->word] |= BIT(bit);
	return span->base + (cc->word * BITS_PER_LONG + bit) * span->size;
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
	gh_span_collect_remote(cc->span);
	return gh_cache_find_window(cc, 0);
}

static void gh_cache_install(struct gh_cache_class *cc, struct gh_span *span)
{
	cc->span = span;
	cc->word = 0;
	gh_cache_find_window(cc, 0);
	gh_count(GH_CNT_REFILLS);
}

static void gh_cache_release(struct gh_cache_class *cc, unsigned int cls)
{
	if (!cc->span)
		return;
	gh_central_put(&gh_centrals[cls], cc->span);
	cc->span = NULL;
	cc->window = 0;
	gh_count(GH_CNT_FLUSHES);
}

/*
 * Slow path, local lock held; may drop and retake it (updating @flags).
 * Out of line, so that the fast path needs few registers.
 */
static noinline void *gh_cache_refill(unsigned int cls, gfp_t gfp, unsigned long *flags)
{
	struct gh_cache_class *cc = this_cpu_ptr(&gh_caches.cls[cls]);
	struct gh_span *span;

	if (gh_cache_next_window(cc))
		return gh_cache_pop(cc);
	gh_cache_release(cc, cls);
	span = gh_central_take(&gh_centrals[cls], smp_processor_id());
	if (!span) {
		local_unlock_irqrestore(&gh_caches.lock, *flags);
		span = gh_central_grow(&gh_centrals[cls], gfp);
		local_lock_irqsave(&gh_caches.lock, *flags);
		if (!span)
			return NULL;
		cc = this_cpu_ptr(&gh_caches.cls[cls]);
		/* an interrupt may have refilled this cache meanwhile */
		if (cc->window || gh_cache_next_window(cc)) {
			gh_central_put(&gh_centrals[cls], span);
			return gh_cache_pop(cc);
		}
		gh_cache_release(cc, cls);
		WRITE_ONCE(span->owner, smp_processor_id());
	}
	gh_cache_install(cc, span);
	return gh_cache_pop(cc);
}

/**
 * gh_cache_alloc() - allocate one object of class @cls on this CPU
 * @cls: size class
 * @gfp: allocation flags for the slow path
 *
 * Return: the object, or NULL if memory could not be had under @gfp.
 */
void *gh_cache_alloc(unsigned int cls, gfp_t gfp)
{
	struct gh_cache_class *cc;
	unsigned long flags;
	void *p;

	local_lock_irqsave(&gh_caches.lock, flags);
	cc = this_cpu_ptr(&gh_caches.cls[cls]);
	if (likely(cc->window))
		p = gh_cache_pop(cc);
	else
		p = gh_cache_refill(cls, gfp, &flags);
	if (likely(p))
		__this_cpu_inc(gh_stats.class_mallocs[cls]);
	local_unlock_irqrestore(&gh_caches.lock, flags);
	return p;
}

static __always_inline int gh_cache_free_local(struct gh_span *span,
						unsigned int idx)
{
	struct gh_cache_class *cc = this_cpu_ptr(&gh_caches.cls[span->cls]);
	unsigned long *alloc = gh_span_alloc_bits(span);

	if (!test_bit(idx, alloc) || test_bit(idx, gh_span_remote_bits(span)))
		return -EINVAL;
	__clear_bit(idx, alloc);
	if (cc->span == span && cc->word == idx / BITS_PER_LONG)
		cc->window |= BIT(idx % BITS_PER_LONG);
	return 0;
}

static int gh_cache_free_remote(struct gh_span *span, unsigned int idx)
{
	if (!gh_span_remote_free(span, idx))
		return -EINVAL;
	/* the bit is set (a full barrier): did the owner let go meanwhile? */
	if (READ_ONCE(span->owner) == GH_NO_OWNER)
		gh_central_collect(&gh_centrals[span->cls], span);
	return 0;
}

/* A free to a span this CPU does not own; out of line. */
static noinline int gh_cache_free_elsewhere(struct gh_span *span,
					    unsigned int idx, int owner)
{
	int ret;

	if (owner != GH_NO_OWNER)
		return gh_cache_free_remote(span, idx);
	ret = gh_central_free(&gh_centrals[span->cls], span, idx);
	if (ret == -EAGAIN)
		ret = gh_cache_free_remote(span, idx);
	return ret;
}

/**
 * gh_cache_free() - free object @idx of small-object span @span
 * @span: live span holding the object; the caller is in an RCU reader
 * @idx: object index in the span
 *
 * Return: 0, or -EINVAL for an object that is not allocated (double or
 * invalid free); nothing is changed then.
 */
int gh_cache_free(struct gh_span *span, unsigned int idx)
{
	unsigned long flags;
	int owner, ret;

	local_lock_irqsave(&gh_caches.lock, flags);
	owner = READ_ONCE(span->owner);
	if (likely(owner == smp_processor_id()))
		ret = gh_cache_free_local(span, idx);
	else
		ret = gh_cache_free_elsewhere(span, idx, owner);
	if (likely(!ret))
		__this_cpu_inc(gh_stats.class_frees[span->cls]);
	local_unlock_irqrestore(&gh_caches.lock, flags);
	return ret;
}

static void gh_cache_drain_cache(struct gh_cache *cache)
{
	unsigned int cls;

	for (cls = 1; cls < GH_NUM_CLASSES; cls++)
		gh_cache_release(&cache->cls[cls], cls);
}

static void gh_cache_drain_ipi(void *unused)
{
	unsigned long flags;

	local_lock_irqsave(&gh_caches.lock, flags);
	gh_cache_drain_cache(this_cpu_ptr(&gh_caches));
	local_unlock_irqrestore(&gh_caches.lock, flags);
}

/**
 * gh_cache_drain_all() - empty every CPU's cache, then reclaim central
 *
 * Spans go back to central; those left empty go back to the page heap.
 * Must be called from process context with interrupts enabled.
 */
void gh_cache_drain_all(void)
{
	unsigned int cls;

	on_each_cpu(gh_cache_drain_ipi, NULL, 1);
	for (cls = 1; cls < GH_NUM_CLASSES; cls++)
		gh_central_reclaim(&gh_centrals[cls]);
}

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

/* A dead CPU's cache is emptied from a surviving CPU. */
static int gh_cache_cpu_dead(unsigned int cpu)
{
	gh_cache_drain_cache(per_cpu_ptr(&gh_caches, cpu));
	return 0;
}

int gh_cache_init(void)
{
	int ret;

	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "goheap:dead",
					NULL, gh_cache_cpu_dead);
	if (ret < 0)
		return ret;
	gh_cache_hp_state = ret;
	return 0;
}

void gh_cache_exit(void)
{
	cpuhp_remove_state_nocalls(gh_cache_hp_state);
	gh_cache_drain_all();
}
