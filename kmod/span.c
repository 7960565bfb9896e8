// SPDX-License-Identifier: GPL-2.0
/*
 * Spans of small objects: their allocation and remote-free bitmaps.
 *
 * A small-object span is a run of pages cut into nelems objects of one
 * class. Its state is two bitmaps, one bit per object:
 *
 *   alloc   set while the object is handed out. Only the span's owner
 *           writes it: the CPU whose cache holds the span (in a busy
 *           section),
 *           or, for a span with no owner, whoever holds its central lock.
 *           Plain, non-atomic bit operations.
 *   remote  set by a free from any CPU that does not own the span, with one
 *           atomic test-and-set. The owner folds these bits into alloc
 *           when it runs out of free objects, or central does so when it
 *           takes the span back.
 *
 * This is Go's allocBits with mimalloc's idea of a separate list for frees
 * from other threads, kept as a bitmap so that a double free is seen: a
 * remote free of an object whose remote bit is already set, or whose alloc
 * bit is clear, is reported and dropped, never queued twice.
 *
 * Two frees of one object racing from two CPUs, one local (plain stores)
 * and one remote (the atomic bit), can both pass their checks: each reads
 * the other's bit before the other's store is visible, and ruling that out
 * would cost the local free a full barrier. goheap detects the race later
 * instead, before it can do harm: the object ends up with its alloc bit
 * clear and its remote bit set, a state no single free produces. The owner
 * never hands out an object in that state: taking one from the window
 * (gh_span_settle_raced_free()) or folding remote bits into alloc
 * (gh_span_fold_remote()) finds the pair, counts one double free, takes
 * back one of the two counted frees, and clears the remote bit. So a raced
 * double free is counted exactly once and never frees or hands out a live
 * object. (A free whose check ran before the object was freed and whose
 * bit lands after the object was handed out again is indistinguishable
 * from a free of the new object: no allocator can tell those apart.)
 *
 * The allocating CPU reads free objects 64 at a time through a "window":
 * the inverted alloc word, in which each set bit is a free object, so the
 * next object is one count-trailing-zeros away (Go's allocCache).
 *
 * Span size grows with demand. A class's spans start at the class table's
 * size (sizeclasses.h), which is small so that a class in light use holds
 * little; from GH_SPAN_GROW_STEP spans alive on, each doubling of that
 * count doubles its new spans, up to an ordinary arena and
 * GH_SPAN_GROW_OBJECTS objects. A busy class of page-sized objects thus
 * refills, takes central locks and builds spans several times less often,
 * while a small live set of many classes keeps the small spans
 * (Documentation/goheap.rst, "Size classes"). The count of live spans per
 * class is the one thing that decides.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/math64.h>
#include <kunit/visibility.h>

#include "internal.h"
#include "poison.h"

/* live spans of the manual heap per class: how busy the class is */
static atomic_long_t gh_class_spans[GH_NUM_CLASSES];

/**
 * gh_span_new() - a fresh, empty span of class @cls, not yet live
 * @cls: size class
 * @nbitmaps: object bitmaps wanted: 2 (alloc, remote) or 3 (and mark)
 * @npages: its pages: the class's own (gh_classes[cls].npages) or a
 *	    power-of-two multiple of them holding at most GH_MAX_SPAN_OBJECTS
 * @nid: NUMA node whose arenas it comes from (NUMA_NO_NODE: this CPU's)
 * @gfp: allocation flags for the page heap
 *
 * Every object is poisoned. The caller finishes setting the span up and
 * then publishes its state with smp_store_release().
 *
 * Return: the span, or NULL when memory is short.
 */
