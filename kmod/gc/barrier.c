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
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "gc.h"

/**
 * gh_gc_barrier_init() - the mode word of a new domain
 * @d: domain being created, opts set
 */
void gh_gc_barrier_init(struct goheap_gc_domain *d)
{
	d->head.barrier_mode = d->opts.flags & GOHEAP_GC_UNCHECKED ?
			       0 : GH_GC_BARRIER_CHECKED;
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
 * The span of @d holding @slot if @slot is a pointer field of a live object
 * in it, else NULL. Inline, for the checked barrier's common case; the
 * caller is an RCU reader of any flavour. The slot's offset in its object
 * is below the object's size, the exact division (gh_span_index()) sees to
 * that, and the pointer map covers the whole object (types.c): no bound
 * needs checking before the map is read.
 */
static __always_inline struct gh_span *
gh_gc_field_span(struct goheap_gc_domain *d, void **slot)
{
	struct gh_span *span = gh_gc_domain_span(d, slot);
	unsigned long offset, field;
	unsigned int idx;

	if (!span)
		return NULL;
	offset = (void *)slot - span->base;
	idx = gh_span_index(span, offset);
	if (!gh_gc_idx_live(span, idx))
		return NULL;
	field = offset - (unsigned long)idx * span->size;
	if (!IS_ALIGNED(field, sizeof(void *)) ||
	    !test_bit(field / sizeof(void *), gh_gc_span_tinfo(span)->ptr_map))
		return NULL;
	return span;
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
	unsigned long offset = value - span->base;
	unsigned int idx;

	if (offset < (unsigned long)span->npages << PAGE_SHIFT)
		return gh_gc_idx_live(span, gh_span_index(span, offset));
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
	unsigned int idx;
	bool slot_ok, value_ok;

	rcu_read_lock();
	slot_ok = gh_gc_field_span(d, slot) || gh_gc_is_root(d, slot);
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
 * of @d. The common case, a field and a value, takes one page-map look-up,
 * or two when the value is in another span, with preemption off (which is
 * an RCU reader: spans are freed after a grace period). A store that fails
 * them may still be a store to a root: gh_gc_store_slow_check() decides.
 */
static __always_inline bool gh_gc_store_fast_check(struct goheap_gc_domain *d,
						   void **slot,
						   const void *value)
{
	struct gh_span *span;
	bool ok;

	preempt_disable();
	span = gh_gc_field_span(d, slot);
	ok = span && (!value || gh_gc_value_ok(d, span, value));
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
