// SPDX-License-Identifier: GPL-2.0
/*
 * The manual heap: goheap's kmalloc-like API.
 *
 * goheap_alloc() rounds a request up to its size class and takes an object
 * from this CPU's cache (cache.c). Requests above 32 KiB are "large": each
 * is a run of whole pages from the page heap (heap.c), aligned to its size
 * when that size is a power of two, as kmalloc aligns its own.
 *
 * goheap_free() trusts nothing it is given. The page map says whether the
 * pointer lies in a live goheap span at all; the span says whether it is
 * the start of an object; the span's bitmaps say whether that object is
 * handed out. Whatever fails a check is reported once (rate-limited, with
 * the caller's symbol), counted in the statistics, and ignored: the heap is
 * left as it was. The same goes for sizes that overflow or that no arena
 * could hold.
 *
 * Zero-byte requests get ZERO_SIZE_PTR, as kmalloc does (Go's zerobase):
 * one shared address that faults when touched and whose free does nothing.
 *
 * init_on_alloc and init_on_free are honoured as SLUB honours them: the
 * whole object (the class size, or the page run) is zeroed on allocation
 * when either the boot option or __GFP_ZERO asks, and on free when the boot
 * option asks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/overflow.h>
#include <linux/string.h>
#include <goheap.h>

#include "cache.h"
#include "internal.h"
#include "poison.h"

static_assert(GOHEAP_MAX_SMALL_SIZE == GH_MAX_SMALL_SIZE,
	      "include/goheap.h and the generated class table disagree");

/* Out of line, so that goheap_alloc()'s small path saves no register. */
static noinline void *gh_alloc_large(size_t size, gfp_t gfp)
{
	unsigned int npages = DIV_ROUND_UP(size, PAGE_SIZE);
	struct gh_span *span;

	if (unlikely(size > gh_heap_max_size())) {
		gh_count(GH_CNT_OVERSIZE);
		pr_warn_once("request of %zu bytes is over the %zu-byte limit\n",
			     size, gh_heap_max_size());
		return NULL;
	}
	span = gh_heap_alloc_span(npages, is_power_of_2(size) ? npages : 1, 0, gfp);
	if (!span)
		return NULL;
	span->size = size;
	/* pairs with the acquire in goheap_free(): fields before state */
	smp_store_release(&span->state, GH_SPAN_LARGE);
	gh_count(GH_CNT_LARGE_MALLOCS);
	gh_count_add(GH_CNT_LARGE_BYTES_ALLOC, (long)npages * PAGE_SIZE);
	gh_unpoison(span->base, (size_t)npages * PAGE_SIZE);
	if (want_init_on_alloc(gfp))
		memset(span->base, 0, (size_t)npages * PAGE_SIZE);
	return span->base;
}

static void gh_free_large(struct gh_span *span, const void *p,
			  unsigned long caller)
{
	if (p != span->base) {
		gh_report_bad_free(GH_CNT_INVALID_FREE, p, "interior pointer",
				   caller);
		return;
	}
	/* of two racing frees of one large object, only one gets here */
	if (cmpxchg(&span->state, GH_SPAN_LARGE, GH_SPAN_DEAD) != GH_SPAN_LARGE) {
		gh_report_bad_free(GH_CNT_DOUBLE_FREE, p, "double free", caller);
		return;
	}
	if (want_init_on_free())
		memset(span->base, 0, (size_t)span->npages * PAGE_SIZE);
	/* the heap unpoisons pages before they go back to the buddy allocator */
	gh_poison(span->base, (size_t)span->npages * PAGE_SIZE);
	gh_count(GH_CNT_LARGE_FREES);
	gh_count_add(GH_CNT_LARGE_BYTES_FREED, (long)span->npages * PAGE_SIZE);
	gh_heap_free_span(span);
}

/*
 * Unpoison, and zero if asked, a small object before it is handed out.
 * Every call is a tail call (memset() returns @p), so that goheap_alloc()'s
 * fast path saves no register.
 */
static __always_inline void *gh_alloc_ready(void *p, unsigned int cls,
					    gfp_t gfp)
{
	gh_unpoison(p, gh_classes[cls].size);
	if (unlikely(want_init_on_alloc(gfp)))
		return memset(p, 0, gh_classes[cls].size);
	return p;
}

