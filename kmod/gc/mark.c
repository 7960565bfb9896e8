// SPDX-License-Identifier: GPL-2.0
/*
 * Marking (Go's mgcmark.go and mgcwork.go): the gray list, shading,
 * scanning. The store barrier that shades for mutators is in barrier.c.
 *
 * An object is white while its mark bit is clear, gray once its mark bit is
 * set and it sits on the gray list, black once it has been scanned (or if it
 * is pointer-free, or was allocated during marking: those are never put on
 * the list). Shading sets the mark bit with one atomic test-and-set, so the
 * marker and any number of mutators running the barrier agree on who pushes
 * an object: whoever set the bit.
 *
 * The gray list is a LIFO of page-sized blocks under the domain's gray
 * lock. A thread that marks (the worker, or an allocating thread doing a
 * mark assist) works from a small local buffer and moves objects to and
 * from the shared list in batches, so the lock is taken once per batch,
 * not per object. Marking is iterative (pop, scan, push children), so a
 * chain of a million objects costs a million pops, not a million stack
 * frames. The marker's work is done when the shared list is empty and no
 * other thread holds gray objects in its local buffer. If a block cannot be
 * allocated (the barrier may not sleep), the object stays marked but
 * unscanned and the domain records an overflow; the marker then rescans
 * every marked object of the domain, which re-grays any child left white,
 * until a pass ends without overflow (Boehm's recovery).
 *
 * Scanning is precise: a type's pointer fields are a bitmap of words. A
 * value that does not point into a live object of the domain (a foreign
 * pointer, a stale pointer to a free slot) is counted and ignored; one that
 * points inside an object keeps the whole object alive.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>
#include <linux/slab.h>

#include "gc.h"

/**
 * gh_gc_span_of() - the span and index of the live object of @d holding @p
 * @d: domain
 * @p: any address
 * @idx: set to the object's index in the span
 *
 * The caller is in an RCU read section of any flavour.
 *
 * Return: the span, or NULL if @p is not inside an allocated object of @d.
 */
struct gh_span *gh_gc_span_of(struct goheap_gc_domain *d, const void *p,
			      unsigned int *idx)
{
	struct gh_span *span;

	RCU_LOCKDEP_WARN(!rcu_read_lock_any_held(), "span lookup outside RCU");
	span = gh_span_of(p);
	/* state before the fields it vouches for (alloc.c publishes) */
	if (!span || smp_load_acquire(&span->state) != GH_SPAN_GC ||
	    span->gc_domain != d)
		return NULL;
	*idx = gh_span_index(span, p - span->base);
	if (*idx >= span->nelems || !test_bit(*idx, gh_span_alloc_bits(span)))
		return NULL;
	return span;
}

static struct gh_gray_block *gh_gray_block_get(struct goheap_gc_domain *d)
{
	struct gh_gray_block *b;

	lockdep_assert_held(&d->gray_lock);
	b = list_first_entry_or_null(&d->gray_free, struct gh_gray_block, node);
	if (b) {
		list_del(&b->node);
		d->gray_spare--;
	} else {
		b = kmalloc(sizeof(*b), GFP_NOWAIT | __GFP_NOWARN);
	}
	if (b)
		b->n = 0;
	return b;
}

/* Move @n objects onto the shared gray list. */
static void gh_gray_push_locked(struct goheap_gc_domain *d, void **objs,
				unsigned int n)
{
	struct gh_gray_block *b;

	lockdep_assert_held(&d->gray_lock);
	while (n--) {
		b = list_first_entry_or_null(&d->gray, struct gh_gray_block, node);
		if (!b || b->n == GH_GRAY_PER_BLOCK) {
			b = gh_gray_block_get(d);
			if (!b) {
				/* marked but not listed: rescanned later */
				d->gray_overflow = true;
				return;
			}
			list_add(&b->node, &d->gray);
		}
		b->obj[b->n++] = objs[n];
	}
}

/* Take up to @max objects off the shared gray list. */
static unsigned int gh_gray_pop_batch(struct goheap_gc_domain *d, void **objs,
				      unsigned int max)
{
	struct gh_gray_block *b;
	unsigned int n = 0;

	spin_lock_bh(&d->gray_lock);
	while (n < max) {
		b = list_first_entry_or_null(&d->gray, struct gh_gray_block, node);
		if (!b)
			break;
		objs[n++] = b->obj[--b->n];
		if (!b->n) {
			list_move(&b->node, &d->gray_free);
			d->gray_spare++;
		}
	}
	spin_unlock_bh(&d->gray_lock);
	return n;
}

