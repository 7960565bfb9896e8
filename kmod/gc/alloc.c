// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation in a GC domain: goheap_gc_alloc() and the per-CPU caches it
 * allocates from (Go's mcache for a domain's spans).
 *
 * A type's record (types.c) is found through a small table in the domain
 * keyed by the descriptor's address, so allocation does not search the
 * domain's types. Each type that fits a size class has a cache per CPU
 * (struct gh_gc_cache) that owns one of the type's spans and allocates from
 * a 64-bit window of its free slots, as the manual heap's caches do: the
 * next object is the window's lowest set bit, and taking it sets its alloc
 * bit with a plain store, since only the owning CPU writes the alloc bits
 * of an owned span. While the collector marks, the object's mark bit is set
 * too (allocation is black), atomically, as markers set other bits of the
 * same words. No lock, no search, no atomic instruction outside marking.
 *
 * The fast path runs with preemption off and marks the CPU "busy" with a
 * plain store while the cache is inconsistent; a softirq that allocates on
 * a CPU whose cache is busy finds the mark and takes its object under the
 * domain lock (spans.c), as types larger than every class always do.
 *
 * Refilling takes the domain lock: the cache's span goes back to its lists
 * and a swept span with room (or a new one) is installed. The pacer sees
 * allocation at this grain, as Go's does: an installed span's free slots
 * count as allocated (heap_cached) until the span is given back, when the
 * objects really taken are folded into heap_alloc. So the trigger, the
 * assist and the memory limit are checked once per refill, not per object.
 *
 * The cycle's end takes every span back (gh_gc_caches_flush()) before the
 * sweep turns mark bits into alloc bits: it stops the caches under the
 * domain lock (caches_off), and once the handshake that follows has waited
 * out every fast path that began before (an RCU-sched grace period: fast
 * paths run with preemption off), no CPU touches its cache until the sweep
 * has begun and the caches are started again. Objects come back zeroed, so
 * a fresh object holds no stale pointers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "gc.h"
#include "../fault.h"
#include "../poison.h"

/* A fast path is changing one of this CPU's caches. */
static DEFINE_PER_CPU(unsigned int, gh_gc_cache_busy);

/* The next word of @c's span with a free slot, as a window; 0 if none. */
static unsigned long gh_gc_cache_load(struct gh_gc_cache *c)
{
	struct gh_span *span = c->span;
	unsigned int w, words;
	unsigned long free;

	if (!span)
		return 0;
	words = BITS_TO_LONGS(span->nelems);
	while (c->next < words) {
		w = c->next++;
		free = ~gh_span_alloc_bits(span)[w];
		if (w == words - 1)
			free &= BITMAP_LAST_WORD_MASK(span->nelems);
		if (free) {
			c->base = w * BITS_PER_LONG;
			return free;
		}
	}
	return 0;
}

/* Take a slot of the span @c owns; inside a busy section. */
static __always_inline void *gh_gc_cache_take(struct goheap_gc_domain *d,
					      struct gh_gc_cache *c)
{
	unsigned long window = c->window;
	unsigned int idx;

	if (unlikely(!window)) {
		window = gh_gc_cache_load(c);
		if (!window)
			return NULL;
	}
	idx = c->base + __ffs(window);
	c->window = window & (window - 1);
	__set_bit(idx, gh_span_alloc_bits(c->span));
	if (unlikely(READ_ONCE(d->alloc_black)))
		set_bit(idx, gh_span_mark_bits(c->span));
	c->nalloc++;
	return gh_span_obj(c->span, idx);
}

/* Begin a busy section; false if the cache may not be used now. */
static __always_inline bool gh_gc_cache_enter(struct goheap_gc_domain *d)
{
	preempt_disable();
	if (unlikely(__this_cpu_read(gh_gc_cache_busy) ||
		     READ_ONCE(d->caches_off))) {
		preempt_enable();
		return false;
	}
	__this_cpu_write(gh_gc_cache_busy, 1);
	barrier();
	return true;
}

static __always_inline void gh_gc_cache_leave(void)
{
	barrier();
	__this_cpu_write(gh_gc_cache_busy, 0);
	preempt_enable();
}

