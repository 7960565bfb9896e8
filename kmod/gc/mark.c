// SPDX-License-Identifier: GPL-2.0
/*
 * Marking (Go's mgcmark.go and mgcwork.go): the gray list, shading,
 * scanning, and the mark workers' drains. The store barrier that shades
 * for mutators is in barrier.c.
 *
 * An object is white while its mark bit is clear, gray once its mark bit is
 * set and it sits on a gray list, black once it has been scanned (or if it
 * is pointer-free, or was allocated during marking: those are never put on
 * a list). Shading sets the mark bit with one atomic test-and-set, so the
 * workers, assists and any number of mutators running the barrier agree on
 * who pushes an object: whoever set the bit.
 *
 * The shared gray list is a LIFO of page-sized blocks under the domain's
 * gray lock. A thread that marks (a mark worker, or an allocating thread
 * doing a mark assist) works from a small local stack, struct gh_gc_work,
 * and moves objects to and from the shared list in batches, so the lock is
 * taken once per batch, not per object. Marking is iterative (pop, scan,
 * push children), so a chain of a million objects costs a million pops, not
 * a million stack frames. If a block cannot be allocated (the barrier may
 * not sleep), the object stays marked but unlisted and the domain records
 * an overflow; the cycle's worker then rescans every marked object of the
 * domain, which re-grays any child left white, until a pass ends without
 * overflow (Boehm's recovery).
 *
 * What an object costs the marker, once: its pop from the local stack,
 * which holds its type record beside it (no lookup to scan it); one pass
 * over each word of its pointer map; and for each non-NULL field the
 * value's lookup, the test of its alloc bit and the test-and-set of its
 * mark bit. The lookup goes through the page map only when the value is
 * outside the span the previous value fell in: a list's next node and a
 * node's children mostly share a span with their neighbours. No atomic
 * counter is touched per object: bytes marked are summed in the local
 * stack and added once per batch.
 *
 * Parallel marking. A cycle marks with several workers (the domain's
 * mark_workers option, by default one per online CPU): the cycle's own
 * thread and helper work items on the collector's unbound workqueue
 * (cycle.c), each with its own local stack, all taking from and giving to
 * the shared list; assists join them. A worker that finds nothing to take
 * counts itself hungry and sleeps on the domain's mark_wait; a worker that
 * pops an object while someone is hungry and the shared list is empty
 * gives the older half of its stack (the larger subtrees) to the list and
 * wakes the hungry (Go's gcWork balance). Marking is done when the shared
 * list is empty and no thread holds gray objects (markers counts the
 * threads that hold a local stack: assists inside gh_gc_mark_some(),
 * workers inside gh_gc_work_run(), which list what they hold, if
 * anything, before they stop counting);
 * the cycle's termination check (cycle.c) is unchanged by the number of
 * workers, since every worker's gray objects are counted the same way.
 *
 * Scanning is precise: a type's pointer fields are a bitmap of words. A
 * value that does not point into a live object of the domain (a foreign
 * pointer, a stale pointer to a free slot) is counted and ignored; one that
 * points inside an object keeps the whole object alive.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "gc.h"

/* Objects a mark worker scans between two looks at the clock and at need_resched(). */
#define GH_GC_DRAIN_BUDGET	1024

/* How long a hungry worker sleeps before it looks at the gray list again. */
#define GH_GC_HUNGRY_WAIT	msecs_to_jiffies(10)

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
	RCU_LOCKDEP_WARN(!rcu_read_lock_any_held(), "span lookup outside RCU");
	return gh_gc_live_span(d, p, idx);
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

