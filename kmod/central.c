// SPDX-License-Identifier: GPL-2.0
/*
 * Central span lists, one per size class (Go's mcentral).
 *
 * A small-object span is at any time either owned by one CPU's cache or
 * unowned and kept here:
 *
 *   partial  unowned spans with at least one free object; a cache that runs
 *            dry takes one (gh_central_take) and becomes its owner.
 *   full     unowned spans with every object, or all but a few, handed out.
 *            Frees move a span back to partial once 1/refill_div (1/8 by
 *            default) of its objects are free: a span offered with one or
 *            two free objects would cost a cache a refill per object or
 *            two under churn.
 *
 * An unowned span whose last object is freed goes back to the page heap at
 * once. Spans owned by a cache are on no list: the cache hands a span back
 * (gh_central_put) when it is exhausted, when its CPU dies and when caches
 * are drained.
 *
 * Frees reach a span in one of three ways (see cache.c): by its owner with
 * plain bit operations, by another CPU while it is owned with an atomic
 * remote bit, or, while it is unowned, under this class's lock
 * (gh_central_free). The lock makes the last case exact: the double-free
 * check and the list move happen together.
 *
 * Ownership changes only under the class lock. A remote free that raced
 * with a span's return to central (it saw an owner, set its remote bit,
 * and then the owner let go) is caught by the store-then-check ordering on
 * both sides: gh_central_put() clears owner, issues a full barrier, then
 * folds the remote bits in; the remote free sets its bit (a full barrier),
 * then reads owner, and folds the bits in itself under the lock if the
 * span is unowned by now. One of the two always sees the other's write.
 *
 * Lock order: central lock -> heap lock. Each class has its own lock; no
 * lock is shared between classes. Caches take no lock (cache.c): they call
 * in here outside their busy sections.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>

#include "internal.h"

struct gh_central gh_centrals[GH_NUM_CLASSES];
/* module parameter refill_div (main.c) */
unsigned int gh_refill_div = 8;

void gh_central_init(void)
{
	unsigned int cls;

	for (cls = 0; cls < GH_NUM_CLASSES; cls++) {
		struct gh_central *c = &gh_centrals[cls];

		spin_lock_init(&c->lock);
		INIT_LIST_HEAD(&c->partial);
		INIT_LIST_HEAD(&c->full);
		c->cls = cls;
	}
}

static void gh_central_unlist(struct gh_central *c, struct gh_span *span)
{
	lockdep_assert_held(&c->lock);
	if (span->on_list == GH_LIST_NONE)
		return;
	list_del(&span->node);
	span->on_list = GH_LIST_NONE;
}

/*
 * Free objects that make a span worth offering to a cache again: the
 * smallest batch a refill brings (module parameter refill_div).
 */
static unsigned int gh_central_partial_min(const struct gh_span *span)
{
	return max(1U, span->nelems / READ_ONCE(gh_refill_div));
}

/* Move an unowned, listed span to the list span->live calls for. */
static void gh_central_place(struct gh_central *c, struct gh_span *span)
{
	bool partial = span->nelems - span->live >= gh_central_partial_min(span);

	lockdep_assert_held(&c->lock);
	list_move(&span->node, partial ? &c->partial : &c->full);
	span->on_list = partial ? GH_LIST_PARTIAL : GH_LIST_FULL;
}

/*
 * Put an unowned span on the list its occupancy calls for.
 * Return: true if the span is empty and off every list: free it to the
 * heap after dropping the lock.
 */
static bool gh_central_relist(struct gh_central *c, struct gh_span *span)
{
	gh_central_unlist(c, span);
	span->live = gh_span_live_objects(span);
	if (!span->live) {
		WRITE_ONCE(span->state, GH_SPAN_DEAD);
		return true;
	}
	list_add(&span->node, &c->full);
	gh_central_place(c, span);
	return false;
}

/**
 * gh_central_take() - give a partial span to @cpu's cache
 * @c: central of the class
 * @cpu: the new owner
 *
 * Return: a span now owned by @cpu with free objects, or NULL if @c has no
 * partial span.
 */
