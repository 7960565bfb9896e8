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
 *
 * A checked domain keeps, per CPU, the span its last checked store's slot
 * was in (struct gh_gc_store_cache), described by what the checks need:
 * the span's first object, the words its objects cover, the division by
 * the object size and the two bitmaps. A store into objects allocated
 * together finds its span there and reads nothing else; the page-map walk
 * and the span structure are for the first store into a span.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "gc.h"

/**
 * gh_gc_barrier_init() - the mode word of a new domain, and a checked
 *	domain's per-CPU store caches
 * @d: domain being created, opts set
 *
 * Return: 0 or -ENOMEM.
 */
int gh_gc_barrier_init(struct goheap_gc_domain *d)
{
	if (d->opts.flags & GOHEAP_GC_UNCHECKED) {
		d->head.barrier_mode = 0;
		return 0;
	}
	d->head.barrier_mode = GH_GC_BARRIER_CHECKED;
	/* zeroed: no words, every CPU's cache empty */
	d->store_cache = alloc_percpu(struct gh_gc_store_cache);
	return d->store_cache ? 0 : -ENOMEM;
}

/**
 * gh_gc_barrier_exit() - free what gh_gc_barrier_init() allocated
 * @d: domain being freed, no store can reach it any more
 */
void gh_gc_barrier_exit(struct goheap_gc_domain *d)
{
	free_percpu(d->store_cache);
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
 * Word @p is at in the cached span's objects, rotated right by three bits
 * rather than shifted: the low bits of a misaligned @p land on top, which
 * puts it out of range, as an address below the span or past its last
 * object is. One compare then tests all three.
 */
static __always_inline unsigned long
gh_gc_cached_word(const struct gh_gc_store_cache *sc, const void *p)
{
	static_assert(sizeof(void *) == 8);
	return ror64((unsigned long)(p - sc->base), 3);
}

/* Index of the object holding word @word of the cached span. */
static __always_inline unsigned long
gh_gc_cached_index(const struct gh_gc_store_cache *sc, unsigned long word)
{
	return (word * sc->word_magic) >> 32;
}

/*
 * Is @slot, in this CPU's cached span (an aligned word of its objects), a
 * pointer field of a live object? @alloc is the span's alloc bits, read
 * once from the cache by the caller for both checks. The object's index
 * comes from the exact division (gh_span_index(), in words: a class size
 * is a multiple of 8), and the type's pointer map repeats for every
 * object of the span (types.c), so the slot's own word indexes it and no
 * bound needs checking before either bitmap is read.
 */
static __always_inline bool
gh_gc_cached_field(const struct gh_gc_store_cache *sc,
		   const unsigned long *alloc, void **slot)
{
	unsigned long word = gh_gc_cached_word(sc, slot);

	return test_bit(gh_gc_cached_index(sc, word), alloc) &&
	       test_bit(word, sc->ptr_map);
}

/*
 * Is @value inside a live object of @d? The cached span is tried first: a
 * store often links objects allocated together, and then the page-map
 * walk is saved.
 */
static __always_inline bool
gh_gc_cached_value_ok(struct goheap_gc_domain *d,
		      const struct gh_gc_store_cache *sc,
		      const unsigned long *alloc, const void *value)
{
	unsigned long word = (unsigned long)(value - sc->base) / sizeof(void *);
	unsigned int idx;

	if (likely(word < sc->words))
		return test_bit(gh_gc_cached_index(sc, word), alloc);
	return gh_gc_live_span(d, value, &idx);
}

/*
 * The checks against this CPU's cached span, which holds @slot: @slot is
 * a pointer field of a live object, @value NULL or inside a live object
 * of @d.
 */
static __always_inline bool
gh_gc_cached_check(struct goheap_gc_domain *d,
		   const struct gh_gc_store_cache *sc, void **slot,
		   const void *value)
{
	const unsigned long *alloc = sc->alloc;

	return gh_gc_cached_field(sc, alloc, slot) &&
	       (!value || gh_gc_cached_value_ok(d, sc, alloc, value));
}

/* Does this CPU's cached span hold @slot, an aligned word of its objects? */
static __always_inline bool gh_gc_cache_holds(const struct gh_gc_store_cache *sc,
					      void **slot)
{
	return gh_gc_cached_word(sc, slot) < READ_ONCE(sc->words);
}

/*
 * Describe @span, a GC span of @d, in @sc. The entry is emptied first and
 * given its words last, so that an interrupt's store between two of these
 * writes misses it instead of reading half of it.
 *
 * A span the sweeper frees meanwhile must not stay described: the sweeper
 * takes the span from its domain, then empties every CPU's entry that
 * describes it (gh_gc_barrier_span_gone()); this fill describes the span,
 * then checks that it still belongs to @d, and empties its entry if not.
 * With a full barrier between the write and the read on both sides, one
 * of the two sees the other's write.
 */
static void gh_gc_store_cache_fill(struct goheap_gc_domain *d,
				   struct gh_gc_store_cache *sc,
				   struct gh_span *span)
{
	WRITE_ONCE(sc->words, 0);
	barrier();
	sc->base = span->base;
	sc->word_magic = (unsigned long)span->divmagic * sizeof(void *);
	WRITE_ONCE(sc->alloc, gh_span_alloc_bits(span));
	sc->ptr_map = gh_gc_span_tinfo(span)->span_ptr_map;
	barrier();
	WRITE_ONCE(sc->words,
		   (unsigned long)span->nelems * span->size / sizeof(void *));
	smp_mb();	/* pairs with gh_gc_barrier_span_gone() */
	if (READ_ONCE(span->gc_domain) != d)
		WRITE_ONCE(sc->words, 0);
}

/**
 * gh_gc_barrier_span_gone() - no checked store may use @span any more
 * @d: domain, lock held
 * @span: an empty span of @d about to go back to the page heap
 *
 * Takes @span from @d, so that no look-up finds it, and empties each CPU's
 * store cache that describes it. A store that read an entry before it was
 * emptied runs with preemption off, and the span structure is freed after
 * an RCU grace period, which waits for it. Such a store finds no alloc bit
 * set in the span, which is empty, and goes to the page map.
 */
void gh_gc_barrier_span_gone(struct goheap_gc_domain *d, struct gh_span *span)
{
	const unsigned long *alloc = gh_span_alloc_bits(span);
	struct gh_gc_store_cache *sc;
	int cpu;

	lockdep_assert_held(&d->lock);
	WRITE_ONCE(span->gc_domain, NULL);
	if (!d->store_cache)
		return;
	smp_mb();	/* pairs with gh_gc_store_cache_fill() */
	for_each_possible_cpu(cpu) {
		sc = per_cpu_ptr(d->store_cache, cpu);
		if (READ_ONCE(sc->alloc) == alloc)
			WRITE_ONCE(sc->words, 0);
	}
}

/*
 * The checks without this CPU's cached span, which does not hold @slot or
 * refused the store: find @slot's span in the page map and check against
 * that, as the fast path does. In task context the span becomes the CPU's
 * cached one. An interrupt describes it in an entry of its own on the
 * stack: were interrupts to write the CPU's entry, a task reading it could
 * be interrupted half way and read two spans. A slot in no span of @d may
 * still be a root; anything else is refused and reported against @caller.
 *
 * Return: 0, or -EINVAL for a bad slot or value.
 */
static noinline int gh_gc_store_slow_check(struct goheap_gc_domain *d,
					   void **slot, const void *value,
					   unsigned long caller)
{
	struct gh_gc_store_cache own, *sc = &own;
	bool slot_ok, value_ok;
	struct gh_span *span;
	unsigned int idx;

	preempt_disable();
	span = gh_gc_domain_span(d, slot);
	if (span) {
		if (in_task())
			sc = this_cpu_ptr(d->store_cache);
		gh_gc_store_cache_fill(d, sc, span);
		slot_ok = gh_gc_cache_holds(sc, slot) &&
			  gh_gc_cached_field(sc, sc->alloc, slot);
		value_ok = !value || gh_gc_cached_value_ok(d, sc, sc->alloc, value);
	} else {
		slot_ok = gh_gc_is_root(d, slot);
		value_ok = !value || gh_gc_live_span(d, value, &idx);
	}
	preempt_enable();
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

/* The store, once checked or for an unchecked domain: as @mode asks. */
static __always_inline int gh_gc_store_as_mode(struct goheap_gc_domain *d,
					       void **slot, void *value,
					       unsigned long mode)
{
	if (mode & GH_GC_BARRIER_MARKING)
		return gh_gc_store_marking(d, slot, value);
	WRITE_ONCE(*slot, value);
	return 0;
}

/*
 * The store after the cached span did not hold its slot or refused it:
 * the checks again with the page map (which caches the slot's span) and
 * the roots; -EINVAL if it is bad, else the store as @mode asks.
 */
static noinline int gh_gc_store_checked_slow(struct goheap_gc_domain *d,
					     void **slot, void *value,
					     unsigned long mode,
					     unsigned long caller)
{
	int ret = gh_gc_store_slow_check(d, slot, value, caller);

	if (ret)
		return ret;
	return gh_gc_store_as_mode(d, slot, value, mode);
}

/*
 * A checked store: the checks against the span of this CPU's last checked
 * store, inline and without a call. The common case, a store into that
 * span, reads the span's description in its per-CPU cache line and
 * nothing else but the two bitmaps, and stores before preemption comes
 * back on. Preemption off is an RCU reader: spans are freed after a grace
 * period. Anything else, a slot in another span, a root, a bad store, is
 * for gh_gc_store_checked_slow().
 */
static __always_inline int gh_gc_store_checked(struct goheap_gc_domain *d,
					       void **slot, void *value,
					       unsigned long mode,
					       unsigned long caller)
{
	struct gh_gc_store_cache *sc;

	preempt_disable();
	sc = this_cpu_ptr(d->store_cache);
	if (unlikely(!gh_gc_cache_holds(sc, slot) ||
		     !gh_gc_cached_check(d, sc, slot, value))) {
		preempt_enable();
		return gh_gc_store_checked_slow(d, slot, value, mode, caller);
	}
	if (likely(!(mode & GH_GC_BARRIER_MARKING))) {
		WRITE_ONCE(*slot, value);
		preempt_enable();
		return 0;
	}
	preempt_enable();
	return gh_gc_store_marking(d, slot, value);
}

/* A checked store while the collector marks: the checks, then the shading. */
static noinline int gh_gc_store_checked_marking(struct goheap_gc_domain *d,
						void **slot, void *value,
						unsigned long caller)
{
	return gh_gc_store_checked(d, slot, value,
				   GH_GC_BARRIER_CHECKED | GH_GC_BARRIER_MARKING,
				   caller);
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

	/* one compare for the common case, whose copy tests no mode bit */
	if (likely(mode == GH_GC_BARRIER_CHECKED))
		return gh_gc_store_checked(d, slot, value, mode, _RET_IP_);
	if (mode & GH_GC_BARRIER_CHECKED)
		return gh_gc_store_checked_marking(d, slot, value, _RET_IP_);
	return gh_gc_store_as_mode(d, slot, value, mode);
}
EXPORT_SYMBOL_GPL(__goheap_gc_store);
