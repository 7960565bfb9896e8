// SPDX-License-Identifier: GPL-2.0
/*
 * Sweeping (Go's mgcsweep.go): turning the mark bits into the next
 * allocation bits.
 *
 * When marking ends, every allocated object of the domain is either marked
 * (reachable, or allocated during marking) or garbage. Sweeping a span
 * frees its garbage and clears its marks, as Go's sweeper replaces allocBits
 * with gcmarkBits: alloc becomes alloc & mark. At the end of marking, under
 * the domain lock, each type's partial and full lists are spliced onto its
 * unswept list; the background sweep (right after) and allocations that find no
 * swept span with room (lazy sweep) take spans off the unswept list one at
 * a time, so allocation never uses an unswept span and no step walks spans
 * it has already swept.
 *
 * Garbage of a type with a release callback is not freed at once: its bits
 * move to the span's pending-release bitmap (gh_gc_pending_bits()) and the
 * objects stay allocated, intact, until the sweeper has run their callbacks
 * with no lock held. Each callback runs once: the cycle does not end, and
 * no new cycle starts, before every pending object is released.
 *
 * Freed objects are poisoned (KASAN reports any later use). An empty span
 * goes back to the page heap.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>

#include "gc.h"
#include "../poison.h"

/* Free the objects of @bits in alloc word @w of @span. */
static void gh_gc_free_word(struct goheap_gc_domain *d, struct gh_span *span,
			    unsigned int w, unsigned long bits)
{
	unsigned int b, n = hweight_long(bits);

	lockdep_assert_held(&d->lock);
	for_each_set_bit(b, &bits, BITS_PER_LONG)
		gh_poison(gh_span_obj(span, w * BITS_PER_LONG + b), span->size);
	gh_span_alloc_bits(span)[w] &= ~bits;
	d->heap_alloc -= (u64)n * span->size;
	d->stats.objects_freed += n;
}

/* Return an empty span to the page heap. */
static bool gh_gc_drop_if_empty(struct goheap_gc_domain *d, struct gh_span *span)
{
	lockdep_assert_held(&d->lock);
	if (!bitmap_empty(gh_span_alloc_bits(span), span->nelems))
		return false;
	list_del(&span->node);
	WRITE_ONCE(gh_gc_span_tinfo(span)->nspans, gh_gc_span_tinfo(span)->nspans - 1);
	d->span_bytes -= (u64)span->npages * PAGE_SIZE;
	gh_gc_barrier_span_gone(d, span);
	gh_heap_free_span(span);
	return true;
}

/**
 * gh_gc_span_list() - put a swept span on its type's full or partial list
 * @d: domain, lock held
 * @span: a swept span of @d that no CPU's cache owns
 *
 * Never frees the span, so that a cache may give one back with preemption
 * off: an empty span waits on the partial list for the next sweep.
 */
void gh_gc_span_list(struct goheap_gc_domain *d, struct gh_span *span)
{
	struct gh_gc_tinfo *ti = gh_gc_span_tinfo(span);

	lockdep_assert_held(&d->lock);
	if (bitmap_full(gh_span_alloc_bits(span), span->nelems))
		list_move(&span->node, &ti->full);
	else
		list_move(&span->node, &ti->partial);
}

/* Put a swept span on the list its objects call for, or free it. */
static void gh_gc_relist(struct goheap_gc_domain *d, struct gh_span *span)
{
	if (!gh_gc_drop_if_empty(d, span))
		gh_gc_span_list(d, span);
}

/**
 * gh_gc_sweep_begin() - start the sweep of a cycle that finished marking
 * @d: domain, lock held, marking done, allocation turned white and every
 *     CPU's cache emptied (gh_gc_caches_flush())
 *
 * Every span becomes unswept; O(types), not O(spans), so the time
 * allocation waits for the lock does not grow with the heap.
 */
void gh_gc_sweep_begin(struct goheap_gc_domain *d)
{
	struct gh_gc_tinfo *ti;

	lockdep_assert_held(&d->lock);
	list_for_each_entry(ti, &d->types, node) {
		/* a span a cache owns must not be swept under it */
		WARN_ON_ONCE(!list_empty(&ti->cached));
		list_splice_init(&ti->partial, &ti->unswept);
		list_splice_init(&ti->full, &ti->unswept);
	}
}

/**
 * gh_gc_sweep_span() - sweep an unswept span for the current cycle
 * @d: domain, lock held
 * @span: a span on its type's unswept list; afterwards it is on the partial,
 *	  full or pending list, or freed
 */
