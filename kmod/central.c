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
 * An unowned span whose last object is freed goes back to the page heap,
 * except that each list keeps up to GH_CENTRAL_SPARES empty spans, the
 * spares, at the end of partial (gh_central_relist()), for up to
 * release_delay_ms (a delayed work gives them back), so that a burst that
 * fills spans and frees them again, a bulk call across spans, or a typed
 * cache freeing its last object does not build and free spans every time.
 * SLUB keeps up to 10 empty slabs per node and cache (min_partial) for the
 * same reason; the page heap keeps an emptied arena as long, so the spares
 * hold no page the heap would have given back sooner. Spans owned by a
 * cache are on no list: the cache hands a span back when it is exhausted
 * (inside gh_central_take, which then takes the next one under the same
 * lock hold), when its CPU dies and when caches are drained
 * (gh_central_put).
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
 * both sides: gh_central_unown() clears owner, issues a full barrier, then
 * folds the remote bits in; the remote free sets its bit (a full barrier),
 * then reads owner, and folds the bits in itself under the lock if the
 * span is unowned by now. One of the two always sees the other's write.
 *
 * The lists are per NUMA node: every class has them on every possible node
 * (gh_central_of()), and a span belongs to its node's lists. A typed cache
 * with spans of its own has lists of its own, set up here and registered
 * so that gh_central_reclaim_all() and the spare reaper reach them; no CPU
 * owns their spans, and they keep spares like any other lists.
 *
 * Lock order: typed lists mutex (gh_typed_centrals_lock) -> central lock ->
 * heap lock. Each class has its own lock; no lock is shared between
 * classes. Caches take no lock (cache.c): they call in here outside their
 * busy sections.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "internal.h"

struct gh_central *gh_node_centrals[MAX_NUMNODES];

static void gh_spare_reap_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(gh_spare_reap_work, gh_spare_reap_fn);
/* module parameter refill_div (main.c) */
unsigned int gh_refill_div = 8;

/**
 * gh_central_setup() - empty central lists for spans of class @cls
 * @c: the lists; every field is set
 * @cls: size class of its spans' objects
 * @nid: NUMA node of its spans
 * @span_state: GH_SPAN_SMALL for the class's own lists, GH_SPAN_TYPED for
 *	a typed cache's (which then sets its owner, ctor and free_after_gp)
 */
void gh_central_setup(struct gh_central *c, unsigned int cls, int nid,
		      u8 span_state)
{
	memset(c, 0, sizeof(*c));
	spin_lock_init(&c->lock);
	INIT_LIST_HEAD(&c->partial);
	INIT_LIST_HEAD(&c->full);
	c->cls = cls;
	c->nid = nid;
	c->span_state = span_state;
}

/**
 * gh_central_init() - the central lists of every class on every possible
 *	NUMA node, each node's in its own memory
 *
 * Return: 0 or -ENOMEM.
 */
int gh_central_init(void)
{
	unsigned int cls;
	int nid;

	for_each_node(nid) {
		gh_node_centrals[nid] = kcalloc_node(GH_NUM_CLASSES, sizeof(struct gh_central),
						     GFP_KERNEL, nid);
		if (!gh_node_centrals[nid]) {
			gh_central_exit();
			return -ENOMEM;
		}
		for (cls = 0; cls < GH_NUM_CLASSES; cls++)
			gh_central_setup(gh_central_of(nid, cls), cls, nid, GH_SPAN_SMALL);
	}
	return 0;
}

/**
 * gh_central_stop() - no spare reaping from here on (unload, after the
 *	caches are drained, which gave the spares back)
 */
void gh_central_stop(void)
{
	cancel_delayed_work_sync(&gh_spare_reap_work);
}

void gh_central_exit(void)
{
	int nid;

	for_each_node(nid) {
		kfree(gh_node_centrals[nid]);
		gh_node_centrals[nid] = NULL;
	}
}