/* A marking thread's local gray buffer (Go's gcWork). */
#define GH_GC_WORK_SIZE	64
struct gh_gc_work {
	unsigned int n;
	u64 bytes_marked;
	void *obj[GH_GC_WORK_SIZE];
};

static void gh_work_push(struct goheap_gc_domain *d, struct gh_gc_work *w,
			 void *obj)
{
	if (w->n == GH_GC_WORK_SIZE) {
		spin_lock_bh(&d->gray_lock);
		gh_gray_push_locked(d, w->obj, GH_GC_WORK_SIZE / 2);
		spin_unlock_bh(&d->gray_lock);
		memmove(w->obj, w->obj + GH_GC_WORK_SIZE / 2,
			GH_GC_WORK_SIZE / 2 * sizeof(void *));
		w->n = GH_GC_WORK_SIZE / 2;
	}
	w->obj[w->n++] = obj;
}

static void *gh_work_pop(struct goheap_gc_domain *d, struct gh_gc_work *w)
{
	if (!w->n)
		w->n = gh_gray_pop_batch(d, w->obj, GH_GC_WORK_SIZE / 2);
	return w->n ? w->obj[--w->n] : NULL;
}

/* Give back what is left in @w and account what it marked. */
static void gh_work_flush(struct goheap_gc_domain *d, struct gh_gc_work *w)
{
	if (w->n) {
		spin_lock_bh(&d->gray_lock);
		gh_gray_push_locked(d, w->obj, w->n);
		spin_unlock_bh(&d->gray_lock);
		w->n = 0;
	}
	atomic64_add(w->bytes_marked, &d->stats.bytes_marked);
	w->bytes_marked = 0;
}

/**
 * gh_gc_gray_reserve() - top the spare gray blocks up to @blocks, so that
 *	the barrier rarely has to allocate
 * @d: domain
 * @blocks: how many spare blocks to have
 *
 * Context: may sleep.
 * Return: 0 or -ENOMEM.
 */
int gh_gc_gray_reserve(struct goheap_gc_domain *d, unsigned int blocks)
{
	struct gh_gray_block *b;

	for (;;) {
		spin_lock_bh(&d->gray_lock);
		if (d->gray_spare >= blocks) {
			spin_unlock_bh(&d->gray_lock);
			return 0;
		}
		spin_unlock_bh(&d->gray_lock);
		b = kmalloc(sizeof(*b), GFP_KERNEL);
		if (!b)
			return -ENOMEM;
		spin_lock_bh(&d->gray_lock);
		list_add(&b->node, &d->gray_free);
		d->gray_spare++;
		spin_unlock_bh(&d->gray_lock);
	}
}

/**
 * gh_gc_gray_trim() - free spare gray blocks beyond @keep
 * @d: domain
 * @keep: how many to keep
 *
 * A large mark leaves many empty blocks behind; without a trim they would
 * stay with the domain until it is destroyed.
 */
void gh_gc_gray_trim(struct goheap_gc_domain *d, unsigned int keep)
{
	struct gh_gray_block *b, *tmp;
	LIST_HEAD(extra);

	spin_lock_bh(&d->gray_lock);
	list_for_each_entry_safe(b, tmp, &d->gray_free, node) {
		if (d->gray_spare <= keep)
			break;
		list_move(&b->node, &extra);
		d->gray_spare--;
	}
	spin_unlock_bh(&d->gray_lock);
	list_for_each_entry_safe(b, tmp, &extra, node)
		kfree(b);
}

void gh_gc_gray_free_all(struct goheap_gc_domain *d)
{
	struct gh_gray_block *b, *tmp;

	list_splice_init(&d->gray, &d->gray_free);
	list_for_each_entry_safe(b, tmp, &d->gray_free, node)
		kfree(b);
	INIT_LIST_HEAD(&d->gray_free);
	d->gray_spare = 0;
}

/*
 * Shade @p; a new gray object goes to @w, or to the shared list if NULL.
 * The caller is in an RCU read section (gh_gc_span_of() checks).
 */
static void gh_shade(struct goheap_gc_domain *d, const void *p,
		     struct gh_gc_work *w)
{
	struct gh_gc_tinfo *ti;
	struct gh_span *span;
	unsigned int idx;
	void *obj;