void gh_gc_sweep_span(struct goheap_gc_domain *d, struct gh_span *span)
{
	struct gh_gc_tinfo *ti = gh_gc_span_tinfo(span);
	unsigned long *alloc = gh_span_alloc_bits(span);
	unsigned long *pending = gh_gc_pending_bits(span);
	unsigned long *mark = gh_span_mark_bits(span);
	bool held = false;
	unsigned int w;

	lockdep_assert_held(&d->lock);
	for (w = 0; w < span->nwords; w++) {
		unsigned long dead = alloc[w] & ~mark[w];

		if (!dead)
			continue;
		if (ti->type->release) {
			pending[w] |= dead;
			held = true;
		} else {
			gh_gc_free_word(d, span, w, dead);
		}
	}
	bitmap_zero(mark, span->nelems);
	if (held)
		list_move(&span->node, &ti->pending);
	else
		gh_gc_relist(d, span);
}

/*
 * Spans the background sweep sweeps per hold of the domain lock: a refill
 * waiting for the lock waits for this many sweeps at most.
 */
#define GH_GC_SWEEP_BATCH	8

/* An unswept span of @d, or NULL. */
static struct gh_span *gh_gc_next_unswept(struct goheap_gc_domain *d)
{
	struct gh_gc_tinfo *ti;

	lockdep_assert_held(&d->lock);
	list_for_each_entry(ti, &d->types, node)
		if (!list_empty(&ti->unswept))
			return list_first_entry(&ti->unswept, struct gh_span, node);
	return NULL;
}

/* A span with garbage awaiting release, and one word of it. */
static struct gh_span *gh_gc_next_pending(struct goheap_gc_domain *d,
					  unsigned int *word, unsigned long *bits)
{
	struct gh_gc_tinfo *ti;
	struct gh_span *span;
	unsigned int w;

	lockdep_assert_held(&d->lock);
	list_for_each_entry(ti, &d->types, node) {
		list_for_each_entry(span, &ti->pending, node) {
			for (w = 0; w < span->nwords; w++) {
				*bits = gh_gc_pending_bits(span)[w];
				if (*bits) {
					*word = w;
					return span;
				}
			}
		}
	}
	return NULL;
}

/**
 * gh_gc_release_pending() - run release callbacks of swept garbage, then
 * free it
 * @d: domain, lock not held
 *
 * The objects stay allocated while their callbacks run, so their span
 * stays too; a span leaves the pending list once it has no pending bit.
 */
static void gh_gc_release_pending(struct goheap_gc_domain *d)
{
	struct gh_gc_tinfo *ti;
	struct gh_span *span;
	unsigned long bits;
	unsigned int w, b;

	for (;;) {
		spin_lock_bh(&d->lock);
		span = gh_gc_next_pending(d, &w, &bits);
		spin_unlock_bh(&d->lock);
		if (!span)
			return;
		ti = gh_gc_span_tinfo(span);
		for_each_set_bit(b, &bits, BITS_PER_LONG)
			ti->type->release(gh_span_obj(span, w * BITS_PER_LONG + b));
		spin_lock_bh(&d->lock);
		gh_gc_pending_bits(span)[w] &= ~bits;
		gh_gc_free_word(d, span, w, bits);
		if (bitmap_empty(gh_gc_pending_bits(span), span->nelems))
			gh_gc_relist(d, span);
		spin_unlock_bh(&d->lock);
		cond_resched();
	}
}

/**
 * gh_gc_sweep_all() - sweep every span not swept yet, then release pending
 * @d: domain, lock not held
 *
 * Context: process context; mutators may run meanwhile.
 */
void gh_gc_sweep_all(struct goheap_gc_domain *d)
{
	struct gh_span *span;
	unsigned int batch;

	do {
		spin_lock_bh(&d->lock);
		for (batch = 0; batch < GH_GC_SWEEP_BATCH; batch++) {
			span = gh_gc_next_unswept(d);
			if (!span)
				break;
			gh_gc_sweep_span(d, span);
		}
		spin_unlock_bh(&d->lock);
		cond_resched();
	} while (span);
	gh_gc_release_pending(d);
}

/**
 * gh_gc_free_everything() - destroy: release and free every object
 * @d: domain that no section and no cycle can reach any more
 */
void gh_gc_free_everything(struct goheap_gc_domain *d)
{
	struct gh_gc_tinfo *ti;
	struct gh_span *span;

	/* everything allocated is garbage now: sweep with no marks */
	spin_lock_bh(&d->lock);
	gh_gc_sweep_begin(d);
	list_for_each_entry(ti, &d->types, node)
		list_for_each_entry(span, &ti->unswept, node)
			bitmap_zero(gh_span_mark_bits(span), span->nelems);
	spin_unlock_bh(&d->lock);
	gh_gc_sweep_all(d);
	list_for_each_entry(ti, &d->types, node)
		WARN_ON(!list_empty(&ti->partial) || !list_empty(&ti->full) ||
			!list_empty(&ti->unswept) || !list_empty(&ti->pending) ||
			!list_empty(&ti->cached));
}