struct gh_span *gh_span_new(unsigned int cls, unsigned int nbitmaps,
			    unsigned int npages, int nid, gfp_t gfp)
{
	const struct gh_class_info *info = &gh_classes[cls];
	unsigned int nelems = npages == info->npages ? info->nelems :
			      ((size_t)npages << PAGE_SHIFT) / info->size;
	unsigned int nwords = BITS_TO_LONGS(nelems);
	unsigned int align = 1;
	struct gh_span *span;

	if (WARN_ON_ONCE(nelems > GH_MAX_SPAN_OBJECTS))
		return NULL;
	/* power-of-two sizes are naturally aligned, as kmalloc's are */
	if (is_power_of_2(info->size) && info->size > PAGE_SIZE)
		align = info->size / PAGE_SIZE;
	span = gh_heap_alloc_span(npages, align,
				  nbitmaps * nwords * sizeof(unsigned long), nid, gfp);
	if (!span)
		return NULL;
	span->cls = cls;
	span->nelems = nelems;
	gh_span_set_nwords(span, nwords);
	span->size = info->size;
	span->divmagic = info->divmagic;
	gh_poison(span->base, (size_t)nelems * info->size);
	return span;
}

/*
 * Whether a span of @pages pages may hold objects of @info's class: at most
 * @max_objects of them, and few enough bytes that the index magic stays
 * exact (offset * magic >> 32 is offset / size for every offset below
 * 2^32 / size, since magic * size exceeds 2^32 by at most size).
 */
static bool gh_span_pages_fit(const struct gh_class_info *info,
			      unsigned int pages, unsigned int max_objects)
{
	u64 bytes = (u64)pages << PAGE_SHIFT;

	return div_u64(bytes, info->size) <= max_objects &&
	       bytes * info->size <= 1ULL << 32;
}

static unsigned int gh_span_objects(const struct gh_class_info *info,
				    unsigned int pages)
{
	return div_u64((u64)pages << PAGE_SHIFT, info->size);
}

/*
 * The pages of @info's class doubled once per halving of @busy, as long as
 * the span stays within @max pages and GH_SPAN_GROW_OBJECTS objects.
 */
static unsigned int gh_span_grow(const struct gh_class_info *info,
				 unsigned long busy, unsigned int max)
{
	unsigned int pages = info->npages;

	while (busy && pages * 2 <= max &&
	       gh_span_pages_fit(info, pages * 2, GH_SPAN_GROW_OBJECTS)) {
		pages *= 2;
		busy /= 2;
	}
	return pages;
}

/**
 * gh_span_grown_pages() - pages for a new span of @cls with @alive spans
 * @cls: size class
 * @alive: spans of the class (or, for a GC type, of the type) alive now
 *
 * The class's own pages while fewer than GH_SPAN_GROW_STEP spans are
 * alive, doubled at that many and again at every further doubling of the
 * count, within an ordinary arena and GH_SPAN_GROW_OBJECTS objects (beyond
 * that a refill is rare already, and more free slots per span only hold
 * memory).
 *
 * Return: the pages.
 */
unsigned int gh_span_grown_pages(unsigned int cls, unsigned long alive)
{
	return gh_span_grow(&gh_classes[cls], alive / GH_SPAN_GROW_STEP,
			    1U << READ_ONCE(gh_arena_order));
}

/**
 * gh_span_grown_objects_max() - the most objects a grown span of @cls holds
 * @cls: size class
 *
 * A bound on gh_span_grown_pages() whatever the arena order is then set
 * to and however many spans are alive: grown within the largest arena
 * (GH_ARENA_PAGES). Spans for a bulk call (gh_span_pages()) may hold more.
 *
 * Return: the objects.
 */
unsigned int gh_span_grown_objects_max(unsigned int cls)
{
	const struct gh_class_info *info = &gh_classes[cls];

	return gh_span_objects(info, gh_span_grow(info, ULONG_MAX, GH_ARENA_PAGES));
}
EXPORT_SYMBOL_IF_KUNIT(gh_span_grown_objects_max);

/*
 * Pages for a new span of @cls: grown with the class's live spans. A bulk
 * call that wants @want objects at once gets a span that holds them all,
 * if one within an ordinary arena and GH_MAX_SPAN_OBJECTS can: its next
 * calls then take their objects from one span, with no refill between
 * them.
 */
