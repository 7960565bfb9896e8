// SPDX-License-Identifier: GPL-2.0
/*
 * The store barrier (Go's mbarrier.go): the out-of-line half of
 * goheap_gc_store(), and the mode word that sends stores here.
 *
 * The inline half in include/goheap.h reads the domain's mode word,
 * goheap_gc_domain_head.barrier_mode, and stores directly while it is zero:
 * an unchecked domain that the collector is not marking pays one load and
 * one predictable branch per store. The word has two bits:
 *
 *  GH_GC_BARRIER_CHECKED  set for the domain's life unless it was created
 *                         with GOHEAP_GC_UNCHECKED: every store checks that
 *                         the slot is a pointer field of a live object or a
 *                         root, and that the value points into the domain.
 *  GH_GC_BARRIER_MARKING  set when a cycle starts and cleared once marking
 *                         is done: every store shades the value it
 *                         overwrites (a deletion, or snapshot-at-the-
 *                         beginning, barrier) and the value it writes (an
 *                         insertion barrier, for pointers a section loaded
 *                         before the snapshot); cycle.c says why both.
 *
 * The bit flips while sections run. A store that read the word just before
 * a flip may finish after it: the collector waits for every section open
 * at the flip to end (gh_gc_sections_wait()) before it relies on the new
 * mode.
 *
 * A checked domain keeps, per CPU, the span its last checked store's slot
 * was in (struct gh_gc_store_cache): stores into objects allocated
 * together find their span there and skip the page-map walk.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "gc.h"

/**
 * gh_gc_barrier_init() - the mode word of a new domain, and a checked
 *	domain's per-CPU store caches
 * @d: domain being created, opts set
 *
 * Return: 0 or -ENOMEM.
 */
int gh_gc_barrier_init(struct goheap_gc_domain *d)
{
	int cpu;

	if (d->opts.flags & GOHEAP_GC_UNCHECKED) {
		d->head.barrier_mode = 0;
		return 0;
	}
	d->head.barrier_mode = GH_GC_BARRIER_CHECKED;
	d->store_cache = alloc_percpu(struct gh_gc_store_cache);
	if (!d->store_cache)
		return -ENOMEM;
	/* an epoch span_epoch does not reach: no cached span yet */
	for_each_possible_cpu(cpu)
		per_cpu_ptr(d->store_cache, cpu)->epoch = ULONG_MAX;
	return 0;
}

/**
 * gh_gc_barrier_exit() - free what gh_gc_barrier_init() allocated
 * @d: domain being freed, no store can reach it any more
 */
void gh_gc_barrier_exit(struct goheap_gc_domain *d)
{
	free_percpu(d->store_cache);
}

/**
 * gh_gc_barrier_mark_on() - stores shade the old and new values from now on
 * @d: domain whose cycle starts, lock held
 */
void gh_gc_barrier_mark_on(struct goheap_gc_domain *d)
{
	lockdep_assert_held(&d->lock);
	WRITE_ONCE(d->head.barrier_mode,
		   d->head.barrier_mode | GH_GC_BARRIER_MARKING);
}

/**
 * gh_gc_barrier_mark_off() - stores stop shading
 * @d: domain whose marking is done, lock held
 */
void gh_gc_barrier_mark_off(struct goheap_gc_domain *d)
{
	lockdep_assert_held(&d->lock);
	WRITE_ONCE(d->head.barrier_mode,
		   d->head.barrier_mode & ~GH_GC_BARRIER_MARKING);
}

/*
 * The span of @d whose pages hold @slot, or NULL: this CPU's last one if
 * @slot is in it and no span of @d was freed since it was looked up, else
 * the page map's (and it becomes this CPU's last one). Preemption is off.
 *
 * Why a cached pointer is safe to use: gh_gc_barrier_span_gone() moves the
 * epoch before a span is freed, and the span's memory goes only after an
 * RCU grace period. A store that reads the old epoch began its
 * preemption-off section before that grace period, which waits for it; a
 * store that began after it reads the new epoch. An interrupt that stores
 * between the two writes of the entry (span, then epoch) or the two reads
 * (epoch, then span) pairs a span with an epoch no later than the one it
 * was looked up at, which is at worst a miss.
 */
static __always_inline struct gh_span *
gh_gc_slot_span(struct goheap_gc_domain *d, void **slot)
{
	struct gh_gc_store_cache *sc = this_cpu_ptr(d->store_cache);
	unsigned long epoch = READ_ONCE(d->span_epoch);
	struct gh_span *span;

	if (READ_ONCE(sc->epoch) == epoch) {
		span = READ_ONCE(sc->span);
		if (gh_in_span(span, slot))
			return span;
	}
	span = gh_gc_domain_span(d, slot);
	if (span) {
		WRITE_ONCE(sc->span, span);
		WRITE_ONCE(sc->epoch, epoch);
	}
	return span;
}

/*
 * Is @slot, in @span's pages, a pointer field of a live object of @span?
 * Inline, for the checked barrier's common case. The slot's offset in its
 * object is below the object's size, the exact division (gh_span_index())
 * sees to that, and the pointer map covers the whole object (types.c): no
 * bound needs checking before the map is read.
 */