struct gh_span *gh_central_take(struct gh_central *c, int cpu)
{
	struct gh_span *span;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	span = list_first_entry_or_null(&c->partial, struct gh_span, node);
	if (span) {
		gh_central_unlist(c, span);
		gh_span_fold_remote(span);
		WRITE_ONCE(span->owner, cpu);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return span;
}

/**
 * gh_central_grow() - a new, empty span of @c's class from the page heap
 * @c: central of the class
 * @gfp: allocation flags; may sleep if they allow it
 *
 * Return: an unowned span on no list, or NULL when memory is short. The
 * caller becomes its owner or gives it back with gh_central_put().
 */
struct gh_span *gh_central_grow(struct gh_central *c, gfp_t gfp)
{
	return gh_span_new_small(c->cls, gfp);
}

/**
 * gh_central_put() - a cache gives up ownership of @span
 * @c: central of the span's class
 * @span: span owned by the calling CPU (or by a dead CPU)
 */
void gh_central_put(struct gh_central *c, struct gh_span *span)
{
	unsigned long flags;
	bool empty;

	spin_lock_irqsave(&c->lock, flags);
	WRITE_ONCE(span->owner, GH_NO_OWNER);
	smp_mb();	/* owner store before reading remote bits */
	gh_span_fold_remote(span);
	empty = gh_central_relist(c, span);
	spin_unlock_irqrestore(&c->lock, flags);
	if (empty)
		gh_span_free_small(span);
}

/**
 * gh_central_fold() - fold late remote frees into an unowned span
 * @c: central of the span's class
 * @span: span that a remote free found unowned after setting its bit
 */
void gh_central_fold(struct gh_central *c, struct gh_span *span)
{
	unsigned long flags;
	bool empty = false;

	spin_lock_irqsave(&c->lock, flags);
	if (span->state == GH_SPAN_SMALL && span->owner == GH_NO_OWNER &&
	    gh_span_fold_remote(span))
		empty = gh_central_relist(c, span);
	spin_unlock_irqrestore(&c->lock, flags);
	if (empty)
		gh_span_free_small(span);
}

/**
 * gh_central_free() - free object @idx of an unowned span
 * @c: central of the span's class
 * @span: span found unowned by the caller
 * @idx: object index
 *
 * Return: 0 on success, -EAGAIN if a cache took the span meanwhile (the
 * caller frees again as a remote free), -EINVAL if the object was not
 * allocated (a double or invalid free; nothing was changed).
 */
int gh_central_free(struct gh_central *c, struct gh_span *span,
		    unsigned int idx)
{
	unsigned long flags;
	bool empty = false;
	int ret = 0;

	gh_count(GH_CNT_CENTRAL_FREES);
	spin_lock_irqsave(&c->lock, flags);
	if (span->state != GH_SPAN_SMALL) {
		ret = -EINVAL;
	} else if (span->owner != GH_NO_OWNER) {
		ret = -EAGAIN;
	} else if (!test_bit(idx, gh_span_alloc_bits(span)) ||
		   test_bit(idx, gh_span_remote_bits(span))) {
		ret = -EINVAL;
	} else {
		/* span->live was counted when the span became unowned */
		__clear_bit(idx, gh_span_alloc_bits(span));
		if (!--span->live)
			empty = gh_central_relist(c, span);
		else if (span->on_list == GH_LIST_FULL)
			gh_central_place(c, span);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	if (empty)
		gh_span_free_small(span);
	return ret;
}

/* Take a free object of @span, unowned and listed, under the lock. */
static void *gh_central_take_object(struct gh_central *c, struct gh_span *span)
{
	unsigned int idx;

	lockdep_assert_held(&c->lock);
	gh_span_fold_remote(span);
	idx = find_first_zero_bit(gh_span_alloc_bits(span), span->nelems);
	if (WARN_ON_ONCE(idx >= span->nelems))
		return NULL;
	__set_bit(idx, gh_span_alloc_bits(span));
	span->live++;
	gh_central_place(c, span);
	return gh_span_obj(span, idx);
}

/**
 * gh_central_alloc() - one object straight from the central lists
 * @c: central of the class
 * @gfp: allocation flags for a new span
 *
 * For an interrupt that found its CPU's cache busy: the object comes from
 * a partial span that no cache owns, or from a new span left unowned on
 * the partial list, never from any CPU's cache.
 *
 * Return: the object, or NULL when memory is short.
 */
void *gh_central_alloc(struct gh_central *c, gfp_t gfp)
{
	struct gh_span *span;
	unsigned long flags;
	void *p = NULL;

	gh_count(GH_CNT_CENTRAL_ALLOCS);
	spin_lock_irqsave(&c->lock, flags);
	span = list_first_entry_or_null(&c->partial, struct gh_span, node);
	if (span)
		p = gh_central_take_object(c, span);
	spin_unlock_irqrestore(&c->lock, flags);
	if (p)
		return p;
	span = gh_central_grow(c, gfp);
	if (!span)
		return NULL;
	spin_lock_irqsave(&c->lock, flags);
	list_add(&span->node, &c->partial);
	span->on_list = GH_LIST_PARTIAL;
	p = gh_central_take_object(c, span);
	spin_unlock_irqrestore(&c->lock, flags);
	return p;
}

/**
 * gh_central_reclaim() - fold pending remote frees of every listed span
 * @c: central of a class
 *
 * Spans that turn out empty go back to the page heap.
 */
void gh_central_reclaim(struct gh_central *c)
{
	struct gh_span *span, *tmp;
	unsigned long flags;
	LIST_HEAD(empty);

	spin_lock_irqsave(&c->lock, flags);
	list_splice_init(&c->full, &c->partial);
	list_for_each_entry_safe(span, tmp, &c->partial, node) {
		gh_span_fold_remote(span);
		if (gh_central_relist(c, span))
			list_add(&span->node, &empty);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	list_for_each_entry_safe(span, tmp, &empty, node)
		gh_span_free_small(span);
}
