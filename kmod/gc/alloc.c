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
 * clear alloc bit. While the collector marks, the new object's mark bit is
 * set as well: objects allocated during marking are black. Objects come
 * back zeroed, so a fresh object holds no stale pointers.
 *
 * Pacing happens here too: an allocation that brings the heap past the
 * trigger starts a cycle; one made while the heap is past its goal and the
 * collector still marks does some marking itself first (mark assist); and
 * a new span that would take the domain past its memory limit is refused,
 * starting a cycle instead.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/slab.h>

#include "gc.h"
#include "../poison.h"

#define GH_GC_ASSIST_BUDGET	64

static int gh_gc_type_check(const struct goheap_gc_type *t, const char **why)
{
	unsigned int i;

	*why = NULL;
	if (!t)
		*why = "NULL type";
	else if (!t->size || t->size > gh_heap_max_size())
		*why = "type size must be from 1 byte to goheap_max_size()";
	else if (t->nr_ptrs && !t->ptr_offsets)
		*why = "type has pointer fields but no offsets";
	for (i = 0; !*why && i < t->nr_ptrs; i++) {
		size_t off = t->ptr_offsets[i];

		if (!IS_ALIGNED(off, sizeof(void *)))
			*why = "pointer offset is not pointer-aligned";
		else if (off >= t->size || t->size - off < sizeof(void *))
			*why = "pointer offset is outside the object";
	}
	return *why ? -EINVAL : 0;
}

/* Types are only ever added (under the lock) until destroy: no lock needed. */
static struct gh_gc_type *gh_gc_type_find(struct goheap_gc_domain *d,
					  const struct goheap_gc_type *type)
{
	struct gh_gc_type *ti;

	list_for_each_entry_rcu(ti, &d->types, node, true)
		if (ti->type == type)
			return ti;
	return NULL;
}

static struct gh_gc_type *gh_gc_type_new(const struct goheap_gc_type *type,
					 gfp_t gfp)
{
	unsigned int i, words = DIV_ROUND_UP(type->size, sizeof(void *));
	struct gh_gc_type *ti = kzalloc(sizeof(*ti), gfp);

	if (!ti)
		return NULL;
	ti->ptr_map = bitmap_zalloc(words, gfp);
	if (!ti->ptr_map) {
		kfree(ti);
		return NULL;
	}
	for (i = 0; i < type->nr_ptrs; i++)
		__set_bit(type->ptr_offsets[i] / sizeof(void *), ti->ptr_map);
	ti->type = type;
	ti->cls = gh_size_to_class(type->size);
	if (ti->cls) {
		ti->obj_size = gh_classes[ti->cls].size;
		ti->span_pages = gh_classes[ti->cls].npages;
	} else {
		ti->span_pages = DIV_ROUND_UP(type->size, PAGE_SIZE);
		ti->obj_size = ti->span_pages * PAGE_SIZE;
	}
	INIT_LIST_HEAD(&ti->partial);
	INIT_LIST_HEAD(&ti->full);
	INIT_LIST_HEAD(&ti->unswept);
	INIT_LIST_HEAD(&ti->pending);
	return ti;
}

/**
 * gh_gc_type_get() - the domain's record of @type, made on first use
 * @d: domain
 * @type: descriptor from the caller; checked once, on first use
 *
 * Return: the record, or NULL for a bad descriptor (reported) or no memory.
 */
static struct gh_gc_type *gh_gc_type_get(struct goheap_gc_domain *d,
					 const struct goheap_gc_type *type)
{
	struct gh_gc_type *ti, *fresh;
	const char *why;

	ti = gh_gc_type_find(d, type);
	if (ti)
		return ti;
	if (gh_gc_type_check(type, &why)) {
		gh_gc_report(d, &d->stats.bad_types, "%s (type %s)", why,
			     type && type->name ? type->name : "?");
		return NULL;
	}
	fresh = gh_gc_type_new(type, GFP_KERNEL);
	if (!fresh)
		return NULL;
	spin_lock(&d->lock);
	ti = gh_gc_type_find(d, type);
	if (!ti) {
		list_add_tail_rcu(&fresh->node, &d->types);
		ti = fresh;
		fresh = NULL;
	}
	spin_unlock(&d->lock);
	if (fresh) {
		bitmap_free(fresh->ptr_map);
		kfree(fresh);
	}
	return ti;
}

void gh_gc_types_free(struct goheap_gc_domain *d)
{
	struct gh_gc_type *ti, *tmp;

	list_for_each_entry_safe(ti, tmp, &d->types, node) {
		list_del(&ti->node);
		bitmap_free(ti->ptr_map);
		kfree(ti);
	}
}