/*
 * Give an empty span, off every list, back to the page heap: it held its
 * last object until @idle_since.
 */
static void gh_central_release_idle(struct gh_central *c, struct gh_span *span,
				    unsigned long idle_since)
{
	if (c->span_state == GH_SPAN_TYPED)
		gh_span_free_typed(span, c->free_after_gp, idle_since);
	else
		gh_span_free_small(span, idle_since);
}

/* Give @span, whose last object was freed just now, back. */
static void gh_central_release(struct gh_central *c, struct gh_span *span)
{
	gh_central_release_idle(c, span, jiffies);
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
 * Whether unowned @span has free objects enough to be offered to a cache
 * again: one at least, and nelems / refill_div (module parameter), the
 * smallest batch a refill brings. Multiplied out (free >= nelems / div
 * exactly when (free + 1) * div > nelems), so that a free to a full span
 * divides nothing.
 */
static bool gh_central_offerable(const struct gh_span *span)
{
	unsigned int free = span->nelems - span->live;

	return free && (free + 1) * READ_ONCE(gh_refill_div) > span->nelems;
}

/* Move an unowned, listed span to the list span->live calls for. */
static void gh_central_place(struct gh_central *c, struct gh_span *span)
{
	bool partial = gh_central_offerable(span);

	lockdep_assert_held(&c->lock);
	list_move(&span->node, partial ? &c->partial : &c->full);
	span->on_list = partial ? GH_LIST_PARTIAL : GH_LIST_FULL;
}

/*
 * Keep empty @span as one of @c's spares, at the end of partial: without
 * them, one object freed and allocated again in turn would build a span
 * (and run a typed cache's constructor on all of it) every time. The reaper
 * gives them back after release_delay_ms, as the page heap gives back an
 * empty arena. A listed span with no live object is a spare.
 */
static void gh_central_keep_spare(struct gh_central *c, struct gh_span *span)
{
	lockdep_assert_held(&c->lock);
	c->nr_spares++;
	span->spare_since = jiffies;
	list_add_tail(&span->node, &c->partial);
	span->on_list = GH_LIST_PARTIAL;
	if (!delayed_work_pending(&gh_spare_reap_work))
		schedule_delayed_work(&gh_spare_reap_work,
				      msecs_to_jiffies(READ_ONCE(gh_release_delay_ms)));
}

/*
 * Put an unowned span on the list its occupancy calls for. An empty span
 * goes back to the heap, unless @keep and @c has room for a spare.
 * Return: true if the span is empty and off every list: free it to the
 * heap after dropping the lock.
 */
static bool gh_central_relist(struct gh_central *c, struct gh_span *span,
			      bool keep)
{
	if (span->on_list != GH_LIST_NONE && !span->live)
		c->nr_spares--;
	gh_central_unlist(c, span);
	span->live = gh_span_live_objects(span);
	if (!span->live && keep && c->nr_spares < GH_CENTRAL_SPARES) {
		gh_central_keep_spare(c, span);
		return false;
	}
	if (!span->live) {
		WRITE_ONCE(span->state, GH_SPAN_DEAD);
		return true;
	}
	list_add(&span->node, &c->full);
	gh_central_place(c, span);
	return false;
}

/*
 * The partial span a cache should take: the first, or for a bulk call that
 * wants @want objects at once, one with that many free, the first or the
 * newest spare (the last); NULL if neither has them.
 */
static struct gh_span *gh_central_partial(struct gh_central *c,
					  unsigned int want)
{
	struct gh_span *span;

	lockdep_assert_held(&c->lock);
	span = list_first_entry_or_null(&c->partial, struct gh_span, node);
	if (!span || span->nelems - span->live >= want)
		return span;
	span = list_last_entry(&c->partial, struct gh_span, node);
	return span->nelems - span->live >= want ? span : NULL;
}

/* Clear @span's owner and relist it; true if it must go to the heap. */
static bool gh_central_unown(struct gh_central *c, struct gh_span *span)
{
	lockdep_assert_held(&c->lock);
	WRITE_ONCE(span->owner, GH_NO_OWNER);
	smp_mb();	/* owner store before reading remote bits */
	gh_span_fold_remote(span);
	return gh_central_relist(c, span, true);
}

/**
 * gh_central_take() - give a partial span to @cpu's cache
 * @c: central of the class
 * @cpu: the new owner
 * @want: free objects the span must have, for a bulk call (0: any)
 * @old: the cache's exhausted span, of @c, given back under the same lock
 *	 (as gh_central_put() would): a refill takes the lock once, not twice;
 *	 NULL if there is none
 *
 * Return: a span now owned by @cpu with free objects, or NULL if @c has no
 * such partial span.
 */
struct gh_span *gh_central_take(struct gh_central *c, int cpu,
				unsigned int want, struct gh_span *old)
{
	struct gh_span *span;
	unsigned long flags;
	bool empty = false;

	spin_lock_irqsave(&c->lock, flags);
	if (old)
		empty = gh_central_unown(c, old);
	span = gh_central_partial(c, want);
	if (span) {
		if (!span->live)
			c->nr_spares--;
		gh_central_unlist(c, span);
		gh_span_fold_remote(span);
		WRITE_ONCE(span->owner, cpu);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	if (empty)
		gh_central_release(c, old);
	return span;
}

/**
 * gh_central_grow() - a new, empty span of @c's class from the page heap
 * @c: central of the class
 * @gfp: allocation flags; may sleep if they allow it
 * @want: objects a bulk call wants at once (0: none); a typed cache's own
 *	  spans keep the class's size
 *
 * Return: an unowned span on no list, or NULL when memory is short. The
 * caller becomes its owner or gives it back with gh_central_put().
 */
struct gh_span *gh_central_grow(struct gh_central *c, gfp_t gfp,
				unsigned int want)
{
	if (c->span_state == GH_SPAN_TYPED)
		return gh_span_new_typed(c, gfp);
	return gh_span_new_small(c->cls, c->nid, gfp, want);
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
	empty = gh_central_unown(c, span);
	spin_unlock_irqrestore(&c->lock, flags);
	if (empty)
		gh_central_release(c, span);
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
	if (span->state == c->span_state && span->owner == GH_NO_OWNER &&
	    gh_span_fold_remote(span))
		empty = gh_central_relist(c, span, true);
	spin_unlock_irqrestore(&c->lock, flags);
	if (empty)
		gh_central_release(c, span);
}

/*
 * @freed objects of unowned @span were just freed under the lock: move the
 * span to the list it now belongs on (a full span, once it is offerable).
 * The last ones relist it (which counts live again, and sees a listed span
 * with none as a spare), so live is lowered only while objects remain.
 * Return: true if the span goes to the heap.
 */
static __always_inline bool gh_central_freed(struct gh_central *c,
					     struct gh_span *span,
					     unsigned int freed)
{
	lockdep_assert_held(&c->lock);
	c->frees += freed;
	if (span->live == freed)
		return gh_central_relist(c, span, true);
	span->live -= freed;
	if (span->on_list == GH_LIST_FULL && gh_central_offerable(span))
		gh_central_place(c, span);
	return false;
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
	if (span->state != c->span_state) {
		ret = -EINVAL;
	} else if (span->owner != GH_NO_OWNER) {
		ret = -EAGAIN;
	} else if (!test_bit(idx, gh_span_alloc_bits(span)) ||
		   test_bit(idx, gh_span_remote_bits(span))) {
		ret = -EINVAL;
	} else {
		/* span->live was counted when the span became unowned */
		__clear_bit(idx, gh_span_alloc_bits(span));
		empty = gh_central_freed(c, span, 1);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	if (empty)
		gh_central_release(c, span);
	return ret;
}

/**
 * gh_central_free_many() - free objects @idx[0 .. @n) of an unowned span
 *	under one lock
 * @c: central of the span's class and node
 * @span: span found unowned by the caller
 * @idx: object indices, at most BITS_PER_LONG of them
 * @n: how many
 * @bad: set to the entries not freed: objects not allocated (double or
 *	 invalid frees), all of them if the span died meanwhile
 *
 * Return: 0, or -EAGAIN if a cache took the span meanwhile (nothing was
 * freed: the caller frees one at a time).
 */
int gh_central_free_many(struct gh_central *c, struct gh_span *span,
			 const u16 *idx, unsigned int n, unsigned long *bad)
{
	unsigned long *alloc = gh_span_alloc_bits(span), flags;
	unsigned int j, freed = 0;
	bool empty = false;

	*bad = 0;
	gh_count(GH_CNT_CENTRAL_FREES);
	spin_lock_irqsave(&c->lock, flags);
	if (span->state == c->span_state && span->owner != GH_NO_OWNER) {
		spin_unlock_irqrestore(&c->lock, flags);
		return -EAGAIN;
	}
	if (span->state != c->span_state) {
		*bad = n == BITS_PER_LONG ? ~0UL : BIT(n) - 1;
	} else {
		for (j = 0; j < n; j++) {
			if (!test_bit(idx[j], alloc) ||
			    test_bit(idx[j], gh_span_remote_bits(span))) {
				*bad |= BIT(j);
				continue;
			}
			__clear_bit(idx[j], alloc);
			freed++;
		}
		empty = gh_central_freed(c, span, freed);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	if (empty)
		gh_central_release(c, span);
	return 0;
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
	if (!span->live++)
		c->nr_spares--;
	c->allocs++;
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
	span = gh_central_grow(c, gfp, 0);
	if (!span)
		return NULL;
	spin_lock_irqsave(&c->lock, flags);
	list_add(&span->node, &c->partial);
	span->on_list = GH_LIST_PARTIAL;
	c->nr_spares++;	/* empty and listed, until the next line */
	p = gh_central_take_object(c, span);
	spin_unlock_irqrestore(&c->lock, flags);
	return p;
}

/**
 * gh_central_reclaim() - fold pending remote frees of every listed span
 * @c: central lists of a class or of a typed cache
 *
 * Spans that turn out empty, and a typed cache's spare, go back to the
 * page heap.
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
		if (gh_central_relist(c, span, false))
			list_add(&span->node, &empty);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	list_for_each_entry_safe(span, tmp, &empty, node)
		gh_central_release(c, span);
}

/**
 * gh_central_slots() - object slots in the spans on @c's lists
 * @c: central lists
 * @spans: set to the number of those spans
 *
 * For a typed cache's statistics: its spans are always on its lists.
 *
 * Return: the slots, free or not.
 */
unsigned long gh_central_slots(struct gh_central *c, unsigned long *spans)
{
	struct list_head *lists[] = { &c->partial, &c->full };
	unsigned long slots = 0, flags;
	struct gh_span *span;
	unsigned int i;

	*spans = 0;
	spin_lock_irqsave(&c->lock, flags);
	for (i = 0; i < ARRAY_SIZE(lists); i++)
		list_for_each_entry(span, lists[i], node) {
			slots += span->nelems;
			(*spans)++;
		}
	spin_unlock_irqrestore(&c->lock, flags);
	return slots;
}

/**
 * gh_central_live() - objects still handed out from the spans on @c's lists
 * @c: central lists no CPU owns a span of (a typed cache's)
 * @first: filled with the addresses of up to @max of them
 * @max: room in @first
 *
 * Return: how many there are.
 */
unsigned long gh_central_live(struct gh_central *c, void **first,
			      unsigned int max)
{
	struct list_head *lists[] = { &c->partial, &c->full };
	unsigned long live = 0, flags;
	struct gh_span *span;
	unsigned int i, idx;

	spin_lock_irqsave(&c->lock, flags);
	for (i = 0; i < ARRAY_SIZE(lists); i++)
		list_for_each_entry(span, lists[i], node) {
			gh_span_fold_remote(span);
			for_each_set_bit(idx, gh_span_alloc_bits(span), span->nelems) {
				if (live < max)
					first[live] = gh_span_obj(span, idx);
				live++;
			}
		}
	spin_unlock_irqrestore(&c->lock, flags);
	return live;
}

/**
 * gh_central_walk() - visit every span on @c's lists, under its lock
 * @c: central lists
 * @walk: its visit() runs with the lock held and interrupts off; it must
 *	  not sleep, take a central lock or change the spans' lists
 */
void gh_central_walk(struct gh_central *c, struct gh_span_walk *walk)
{
	struct list_head *lists[] = { &c->partial, &c->full };
	struct gh_span *span;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&c->lock, flags);
	for (i = 0; i < ARRAY_SIZE(lists); i++)
		list_for_each_entry(span, lists[i], node)
			walk->visit(span, walk);
	spin_unlock_irqrestore(&c->lock, flags);
}

/* Typed caches' lists, for gh_central_reclaim_all() */
static LIST_HEAD(gh_typed_centrals);
static DEFINE_MUTEX(gh_typed_centrals_lock);

/**
 * gh_central_register() - let goheap_drain() and the shrinker reclaim a
 *	typed cache's lists
 * @c: lists set up with GH_SPAN_TYPED
 */
void gh_central_register(struct gh_central *c)
{
	mutex_lock(&gh_typed_centrals_lock);
	list_add(&c->typed_node, &gh_typed_centrals);
	mutex_unlock(&gh_typed_centrals_lock);
}

/**
 * gh_central_unregister() - a typed cache's lists go away
 * @c: lists given to gh_central_register()
 */
void gh_central_unregister(struct gh_central *c)
{
	mutex_lock(&gh_typed_centrals_lock);
	list_del(&c->typed_node);
	mutex_unlock(&gh_typed_centrals_lock);
}

/* Apply @fn to every class's lists on every node, then every typed cache's. */
static void gh_central_for_each(void (*fn)(struct gh_central *c))
{
	struct gh_central *c;
	unsigned int cls;
	int nid;

	for_each_node(nid)
		for (cls = 1; cls < GH_NUM_CLASSES; cls++)
			fn(gh_central_of(nid, cls));
	mutex_lock(&gh_typed_centrals_lock);
	list_for_each_entry(c, &gh_typed_centrals, typed_node)
		fn(c);
	mutex_unlock(&gh_typed_centrals_lock);
}

/**
 * gh_central_reclaim_all() - gh_central_reclaim() every class's lists on
 *	every node, and every typed cache's
 *
 * Context: process context; sleeps.
 */
void gh_central_reclaim_all(void)
{
	gh_central_for_each(gh_central_reclaim);
}

/* Give @c's spares back to the page heap. */
static void gh_central_drop_spares(struct gh_central *c)
{
	struct gh_span *span, *tmp;
	unsigned long flags;
	LIST_HEAD(dead);

	spin_lock_irqsave(&c->lock, flags);
	list_for_each_entry_safe_reverse(span, tmp, &c->partial, node) {
		if (!c->nr_spares)
			break;
		if (span->live)
			continue;
		c->nr_spares--;
		gh_central_unlist(c, span);
		WRITE_ONCE(span->state, GH_SPAN_DEAD);
		list_add(&span->node, &dead);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	/* their pages were idle all along: the heap counts from then on */
	list_for_each_entry_safe(span, tmp, &dead, node)
		gh_central_release_idle(c, span, span->spare_since);
}

/* The delayed work: every spare goes back (gh_central_keep_spare()). */
static void gh_spare_reap_fn(struct work_struct *work)
{
	gh_central_for_each(gh_central_drop_spares);
}