	span = gh_gc_span_of(d, p, &idx);
	if (!span) {
		atomic64_inc(&d->stats.foreign_ptrs);
		return;
	}
	if (test_and_set_bit(idx, gh_span_mark_bits(span)))
		return;
	ti = gh_gc_span_tinfo(span);
	obj = gh_span_obj(span, idx);
	if (w) {
		w->bytes_marked += ti->obj_size;
		if (ti->type->nr_ptrs)
			gh_work_push(d, w, obj);
		return;
	}
	/* counted before it is listed: the end of marking reads both (cycle.c) */
	atomic_long_inc(&d->shades);
	atomic64_add(ti->obj_size, &d->stats.bytes_marked);
	if (ti->type->nr_ptrs) {
		spin_lock_bh(&d->gray_lock);
		gh_gray_push_locked(d, &obj, 1);
		spin_unlock_bh(&d->gray_lock);
	}
}

/**
 * gh_gc_shade() - make the object @p points into gray, if it is white
 * @d: domain being marked
 * @p: a pointer value; ignored unless it points into a live object of @d
 */
void gh_gc_shade(struct goheap_gc_domain *d, const void *p)
{
	rcu_read_lock();
	gh_shade(d, p, NULL);
	rcu_read_unlock();
}

/* Shade every pointer field of @obj, a live object of @d; RCU held. */
static void gh_gc_scan(struct goheap_gc_domain *d, void *obj,
		       struct gh_gc_work *w)
{
	struct gh_gc_tinfo *ti;
	struct gh_span *span;
	unsigned int idx, i;

	span = gh_gc_span_of(d, obj, &idx);
	if (WARN_ON_ONCE(!span))
		return;
	ti = gh_gc_span_tinfo(span);
	for_each_set_bit(i, ti->ptr_map, ti->type->size / sizeof(void *)) {
		void *v = READ_ONCE(((void **)obj)[i]);

		if (v)
			gh_shade(d, v, w);
	}
}

/**
 * gh_gc_mark_some() - scan up to @budget gray objects
 * @d: domain being marked
 * @budget: objects to scan at most
 *
 * Return: true if this thread found no gray object left to take.
 */
bool gh_gc_mark_some(struct goheap_gc_domain *d, unsigned int budget)
{
	struct gh_gc_work w = {};
	bool empty = false;

	atomic_inc(&d->markers);
	rcu_read_lock();
	while (budget--) {
		void *obj = gh_work_pop(d, &w);

		if (!obj) {
			empty = true;
			break;
		}
		gh_gc_scan(d, obj, &w);
	}
	rcu_read_unlock();
	gh_work_flush(d, &w);
	atomic_dec(&d->markers);
	return empty;
}

/* After an overflow: rescan every marked object that has pointers. */
static void gh_gc_rescan_marked(struct goheap_gc_domain *d)
{
	struct gh_gc_tinfo *ti;
	struct gh_span *span;
	unsigned int idx;

	rcu_read_lock();
	spin_lock_bh(&d->lock);
	list_for_each_entry(ti, &d->types, node) {
		struct list_head *lists[] = { &ti->partial, &ti->full, &ti->cached };
		unsigned int l;

		if (!ti->type->nr_ptrs)
			continue;
		for (l = 0; l < ARRAY_SIZE(lists); l++)
			list_for_each_entry(span, lists[l], node)
				for_each_set_bit(idx, gh_span_mark_bits(span), span->nelems)
					gh_gc_scan(d, gh_span_obj(span, idx), NULL);
	}
	spin_unlock_bh(&d->lock);
	rcu_read_unlock();
}

/**
 * gh_gc_mark_drain() - mark until no gray object is left
 * @d: domain being marked
 *
 * Context: process context; sleeps between batches.
 */
void gh_gc_mark_drain(struct goheap_gc_domain *d)
{
	bool overflow;

	do {
		/* done when nothing is listed and no assist holds gray work */
		while (!gh_gc_mark_some(d, 1024) || atomic_read(&d->markers))
			cond_resched();
		spin_lock_bh(&d->gray_lock);
		overflow = d->gray_overflow;
		d->gray_overflow = false;
		spin_unlock_bh(&d->gray_lock);
		if (overflow) {
			gh_gc_gray_reserve(d, GH_GC_GRAY_OVERFLOW_SPARE);
			gh_gc_rescan_marked(d);
		}
	} while (overflow);
}