/* Take a free slot of @span (lock held); NULL if it has none. */
static void *gh_gc_take_slot(struct goheap_gc_domain *d, struct gh_span *span)
{
	unsigned long *alloc = gh_span_alloc_bits(span);
	unsigned int idx = find_first_zero_bit(alloc, span->nelems);

	if (idx >= span->nelems)
		return NULL;
	__set_bit(idx, alloc);
	if (d->head.slow_stores & GH_GC_MARKING)
		set_bit(idx, gh_span_mark_bits(span));	/* allocate black */
	return span->base + idx * span->size;
}

/*
 * Allocate from the type's swept partial spans; when there are none, sweep
 * unswept spans of the type until one has room (lock held).
 */
static void *gh_gc_alloc_partial(struct goheap_gc_domain *d, struct gh_gc_type *ti)
{
	struct gh_span *span;
	void *obj;

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
		span->on_list = GH_LIST_FULL;
	}
}

/* A span holding one object of a type larger than every size class. */
static struct gh_span *gh_gc_new_large_span(struct gh_gc_type *ti, gfp_t gfp)
{
	struct gh_span *span;

	span = gh_heap_alloc_span(ti->span_pages, 1, 3 * sizeof(unsigned long), gfp);
	if (!span)
		return NULL;
	span->nelems = 1;
	span->nwords = 1;
	span->size = ti->obj_size;
	span->divmagic = 0;		/* every offset is object 0 */
	gh_poison(span->base, span->size);
	return span;
}

static struct gh_span *gh_gc_new_span(struct goheap_gc_domain *d,
				      struct gh_gc_type *ti, gfp_t gfp)
{
	u64 bytes = (u64)ti->span_pages * PAGE_SIZE;
	struct gh_span *span;

	if (d->opts.mem_limit && READ_ONCE(d->span_bytes) + bytes > d->opts.mem_limit) {
		gh_gc_report(d, &d->stats.limit_failures,
			     "memory limit of %zu bytes reached", d->opts.mem_limit);
		gh_gc_maybe_trigger(d);
		return NULL;
	}
	span = ti->cls ? gh_span_new(ti->cls, 3, gfp) : gh_gc_new_large_span(ti, gfp);
	if (!span)
		return NULL;
	span->gc_domain = d;
	span->gc_type = ti;
	/* publish: gh_gc_span_of() reads state with acquire */
	smp_store_release(&span->state, GH_SPAN_GC);
	return span;
}

static void gh_gc_assist(struct goheap_gc_domain *d)
{
	ktime_t start = ktime_get();

	gh_gc_mark_some(d, GH_GC_ASSIST_BUDGET);
	spin_lock(&d->lock);
	d->stats.assist_ns += ktime_to_ns(ktime_sub(ktime_get(), start));
	spin_unlock(&d->lock);
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
 * Return: the object, or NULL for a bad type (reported and counted), when
 * memory is short, or when the domain's memory limit is reached.
 */
void *goheap_gc_alloc(struct goheap_gc_domain *d,
		      const struct goheap_gc_type *type, gfp_t gfp)
{
	struct gh_gc_type *ti = gh_gc_type_get(d, type);
	struct gh_span *span = NULL;
	bool assist, trigger;
	void *obj;

	if (!ti)
		return NULL;
	spin_lock(&d->lock);
	obj = gh_gc_alloc_partial(d, ti);
	while (!obj) {
		spin_unlock(&d->lock);
		span = gh_gc_new_span(d, ti, gfp);
		if (!span)
			return NULL;
		spin_lock(&d->lock);
		span->sweepgen = d->sweepgen;
		list_add(&span->node, &ti->partial);
		span->on_list = GH_LIST_PARTIAL;
		d->span_bytes += (u64)span->npages * PAGE_SIZE;
		obj = gh_gc_take_slot(d, span);
	}
	d->heap_alloc += ti->obj_size;
	assist = (d->head.slow_stores & GH_GC_MARKING) &&
		 d->heap_alloc > d->heap_goal;
	trigger = !d->cycle_queued && d->heap_alloc >= d->trigger;
	spin_unlock(&d->lock);

	gh_unpoison(obj, ti->obj_size);
	memset(obj, 0, ti->obj_size);
	if (assist)
		gh_gc_assist(d);
	else if (trigger)
		gh_gc_maybe_trigger(d);
	return obj;
}
EXPORT_SYMBOL_GPL(goheap_gc_alloc);