static unsigned int gh_span_pages(unsigned int cls, unsigned int want)
{
	const struct gh_class_info *info = &gh_classes[cls];
	unsigned int pages = gh_span_grown_pages(cls, atomic_long_read(&gh_class_spans[cls]));
	unsigned int max = 1U << READ_ONCE(gh_arena_order);

	while (want > gh_span_objects(info, pages) && pages * 2 <= max &&
	       gh_span_pages_fit(info, pages * 2, GH_MAX_SPAN_OBJECTS))
		pages *= 2;
	return pages;
}

/**
 * gh_span_bulk_objects() - objects a span for a bulk call would hold
 * @cls: size class
 * @want: objects the call allocates
 *
 * Return: 0 if @want objects fit in a span of the class's own size (the
 * call needs no span of its own); else the objects of the span
 * gh_span_new_small() would make for it, which may hold fewer than @want.
 */
unsigned int gh_span_bulk_objects(unsigned int cls, unsigned int want)
{
	if (want <= gh_classes[cls].nelems)
		return 0;
	return gh_span_objects(&gh_classes[cls], gh_span_pages(cls, want));
}
EXPORT_SYMBOL_IF_KUNIT(gh_span_bulk_objects);

/**
 * gh_span_pages_of() - pages a new span of @cls would have now
 * @cls: size class
 *
 * Return: what gh_span_new_small() would take (for the KUnit suites).
 */
unsigned int gh_span_pages_of(unsigned int cls)
{
	return gh_span_pages(cls, 0);
}
EXPORT_SYMBOL_IF_KUNIT(gh_span_pages_of);

/**
 * gh_span_new_small() - a fresh, empty, unowned span for class @cls
 * @cls: size class
 * @nid: NUMA node whose central lists it joins
 * @gfp: allocation flags for the page heap
 * @want: objects a bulk call wants at once (0: none), see gh_span_pages()
 *
 * Return: the span, or NULL when memory is short.
 */
struct gh_span *gh_span_new_small(unsigned int cls, int nid, gfp_t gfp,
				  unsigned int want)
{
	struct gh_span *span = gh_span_new(cls, 2, gh_span_pages(cls, want),
					   nid, gfp);

	if (!span)
		return NULL;
	atomic_long_inc(&gh_class_spans[cls]);
	/* publish the set-up span before its state says it is live */
	smp_store_release(&span->state, GH_SPAN_SMALL);
	return span;
}

/**
 * gh_span_free_small() - give an empty span of the manual heap back to the
 *	page heap
 * @span: a span from gh_span_new_small(), unowned, on no list, state dead
 * @idle_since: jiffies when its last object was freed
 */
void gh_span_free_small(struct gh_span *span, unsigned long idle_since)
{
	atomic_long_dec(&gh_class_spans[span->cls]);
	gh_heap_free_idle_span(span, idle_since);
}

/**
 * gh_span_new_typed() - a fresh, unowned span for a typed cache's own lists
 * @c: the cache's central lists: class, constructor
 * @gfp: allocation flags for the page heap
 *
 * The constructor runs here, once per object, when the span is populated,
 * as SLUB runs one when it makes a new slab: objects come back to the cache
 * in their constructed state and are handed out again as they are.
 *
 * Return: the span, or NULL when memory is short.
 */
struct gh_span *gh_span_new_typed(struct gh_central *c, gfp_t gfp)
{
	struct gh_span *span = gh_span_new(c->cls, 2, gh_classes[c->cls].npages,
					   c->nid, gfp);
	unsigned int i;

	if (!span)
		return NULL;
	gh_heap_scan_span(span, gfp);
	span->typed = c;
	for (i = 0; c->ctor && i < span->nelems; i++) {
		void *obj = gh_span_obj(span, i);

		gh_unpoison(obj, span->size);
		c->ctor(obj);
		gh_poison(obj, span->size);
	}
	/* publish the set-up span before its state says it is live */
	smp_store_release(&span->state, GH_SPAN_TYPED);
	return span;
}

static void gh_span_free_after_gp(struct rcu_head *head)
{
	gh_heap_free_span(container_of(head, struct gh_span, rcu));
}

