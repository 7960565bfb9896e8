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

#include <linux/compiler.h>
#include <linux/percpu.h>
#include <linux/preempt.h>

#include "internal.h"

struct gh_cache_class {
	struct gh_span *span;	/* owned span, or NULL */
	unsigned long window;	/* free objects of alloc word @word */
	unsigned int word;
};

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
 */
static __always_inline bool gh_cache_enter(struct gh_cache *c)
{
	if (unlikely(READ_ONCE(c->busy)))
		return false;
	WRITE_ONCE(c->busy, 1);
	barrier();	/* the mark before any access to the cache */
	return true;
}

static __always_inline void gh_cache_leave(struct gh_cache *c)
{
	barrier();	/* every access to the cache before the mark goes */
	WRITE_ONCE(c->busy, 0);
}

/*
 * Take the window's lowest free object, or NULL if its remote bit is set
 * (two frees raced: the slow path settles that) or the window is empty.
 */
static __always_inline void *gh_cache_try_pop(struct gh_cache_class *cc)
{
	struct gh_span *span = cc->span;
	unsigned long window = cc->window;
	unsigned long *alloc, bit;

	if (unlikely(!window))
		return NULL;
	bit = window & -window;
	alloc = &gh_span_alloc_bits(span)[cc->word];
	if (unlikely(READ_ONCE(alloc[span->nwords]) & bit))
		return NULL;
	cc->window = window ^ bit;
	*alloc |= bit;
	return gh_span_obj(span, cc->word * BITS_PER_LONG + __ffs(bit));
}

void *gh_cache_alloc_slow(unsigned int cls, gfp_t gfp);

/**
 * gh_cache_alloc() - allocate one object of class @cls on this CPU
 * @cls: size class
 * @gfp: allocation flags for the slow path
 *
 * Return: the object, or NULL if memory could not be had under @gfp.
 */
static __always_inline void *gh_cache_alloc(unsigned int cls, gfp_t gfp)
{
	struct gh_cache *c;
	void *p = NULL;

	preempt_disable();
	c = this_cpu_ptr(&gh_caches);
	if (likely(gh_cache_enter(c))) {
		p = gh_cache_try_pop(&c->cls[cls]);
		gh_cache_leave(c);
	}
	preempt_enable();
	if (likely(p))
		return p;
	return gh_cache_alloc_slow(cls, gfp);
}

/**
 * gh_cache_free_local() - free an object of a span this CPU's cache holds
 * @span: live span; the caller has preemption off (which also keeps the
 *	  span alive: spans are freed after an RCU grace period)
 * @idx: object index, below span->nelems
 *
 * Return: true if the object was freed here; false if this CPU's cache
 * does not hold @span, is busy (an interrupted fast path), or the object is
 * not allocated. Nothing is changed then: the caller takes the slow path.
 */
static __always_inline bool gh_cache_free_local(struct gh_span *span,
						unsigned int idx)
{
	struct gh_cache *c = this_cpu_ptr(&gh_caches);
	struct gh_cache_class *cc = &c->cls[span->cls];
	unsigned long *alloc = gh_span_alloc_bits(span);
	unsigned long bit = BIT(idx % BITS_PER_LONG);
	unsigned int w = idx / BITS_PER_LONG;
	bool freed = false;

	if (unlikely(!gh_cache_enter(c))) {
		__this_cpu_inc(gh_cache_bypasses);
		return false;
	}
	if (likely(cc->span == span) && likely(alloc[w] & bit) &&
	    likely(!(READ_ONCE(alloc[span->nwords + w]) & bit))) {
		alloc[w] &= ~bit;
		if (cc->word == w)
			cc->window |= bit;
		freed = true;
	}
	gh_cache_leave(c);
	return freed;
}

#endif /* _GOHEAP_CACHE_H */
