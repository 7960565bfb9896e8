// SPDX-License-Identifier: GPL-2.0
/*
 * A domain's span lists (Go's mcentral, one per object type).
 *
 * A domain keeps its own spans on the shared page heap, one set per object
 * type: all objects of a span share a type, so the scanner finds the
 * pointer map from the span, and pointer-free types never share a span
 * with objects that must be scanned (Go's noscan spans). Each type lists
 * the spans that may have free slots (partial), those found full, those a
 * CPU's cache owns (cached: alloc.c), those the current sweep has not
 * reached (unswept) and those with garbage awaiting release (pending). All
 * of it is under the domain lock.
 *
 * Finding room sweeps the span it is about to use if the last cycle has not
 * swept it yet (lazy sweeping). A span taken into a CPU's cache leaves the
 * partial list for the cached one; taking a slot here under the lock is
 * what allocation falls back to when no cache can be used (a type larger
 * than every class, an interrupted cache, the end of a cycle).
 *
 * From a cycle's start to its sweep, a new object's mark bit is set as
 * well: objects allocated meanwhile are black (alloc_black, which outlasts
 * the barrier's marking bit until the sweep begins, so that nothing
 * allocated between the two is swept). A new span must fit under the
 * domain's memory limit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "gc.h"
#include "../poison.h"

/**
 * gh_gc_take_slot() - take a free slot of a span under the domain lock
 * @d: domain, lock held
 * @span: a span of @d on its type's partial list
 *
 * Return: the object, not yet zeroed; NULL if @span has no free slot.
 */
void *gh_gc_take_slot(struct goheap_gc_domain *d, struct gh_span *span)
{
	unsigned long *alloc = gh_span_alloc_bits(span);
	unsigned int idx;

	lockdep_assert_held(&d->lock);
	idx = find_first_zero_bit(alloc, span->nelems);
	if (idx >= span->nelems)
		return NULL;
	__set_bit(idx, alloc);
	if (d->alloc_black)
		set_bit(idx, gh_span_mark_bits(span));
	return gh_span_obj(span, idx);
}

/**
 * gh_gc_span_with_room() - a swept span of @ti with a free slot
 * @d: domain, lock held
 * @ti: the type
 *
 * Takes the type's partial spans first; spans found full move to the full
 * list. When none is left, sweeps unswept spans of the type until one has
 * room (a sweep may free an empty span).
 *
 * Return: a span on @ti's partial list with at least one free slot, or NULL.
 */
static struct gh_span *gh_gc_span_with_room(struct goheap_gc_domain *d,
					    struct gh_gc_tinfo *ti)
{
	struct gh_span *span;

	lockdep_assert_held(&d->lock);
	for (;;) {
		span = list_first_entry_or_null(&ti->partial, struct gh_span, node);
		if (!span) {
			span = list_first_entry_or_null(&ti->unswept,
							struct gh_span, node);
			if (!span)
				return NULL;
			gh_gc_sweep_span(d, span);
			continue;
		}
		if (!bitmap_full(gh_span_alloc_bits(span), span->nelems))
			return span;
		list_move(&span->node, &ti->full);
	}
}

/* A span holding one object of a type larger than every size class. */
static struct gh_span *gh_gc_new_large_span(struct gh_gc_tinfo *ti, gfp_t gfp)
{
	struct gh_span *span;

	span = gh_heap_alloc_span(ti->span_pages, 1, 3 * sizeof(unsigned long),
				  NUMA_NO_NODE, gfp);
	if (!span)
		return NULL;
	span->nelems = 1;
	gh_span_set_nwords(span, 1);
	span->size = ti->obj_size;
	span->divmagic = 0;		/* every offset is object 0 */
	gh_poison(span->base, span->size);
	return span;
}

/**
 * gh_gc_new_span() - a new, empty span for @ti, published as a GC span of @d
 * @d: domain, lock not held
 * @ti: the type
 * @gfp: flags for the page heap; may sleep if they allow
 * @caller: the allocation's caller, for the memory limit's report
 *
 * Return: the span, on no list yet (gh_gc_add_span()), or NULL when memory
 * is short or the domain's memory limit refuses it.
 */
