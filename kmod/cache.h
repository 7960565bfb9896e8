/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-CPU cache's fast paths, inline in goheap_alloc() and
 * goheap_free(); everything slower is in cache.c, whose header comment
 * explains the design. Here: the busy mark, taking an object from the
 * window, and a same-CPU free. They disable no interrupt and execute no
 * atomic instruction (selftests/fastpath-audit.sh checks the compiled
 * module).
 */
#ifndef _GOHEAP_CACHE_H
#define _GOHEAP_CACHE_H

#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/percpu.h>
#include <linux/preempt.h>

#include "internal.h"

/*
 * The counters are the fast paths' share of gh_stats' class counters, kept
 * here because the fast path already holds this address: stats.c adds
 * them to gh_stats' sums. Written only inside busy sections.
 */
struct gh_cache_class {
	struct gh_span *span;	/* owned span, or NULL */
	unsigned long window;	/* free objects of alloc word @word */
	unsigned long word;	/* long: an index with no widening */
	long mallocs;
	long frees;
	long requested;		/* bytes asked for by those mallocs */
	long sample_left;	/* bytes to this class's next profile sample */
} ____cacheline_aligned;

/* one line a class: a class's fast path touches one line of its cache */
static_assert(sizeof(struct gh_cache_class) == SMP_CACHE_BYTES);

/*
 * Each class's @sample_left counts down the bytes the manual heap's fast
 * path hands out in the class until its next allocation profile sample
 * (profile.c says why one a class): the fast path that takes it below zero
 * returns NULL, and the slow path takes the sample. Class 0, which no
 * object has, counts down large allocations. Unlike the counters, it is
 * also re-armed outside busy sections (profile.c), with plain stores: a
 * write lost to a race only moves one sample, never corrupts the cache.
 */
struct gh_cache {
	unsigned int busy;	/* a fast path is changing this cache */
	struct gh_cache_class cls[GH_NUM_CLASSES];
};

DECLARE_PER_CPU(struct gh_cache, gh_caches);
/* times an interrupt found its CPU's cache busy and went around it */
DECLARE_PER_CPU(unsigned long, gh_cache_bypasses);

/*
 * Enter this CPU's cache (preemption off). False if an interrupted fast
 * path on this CPU is inside it: the caller must leave the cache alone.
 * The mark is reached through the per-CPU segment, so that it costs the
 * fast paths no register.
 */
static __always_inline bool gh_cache_enter(void)
{
	if (unlikely(__this_cpu_read(gh_caches.busy)))
		return false;
	__this_cpu_write(gh_caches.busy, 1);
	barrier();	/* the mark before any access to the cache */
	return true;
}

static __always_inline void gh_cache_leave(void)
{
	barrier();	/* every access to the cache before the mark goes */
	__this_cpu_write(gh_caches.busy, 0);
}

/*
 * Take the window's lowest free object, or NULL if its remote bit is set
 * (two frees raced: the slow path settles that) or the window is empty.
 * @size > 0 counts the object as a malloc of @size bytes.
 */
static __always_inline void *gh_cache_try_pop(struct gh_cache_class *cc,
					      size_t size)
{
	struct gh_span *span = cc->span;
	unsigned long window = cc->window;
	unsigned long word = cc->word;
	unsigned long *alloc, bit;

	if (unlikely(!window))
		return NULL;
	bit = window & -window;
	if (unlikely(READ_ONCE(span->remote[word]) & bit))
		return NULL;
	alloc = &gh_span_alloc_bits(span)[word];
	cc->window = window ^ bit;
	*alloc |= bit;
	if (size) {
		cc->mallocs++;
		cc->requested += size;
	}
	return gh_span_obj(span, word * BITS_PER_LONG + __ffs(bit));
}

void *gh_cache_alloc_slow(unsigned int cls, size_t size, gfp_t gfp,
			  unsigned int want);

/**
 * gh_cache_alloc_fast() - allocate one object of class @cls from this
 *	CPU's window, and count it
 * @cls: size class
 * @size: bytes asked for, for the statistics
 * @profiled: (a constant) the request counts down to the next allocation
 *	profile sample: the manual heap's, not a typed cache's
 *
 * Return: the object, or NULL if the window has none to give at once, or
 * the countdown ran out: the caller takes its slow path (and counts what
 * that gives; a profiled caller's slow path takes the sample).
 */
static __always_inline void *gh_cache_alloc_fast(unsigned int cls,
						 size_t size, bool profiled)
{
	struct gh_cache_class *cc;
	void *p = NULL;

	preempt_disable();
	if (likely(gh_cache_enter())) {
		cc = this_cpu_ptr(&gh_caches.cls[cls]);
		/* a subtract and a sign branch, on the class's own line */
		if (profiled)
			cc->sample_left -= (long)size;
		if (!profiled || likely(cc->sample_left >= 0))
			p = gh_cache_try_pop(cc, size);
		gh_cache_leave();
	}
	preempt_enable();
	return p;
}