static __always_inline bool gh_gc_is_field(struct gh_span *span, void **slot)
{
	unsigned long offset = (void *)slot - span->base, field;
	unsigned int idx = gh_span_index(span, offset);

	if (!gh_gc_idx_live(span, idx))
		return false;
	field = offset - (unsigned long)idx * span->size;
	return IS_ALIGNED(field, sizeof(void *)) &&
	       test_bit(field / sizeof(void *), gh_gc_span_tinfo(span)->ptr_map);
}

/*
 * Is @value inside a live object of @d? @span, the slot's, is tried first:
 * a store often links objects allocated together, and then the page-map
 * walk is saved.
 */
static __always_inline bool gh_gc_value_ok(struct goheap_gc_domain *d,
					   struct gh_span *span,
					   const void *value)
{
	unsigned int idx;

	if (gh_in_span(span, value))
		return gh_gc_idx_live(span, gh_span_index(span, value - span->base));
	return gh_gc_live_span(d, value, &idx);
}

/*
 * The store failed the inline checks: it may still be a store to a root
 * (of a value the checks accepted); anything else is refused and reported
 * against @caller.
 */
static noinline int gh_gc_store_slow_check(struct goheap_gc_domain *d,
					   void **slot, const void *value,
					   unsigned long caller)
{
	struct gh_span *span;
	unsigned int idx;
	bool slot_ok, value_ok;

	rcu_read_lock();
	span = gh_gc_domain_span(d, slot);
	slot_ok = (span && gh_gc_is_field(span, slot)) || gh_gc_is_root(d, slot);
	value_ok = !value || gh_gc_live_span(d, value, &idx);
	rcu_read_unlock();
	if (!slot_ok) {
		gh_gc_report(d, &d->stats.bad_stores, caller,
			     "store to a slot that is no pointer field of a live object nor a root");
		return -EINVAL;
	}
	if (!value_ok) {
		gh_gc_report(d, &d->stats.bad_stores, caller,
			     "store of a pointer that is not into the domain");
		return -EINVAL;
	}
	return 0;
}

/*
 * The checks of a checked domain, inline and without a call: @slot is a
 * pointer field of a live object of @d, @value NULL or into a live object
 * of @d. The common case, a field and a value, finds the slot's span in
 * this CPU's store cache or with a page-map look-up, and the value in the
 * same span or with a second look-up, with preemption off (which is an RCU
 * reader: spans are freed after a grace period). A store that fails them
 * may still be a store to a root: gh_gc_store_slow_check() decides.
 */
static __always_inline bool gh_gc_store_fast_check(struct goheap_gc_domain *d,
						   void **slot,
						   const void *value)
{
	struct gh_span *span;
	bool ok;

	preempt_disable();
	span = gh_gc_slot_span(d, slot);
	ok = span && gh_gc_is_field(span, slot) &&
	     (!value || gh_gc_value_ok(d, span, value));
	preempt_enable();
	return ok;
}

/*
 * A store while the collector marks: shade the value it overwrites and the
 * one it writes, then store. Out of line, so that the checked path, which
 * calls nothing, saves no registers.
 */
static noinline int gh_gc_store_marking(struct goheap_gc_domain *d,
					void **slot, void *value)
{
	gh_gc_shade_store(d, READ_ONCE(*slot), value);
	WRITE_ONCE(*slot, value);
	return 0;
}

/*
 * The store after the checks refused it or found a root: -EINVAL if it is
 * bad, else the store as the mode asks.
 */
static noinline int gh_gc_store_checked_slow(struct goheap_gc_domain *d,
					     void **slot, void *value,
					     unsigned long mode,
					     unsigned long caller)
{
	int ret = gh_gc_store_slow_check(d, slot, value, caller);

	if (ret)
		return ret;
	if (mode & GH_GC_BARRIER_MARKING)
		return gh_gc_store_marking(d, slot, value);
	WRITE_ONCE(*slot, value);
	return 0;
}

/**
 * __goheap_gc_store() - the store barrier's out-of-line part
 * @d: domain
 * @slot: pointer field or root
 * @value: new value
 *
 * Checks @slot and @value when the domain asks for it, and while the
 * collector marks shades the old value (a deletion, or snapshot-at-the-
 * beginning, barrier: whatever was reachable when marking began gets
 * marked) and the new one (what a section held from before the snapshot
 * gets marked once it is stored anywhere).
 *
 * Context: inside a section of @d.
 * Return: 0, or -EINVAL for a bad slot or value (nothing stored).
 */
int __goheap_gc_store(struct goheap_gc_domain *d, void **slot, void *value)
{
	unsigned long mode = READ_ONCE(d->head.barrier_mode);

	if ((mode & GH_GC_BARRIER_CHECKED) &&
	    unlikely(!gh_gc_store_fast_check(d, slot, value)))
		return gh_gc_store_checked_slow(d, slot, value, mode, _RET_IP_);
	if (mode & GH_GC_BARRIER_MARKING)
		return gh_gc_store_marking(d, slot, value);
	WRITE_ONCE(*slot, value);
	return 0;
}
EXPORT_SYMBOL_GPL(__goheap_gc_store);