/* The fast path: an object from this CPU's cache of @ti, or NULL. */
static __always_inline void *gh_gc_cache_alloc(struct goheap_gc_domain *d,
					       struct gh_gc_tinfo *ti)
{
	void *obj;

	if (!gh_gc_cache_enter(d))
		return NULL;
	obj = gh_gc_cache_take(d, this_cpu_ptr(ti->caches));
	gh_gc_cache_leave();
	return obj;
}

/* Give @c's span back to its lists and fold what @c took into heap_alloc. */
static void gh_gc_cache_detach(struct goheap_gc_domain *d,
			       struct gh_gc_tinfo *ti, struct gh_gc_cache *c)
{
	lockdep_assert_held(&d->lock);
	if (!c->span)
		return;
	d->heap_alloc += (u64)c->nalloc * ti->obj_size;
	d->heap_cached -= (u64)c->reserved * ti->obj_size;
	gh_gc_span_list(d, c->span);
	memset(c, 0, sizeof(*c));
}

static void gh_gc_cache_install(struct goheap_gc_domain *d,
				struct gh_gc_tinfo *ti, struct gh_gc_cache *c,
				struct gh_span *span)
{
	lockdep_assert_held(&d->lock);
	list_move(&span->node, &ti->cached);
	c->span = span;
	c->reserved = span->nelems -
		      bitmap_weight(gh_span_alloc_bits(span), span->nelems);
	d->heap_cached += (u64)c->reserved * ti->obj_size;
}

/*
 * Install @span, a span of @ti with room, in this CPU's cache and take a
 * slot; if the cache may not be used now, take the slot under the lock and
 * add its size to *@locked_bytes.
 */
static void *gh_gc_cache_swap(struct goheap_gc_domain *d, struct gh_gc_tinfo *ti,
			      struct gh_span *span, u64 *locked_bytes)
{
	struct gh_gc_cache *c;
	void *obj;

	lockdep_assert_held(&d->lock);
	if (!gh_gc_cache_enter(d)) {
		*locked_bytes = ti->obj_size;
		return gh_gc_take_slot(d, span);
	}
	c = this_cpu_ptr(ti->caches);
	/* on PREEMPT_RT another task of this CPU may have refilled meanwhile */
	obj = gh_gc_cache_take(d, c);
	if (!obj) {
		gh_gc_cache_detach(d, ti, c);
		gh_gc_cache_install(d, ti, c, span);
		obj = gh_gc_cache_take(d, c);
	}
	gh_gc_cache_leave();
	return obj;
}

/* The cache ran dry: give its span back, install one with room, take. */
static void *gh_gc_cache_refill(struct goheap_gc_domain *d,
				struct gh_gc_tinfo *ti, gfp_t gfp,
				unsigned long caller, enum gh_gc_pace_step *step)
{
	u64 locked_bytes = 0;
	struct gh_span *span;
	void *obj = NULL;

	spin_lock_bh(&d->lock);
	span = gh_gc_span_with_room_or_new(d, ti, gfp, caller);
	if (span) {
		obj = gh_gc_cache_swap(d, ti, span, &locked_bytes);
		*step = gh_gc_pace_alloc(d, locked_bytes);
	}
	spin_unlock_bh(&d->lock);
	return obj;
}

/* Everything but the fast path: refill, or the lists under the lock. */
static noinline void *gh_gc_alloc_slow(struct goheap_gc_domain *d,
				       struct gh_gc_tinfo *ti, gfp_t gfp,
				       unsigned long caller)
{
	enum gh_gc_pace_step step = GH_GC_PACE_NONE;
	void *obj;

	if (ti->caches)
		obj = gh_gc_cache_refill(d, ti, gfp, caller, &step);
	else
		obj = gh_gc_locked_alloc(d, ti, gfp, caller, &step);
	if (obj)
		gh_gc_pace_act(d, step);
	return obj;
}

/**
 * gh_gc_caches_stop() - from now on, allocation in @d bypasses the caches
 * @d: domain, lock held
 *
 * Fast paths that read the old state may still run: wait for a grace
 * period (gh_gc_sections_wait() begins with one) before
 * gh_gc_caches_flush().
 */