/*
 * Whether this CPU's profile countdown of @cls ran out: after
 * gh_cache_alloc_fast() failed, so that only a request that is a sample
 * goes through the profile's slow path, not every refill.
 */
static __always_inline bool gh_cache_sample_due(unsigned int cls)
{
	return this_cpu_read(gh_caches.cls[cls].sample_left) < 0;
}

/*
 * Inside a busy section: free object @idx of @span into this CPU's cache if
 * the cache holds @span and the object is allocated; false (nothing
 * changed) otherwise.
 */
static __always_inline bool gh_cache_put(struct gh_span *span, unsigned int idx)
{
	struct gh_cache_class *cc = this_cpu_ptr(&gh_caches.cls[span->cls]);
	unsigned long *alloc = gh_span_alloc_bits(span);
	unsigned long bit = BIT(idx % BITS_PER_LONG);
	unsigned int w = idx / BITS_PER_LONG;

	if (likely(cc->span == span) && likely(alloc[w] & bit) &&
	    likely(!(READ_ONCE(span->remote[w]) & bit))) {
		alloc[w] &= ~bit;
		if (cc->word == w)
			cc->window |= bit;
		cc->frees++;
		return true;
	}
	return false;
}

/**
 * gh_cache_free_local() - free an object of a span this CPU's cache holds
 * @span: live span; the caller has preemption off (which also keeps the
 *	  span alive: spans are freed after an RCU grace period)
 * @idx: object index, below span->nelems
 *
 * Return: true if the object was freed (and counted) here; false if this
 * CPU's cache does not hold @span, is busy (an interrupted fast path), or
 * the object is not allocated. Nothing is changed then: the caller takes
 * the slow path.
 */
static __always_inline bool gh_cache_free_local(struct gh_span *span,
						unsigned int idx)
{
	bool freed;

	if (unlikely(!gh_cache_enter())) {
		__this_cpu_inc(gh_cache_bypasses);
		return false;
	}
	freed = gh_cache_put(span, idx);
	gh_cache_leave();
	return freed;
}

/*
 * A bulk free's run of same-CPU frees into one span this CPU's cache owns,
 * inside one busy section: each object is checked against the alloc and
 * remote words as they were when its word was opened, and the frees of a
 * word are applied with one store (gh_cache_batch_flush()). The open
 * span's geometry is copied in, so that each free is an offset, a multiply
 * and a bit test, with no load through the span.
 */
struct gh_cache_batch {
	struct gh_cache_class *cc;
	struct gh_span *span;
	const void *base;		/* the open span's first object */
	unsigned long limit;		/* bytes of its objects; 0: none open */
	unsigned long size;
	u64 divmagic;
	unsigned long avail;		/* open word: objects it may still free */
	unsigned long taken;		/* open word: objects freed so far */
	unsigned int word;
};

static __always_inline void gh_cache_batch_flush(struct gh_cache_batch *b)
{
	if (!b->taken)
		return;
	gh_span_alloc_bits(b->span)[b->word] &= ~b->taken;
	if (b->cc->word == b->word)
		b->cc->window |= b->taken;
	b->cc->frees += hweight_long(b->taken);
	b->taken = 0;
}

/* Batch frees to @span from here on; false, none open, if this cache does not own it. */
static __always_inline bool gh_cache_batch_open(struct gh_cache_batch *b,
						struct gh_span *span)
{
	gh_cache_batch_flush(b);
	b->cc = this_cpu_ptr(&gh_caches.cls[span->cls]);
	b->span = span;
	b->base = span->base;
	b->size = span->size;
	b->divmagic = span->divmagic;
	b->word = UINT_MAX;
	b->limit = b->cc->span == span ? (unsigned long)span->nelems * span->size : 0;
	return b->limit;
}

static __always_inline void gh_cache_batch_word(struct gh_cache_batch *b,
						unsigned int w)
{
	gh_cache_batch_flush(b);
	b->word = w;
	b->avail = gh_span_alloc_bits(b->span)[w] & ~READ_ONCE(b->span->remote[w]);
}

/*
 * Add @p to the batch. Return: its index in the open span, or -1 with
 * nothing changed if it is not an object of the open span, is not
 * allocated, is being freed by another CPU, or was freed earlier in the
 * batch (a double free within the call): the caller looks further.
 */
static __always_inline long gh_cache_batch_add(struct gh_cache_batch *b,
					       const void *p)
{
	unsigned long offset = p - b->base, bit;
	unsigned int idx;

	if (offset >= b->limit)
		return -1;
	idx = (offset * b->divmagic) >> 32;
	if (offset != idx * b->size)
		return -1;
	if (idx / BITS_PER_LONG != b->word)
		gh_cache_batch_word(b, idx / BITS_PER_LONG);
	bit = BIT(idx % BITS_PER_LONG);
	if (!(b->avail & bit))
		return -1;
	b->avail ^= bit;
	b->taken |= bit;
	return idx;
}

unsigned int gh_cache_alloc_bulk(unsigned int cls, size_t size,
				 unsigned int n, void **ptrs);

#endif /* _GOHEAP_CACHE_H */