static noinline void *gh_alloc_small_slow(unsigned int cls, size_t size,
					  gfp_t gfp)
{
	void *p = gh_cache_alloc_slow(cls, size, gfp);

	return p ? gh_alloc_ready(p, cls, gfp) : NULL;
}

/*
 * Index of the object at @p in small-object span @span, or -1 if @p is not
 * the start of one: an interior pointer, or a slot-aligned address in the
 * span's tail, past its last object.
 */
static __always_inline long gh_small_index(const struct gh_span *span,
					   const void *p)
{
	unsigned long offset = p - span->base;
	unsigned int idx = gh_span_index(span, offset);

	if (unlikely(offset != (unsigned long)idx * span->size ||
		     idx >= span->nelems))
		return -1;
	return idx;
}

/*
 * Whether a free must wipe or poison the object: in out-of-line
 * gh_free_wiped(), so that the plain fast path makes no call.
 */
static __always_inline bool gh_free_wants_wipe(void)
{
	return IS_ENABLED(CONFIG_KASAN_GENERIC) || want_init_on_free();
}

/*
 * Wipe and poison before the object can be handed out again. A double free
 * is turned away first, unless it races with the object being freed
 * elsewhere; then it can only wipe or poison a free object.
 */
static void gh_free_wipe(struct gh_span *span, void *p, unsigned int idx)
{
	if (gh_free_wants_wipe() && test_bit(idx, gh_span_alloc_bits(span))) {
		if (want_init_on_free())
			memset(p, 0, span->size);
		gh_poison(p, span->size);
	}
}

/* Report a small free that gh_cache_free*() turned away. */
static void gh_free_small_report(const void *p, int ret, unsigned long caller)
{
	if (ret)
		gh_report_bad_free(GH_CNT_DOUBLE_FREE, p,
				   "double free or never allocated", caller);
}

static void gh_free_small(struct gh_span *span, const void *p,
			  unsigned long caller)
{
	long idx = gh_small_index(span, p);

	if (idx < 0) {
		gh_report_bad_free(GH_CNT_INVALID_FREE, p,
				   "not the start of an object", caller);
		return;
	}
	gh_free_wipe(span, (void *)p, idx);
	gh_free_small_report(p, gh_cache_free(span, idx), caller);
}

/*
 * A small object this CPU's cache could not take back: another CPU's or
 * no CPU's span, a busy cache (an interrupted fast path), or a double
 * free. Entered with preemption off, which keeps the span alive; on
 * PREEMPT_RT, where the central lock sleeps, a preemptible RCU reader takes
 * over that job first. Returns with preemption on.
 */
static noinline void gh_free_elsewhere(struct gh_span *span, const void *p,
				       unsigned int idx, unsigned long caller)
{
	int ret;

	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		rcu_read_lock();
		preempt_enable();
	}
	ret = gh_cache_free_elsewhere(span, idx);
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		rcu_read_unlock();
	else
		preempt_enable();
	gh_free_small_report(p, ret, caller);
}

/*
 * goheap_free()'s fast path when init_on_free or KASAN asks for a wipe or
 * poisoning first: entered, and left, as gh_free_elsewhere().
 */
static noinline void gh_free_wiped(struct gh_span *span, const void *p,
				   unsigned int idx, unsigned long caller)
{
	gh_free_wipe(span, (void *)p, idx);
	if (gh_cache_free_local(span, idx))
		preempt_enable();
	else
		gh_free_elsewhere(span, p, idx, caller);
}

/*
 * Every free that is not a plain same-CPU one, and every bad free: in a
 * preemptible RCU reader, since the central lists take locks that sleep on
 * PREEMPT_RT.
 */
