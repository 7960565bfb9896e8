// SPDX-License-Identifier: GPL-2.0
/*
 * A domain's record of each object type it has seen (struct gh_gc_tinfo).
 *
 * The caller's struct goheap_gc_type is checked once, on its first use in
 * a domain, and turned into what the collector needs per object: the size
 * class, and a bitmap of the words that are pointer fields, which the
 * scanner and the checked barrier test a bit of instead of searching the
 * offsets. The barrier's copy repeats the bitmap for every object of the
 * longest span the type can have (at most 4 KiB, for types of the largest
 * classes), so that it indexes it with a word's offset in the span. The
 * record also heads the type's span lists (alloc.c, sweep.c).
 *
 * A type that fits a size class also gets a cache per CPU (alloc.c).
 *
 * Records are only ever added until the domain is destroyed. Allocation
 * finds a record without the domain lock: first in the domain's type table
 * (one slot per hash of the descriptor's address, holding the record last
 * looked up there), then on the type list. Additions are published with
 * list_add_tail_rcu() (under the lock, which orders them against each
 * other) and read with list_for_each_entry_rcu(), whose ordering is all a
 * reader needs; a table slot is written with WRITE_ONCE() after the record
 * is listed. No record is removed while the domain lives, so there is no
 * grace period to wait for and no RCU read section to take.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "gc.h"

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

/* Lockless: see the top of this file. */
static struct gh_gc_tinfo *gh_gc_tinfo_find(struct goheap_gc_domain *d,
					    const struct goheap_gc_type *type)
{
	struct gh_gc_tinfo *ti;

	list_for_each_entry_rcu(ti, &d->types, node, true)
		if (ti->type == type)
			return ti;
	return NULL;
}

static void gh_gc_tinfo_free(struct gh_gc_tinfo *ti)
{
	free_percpu(ti->caches);
	bitmap_free(ti->ptr_map);
	bitmap_free(ti->span_ptr_map);
	kfree(ti);
}

/*
 * Object size: the type's class, or whole pages above them all (a class
 * type's spans are sized as they grow, spans.c).
 */
static void gh_gc_tinfo_size(struct gh_gc_tinfo *ti, size_t size)
{
	ti->cls = gh_size_to_class(size);
	if (ti->cls) {
		ti->obj_size = gh_classes[ti->cls].size;
	} else {
		ti->span_pages = DIV_ROUND_UP(size, PAGE_SIZE);
		ti->obj_size = ti->span_pages * PAGE_SIZE;
	}
}

/*
 * The type's pointer map for @objects objects in a row: bit n says whether
 * word n of them is a pointer field. The marker reads one object's; the
 * checked barrier reads the map of the longest span the type can have, so
 * that it tests a slot's bit without dividing its offset by the object
 * size, and without a bound check (a word of a span's objects is within
 * the map).
 */
static unsigned long *gh_gc_ptr_map_new(const struct goheap_gc_type *type,
					const struct gh_gc_tinfo *ti,
					unsigned int objects, gfp_t gfp)
{
	unsigned int obj_words = ti->obj_size / sizeof(void *);
	unsigned long *map = bitmap_zalloc(objects * obj_words, gfp);
	unsigned int obj, i;

	for (obj = 0; map && obj < objects; obj++)
		for (i = 0; i < type->nr_ptrs; i++)
			__set_bit(obj * obj_words +
				  type->ptr_offsets[i] / sizeof(void *), map);
	return map;
}

static struct gh_gc_tinfo *gh_gc_tinfo_new(const struct goheap_gc_type *type,
					   gfp_t gfp)
{
	struct gh_gc_tinfo *ti = kzalloc(sizeof(*ti), gfp);

	if (!ti)
		return NULL;
	ti->type = type;
	gh_gc_tinfo_size(ti, type->size);
	ti->ptr_map = gh_gc_ptr_map_new(type, ti, 1, gfp);
	ti->span_ptr_map = gh_gc_ptr_map_new(type, ti, ti->cls ?
					     gh_span_grown_objects_max(ti->cls) : 1,
					     gfp);
	if (ti->cls)
		ti->caches = alloc_percpu_gfp(struct gh_gc_cache, gfp);
	if (!ti->ptr_map || !ti->span_ptr_map || (ti->cls && !ti->caches)) {
		gh_gc_tinfo_free(ti);
		return NULL;
	}
	INIT_LIST_HEAD(&ti->partial);
	INIT_LIST_HEAD(&ti->full);
	INIT_LIST_HEAD(&ti->cached);
	INIT_LIST_HEAD(&ti->unswept);
	INIT_LIST_HEAD(&ti->pending);
	return ti;
}

/**
 * gh_gc_tinfo_get() - the domain's record of @type, made on first use
 * @d: domain, lock not held
 * @type: descriptor from the caller; checked once, on first use
 * @gfp: the allocation's flags, for the record (a softirq's are atomic)
 * @caller: the allocation's caller, for the report of a bad descriptor
 *
 * Return: the record, or NULL for a bad descriptor (reported and counted)
 * or no memory.
 */
struct gh_gc_tinfo *gh_gc_tinfo_get(struct goheap_gc_domain *d,
				    const struct goheap_gc_type *type,
				    gfp_t gfp, unsigned long caller)
{
	struct gh_gc_tinfo *ti, *fresh;
	const char *why;

	ti = gh_gc_tinfo_find(d, type);
	if (ti)
		goto found;
	if (gh_gc_type_check(type, &why)) {
		gh_gc_report(d, &d->stats.bad_types, caller, "%s (type %s)", why,
			     type && type->name ? type->name : "?");
		return NULL;
	}
	fresh = gh_gc_tinfo_new(type, gfp);
	if (!fresh)
		return NULL;
	spin_lock_bh(&d->lock);
	ti = gh_gc_tinfo_find(d, type);
	if (!ti) {
		list_add_tail_rcu(&fresh->node, &d->types);
		ti = fresh;
		fresh = NULL;
	}
	spin_unlock_bh(&d->lock);
	if (fresh)
		gh_gc_tinfo_free(fresh);
found:
	WRITE_ONCE(d->type_table[gh_gc_type_slot(type)], ti);
	return ti;
}

/**
 * gh_gc_types_free() - free every type record of a domain being destroyed
 * @d: domain whose spans are all gone
 */
void gh_gc_types_free(struct goheap_gc_domain *d)
{
	struct gh_gc_tinfo *ti, *tmp;

	list_for_each_entry_safe(ti, tmp, &d->types, node) {
		list_del(&ti->node);
		gh_gc_tinfo_free(ti);
	}
}