static struct gh_span *gh_gc_new_span(struct goheap_gc_domain *d,
				      struct gh_gc_tinfo *ti, gfp_t gfp,
				      unsigned long caller)
{
	unsigned int pages = ti->span_pages;
	struct gh_span *span;

	/* a busy type's spans grow, as the manual heap's classes' do */
	if (ti->cls)
		pages = gh_span_grown_pages(ti->cls, READ_ONCE(ti->nspans));
	if (!gh_gc_limit_allows(d, (u64)pages * PAGE_SIZE, caller))
		return NULL;
	/* three bitmaps: alloc, pending release, mark */
	span = ti->cls ? gh_span_new(ti->cls, 3, pages, NUMA_NO_NODE, gfp) :
			 gh_gc_new_large_span(ti, gfp);
	if (!span)
		return NULL;
	gh_heap_scan_span(span, gfp);
	span->gc_domain = d;
	span->gc_tinfo = ti;
	/* publish: gh_gc_span_of() reads state with acquire */
	smp_store_release(&span->state, GH_SPAN_GC);
	return span;
}

/**
 * gh_gc_add_span() - list a span from gh_gc_new_span() as partial
 * @d: domain, lock held
 * @span: the new span
 */
static void gh_gc_add_span(struct goheap_gc_domain *d, struct gh_span *span)
{
	struct gh_gc_tinfo *ti = gh_gc_span_tinfo(span);

	lockdep_assert_held(&d->lock);
	list_add(&span->node, &ti->partial);
	WRITE_ONCE(ti->nspans, ti->nspans + 1);
	d->span_bytes += (u64)span->npages * PAGE_SIZE;
}

/**
 * gh_gc_span_with_room_or_new() - a span of @ti with room, adding one if
 *	needed
 * @d: domain, lock held; dropped and taken again around a new span
 * @ti: the type
 * @gfp: flags for a new span; may sleep if they allow
 * @caller: the allocation's caller, for the memory limit's report
 *
 * Return: a span on @ti's partial list with a free slot, or NULL when no
 * span could be had; the lock is held either way.
 */
struct gh_span *gh_gc_span_with_room_or_new(struct goheap_gc_domain *d,
					    struct gh_gc_tinfo *ti, gfp_t gfp,
					    unsigned long caller)
	__must_hold(&d->lock)
{
	struct gh_span *span;

	lockdep_assert_held(&d->lock);
	while (!(span = gh_gc_span_with_room(d, ti))) {
		spin_unlock_bh(&d->lock);
		span = gh_gc_new_span(d, ti, gfp, caller);
		spin_lock_bh(&d->lock);
		if (!span)
			return NULL;
		gh_gc_add_span(d, span);
	}
	return span;
}

/**
 * gh_gc_locked_alloc() - one object from @ti's lists, under the domain lock
 * @d: domain, lock not held
 * @ti: the type
 * @gfp: flags for a new span
 * @caller: the allocation's caller
 * @step: set to what the allocation owes the pacer, for gh_gc_pace_act()
 *
 * Adds spans as needed and accounts the object to the pacer.
 *
 * Return: the object (not zeroed), or NULL when no span could be had.
 */
void *gh_gc_locked_alloc(struct goheap_gc_domain *d, struct gh_gc_tinfo *ti,
			 gfp_t gfp, unsigned long caller,
			 enum gh_gc_pace_step *step)
{
	struct gh_span *span;
	void *obj = NULL;

	spin_lock_bh(&d->lock);
	span = gh_gc_span_with_room_or_new(d, ti, gfp, caller);
	if (span) {
		obj = gh_gc_take_slot(d, span);
		*step = gh_gc_pace_alloc(d, ti->obj_size);
	}
	spin_unlock_bh(&d->lock);
	return obj;
}