static noinline void gh_free_slow(const void *p, unsigned long caller)
{
	struct gh_span *span;

	rcu_read_lock();
	span = gh_span_of(p);
	if (unlikely(!span))
		gh_report_bad_free(GH_CNT_INVALID_FREE, p,
				   "not a live goheap object", caller);
	/* state before the fields it vouches for (enum gh_span_state) */
	else if (smp_load_acquire(&span->state) == GH_SPAN_SMALL)
		gh_free_small(span, p, caller);
	else if (span->state == GH_SPAN_LARGE)
		gh_free_large(span, p, caller);
	else if (span->state == GH_SPAN_GC)
		gh_report_bad_free(GH_CNT_INVALID_FREE, p,
				   "an object of a GC domain, which goheap_free() never handed out",
				   caller);
	else
		gh_report_bad_free(GH_CNT_DOUBLE_FREE, p, "object already freed",
				   caller);
	rcu_read_unlock();
}

/**
 * goheap_alloc() - allocate memory from goheap
 * @size: bytes wanted
 * @gfp: allocation flags, as for kmalloc(); %GFP_ATOMIC and %GFP_NOWAIT
 *	 never sleep, %__GFP_ZERO zeroes the memory
 *
 * Sizes up to %GOHEAP_MAX_SMALL_SIZE come from size classes, at least
 * 8-byte aligned and naturally aligned for powers of two. Larger sizes, up
 * to goheap_max_size(), are runs of whole pages.
 *
 * Context: any context; may sleep if @gfp allows it.
 * Return: the memory, %GOHEAP_ZERO_PTR for @size 0, or NULL if memory is
 * short or @size is larger than goheap_max_size() (reported once).
 */
void *goheap_alloc(size_t size, gfp_t gfp)
{
	unsigned int cls;
	void *p;

	if (unlikely(!size))
		return GOHEAP_ZERO_PTR;
	if (unlikely(size > GH_MAX_SMALL_SIZE))
		return gh_alloc_large(size, gfp);
	cls = gh_size_to_class(size);
	p = gh_cache_alloc_fast(cls, size);
	if (unlikely(!p))
		return gh_alloc_small_slow(cls, size, gfp);
	return gh_alloc_ready(p, cls, gfp);
}
EXPORT_SYMBOL_GPL(goheap_alloc);

/**
 * goheap_alloc_array() - allocate an array of @n elements of @size bytes
 * @n: element count
 * @size: element size
 * @gfp: allocation flags, as for goheap_alloc()
 *
 * Context: as goheap_alloc().
 * Return: as goheap_alloc() for @n * @size bytes, or NULL (counted as
 * oversize) if the product overflows.
 */
void *goheap_alloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (unlikely(check_mul_overflow(n, size, &bytes))) {
		gh_count(GH_CNT_OVERSIZE);
		pr_warn_once("array of %zu x %zu bytes overflows\n", n, size);
		return NULL;
	}
	return goheap_alloc(bytes, gfp);
}
EXPORT_SYMBOL_GPL(goheap_alloc_array);

/**
 * goheap_free() - free memory from goheap_alloc()
 * @p: the memory; NULL and %GOHEAP_ZERO_PTR are ignored
 *
 * A pointer goheap did not hand out (another allocator's, the stack's,
 * vmalloc's, an interior pointer, a free object) is reported, counted and
 * otherwise ignored.
 *
 * Context: any context.
 */
void goheap_free(const void *p)
{
	struct gh_span *span;
	long idx;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	/*
	 * The fast path: a same-CPU free. Preemption off keeps this CPU's
	 * cache ours and is an RCU reader for the span (freed with
	 * kfree_rcu()).
	 */
	preempt_disable();
	span = gh_span_of(p);
	/* state before the fields it vouches for (enum gh_span_state) */
	if (likely(span) && likely(smp_load_acquire(&span->state) == GH_SPAN_SMALL)) {
		idx = gh_small_index(span, p);
		if (likely(idx >= 0)) {
			if (unlikely(gh_free_wants_wipe()))
				gh_free_wiped(span, p, idx, _RET_IP_);
			else if (likely(gh_cache_free_local(span, idx)))
				preempt_enable();
			else
				gh_free_elsewhere(span, p, idx, _RET_IP_);
			return;
		}
	}
	preempt_enable();
	gh_free_slow(p, _RET_IP_);
}
EXPORT_SYMBOL_GPL(goheap_free);