void gh_gc_caches_stop(struct goheap_gc_domain *d)
{
	lockdep_assert_held(&d->lock);
	WRITE_ONCE(d->caches_off, true);
}

/**
 * gh_gc_caches_flush() - take every CPU's spans of @d back to the lists
 * @d: domain, lock held, caches stopped a grace period ago
 */
void gh_gc_caches_flush(struct goheap_gc_domain *d)
{
	struct gh_gc_tinfo *ti;
	unsigned int cpu;

	lockdep_assert_held(&d->lock);
	WARN_ON_ONCE(!d->caches_off);
	list_for_each_entry(ti, &d->types, node) {
		if (!ti->caches)
			continue;
		for_each_possible_cpu(cpu)
			gh_gc_cache_detach(d, ti, per_cpu_ptr(ti->caches, cpu));
	}
}

/**
 * gh_gc_caches_start() - allocation in @d uses the caches again
 * @d: domain, lock held
 */
void gh_gc_caches_start(struct goheap_gc_domain *d)
{
	lockdep_assert_held(&d->lock);
	WRITE_ONCE(d->caches_off, false);
}

/**
 * gh_gc_heap_alloc() - bytes of allocated objects of @d, caches included
 * @d: domain, lock held
 *
 * Exact when no allocation runs; otherwise a moment's view.
 *
 * Return: heap_alloc plus what every CPU's caches took since their spans
 * were installed.
 */
u64 gh_gc_heap_alloc(struct goheap_gc_domain *d)
{
	struct gh_gc_tinfo *ti;
	u64 bytes = d->heap_alloc;
	unsigned int cpu;

	lockdep_assert_held(&d->lock);
	list_for_each_entry(ti, &d->types, node) {
		if (!ti->caches)
			continue;
		for_each_possible_cpu(cpu)
			bytes += (u64)READ_ONCE(per_cpu_ptr(ti->caches, cpu)->nalloc) *
				 ti->obj_size;
	}
	return bytes;
}
EXPORT_SYMBOL_IF_KUNIT(gh_gc_heap_alloc);

/* The domain's record of @type: one table look-up, a search only once. */
static __always_inline struct gh_gc_tinfo *
gh_gc_tinfo_lookup(struct goheap_gc_domain *d, const struct goheap_gc_type *type,
		   gfp_t gfp, unsigned long caller)
{
	struct gh_gc_tinfo *ti = READ_ONCE(d->type_table[gh_gc_type_slot(type)]);

	if (likely(ti && ti->type == type))
		return ti;
	return gh_gc_tinfo_get(d, type, gfp, caller);
}

/**
 * goheap_gc_alloc() - allocate a zeroed object in a GC domain
 * @d: the domain
 * @type: the object's type; the same descriptor for every object of a type
 * @gfp: allocation flags for new spans
 *
 * The object lives as long as it is reachable from the domain's roots.
 *
 * Context: inside goheap_gc_enter() / goheap_gc_exit(); may sleep if @gfp
 * allows.
 * Return: the object, or NULL for a bad type (reported and counted), for
 * @gfp asking for DMA, DMA32 or HIGHMEM memory (counted as BadGfp and
 * warned once per call site, as goheap_alloc() does), when memory is
 * short, or when the domain's memory limit is reached.
 */
void *goheap_gc_alloc(struct goheap_gc_domain *d,
		      const struct goheap_gc_type *type, gfp_t gfp)
{
	unsigned long caller = _RET_IP_;
	struct gh_gc_tinfo *ti;
	void *obj = NULL;

	if (unlikely(gfp & GH_GFP_REFUSED))
		return gh_gfp_refuse(gfp, caller);
	ti = gh_gc_tinfo_lookup(d, type, gfp, caller);
	if (unlikely(!ti))
		return NULL;
	if (gh_fault_hooked(ti->obj_size, gfp))
		return NULL;
	if (likely(ti->caches))
		obj = gh_gc_cache_alloc(d, ti);
	if (unlikely(!obj)) {
		obj = gh_gc_alloc_slow(d, ti, gfp, caller);
		if (!obj)
			return NULL;
	}
	gh_unpoison(obj, ti->obj_size);
	return memset(obj, 0, ti->obj_size);
}
EXPORT_SYMBOL_GPL(goheap_gc_alloc);