/**
 * gh_span_free_typed() - give an empty span of a typed cache back to the
 *	page heap
 * @span: unowned, on no list, state dead
 * @after_gp: wait for an RCU grace period first (GOHEAP_CACHE_TYPESAFE_BY_RCU),
 *	so that a reader that found an object before it was freed still reads
 *	an object of the cache's type, never a page put to other use; the
 *	span then counts as emptied when the grace period ends
 * @idle_since: jiffies when its last object was freed
 */
void gh_span_free_typed(struct gh_span *span, bool after_gp,
			unsigned long idle_since)
{
	if (after_gp)
		call_rcu(&span->rcu, gh_span_free_after_gp);
	else
		gh_heap_free_idle_span(span, idle_since);
}

/* Bits of alloc word @word that stand for real objects. */
static unsigned long gh_span_word_mask(struct gh_span *span, unsigned int word)
{
	unsigned int tail = span->nelems % BITS_PER_LONG;

	if (word == span->nwords - 1 && tail)
		return BIT(tail) - 1;
	return ~0UL;
}

/**
 * gh_span_window() - free objects of alloc word @word, as set bits
 * @span: span, accessed by its owner
 * @word: word index
 *
 * Return: the inverted alloc word, limited to real objects.
 */
unsigned long gh_span_window(struct gh_span *span, unsigned int word)
{
	return ~gh_span_alloc_bits(span)[word] & gh_span_word_mask(span, word);
}

/* A double free found after the fact: count it once, undo its free count. */
static void gh_span_count_raced(struct gh_span *span, unsigned int idx,
				unsigned int n)
{
	gh_report_bad_free(GH_CNT_DOUBLE_FREE, gh_span_obj(span, idx),
			   "double free (raced with another free)", 0);
	if (n > 1)
		gh_count_add(GH_CNT_DOUBLE_FREE, n - 1);
	this_cpu_sub(gh_stats.class_frees[span->cls], n);
}

/**
 * gh_span_settle_raced_free() - the owner meets a free object whose remote
 *	bit is set: two frees raced (see above); count it, clear the bit
 * @span: span, accessed by its owner
 * @idx: object index; its alloc bit is clear
 */
void gh_span_settle_raced_free(struct gh_span *span, unsigned int idx)
{
	if (test_and_clear_bit(idx, gh_span_remote_bits(span)))
		gh_span_count_raced(span, idx, 1);
}

/**
 * gh_span_fold_remote() - fold frees from other CPUs into alloc
 * @span: span, accessed by its owner
 *
 * A remote bit whose alloc bit is already clear is a double free that
 * raced past the checks at free time; it is counted, reported and dropped.
 *
 * Return: the number of objects freed.
 */
unsigned int gh_span_fold_remote(struct gh_span *span)
{
	unsigned long *alloc = gh_span_alloc_bits(span);
	unsigned long *remote = gh_span_remote_bits(span);
	unsigned int w, freed = 0;

	for (w = 0; w < span->nwords; w++) {
		unsigned long bits, doubles;

		if (!READ_ONCE(remote[w]))
			continue;
		bits = xchg(&remote[w], 0);
		doubles = bits & ~alloc[w];
		if (unlikely(doubles)) {
			gh_span_count_raced(span, w * BITS_PER_LONG + __ffs(doubles),
					    hweight_long(doubles));
			bits &= alloc[w];
		}
		alloc[w] &= ~bits;
		freed += hweight_long(bits);
	}
	return freed;
}

/**
 * gh_span_live_objects() - objects handed out and not yet freed locally
 * @span: span, accessed by its owner
 *
 * Return: the alloc population (remote frees not yet collected included).
 */
unsigned int gh_span_live_objects(struct gh_span *span)
{
	return bitmap_weight(gh_span_alloc_bits(span), span->nelems);
}

/**
 * gh_span_remote_free() - free object @idx from a CPU that does not own @span
 * @span: span
 * @idx: object index
 *
 * Return: false if the object was not allocated or is already being freed.
 */
bool gh_span_remote_free(struct gh_span *span, unsigned int idx)
{
	if (!test_bit(idx, gh_span_alloc_bits(span)))
		return false;
	gh_count(GH_CNT_REMOTE_FREES);
	return !test_and_set_bit(idx, gh_span_remote_bits(span));
}