/* Usable size of the live object at @p, 0 if @p is not one. */
static size_t gh_live_size(const void *p)
{
	struct gh_span *span;
	size_t size = 0;
	long idx;

	rcu_read_lock();
	span = gh_span_of(p);
	/* state before the fields it vouches for (enum gh_span_state) */
	if (span && smp_load_acquire(&span->state) == GH_SPAN_SMALL) {
		idx = gh_small_index(span, p);
		/* a remote bit is a free not yet folded in */
		if (idx >= 0 && test_bit(idx, gh_span_alloc_bits(span)) &&
		    !test_bit(idx, gh_span_remote_bits(span)))
			size = span->size;
	} else if (span && span->state == GH_SPAN_LARGE && p == span->base) {
		size = (size_t)span->npages * PAGE_SIZE;
	}
	rcu_read_unlock();
	return size;
}

/**
 * goheap_size() - usable size of a goheap object, like ksize()
 * @p: an object from goheap_alloc()
 *
 * A pointer that is not a live goheap object (a freed one, an interior
 * pointer, a slot past a span's last object, another allocator's) is
 * reported and counted as an invalid free, as KASAN reports ksize() of a
 * freed object.
 *
 * Context: any context.
 * Return: the bytes the caller may use at @p (its class size, or its page
 * run for a large object); 0 for NULL, %GOHEAP_ZERO_PTR and pointers that
 * are not a live goheap object.
 */
size_t goheap_size(const void *p)
{
	size_t size;

	if (ZERO_OR_NULL_PTR(p))
		return 0;
	size = gh_live_size(p);
	if (!size)
		gh_report_bad_free(GH_CNT_INVALID_FREE, p,
				   "size of a pointer that is not a live goheap object",
				   _RET_IP_);
	return size;
}
EXPORT_SYMBOL_GPL(goheap_size);

/**
 * goheap_realloc() - resize a goheap object, like krealloc()
 * @p: an object from goheap_alloc(), or NULL or %GOHEAP_ZERO_PTR
 * @new_size: bytes wanted; 0 frees @p
 * @gfp: allocation flags, as for goheap_alloc()
 *
 * The object stays where it is when @new_size fits its usable size;
 * otherwise its contents move to a new object and @p is freed. A @p that
 * is not a live goheap object (freed, interior, another allocator's) is
 * reported, counted as an invalid free and left alone.
 *
 * Context: as goheap_alloc().
 * Return: the object, %GOHEAP_ZERO_PTR for @new_size 0, or NULL on failure
 * (@p is then still valid, unless it was not goheap's to begin with).
 */
void *goheap_realloc(const void *p, size_t new_size, gfp_t gfp)
{
	size_t old_size;
	void *q;

	if (ZERO_OR_NULL_PTR(p))
		return goheap_alloc(new_size, gfp);
	old_size = gh_live_size(p);
	if (!old_size) {
		gh_report_bad_free(GH_CNT_INVALID_FREE, p,
				   "realloc of a pointer that is not a live goheap object",
				   _RET_IP_);
		return NULL;
	}
	if (!new_size) {
		goheap_free(p);
		return GOHEAP_ZERO_PTR;
	}
	if (new_size <= old_size)
		return (void *)p;
	q = goheap_alloc(new_size, gfp);
	if (!q)
		return NULL;
	memcpy(q, p, old_size);
	goheap_free(p);
	return q;
}
EXPORT_SYMBOL_GPL(goheap_realloc);

/**
 * goheap_max_size() - the largest request goheap serves
 *
 * Return: bytes in the largest page run an arena can hold (4 MiB with
 * 4 KiB pages and the kernel's default MAX_ORDER).
 */
size_t goheap_max_size(void)
{
	return gh_heap_max_size();
}
EXPORT_SYMBOL_GPL(goheap_max_size);

/**
 * goheap_drain() - give every idle byte back to the buddy allocator
 *
 * Go's debug.FreeOSMemory: empties the per-CPU caches, returns empty spans
 * to the page heap, and frees every empty arena at once.
 *
 * Context: process context, interrupts enabled; may sleep.
 */
void goheap_drain(void)
{
	might_sleep();
	gh_cache_drain_all();
	gh_heap_release_all();
}
EXPORT_SYMBOL_GPL(goheap_drain);