/* List @obj on the shared gray list; false (and an overflow) if no block. */
static bool gh_gray_add_locked(struct goheap_gc_domain *d, void *obj)
{
	struct gh_gray_block *b;

	lockdep_assert_held(&d->gray_lock);
	b = list_first_entry_or_null(&d->gray, struct gh_gray_block, node);
	if (!b || b->n == GH_GRAY_PER_BLOCK) {
		b = gh_gray_block_get(d);
		if (!b) {
			/* marked but not listed: rescanned later */
			d->gray_overflow = true;
			return false;
		}
		list_add(&b->node, &d->gray);
	}
	b->obj[b->n++] = obj;
	return true;
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

/* Does the shared list hold gray objects? A hint: no lock is taken. */
static bool gh_gray_listed(struct goheap_gc_domain *d)
{
	return !list_empty(&d->gray);
}

/* A gray object on a local stack, with its type record: its scan needs no lookup. */
struct gh_gc_gray {
	void *obj;
	const struct gh_gc_tinfo *ti;
};

/*
 * A marking thread's local gray stack (Go's gcWork), held only while the
 * thread is counted in d->markers: for one gh_gc_mark_some(), or for a
 * worker's gh_gc_work_run(), batch after batch. @span is the span of @d
 * the last value looked up fell in, [@base, @base + @len); it is trusted
 * for one batch, one RCU read section, and forgotten when that ends.
 */
#define GH_GC_WORK_SIZE	32
struct gh_gc_work {
	struct goheap_gc_domain *d;
	unsigned int n;
	u64 bytes_marked;
	struct gh_span *span;
	unsigned long base, len;
	struct gh_gc_gray gray[GH_GC_WORK_SIZE];
};

/* Move the @n oldest objects of @w to the shared list. */
static void gh_work_spill(struct gh_gc_work *w, unsigned int n)
{
	struct goheap_gc_domain *d = w->d;
	unsigned int i;

	spin_lock_bh(&d->gray_lock);
	for (i = 0; i < n; i++)
		if (!gh_gray_add_locked(d, w->gray[i].obj))
			break;
	spin_unlock_bh(&d->gray_lock);
	w->n -= n;
	memmove(w->gray, w->gray + n, w->n * sizeof(w->gray[0]));
}

static void gh_work_push(struct gh_gc_work *w, void *obj,
			 const struct gh_gc_tinfo *ti)
{
	if (unlikely(w->n == GH_GC_WORK_SIZE))
		gh_work_spill(w, GH_GC_WORK_SIZE / 2);
	w->gray[w->n].obj = obj;
	w->gray[w->n].ti = ti;
	w->n++;
}

/*
 * Take a batch off the shared list, with each object's type record.
 * Return: false if the shared list was empty.
 */
static noinline bool gh_work_refill(struct gh_gc_work *w)
{
	void *objs[GH_GC_WORK_SIZE / 2];
	struct gh_span *span;
	unsigned int n, i, idx;

	n = gh_gray_pop_batch(w->d, objs, ARRAY_SIZE(objs));
	for (i = 0; i < n; i++) {
		span = gh_gc_span_of(w->d, objs[i], &idx);
		/* listed objects are marked, hence live until the sweep */
		if (WARN_ON_ONCE(!span))
			continue;
		w->gray[w->n].obj = objs[i];
		w->gray[w->n].ti = gh_gc_span_tinfo(span);
		w->n++;
	}
	return n;
}

static bool gh_work_pop(struct gh_gc_work *w, struct gh_gc_gray *g)
{
	while (unlikely(!w->n))
		if (!gh_work_refill(w))
			return false;
	*g = w->gray[--w->n];
	return true;
}

/*
 * Someone is hungry: if the shared list is empty too, give it the older
 * half of @w (the larger subtrees) and wake the hungry.
 */
static noinline void gh_work_give(struct gh_gc_work *w)
{
	if (gh_gray_listed(w->d))
		return;
	gh_work_spill(w, w->n / 2);
	wake_up(&w->d->mark_wait);
}

/* Give work away if a worker waits for some (one load when none does). */
static __always_inline void gh_work_balance(struct gh_gc_work *w)
{
	if (unlikely(atomic_read(&w->d->mark_hungry)) && w->n >= 2)
		gh_work_give(w);
}

/*
 * The span of @w's domain holding @p, looked up in the page map and kept
 * in @w for the values that follow; NULL (counted) if @p is foreign.
 */
static noinline struct gh_span *gh_work_span(struct gh_gc_work *w,
					     const void *p)
{
	struct gh_span *span = gh_gc_domain_span(w->d, p);

	if (!span) {
		atomic64_inc(&w->d->stats.foreign_ptrs);
		return NULL;
	}
	w->span = span;
	w->base = (unsigned long)span->base;
	w->len = (unsigned long)span->npages << PAGE_SHIFT;
	return span;
}

/* Shade @p, a non-NULL value read from a gray object; a new gray object goes to @w. */
static __always_inline void gh_work_shade(struct gh_gc_work *w, const void *p)
{
	unsigned long off = (unsigned long)p - w->base;
	struct gh_span *span = w->span;
	const struct gh_gc_tinfo *ti;
	unsigned int idx;

	if (unlikely(off >= w->len)) {
		span = gh_work_span(w, p);
		if (!span)
			return;
		off = (unsigned long)p - w->base;
	}
	idx = gh_span_index(span, off);
	if (unlikely(!gh_gc_idx_live(span, idx))) {
		atomic64_inc(&w->d->stats.foreign_ptrs);
		return;
	}
	if (test_and_set_bit(idx, gh_span_mark_bits(span)))
		return;
	ti = gh_gc_span_tinfo(span);
	w->bytes_marked += ti->obj_size;
	if (ti->type->nr_ptrs)
		gh_work_push(w, gh_span_obj(span, idx), ti);
}

/* Words of @ti's pointer map. */
static unsigned int gh_gc_map_words(const struct gh_gc_tinfo *ti)
{
	return BITS_TO_LONGS(DIV_ROUND_UP(ti->type->size, sizeof(void *)));
}

/*
 * Call @shade(@arg, v) for every non-NULL pointer field v of @obj, of type
 * @ti: a word of the map at a time, lowest set bit first. Inline with a
 * constant @shade, so that each caller gets its own loop.
 */
static __always_inline void gh_gc_each_field(void *obj, const struct gh_gc_tinfo *ti,
					     void (*shade)(void *arg, const void *v),
					     void *arg)
{
	unsigned int k, nwords = gh_gc_map_words(ti);
	void **field = obj;

	for (k = 0; k < nwords; k++, field += BITS_PER_LONG) {
		unsigned long m = ti->ptr_map[k];

		while (m) {
			void *v = READ_ONCE(field[__ffs(m)]);

			m &= m - 1;
			if (v)
				shade(arg, v);
		}
	}
}

static __always_inline void gh_work_shade_arg(void *w, const void *v)
{
	gh_work_shade(w, v);
}

/* Shade every pointer field of @obj, a gray object of type @ti, into @w. */
static __always_inline void gh_work_scan(struct gh_gc_work *w, void *obj,
					 const struct gh_gc_tinfo *ti)
{
	gh_gc_each_field(obj, ti, gh_work_shade_arg, w);
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
 * Shade @p for a thread with no local stack (the barrier, the root scan,
 * the rescan): a new gray object goes to the shared list. The caller is in
 * an RCU read section (gh_gc_span_of() checks).
 */
static void gh_shade_shared(struct goheap_gc_domain *d, const void *p)
{
	struct gh_gc_tinfo *ti;
	struct gh_span *span;
	unsigned int idx;

	span = gh_gc_span_of(d, p, &idx);
	if (!span) {
		atomic64_inc(&d->stats.foreign_ptrs);
		return;
	}
	/* a plain test first: most values a store shades are marked already */
	if (test_bit(idx, gh_span_mark_bits(span)) ||
	    test_and_set_bit(idx, gh_span_mark_bits(span)))
		return;
	ti = gh_gc_span_tinfo(span);
	/* counted before it is listed: the end of marking reads both (cycle.c) */
	atomic_long_inc(&d->shades);
	atomic64_add(ti->obj_size, &d->stats.bytes_marked);
	if (ti->type->nr_ptrs) {
		spin_lock_bh(&d->gray_lock);
		gh_gray_add_locked(d, gh_span_obj(span, idx));
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
	gh_shade_shared(d, p);
	rcu_read_unlock();
}

/**
 * gh_gc_shade_store() - shade both values of a store, in one RCU read section
 * @d: domain being marked
 * @old: the value the store overwrites, or NULL
 * @value: the value it writes, or NULL
 */
void gh_gc_shade_store(struct goheap_gc_domain *d, const void *old,
		       const void *value)
{
	rcu_read_lock();
	if (old)
		gh_shade_shared(d, old);
	if (value)
		gh_shade_shared(d, value);
	rcu_read_unlock();
}

/* Leave the markers; wake a hungry worker that waits for the last to go. */
static void gh_gc_markers_leave(struct goheap_gc_domain *d)
{
	/* fully ordered: pairs with the barrier in gh_gc_mark_wait() */
	if (atomic_dec_and_test(&d->markers) && atomic_read(&d->mark_hungry))
		wake_up(&d->mark_wait);
}

/* An empty local stack of @d; the span is unknown. */
static void gh_work_init(struct gh_gc_work *w, struct goheap_gc_domain *d)
{
	/* w->gray is left as it is: every entry is written before it is read */
	w->d = d;
	w->n = 0;
	w->bytes_marked = 0;
	w->span = NULL;
	w->base = 0;
	w->len = 0;
}

/*
 * Scan up to @budget gray objects from @w, refilled from the shared list,
 * in one RCU read section; @w's span is forgotten when it ends.
 * Return: false if @w and the shared list ran dry.
 */
static bool gh_work_drain(struct gh_gc_work *w, unsigned int budget)
{
	struct gh_gc_gray g;
	bool more = true;

	rcu_read_lock();
	while (budget--) {
		if (!gh_work_pop(w, &g)) {
			more = false;
			break;
		}
		gh_work_balance(w);
		gh_work_scan(w, g.obj, g.ti);
	}
	rcu_read_unlock();
	w->span = NULL;
	w->base = 0;
	w->len = 0;
	return more;
}

/* Account what @w marked so far. */
static void gh_work_account(struct gh_gc_work *w)
{
	atomic64_add(w->bytes_marked, &w->d->stats.bytes_marked);
	w->bytes_marked = 0;
}

/**
 * gh_gc_mark_some() - scan up to @budget gray objects (a mark assist)
 * @d: domain being marked
 * @budget: objects to scan at most
 *
 * Return: true if this thread found no gray object left to take.
 */
bool gh_gc_mark_some(struct goheap_gc_domain *d, unsigned int budget)
{
	struct gh_gc_work w;
	bool empty;

	gh_work_init(&w, d);
	atomic_inc(&d->markers);
	empty = !gh_work_drain(&w, budget);
	if (w.n)
		gh_work_spill(&w, w.n);
	gh_work_account(&w);
	gh_gc_markers_leave(d);
	return empty;
}

/*
 * A mark worker's run: mark, keeping its local stack from batch to batch,
 * until it finds no gray object to take. Its batches' time is the cycle's
 * mark CPU time; between them it may be rescheduled.
 */
static void gh_gc_work_run(struct goheap_gc_domain *d)
{
	struct gh_gc_work w;
	ktime_t start;
	bool more;

	gh_work_init(&w, d);
	atomic_inc(&d->markers);
	do {
		start = ktime_get();
		more = gh_work_drain(&w, GH_GC_DRAIN_BUDGET);
		gh_work_account(&w);
		atomic64_add(ktime_to_ns(ktime_sub(ktime_get(), start)),
			     &d->mark_cpu_ns);
		if (more)
			cond_resched();
	} while (more);
	gh_gc_markers_leave(d);
}

/* May a hungry worker stop waiting? A helper waits for the mark's end. */
static bool gh_gc_wait_over(struct goheap_gc_domain *d, bool helper)
{
	if (gh_gray_listed(d))
		return true;
	return helper ? READ_ONCE(d->mark_stop) : !atomic_read(&d->markers);
}

/* Sleep, hungry, until gray objects are listed or the wait is over. */
static void gh_gc_mark_wait(struct goheap_gc_domain *d, bool helper)
{
	atomic_inc(&d->mark_hungry);
	/* hungry before the markers are read: see gh_gc_markers_leave() */
	smp_mb__after_atomic();
	wait_event_timeout(d->mark_wait, gh_gc_wait_over(d, helper),
			   GH_GC_HUNGRY_WAIT);
	atomic_dec(&d->mark_hungry);
}

static void gh_shade_shared_arg(void *d, const void *v)
{
	gh_shade_shared(d, v);
}

/* Rescan the marked objects of @ti's spans on @head; d->lock held. */
static void gh_gc_rescan_list(struct goheap_gc_domain *d,
			      struct gh_gc_tinfo *ti, struct list_head *head)
{
	struct gh_span *span;
	unsigned int idx;

	lockdep_assert_held(&d->lock);
	list_for_each_entry(span, head, node)
		for_each_set_bit(idx, gh_span_mark_bits(span), span->nelems)
			gh_gc_each_field(gh_span_obj(span, idx), ti,
					 gh_shade_shared_arg, d);
}

/* After an overflow: rescan every marked object that has pointers. */
static void gh_gc_rescan_marked(struct goheap_gc_domain *d)
{
	struct gh_gc_tinfo *ti;

	rcu_read_lock();
	spin_lock_bh(&d->lock);
	list_for_each_entry(ti, &d->types, node) {
		if (!ti->type->nr_ptrs)
			continue;
		gh_gc_rescan_list(d, ti, &ti->partial);
		gh_gc_rescan_list(d, ti, &ti->full);
		gh_gc_rescan_list(d, ti, &ti->cached);
	}
	spin_unlock_bh(&d->lock);
	rcu_read_unlock();
}

/* Take an overflow the workers met, if any; rescan if there was one. */
static bool gh_gc_overflow_recover(struct goheap_gc_domain *d)
{
	ktime_t start;
	bool overflow;

	spin_lock_bh(&d->gray_lock);
	overflow = d->gray_overflow;
	d->gray_overflow = false;
	spin_unlock_bh(&d->gray_lock);
	if (!overflow)
		return false;
	gh_gc_gray_reserve(d, GH_GC_GRAY_OVERFLOW_SPARE);
	start = ktime_get();
	gh_gc_rescan_marked(d);
	atomic64_add(ktime_to_ns(ktime_sub(ktime_get(), start)), &d->mark_cpu_ns);
	return true;
}

/**
 * gh_gc_mark_drain() - the cycle's worker: mark until no gray object is left
 * @d: domain being marked
 *
 * Returns once the shared list is empty and no thread holds gray objects;
 * sleeps, hungry, while other workers or assists still hold some.
 *
 * Context: process context; sleeps between batches.
 */
void gh_gc_mark_drain(struct goheap_gc_domain *d)
{
	do {
		for (;;) {
			gh_gc_work_run(d);
			if (!atomic_read(&d->markers))
				break;
			gh_gc_mark_wait(d, false);
		}
	} while (gh_gc_overflow_recover(d));
}

/**
 * gh_gc_mark_help() - a helper worker: mark until the cycle says stop
 * @d: domain being marked; the cycle sets d->mark_stop when marking is done
 *
 * Context: process context (a work item on the collector's workqueue);
 * sleeps, hungry, while there is nothing to take.
 */
void gh_gc_mark_help(struct goheap_gc_domain *d)
{
	while (!READ_ONCE(d->mark_stop)) {
		gh_gc_work_run(d);
		gh_gc_mark_wait(d, true);
	}
}
