// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation in a GC domain.
 *
 * A domain keeps its own spans on the shared page heap, one set per object
 * type: all objects of a span share a type, so the scanner finds the
 * pointer map from the span, and pointer-free types never share a span
 * with objects that must be scanned (Go's noscan spans). Each type has a
 * list of spans that may have free slots (partial) and of spans found full.
 *
 * Allocation takes the domain lock, sweeps the span it is about to use if
 * the last cycle has not swept it yet (lazy sweeping), and takes the first
 * clear alloc bit. From a cycle's start to its sweep, the new object's mark
 * bit is set as well: objects allocated meanwhile are black (alloc_black,
 * which outlasts the barrier's marking bit until the sweep begins, so that
 * nothing allocated between the two is swept). Objects come back zeroed,
 * so a fresh object holds no stale pointers.
 *
 * Every allocation reports to the pacer (pacer.c), which may start a cycle
 * or have the allocating thread assist the marker; a new span must fit
 * under the domain's memory limit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/string.h>

#include "gc.h"
#include "../fault.h"
#include "../poison.h"

/* Take a free slot of @span; NULL if it has none. */
static void *gh_gc_take_slot(struct goheap_gc_domain *d, struct gh_span *span)
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

/*
 * Allocate from the type's swept partial spans; when there are none, sweep
 * unswept spans of the type until one has room.
 */
static void *gh_gc_alloc_partial(struct goheap_gc_domain *d,
				 struct gh_gc_tinfo *ti)
{
	struct gh_span *span;
	void *obj;

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
		obj = gh_gc_take_slot(d, span);
		if (obj)
			return obj;
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

/* A new span for @ti, published as a GC span of @d; lock not held. */
static struct gh_span *gh_gc_new_span(struct goheap_gc_domain *d,
				      struct gh_gc_tinfo *ti, gfp_t gfp,
				      unsigned long caller)
{
	struct gh_span *span;

	if (!gh_gc_limit_allows(d, (u64)ti->span_pages * PAGE_SIZE, caller))
		return NULL;
	/* three bitmaps: alloc, pending release, mark */
	span = ti->cls ? gh_span_new(ti->cls, 3, ti->span_pages, NUMA_NO_NODE, gfp) :
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

/*
 * Take a slot, adding spans as needed, and account it to the pacer; @step
 * says what the allocation owes the pacer. Lock not held.
 */
static void *gh_gc_alloc_slot(struct goheap_gc_domain *d,
			      struct gh_gc_tinfo *ti, gfp_t gfp,
			      unsigned long caller, enum gh_gc_pace_step *step)
{
	struct gh_span *span;
	void *obj;

	spin_lock(&d->lock);
	obj = gh_gc_alloc_partial(d, ti);
	while (!obj) {
		spin_unlock(&d->lock);
		span = gh_gc_new_span(d, ti, gfp, caller);
		if (!span)
			return NULL;
		spin_lock(&d->lock);
		list_add(&span->node, &ti->partial);
		d->span_bytes += (u64)span->npages * PAGE_SIZE;
		obj = gh_gc_take_slot(d, span);
	}
	*step = gh_gc_pace_alloc(d, ti->obj_size);
	spin_unlock(&d->lock);
	return obj;
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
	enum gh_gc_pace_step step;
	struct gh_gc_tinfo *ti;
	void *obj;

	if (unlikely(gfp & GH_GFP_REFUSED))
		return gh_gfp_refuse(gfp, caller);
	ti = gh_gc_tinfo_get(d, type, caller);
	if (!ti)
		return NULL;
	if (gh_fault_hooked(ti->obj_size, gfp))
		return NULL;
	obj = gh_gc_alloc_slot(d, ti, gfp, caller, &step);
	if (!obj)
		return NULL;
	gh_unpoison(obj, ti->obj_size);
	memset(obj, 0, ti->obj_size);
	gh_gc_pace_act(d, step);
	return obj;
}
EXPORT_SYMBOL_GPL(goheap_gc_alloc);
